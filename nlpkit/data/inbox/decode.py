"""Bytes to text: UTF-8, UTF-16/32 (by byte-order mark or zero-byte pattern), else cp1252 when it reads as text."""

from __future__ import annotations

import codecs

__all__ = ["decode"]

_FALLBACK_ENCODING = "cp1252"

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def decode(raw: bytes) -> tuple[str, str | None, str | None]:
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
