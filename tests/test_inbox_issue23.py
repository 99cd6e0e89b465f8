"""Issue 23 in the input layer: headline-only records, language, encodings, HTML via trafilatura (fast tier)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from nlpkit.data.fields import MISSING_TEXT, row_record
from nlpkit.data.inbox import read_path
from nlpkit.data.inbox.record import HEADLINE_ONLY

HEADLINE = "Tajikistan and Iran sign eight documents after talks in Tehran"


def _one(path):
    records = list(read_path(path))
    assert len(records) == 1
    return records[0]


# --- headline-only records ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.json", json.dumps({"title": HEADLINE, "text": ""})),
        ("a.jsonl", json.dumps({"id": "h1", "title": HEADLINE, "text": "  "}) + "\n"),
        ("a.txt", HEADLINE + "\n"),
        ("a.md", "# " + HEADLINE + "\n"),
        ("a.html", f"<html><head><title>{HEADLINE}</title></head><body><nav>Home</nav></body></html>"),
    ],
)
def test_every_reader_predicts_a_headline_only_record_from_its_title(tmp_path, name, content):
    (tmp_path / name).write_text(content, encoding="utf-8")
    record = _one(tmp_path / name)
    assert record.error is None and record.text == HEADLINE and HEADLINE_ONLY in record.warnings


def test_a_long_single_line_text_file_is_the_story_not_a_headline(tmp_path):
    line = "The central bank kept its base rate at 16.5 percent on Friday, " * 4
    (tmp_path / "a.txt").write_text(line, encoding="utf-8")
    record = _one(tmp_path / "a.txt")
    assert record.text == line.strip() and HEADLINE_ONLY not in record.warnings


def test_row_converter_uses_the_title_and_still_refuses_an_empty_row():
    headline = row_record({"title": HEADLINE, "text": None}, 0)
    assert headline.error is None and headline.text == HEADLINE and HEADLINE_ONLY in headline.warnings
    empty = row_record({"title": pd.NA, "text": ""}, 1)
    assert empty.error == MISSING_TEXT and empty.warnings == []


def test_pyfunc_rows_carry_the_headline_warning():
    from nlpkit.tracking.flavor import rows_to_items

    items = rows_to_items(pd.DataFrame({"title": [HEADLINE, "x"], "text": ["", "Body."]}))
    assert items[0]["text"] == HEADLINE and items[0]["warnings"] == [HEADLINE_ONLY]
    assert items[1]["warnings"] == []


# --- legacy encodings -------------------------------------------------------------------------------------

RUSSIAN = "Центральный банк сохранил ставку\n\nРешение о базовой ставке принято в четверг, сообщил регулятор."


@pytest.mark.parametrize(
    ("encoding", "text", "name"),
    [
        ("cp1251", RUSSIAN, "cp1251"),
        ("koi8-r", RUSSIAN, "koi8_r"),
        ("cp1252", "Caf\xe9 owner fined\n\nThe minister\u2019s \u201cplan\u201d \u2013 a \xa3500 fine.", "cp1252"),
    ],
)
def test_legacy_encodings_are_guessed_and_named_in_a_warning(tmp_path, encoding, text, name):
    (tmp_path / "old.txt").write_bytes(text.encode(encoding))
    record = _one(tmp_path / "old.txt")
    assert record.error is None and record.text == text.split("\n\n", 1)[1]
    assert f"decoded as {name}" in record.warnings[0]


def test_utf8_and_utf16_with_a_byte_order_mark_are_read_without_a_warning(tmp_path):
    (tmp_path / "a.txt").write_bytes(RUSSIAN.encode("utf-8-sig"))
    (tmp_path / "b.txt").write_bytes(RUSSIAN.encode("utf-16"))
    for name in ("a.txt", "b.txt"):
        record = _one(tmp_path / name)
        assert record.title == "Центральный банк сохранил ставку"
        assert not any("decoded as" in warning for warning in record.warnings)
