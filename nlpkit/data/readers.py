"""Reading a folder of scraped articles: every file becomes article records or an error record.

Whatever a scraper leaves in a folder (empty files, binaries, broken JSON, pages with no story, files in
another encoding or language) must not stop a batch: each problem becomes one record with `error` set,
and the rest of the folder goes on.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

__all__ = ["InputRecord", "SUPPORTED_SUFFIXES", "DEFAULT_MAX_BYTES", "discover", "read_path", "language_warning"]

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")
DEFAULT_MAX_BYTES = 5_000_000
_FALLBACK_ENCODING = "cp1252"


@dataclass
class InputRecord:
    """One article to predict, or the reason it could not be read (`error`)."""

    path: str
    id: str
    title: str = ""
    text: str = ""
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: `date`, `source` and `url` when a JSON object carries them (the digest charts by day and source).
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(f"{self.id}\x1f{self.title}\x1f{self.text}\x1f{self.error}".encode()).hexdigest()


def discover(root: Path) -> Iterator[Path]:
    """Files under `root` in sorted order (recursively), or `root` itself; hidden entries are skipped."""
    if not root.is_dir():
        yield root
        return
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder) / name


def read_path(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[InputRecord]:
    """Records from one supported file; problems become error records, never exceptions."""
    name = str(path)
    problem = _file_problem(path, max_bytes)
    if problem:
        yield InputRecord(name, path.stem, error=problem)
        return
    try:
        raw = path.read_bytes()
    except OSError as error:
        yield InputRecord(name, path.stem, error=f"cannot read file: {error.strerror or error}")
        return
    if b"\x00" in raw[:8192]:
        yield InputRecord(name, path.stem, error="binary file, expected text (UTF-8)")
        return
    text, decode_warning = _decode(raw)
    for record in _parse(path, text):
        if decode_warning:
            record.warnings.append(decode_warning)
        if not record.error:
            _check_content(record)
        yield record


def _file_problem(path: Path, max_bytes: int) -> str | None:
    if path.is_symlink() and not path.exists():
        return f"broken symlink (points to {os.readlink(path)})"
    if not path.is_file():
        return "not a regular file"
    size = path.stat().st_size
    if size > max_bytes:
        return f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit (--max-bytes)"
    if not os.access(path, os.R_OK):
        return "permission denied"
    return None


def _decode(raw: bytes) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return raw.decode(_FALLBACK_ENCODING, errors="replace"), f"not valid UTF-8; decoded as {_FALLBACK_ENCODING}"


def _parse(path: Path, text: str) -> Iterator[InputRecord]:
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        yield _plain_text(path, text, markdown=suffix == ".md")
    elif suffix in (".html", ".htm"):
        yield _html(path, text)
    elif suffix == ".json":
        yield from _json(path, text)
    else:
        yield from _jsonl(path, text)


def _plain_text(path: Path, text: str, markdown: bool) -> InputRecord:
    """First non-empty line (or `#` heading) is the title; the rest is the body."""
    if markdown:
        text = _strip_markdown(text)
    lines = text.strip().split("\n")
    title = lines[0].strip().lstrip("#").strip() if lines else ""
    body = "\n".join(lines[1:]).strip()
    if not body and title:
        title, body = "", title
    return InputRecord(str(path), path.stem, title=title, text=body)


def _strip_markdown(text: str) -> str:
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|_|`)(\S(?:.*?\S)?)\1", r"\2", text)
    return re.sub(r"^#{2,6}\s+", "", text, flags=re.MULTILINE)


def _json(path: Path, text: str) -> Iterator[InputRecord]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        yield InputRecord(str(path), path.stem, error=f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}")
        return
    items = data if isinstance(data, list) else [data]
    for index, item in enumerate(items):
        default_id = path.stem if len(items) == 1 else f"{path.stem}#{index + 1}"
        yield _from_object(path, item, default_id, "JSON file")


def _jsonl(path: Path, text: str) -> Iterator[InputRecord]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            yield InputRecord(str(path), f"line {number}", error=f"line {number}: malformed JSON ({error.msg})")
            continue
        yield _from_object(path, item, f"line {number}", f"line {number}")


def _from_object(path: Path, item: object, default_id: str, where: str) -> InputRecord:
    if not isinstance(item, dict):
        return InputRecord(str(path), default_id, error=f"{where}: expected an object with 'text', got {type(item).__name__}")
    record_id = str(item.get("id", default_id))
    if not isinstance(item.get("text"), str):
        return InputRecord(str(path), record_id, error=f"{where}: expected a 'text' string field")
    title = item.get("title") or ""
    meta = {key: str(item[key]) for key in ("date", "source", "url") if isinstance(item.get(key), (str, int, float))}
    return InputRecord(str(path), record_id, title=str(title), text=item["text"], meta=meta)


def _html(path: Path, text: str) -> InputRecord:
    extractor = _ArticleExtractor()
    extractor.feed(text)
    extractor.close()
    title, body = extractor.result()
    if not body.strip():
        return InputRecord(str(path), path.stem, title=title, error="no article text found in the HTML page")
    return InputRecord(str(path), path.stem, title=title, text=body)


def _check_content(record: InputRecord) -> None:
    if not record.text.strip():
        record.error = "empty file" if not record.title else "no article text (only a title)"
        return
    warning = language_warning(f"{record.title} {record.text}")
    if warning:
        record.warnings.append(warning)


_ENGLISH_WORDS = frozenset(["the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as", "was", "said", "by", "at", "from", "it", "has", "have", "are", "be"])


def language_warning(text: str) -> str | None:
    """A warning when text is unlikely to be English, which the bundled encoder reads poorly."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 20:
        return None
    latin = sum(1 for ch in letters if ch.isascii()) / len(letters)
    if latin < 0.6:
        return f"text looks non-English ({latin:.0%} Latin letters); the encoder is English-only, predictions may be poor"
    words = re.findall(r"[a-z]+", text.lower())
    if len(words) >= 30 and sum(w in _ENGLISH_WORDS for w in words) / len(words) < 0.04:
        return "text looks non-English (few English function words); the encoder is English-only, predictions may be poor"
    return None


class _ArticleExtractor(HTMLParser):
    """Collects paragraph text, preferring <article>, then <main>, then the whole <body>.

    Scripts, styles, navigation, headers, footers, asides, forms and figures are dropped entirely.
    """

    _SKIP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "figure", "button", "svg", "template", "iframe"}
    _BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "div", "section", "article", "main", "br", "tr", "pre"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._skip_depth = 0
        self._stack: list[str] = []
        self._blocks: dict[str, list[str]] = {"article": [], "main": [], "body": []}
        self._current: list[str] = []
        self._in_title = False
        self._page_title = ""
        self._h1 = ""
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._SKIP:
            self._skip_depth += 1
        if tag in self._BLOCKS:
            self._flush()
        if tag == "title":
            self._in_title = True
        if tag == "h1" and not self._h1:
            self._in_h1 = True
        if tag not in ("br", "img", "meta", "link", "input", "hr"):
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCKS:
            self._flush()
        if tag in self._SKIP and self._skip_depth:
            self._skip_depth -= 1
        if tag == "title":
            self._in_title = False
        if tag == "h1":
            self._in_h1 = False
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._page_title += data
            return
        if self._skip_depth:
            return
        if self._in_h1:
            self._h1 += data
            return
        self._current.append(data)

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._current)).strip()
        self._current = []
        if not text or self._skip_depth:
            return
        for container in ("article", "main"):
            if container in self._stack:
                self._blocks[container].append(text)
        self._blocks["body"].append(text)

    def result(self) -> tuple[str, str]:
        self._flush()
        paragraphs = self._blocks["article"] or self._blocks["main"] or self._blocks["body"]
        title = re.sub(r"\s+", " ", self._h1 or self._page_title).strip()
        return title, "\n\n".join(paragraphs)
