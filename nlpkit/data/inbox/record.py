"""The inbox's record and limits: one article read from a file, or the reason it could not be read."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "InputRecord",
    "ReadLimits",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CHARS",
    "DEFAULT_PARSE_SECONDS",
    "clean_text",
    "display_path",
    "short_error",
    "Budget",
    "ParseTimeout",
    "HEADLINE_ONLY",
    "use_headline",
]

DEFAULT_MAX_BYTES = 5_000_000
#: Longer texts are cut (with a warning): 200,000 characters is ~30,000 words, far beyond any news story.
DEFAULT_MAX_CHARS = 200_000
#: Reading and parsing one file may take this long before it becomes an error record.
DEFAULT_PARSE_SECONDS = 10.0


@dataclass(frozen=True)
class ReadLimits:
    """Per-file limits: bytes on disk, characters of article text kept, seconds spent parsing."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_chars: int = DEFAULT_MAX_CHARS
    parse_seconds: float = DEFAULT_PARSE_SECONDS


class ParseTimeout(Exception):
    """Raised inside a parser when the file's parse-time budget is spent."""


class Budget:
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
            raise ParseTimeout


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
    #: ISO 639-1 code of the article's language ("" when unknown), set with the content checks.
    language: str = ""

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(
            f"{self.id}\x1f{self.title}\x1f{self.text}\x1f{self.error}".encode(errors="replace")
        ).hexdigest()


#: The warning of a record predicted from its title alone (the README promises headline-only accuracy).
HEADLINE_ONLY = "headline only: no article text, predicted from the title"


def use_headline(record: InputRecord) -> bool:
    """Give a record with a title but no text its title as text (with `HEADLINE_ONLY`); True when it did.

    Every reader and the row converter call this, so a headline-only article is predicted alike everywhere.
    """
    if record.error is not None or record.text.strip() or not record.title.strip():
        return False
    record.text = record.title.strip()
    record.warnings.append(HEADLINE_ONLY)
    return True


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


def display_path(path: Path | str) -> str:
    """A file name as valid UTF-8 text: bytes that are not UTF-8 become U+FFFD (the record must be writable)."""
    return clean_text(str(path))


def short_error(error: BaseException) -> str:
    """`Type: first line of the message` (at most 160 characters), safe to write into a record."""
    message = clean_text(str(error)).splitlines()[0][:160] if str(error) else ""
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
