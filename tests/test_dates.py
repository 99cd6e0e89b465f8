"""Dates as outlets write them reach the digest's day axis (issue 23)."""

import datetime as dt

import pytest

from nlpkit.text.dates import parse_date

MARCH_14 = dt.date(2025, 3, 14)


@pytest.mark.parametrize(
    "value",
    [
        "2025-03-14",
        "2025-03-14T09:30:00+05:00",
        "2025-03-14-kazakh-rate.txt",
        "Fri, 14 Mar 2025 09:30:00 +0500",
        "14 Mar 2025 09:30:00 GMT",
        "March 14, 2025",
        "Mar. 14, 2025",
        "march 14th 2025",
        "14 March 2025",
        "14th of March, 2025",
        "Sept 14, 2025",
        "14.03.2025",
        "Published: 14.03.2025 10:15",
    ],
)
def test_common_forms(value):
    expected = dt.date(2025, 9, 14) if value.startswith("Sept") else MARCH_14
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        5,
        "",
        "no date here",
        "2025-02-30",
        "31.02.2025",
        "Mon, 99 Foo 2025",
        "March 45, 2025",
        "1234567890",
        "a" * 100_000,
    ],
)
def test_no_date_or_not_a_real_day(value):
    assert parse_date(value) is None


def test_date_objects_pass_through():
    assert parse_date(dt.datetime(2025, 3, 14, 9, 30)) == MARCH_14 and parse_date(MARCH_14) == MARCH_14


def test_hostile_length_is_bounded():
    assert parse_date("9" * 1_000_000 + " March 14, 2025") is None  # only the start of a long value is read
