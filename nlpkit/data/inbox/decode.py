"""Bytes to text: UTF-8, UTF-16/32 (by byte-order mark or zero-byte pattern), else a guessed legacy encoding.

The guess is charset-normalizer's, among the single-byte code pages our sources use (Western, Cyrillic, Turkish);
Central European pages are left out: on English text with a "£" they tie with cp1252 and win. Without it,
or when it finds none, cp1252 when the bytes read as text.
"""

from __future__ import annotations

import codecs
import logging
from typing import Any

__all__ = ["decode", "guess_encoding"]

_FALLBACK_ENCODING = "cp1252"
#: The legacy code pages charset-normalizer may pick from: a short list keeps its guesses sane on short texts
#: (left free, it reads a KOI8-R headline as Shift-JIS). cp1252 is named when several decode to the same text.
_LEGACY_ENCODINGS = ["cp1252", "cp1251", "koi8_r", "cp866", "iso8859_5", "cp1254"]

log = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(raw: bytes) -> tuple[str, str | None, str | None]:
    """(text, warning, error): UTF-8, UTF-16/32 by BOM or by zero-byte pattern, else cp1252 if it reads as text."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(encoding), None, None
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
    guessed = guess_encoding(raw)
    if guessed is not None:
        return raw.decode(guessed, errors="replace"), f"not valid UTF-8; decoded as {guessed} (guessed)", None
    text = raw.decode(_FALLBACK_ENCODING, errors="replace")
    sample = text[:20000]
    readable = sum(1 for ch in sample if ch.isascii() and (ch.isprintable() or ch in "\n\r\t")) / max(len(sample), 1)
    if readable < 0.8:
        return (
            "",
            None,
            (
                f"not UTF-8, UTF-16 or a Latin text ({readable:.0%} readable characters as {_FALLBACK_ENCODING}); "
                "binary data or another encoding such as Shift-JIS, GBK or KOI8-R: convert it to UTF-8"
            ),
        )
    return text, f"not valid UTF-8; decoded as {_FALLBACK_ENCODING}", None


def guess_encoding(raw: bytes) -> str | None:
    """charset-normalizer's guess among `_LEGACY_ENCODINGS`, or None (not installed, or no code page fits)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        log.debug("charset-normalizer is not installed; legacy encodings fall back to cp1252")
        return None
    matches = list(from_bytes(raw[:200_000], cp_isolation=_LEGACY_ENCODINGS))
    if not matches:
        return None

    def rank(match: Any) -> tuple[float, float, int]:  # least mess, most language-like, then our order
        first = min(
            (_LEGACY_ENCODINGS.index(name) for name in match.could_be_from_charset if name in _LEGACY_ENCODINGS),
            default=len(_LEGACY_ENCODINGS),
        )
        return round(match.chaos, 3), -round(match.coherence, 3), first

    best = min(matches, key=rank)
    same_text = best.could_be_from_charset  # code pages that decode these bytes to the very same text
    return next((name for name in _LEGACY_ENCODINGS if name in same_text), str(best.encoding))


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
