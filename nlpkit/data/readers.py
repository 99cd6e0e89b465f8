"""Reading a folder of scraped articles: every file becomes article records or an error record.

Whatever a scraper, a colleague or an attacker leaves in a folder (empty files, binaries, broken or
deeply nested JSON, huge integers, lone surrogates, file names that are not UTF-8, pages with unclosed
tags, files in another encoding or language) must not stop a batch: each problem becomes one record with
`error` set, and the rest of the folder goes on. Parsing is linear in the file size and bounded by
`ReadLimits`, so no single file can take minutes.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import json
import math
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath
from typing import Any, Callable, Iterable, Iterator

__all__ = [
    "InputRecord",
    "ReadLimits",
    "SUPPORTED_SUFFIXES",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CHARS",
    "DEFAULT_PARSE_SECONDS",
    "discover",
    "skip_reason",
    "read_path",
    "read_bytes",
    "size_problem",
    "language_warning",
    "clean_text",
    "display_path",
    "cell_text",
    "extract_html",
]

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")
DEFAULT_MAX_BYTES = 5_000_000
#: Longer texts are cut (with a warning): 200,000 characters is ~30,000 words, far beyond any news story.
DEFAULT_MAX_CHARS = 200_000
#: Reading and parsing one file may take this long before it becomes an error record.
DEFAULT_PARSE_SECONDS = 10.0
_FALLBACK_ENCODING = "cp1252"
# JSON deeper than this is refused before the parser sees it (json recurses per level).
_MAX_JSON_DEPTH = 200


@dataclass(frozen=True)
class ReadLimits:
    """Per-file limits: bytes on disk, characters of article text kept, seconds spent parsing."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_chars: int = DEFAULT_MAX_CHARS
    parse_seconds: float = DEFAULT_PARSE_SECONDS


class _ParseTimeout(Exception):
    """Raised inside a parser when the file's parse-time budget is spent."""


class _Budget:
    """Seconds spent parsing one file, counting only time inside the reader (not the caller's predictions)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent = 0.0
        self.since: float | None = None

    def resume(self) -> None:
        self.since = time.monotonic()

    def pause(self) -> None:
        if self.since is not None:
            self.spent += time.monotonic() - self.since
            self.since = None

    def check(self) -> None:
        running = time.monotonic() - self.since if self.since is not None else 0.0
        if self.spent + running > self.seconds:
            raise _ParseTimeout


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
        return hashlib.sha256(f"{self.id}\x1f{self.title}\x1f{self.text}\x1f{self.error}".encode(errors="replace")).hexdigest()


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """The string with lone surrogates (from JSON escapes or undecodable file names) replaced by U+FFFD."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    if _only_escapes(value):  # os.fsdecode's escapes: turn the original bytes into U+FFFD per bad byte run
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return _SURROGATE.sub("\ufffd", value)


def _only_escapes(value: str) -> bool:
    return all(not 0xD800 <= ord(ch) <= 0xDFFF or 0xDC80 <= ord(ch) <= 0xDCFF for ch in value)


def cell_text(value: Any) -> str | None:
    """A DataFrame cell as text, or None when missing (pandas gives None, NaN, pd.NA or NaT), never "nan"."""
    if value is None or type(value).__name__ in ("NAType", "NaTType") or (isinstance(value, float) and math.isnan(value)):
        return None
    return value if isinstance(value, str) else str(value)


def display_path(path: Path | str) -> str:
    """A file name as valid UTF-8 text: bytes that are not UTF-8 become U+FFFD (the record must be writable)."""
    return clean_text(str(path))


def discover(root: Path) -> Iterator[Path]:
    """Files under `root` in sorted order (recursively), or `root` itself; hidden entries are skipped.

    Symlinked folders are listed but not walked (no loops); see `skip_reason` for symlinked files.
    """
    if not root.is_dir():
        yield root
        return
    for folder, subfolders, files in os.walk(root, onerror=None):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder) / name


def skip_reason(path: Path, root: Path, follow_symlinks: bool = False, exclude: Iterable[Path] = ()) -> str | None:
    """Why `path` is not an input (unsupported, nlpkit's own output, a symlink out of the folder), or None."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"not a supported format ({', '.join(SUPPORTED_SUFFIXES)})"
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # symlink loop
        return None  # read_path turns it into an error record
    if any(resolved == Path(other).resolve() for other in exclude):
        return "the output file of this run"
    if not follow_symlinks and path.is_symlink() and path.exists() and root.is_dir():
        base = root.resolve()
        if base not in resolved.parents:
            return f"symlink to {display_path(resolved)}, outside the input folder (use --follow-symlinks)"
    if _is_nlpkit_output(path):
        return "an nlpkit output file (prediction records), not articles"
    return None


def _is_nlpkit_output(path: Path) -> bool:
    """True for a JSONL file whose first line is a prediction record nlpkit wrote."""
    if path.suffix.lower() != ".jsonl" or not path.is_file():  # never open a FIFO or device here
        return False
    try:
        with path.open("rb") as handle:
            first = handle.readline(1 << 16)
        record = json.loads(first)
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(record, dict) and {"sha256", "topic", "scores", "summary", "error"} <= set(record)


def read_path(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, limits: ReadLimits | None = None) -> Iterator[InputRecord]:
    """Records from one supported file; every problem becomes an error record, never an exception."""
    limits = limits or ReadLimits(max_bytes=max_bytes)
    name, stem = display_path(path), display_path(path.stem)
    try:
        problem = _file_problem(path, limits.max_bytes)
        if problem:
            yield InputRecord(name, stem, error=problem)
            return
        raw = _read_bytes(path, limits.max_bytes)
    except OSError as error:
        yield InputRecord(name, stem, error=f"cannot read file: {error.strerror or error}")
        return
    warnings = [f"file name is not valid UTF-8; shown as {name}"] if name != str(path) else []
    yield from _records(path, name, stem, raw, limits, warnings)


def read_bytes(name: str, raw: bytes, limits: ReadLimits | None = None) -> Iterator[InputRecord]:
    """Records from the content of one file already read (e.g. by Spark's binaryFile source), as `read_path` gives.

    `name` is the path as the records show it: a local path, or a URI such as `hdfs://host/feed/a.txt`.
    """
    limits = limits or ReadLimits()
    path = PurePosixPath(name)
    problem = size_problem(len(raw), limits.max_bytes)
    if problem:
        yield InputRecord(name, path.stem, error=problem)
        return
    yield from _records(path, name, path.stem, raw, limits, [])


def size_problem(size: int, max_bytes: int) -> str | None:
    """The error for a file over the size limit, or None."""
    if size > max_bytes:
        return f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit (--max-bytes)"
    return None


def _records(path: PurePath, name: str, stem: str, raw: bytes, limits: ReadLimits, warnings: list[str]) -> Iterator[InputRecord]:
    """Decode and parse one file's bytes; the parse-time budget counts only time spent in here."""
    budget = _Budget(limits.parse_seconds)
    budget.resume()
    produced = 0
    try:
        text, decode_warning, decode_error = _decode(raw)
        if decode_error:
            yield InputRecord(name, stem, error=decode_error)
            return
        seen: Counter[str] = Counter()
        for record in _parse(path, name, stem, text, budget):
            _finish(record, seen, limits)
            record.warnings[:0] = warnings + ([decode_warning] if decode_warning else [])
            produced += 1
            budget.pause()
            yield record
            budget.resume()
    except _ParseTimeout:
        yield InputRecord(name, stem if not produced else f"{stem}#rest",
                          error=f"parsing took over {limits.parse_seconds:g} s (--parse-seconds); rest of the file skipped")
    except Exception as error:  # noqa: BLE001 - whatever a hostile file triggers, it is that file's record
        yield InputRecord(name, stem if not produced else f"{stem}#rest", error=f"cannot parse file: {_short(error)}")


def _short(error: BaseException) -> str:
    message = clean_text(str(error)).splitlines()[0][:160] if str(error) else ""
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def _finish(record: InputRecord, seen: Counter[str], limits: ReadLimits) -> None:
    """Clean strings, make ids unique within the file, cut over-long text and check the content."""
    record.id, record.title, record.text = clean_text(record.id), clean_text(record.title), clean_text(record.text)
    seen[record.id] += 1
    if seen[record.id] > 1:
        original = record.id
        record.id = f"{original}#{seen[original]}"
        record.warnings.append(f"duplicate id {original!r} in this file; this record is {record.id!r}")
    if record.error:
        return
    if len(record.title) > 2000:
        record.title = record.title[:2000]
        record.warnings.append("title cut to 2,000 characters")
    if len(record.text) > limits.max_chars:
        record.text = record.text[: limits.max_chars]
        record.warnings.append(f"text cut to its first {limits.max_chars:,} characters (--max-chars)")
    _check_content(record)


def _file_problem(path: Path, max_bytes: int) -> str | None:
    if path.is_symlink() and not path.exists():
        try:
            target = display_path(os.readlink(path))
        except OSError:
            target = "?"
        return f"broken symlink or symlink loop (points to {target})"
    if not path.is_file():
        return "not a regular file (device, FIFO or folder)"
    size_error = size_problem(path.stat().st_size, max_bytes)
    if size_error:
        return size_error
    if not os.access(path, os.R_OK):
        return "permission denied"
    return None


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes: a file that grows after the size check is still bounded."""
    with path.open("rb") as handle:
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise OSError(f"file grew over the {max_bytes / 1e6:.1f} MB limit (--max-bytes) while being read")
    return raw


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def _decode(raw: bytes) -> tuple[str, str | None, str | None]:
    """(text, warning, error): UTF-8, UTF-16/32 by BOM or by zero-byte pattern, else cp1252 if it reads as text."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding), None, None
            except UnicodeDecodeError:
                return "", None, f"starts with a {encoding.upper()} byte-order mark but is not valid {encoding.upper()}"
    utf16 = _bomless_utf16(raw)
    if utf16:
        try:
            return raw.decode(utf16), None, None
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw[:8192]:
        return "", None, "binary file, expected text (UTF-8 or UTF-16)"
    try:
        return raw.decode("utf-8-sig"), None, None
    except UnicodeDecodeError:
        pass
    text = raw.decode(_FALLBACK_ENCODING, errors="replace")
    sample = text[:20000]
    readable = sum(1 for ch in sample if ch.isascii() and (ch.isprintable() or ch in "\n\r\t")) / max(len(sample), 1)
    if readable < 0.8:
        return "", None, (f"not UTF-8, UTF-16 or a Latin text ({readable:.0%} readable characters as {_FALLBACK_ENCODING}); "
                          "binary data or another encoding such as Shift-JIS, GBK or KOI8-R: convert it to UTF-8")
    return text, f"not valid UTF-8; decoded as {_FALLBACK_ENCODING}", None


def _bomless_utf16(raw: bytes) -> str | None:
    """UTF-16 without a byte-order mark, recognised by ASCII characters with a zero high byte."""
    head = raw[:4096]
    if len(head) < 8 or len(raw) % 2:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.7 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.7 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _parse(path: PurePath, name: str, stem: str, text: str, budget: _Budget) -> Iterator[InputRecord]:
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        yield _plain_text(name, stem, text, markdown=suffix == ".md")
    elif suffix in (".html", ".htm"):
        yield _html(name, stem, text, budget)
    elif suffix == ".json":
        yield from _json(name, stem, text)
    else:
        yield from _jsonl(name, text, budget)


def _plain_text(name: str, stem: str, text: str, markdown: bool) -> InputRecord:
    """First non-empty line (or `#` heading) is the title; the rest is the body."""
    if markdown:
        text = _strip_markdown(text)
    lines = text.strip().split("\n")
    title = lines[0].strip().lstrip("#").strip() if lines else ""
    body = "\n".join(lines[1:]).strip()
    if not body and title:
        title, body = "", title
    return InputRecord(name, stem, title=title, text=body)


_MD_IMAGE = re.compile(r"!\[[^\]\n]{0,500}\]\([^)\n]{0,2000}\)")
_MD_LINK = re.compile(r"\[([^\]\n]{1,500})\]\([^)\n]{0,2000}\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(\S(?:[^\n]{0,300}?\S)?)\1")


def _strip_markdown(text: str) -> str:
    # Bounded repetitions and no newlines inside a match keep every pattern linear in the text length.
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    return re.sub(r"^#{2,6}[ \t]+", "", text, flags=re.MULTILINE)


def _json_depth_problem(text: str) -> str | None:
    """A linear scan for nesting depth (ignoring brackets inside strings), before json recurses."""
    from nlpkit.data.jsonl import json_depth_problem

    return json_depth_problem(text, _MAX_JSON_DEPTH)


def _loads(text: str) -> object:
    problem = _json_depth_problem(text) if text.count("[") + text.count("{") > _MAX_JSON_DEPTH else None
    if problem:
        raise ValueError(problem)
    return json.loads(text)


def _json_error(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}"
    return f"malformed JSON: {_short(error)}"


def _json(name: str, stem: str, text: str) -> Iterator[InputRecord]:
    try:
        data = _loads(text)
    except (ValueError, RecursionError) as error:
        yield InputRecord(name, stem, error=_json_error(error))
        return
    items = data if isinstance(data, list) else [data]
    if not items:
        yield InputRecord(name, stem, error="JSON file holds an empty list, expected article objects")
    for index, item in enumerate(items):
        default_id = stem if len(items) == 1 else f"{stem}#{index + 1}"
        yield _from_object(name, item, default_id, "JSON file" if len(items) == 1 else f"item {index + 1}")


def _jsonl(name: str, text: str, budget: _Budget) -> Iterator[InputRecord]:
    found = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        budget.check()
        found = True
        try:
            item = _loads(line)
        except (ValueError, RecursionError) as error:
            message = error.msg if isinstance(error, json.JSONDecodeError) else _short(error)
            yield InputRecord(name, f"line {number}", error=f"line {number}: malformed JSON ({message})")
            continue
        yield _from_object(name, item, f"line {number}", f"line {number}")
    if not found:
        yield InputRecord(name, Path(name).stem, error="empty file")


def _from_object(name: str, item: object, default_id: str, where: str) -> InputRecord:
    if not isinstance(item, dict):
        return InputRecord(name, default_id, error=f"{where}: expected an object with 'text', got {type(item).__name__}")
    raw_id = default_id if item.get("id") is None else item["id"]  # `"id": null` falls back like a missing id
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)) or (isinstance(raw_id, int) and abs(raw_id) > 10**30):
        return InputRecord(name, default_id, error=f"{where}: 'id' must be a string or a short integer")
    record_id = str(raw_id)[:500]
    if not isinstance(item.get("text"), str):
        return InputRecord(name, record_id, error=f"{where}: expected a 'text' string field")
    title = item.get("title")
    meta = {key: str(item[key]) for key in ("date", "source", "url") if isinstance(item.get(key), (str, int, float))}
    record = InputRecord(name, record_id, title=title if isinstance(title, str) else "", text=item["text"], meta=meta)
    if title is not None and not isinstance(title, str):
        record.warnings.append(f"{where}: 'title' is {type(title).__name__}, not a string; ignored")
    return record


def _html(name: str, stem: str, text: str, budget: _Budget) -> InputRecord:
    title, body = extract_html(text, budget.check)
    if not body.strip():
        return InputRecord(name, stem, title=title, error="no article text found in the HTML page")
    return InputRecord(name, stem, title=title, text=body)


def _check_content(record: InputRecord) -> None:
    if not record.text.strip():
        record.error = "empty file" if not record.title else "no article text (only a title)"
        return
    warning = language_warning(f"{record.title} {record.text[:20000]}")
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
