"""Removal of page furniture that scrapers leave in article text.

Headline lists ("Latest news"), bylines, "Read also" links, photo credits and share buttons are not part
of the story; left in, they pull the topic vector off course and get picked as summary sentences.
"""

from __future__ import annotations

import re

__all__ = ["strip_furniture", "is_furniture_line", "strip_dateline"]

_LIST_HEADINGS = re.compile(
    r"^(?:latest|related|recommended|popular|trending|top|more|other|recent)\s+"
    r"(?:news|stories|articles|headlines|posts|reads|on\b.*)\s*:?$|^most\s+(?:read|viewed|popular)\s*:?$",
    re.IGNORECASE,
)
_LINE_PATTERNS = [
    r"^(?:read|see)\s+(?:also|more)\b.*",
    r"^related\s*:.*",
    r"^(?:original\s+)?author\s*:.*",
    r"^by\s+[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|de|van|von|al|el|bin))*(?:\s*[,|/–-]\s*.{0,60})?$",
    r"^(?:photo|photograph|image|picture|video|illustration|credit|source)s?(?:\s+credit)?\s*[:/©].*",
    r".{0,80}/\s*(?:AFP|Reuters|AP|EPA|Getty Images|TASS|Xinhua|Sputnik)$",
    r"^(?:published|updated|last\s+updated|posted)\s*:.*",
    r"^(?:share|share this(?:\s+(?:article|story|page))?|tweet|email|print|comments?|advertisement|"
    r"follow us.*|subscribe.*|sign up.*|click here.*|tags?\s*:.*)$",
    r"^(?:©|copyright\b).*",
    r".*all rights reserved\.?$",
    r"^(?:reuters|reuter|ap|afp)$",
]
_LINE_RE = re.compile("|".join(f"(?:{p})" for p in _LINE_PATTERNS), re.IGNORECASE)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# Date or time stamps as they appear in bylines and datelines:
# "22 November 2024", "June 12, 2025", "30.09.2025", "18:40".
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}:\d{{2}})\b",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[·|—–•]|\bby\s+[A-Z]", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:[-•*–—▪►]|\d{1,2}[.)])\s+")
# Daily Mail style inline header: "By . Daily Mail Reporter . PUBLISHED: . 12:01 EST, 1 May 2013 . | . UPDATED: . ..."
_INLINE_HEADER = re.compile(
    r"^\s*(?:By \. [^.]{1,80}? \. )?(?:PUBLISHED: \. .{5,40}? \. (?:\| \. )?)?(?:UPDATED: \. .{5,40}? \. )?"
)
_DATELINE_SOURCE = re.compile(
    r"^\s*\((?:CNN|Reuters|AP|AFP|WIRED|The Hollywood Reporter|Rolling Stone)\)\s*(?:--?\s*)?"
)
_MAX_FURNITURE_WORDS = 14
# A wire dateline in any script: a place in capitals ("МОСКВА", "NEW YORK", "MAZAR-I-SHARIF"), then a date
# ("3 марта", "March 3", "14.03.2025") and/or an agency ("(Kazinform)", "/UzA/"), then a full stop, colon or
# dash. Checked further in `_dateline_end` (capitals, a digit in the date) so "NATO, 32 members" stays.
_DATELINE = re.compile(
    r"\s*(?P<place>[^\W\d_]{2,}(?:[ -][^\W\d_]{1,}){0,3})"
    r"(?:\s*,\s*(?P<date>[\w .]{1,30}?))?"
    r"(?:\s*(?P<agency>\([^()\n]{2,40}\)|/[^/\n]{2,30}/))?"
    r"\s*(?P<end>[.:]|[-–—]{1,2})(?=\s|$)\s*"
)


def is_furniture_line(line: str) -> bool:
    """True for a whole line that is page furniture (byline, credit, share button, copyright)."""
    stripped = line.strip().strip("*_#> ").strip()
    if not stripped or len(stripped.split()) > _MAX_FURNITURE_WORDS:
        return False
    return bool(_LINE_RE.fullmatch(stripped)) or _is_dated_byline(stripped)


def _is_dated_byline(line: str) -> bool:
    """'By Ann Lee — 22 November 2024, 18:40' or '30.09.2025 | Almaty': a date plus a byline separator, no sentence."""
    return not line.endswith((".", "!", "?")) and bool(_DATE.search(line)) and bool(_SEPARATORS.search(line))


def strip_dateline(text: str) -> str:
    """The text without a leading wire dateline ("ASTANA, March 3 (Kazinform) - ", "МОСКВА, 3 марта. ")."""
    end = _dateline_end(text)
    return text[end:] if end else text


def _dateline_end(text: str) -> int:
    """Where a leading dateline ends, or 0 when the text does not start with one."""
    match = _DATELINE.match(text)
    if match is None or not match.group("place").isupper():
        return 0
    date, agency, dash = match.group("date"), match.group("agency"), match.group("end") not in ".:"
    if date is not None and not any(ch.isdigit() for ch in date):
        return 0
    if date is None and agency is None and not dash:
        return 0  # "ASTANA." alone is no dateline; "ASTANA — The ..." is
    rest = text[match.end() :]
    return match.end() if not rest or rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"“«'‘(" else 0


def strip_furniture(text: str) -> str:
    """Return the text without furniture lines, headline lists and a leading dateline; paragraph breaks are kept."""
    text = _INLINE_HEADER.sub("", text, count=1)
    text = _DATELINE_SOURCE.sub("", text, count=1)
    text = strip_dateline(text.lstrip())
    kept: list[str] = []
    in_headline_list = False
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip().strip("*_#> ").strip()
        if _LIST_HEADINGS.fullmatch(stripped):
            in_headline_list = True
            continue
        if in_headline_list:
            if not stripped or _LIST_ITEM.match(line) or _is_headline(stripped):
                continue
            in_headline_list = False
        if is_furniture_line(line):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def _is_headline(line: str) -> bool:
    """A short line with no closing full stop, as headlines in a list are."""
    return len(line.split()) <= 16 and not line.endswith((".", "!", "?", '"', "”"))
