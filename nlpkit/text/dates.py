"""Publication dates as outlets write them: ISO, RFC 2822 (RSS), written English, day-first numeric.

Feeds and pages give dates in many forms; an article whose date is not understood drops out of the digest's
day axis and story window, so the common forms are read here, each with a linear-time pattern.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re

__all__ = ["parse_date"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(\d{{4}})\b", re.I)
_DAY_FIRST_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)")
_LONGEST = 500  # a date is short; a longer value is searched only in its first 500 characters


def _day(year: str | int, month: str | int, day: str | int) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _rfc2822(text: str) -> dt.date | None:
    if not re.match(r"\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", text):
        return None
    try:
        return email.utils.parsedate_to_datetime(text.strip()).date()
    except (TypeError, ValueError, IndexError):
        return None


def parse_date(value: object) -> dt.date | None:
    """The date in a value: ISO (`2025-03-14`, timestamps, file names), RFC 2822 (`Fri, 14 Mar 2025 09:00:00
    +0500`), written English (`March 14, 2025`, `14 March 2025`, `Mar. 14 2025`) or day-first numeric
    (`14.03.2025`, as regional outlets write it). None when there is none or it is not a real day."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value[:_LONGEST]
    if match := _ISO.search(text):
        return _day(*match.groups())
    if found := _rfc2822(text):
        return found
    if match := _MONTH_DAY_YEAR.search(text):
        return _day(match[3], _MONTHS[match[1].lower()], match[2])
    if match := _DAY_MONTH_YEAR.search(text):
        return _day(match[3], _MONTHS[match[2].lower()], match[1])
    if match := _DAY_FIRST_NUMERIC.search(text):
        return _day(match[3], match[2], match[1])
    return None
