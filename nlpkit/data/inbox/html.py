"""HTML pages: the article's title and paragraphs, by a small tokenizer that is linear in the page length."""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import Callable

__all__ = ["extract_html"]

# --- HTML: a small linear-time tokenizer ------------------------------------------------------------
#
# The standard library's HTMLParser rescans unfinished markup ("<a " repeated) quadratically and raises on
# some malformed declarations; this tokenizer looks at each character a bounded number of times: every
# search for a closing ">" or "-->" either succeeds past the current position or proves there is none left.

_TAG_START = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,40})")
_RAW_TEXT = {"script": re.compile(r"</script\s*>", re.IGNORECASE), "style": re.compile(r"</style\s*>", re.IGNORECASE)}
_CHECK_EVERY = 2048  # tokens between parse-time checks


def extract_html(page: str, check: Callable[[], None] | None = None) -> tuple[str, str]:
    """(title, paragraphs joined by blank lines) of an HTML page, in time linear in its length.

    `check` is called every few thousand tokens and may raise to stop (the parse-time limit).
    """
    extractor = _ArticleExtractor()
    n = len(page)
    position = 0
    next_gt = -1  # position of the next ">" at or after the cursor; n when there is none left
    tokens = 0

    def find_gt(start: int) -> int:
        nonlocal next_gt
        if next_gt < start and next_gt != n:
            found = page.find(">", start)
            next_gt = found if found >= 0 else n
        return next_gt

    while position < n:
        tokens += 1
        if check is not None and tokens % _CHECK_EVERY == 0:
            check()
        lt = page.find("<", position)
        if lt < 0:
            extractor.data(page[position:])
            break
        if lt > position:
            extractor.data(page[position:lt])
        if page.startswith("<!--", lt):
            end = page.find("-->", lt + 4)
            if end < 0:
                break  # an unclosed comment runs to the end of the page, as in browsers
            position = end + 3
            continue
        match = _TAG_START.match(page, lt)
        if match is None:
            if page.startswith(("<!", "<?"), lt):  # doctype, CDATA, processing instruction: skipped whole
                gt = find_gt(lt)
                if gt >= n:
                    break
                position = gt + 1
            else:
                extractor.data("<")
                position = lt + 1
            continue
        gt = find_gt(match.end())
        if gt >= n:
            break  # an unfinished tag at the end of the page is dropped
        closing, tag = match.group(1), match.group(2).lower()
        position = gt + 1
        if closing:
            extractor.end(tag)
            continue
        extractor.start(tag)
        if page[gt - 1] == "/":  # self-closing: <svg/> must not swallow the rest of the page
            extractor.end(tag)
            continue
        if tag in _RAW_TEXT:
            close = _RAW_TEXT[tag].search(page, position)
            if close is None:
                break
            position = close.end()
            extractor.end(tag)
    return extractor.result()


class _ArticleExtractor:
    """Collects paragraph text, preferring <article>, then <main>, then the whole <body>.

    Scripts, styles, navigation, headers, footers, asides, forms and figures are dropped entirely. Open
    tags are counted by name, so unclosed or mismatched tags cost O(1) each, not a scan of the stack.
    """

    _SKIP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "figure", "button", "svg", "template", "iframe"}
    _BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "div", "section", "article", "main", "br", "tr", "pre"}
    _VOID = {"br", "img", "meta", "link", "input", "hr", "area", "base", "col", "embed", "source", "track", "wbr"}

    def __init__(self) -> None:
        self._skip_depth = 0
        self._stack: list[str] = []
        self._open: Counter[str] = Counter()
        self._blocks: dict[str, list[str]] = {"article": [], "main": [], "body": []}
        self._current: list[str] = []
        self._in_title = False
        self._page_title: list[str] = []
        self._h1: list[str] = []
        self._in_h1 = False

    def start(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip_depth += 1
        if tag in self._BLOCKS:
            self._flush()
        if tag == "title":
            self._in_title = True
        if tag == "h1" and not self._h1:
            self._in_h1 = True
        if tag not in self._VOID:
            self._stack.append(tag)
            self._open[tag] += 1

    def end(self, tag: str) -> None:
        if tag in self._BLOCKS:
            self._flush()
        if tag == "title":
            self._in_title = False
        if tag == "h1":
            self._in_h1 = False
        if self._open[tag]:
            while self._stack:  # amortised: every tag is popped at most once
                popped = self._stack.pop()
                self._open[popped] -= 1
                if popped in self._SKIP and self._skip_depth:
                    self._skip_depth -= 1
                if popped == tag:
                    break

    def data(self, text: str) -> None:
        if self._in_title:
            self._page_title.append(text)
            return
        if self._skip_depth:
            return
        if self._in_h1:
            self._h1.append(text)
            return
        self._current.append(text)

    def _flush(self) -> None:
        if not self._current:
            return
        text = re.sub(r"\s+", " ", html.unescape("".join(self._current))).strip()
        self._current = []
        if not text or self._skip_depth:
            return
        for container in ("article", "main"):
            if self._open[container]:
                self._blocks[container].append(text)
        self._blocks["body"].append(text)

    def result(self) -> tuple[str, str]:
        self._flush()
        paragraphs = self._blocks["article"] or self._blocks["main"] or self._blocks["body"]
        title = re.sub(r"\s+", " ", html.unescape("".join(self._h1) or "".join(self._page_title))).strip()
        return title[:2000], "\n\n".join(paragraphs)
