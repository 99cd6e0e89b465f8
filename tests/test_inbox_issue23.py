"""Issue 23 in the input layer: headline-only records, language, encodings, HTML via trafilatura (fast tier)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from nlpkit.data.fields import MISSING_TEXT, row_record
from nlpkit.data.inbox import read_path
from nlpkit.data.inbox.record import HEADLINE_ONLY

ROOT = Path(__file__).resolve().parents[1]
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
        ("latin-1", "Bank fined\n\nThe bank paid a \xa3500,000 fine to the regulator over lax checks.", "cp1252"),
        ("cp1254", "Faiz sabit\n\nMerkez Bankas\u0131 faiz oran\u0131n\u0131 de\u011fi\u015ftirmedi.", "cp1254"),
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


# --- language -------------------------------------------------------------------------------------------

#: Short non-English news lines, written for this test (headline-length: the hard case).
SHORT_NON_ENGLISH = {
    "de": "Die Zentralbank hat den Leitzins am Donnerstag unverändert gelassen.",
    "fr": "La banque centrale a maintenu son taux directeur jeudi.",
    "es": "El banco central mantuvo su tasa de interés el jueves.",
    "tr": "Merkez Bankası politika faizini perşembe günü sabit tuttu.",
    "uz": "Markaziy bank asosiy stavkani o'zgarishsiz qoldirdi.",
    "kk": "Ulttyq bank bazalyq mólsherlemeni ózgerissiz qaldyrdy.",
    "id": "Bank sentral mempertahankan suku bunga acuan pada hari Kamis.",
    "ru": "Центральный банк сохранил ключевую ставку в четверг.",
}


def test_every_short_non_english_text_is_flagged_and_named():
    from nlpkit.data.inbox import detect_language, language_warning

    found = {code: detect_language(text) for code, text in SHORT_NON_ENGLISH.items()}
    assert all(language not in ("en", "") for language in found.values()), found
    assert {code for code, language in found.items() if language == code} >= {"de", "fr", "es", "tr", "uz", "id", "ru"}
    assert all(language_warning(text) for text in SHORT_NON_ENGLISH.values())


def test_no_seed_article_nor_seed_title_is_flagged():
    from nlpkit.data.inbox import detect_language

    seeds = [json.loads(line) for line in (ROOT / "seeds" / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    flagged = [s["id"] for s in seeds if detect_language(f"{s['title']}\n{s['text']}") != "en"]
    flagged_titles = [s["id"] for s in seeds if detect_language(s["title"]) != "en"]
    assert len(seeds) >= 1000 and flagged == [] and flagged_titles == []


def test_the_language_reaches_the_record_the_row_and_the_prediction(tmp_path):
    from nlpkit.batch import output_record
    from nlpkit.data.fields import OUTPUT_FIELDS

    (tmp_path / "ru.json").write_text(json.dumps({"title": SHORT_NON_ENGLISH["ru"], "text": ""}, ensure_ascii=False))
    record = _one(tmp_path / "ru.json")
    assert record.language == "ru" and any("non-English" in w for w in record.warnings)
    assert HEADLINE_ONLY in record.warnings
    row = row_record({"title": "", "text": SHORT_NON_ENGLISH["de"]}, 0)
    assert row.language == "de" and sum("non-English" in w for w in row.warnings) == 1
    spark_row = row_record(
        {"title": record.title, "text": record.text, "warnings": record.warnings}, 0
    )  # read, then predicted
    assert spark_row.language == "ru" and spark_row.warnings == record.warnings  # no warning twice
    assert output_record(record).to_dict()["language"] == "ru" and "language" in [f.name for f in OUTPUT_FIELDS]


def test_a_row_that_carries_its_language_is_not_detected_again(monkeypatch):
    # read_folder's rows carry the readers' language: detecting it again cost Spark workers a third of their time
    import nlpkit.data.fields as fields

    calls: list[str] = []
    monkeypatch.setattr(fields, "note_language", lambda record: calls.append(record.text))
    given = row_record({"title": "", "text": SHORT_NON_ENGLISH["de"], "language": "de", "warnings": ["w"]}, 0)
    assert given.language == "de" and given.warnings == ["w"] and calls == []
    row_record({"title": "", "text": SHORT_NON_ENGLISH["de"]}, 1)  # a row without the column is still detected
    assert calls == [SHORT_NON_ENGLISH["de"]]


# --- HTML: trafilatura first, our extractor as fallback ----------------------------------------------------

STORY = (
    "<p>The first passenger trains on the light-rail line ran on Wednesday morning, carrying commuters to the "
    "airport in 24 minutes.</p><p>The project was launched in 2017 with Chinese financing but stalled in 2019.</p>"
)
WORDPRESS = f"""<html><head><title>Light rail opens | City News</title>
<meta property="article:published_time" content="2025-03-14T09:00:00+05:00"></head><body>
<header class="site-header"><h1 class="site-title">City News</h1><nav><a href="/">Home</a></nav></header>
<div class="cookie-banner"><p>We use cookies to improve your experience. Accept all cookies?</p></div>
<article><header class="entry-header"><h1 class="entry-title">Light rail opens to the airport</h1></header>
<div class="entry-content">{STORY}</div></article><footer>(c) City News</footer></body></html>"""


def test_our_extractor_finds_the_h1_in_a_wordpress_entry_header_not_the_site_title():
    from nlpkit.data.inbox import extract_html

    title, text = extract_html(WORDPRESS)
    assert title == "Light rail opens to the airport" and "first passenger trains" in text


def test_html_reader_takes_trafilatura_body_title_and_date(tmp_path):
    (tmp_path / "page.html").write_text(WORDPRESS, encoding="utf-8")
    record = _one(tmp_path / "page.html")
    assert record.title == "Light rail opens to the airport" and record.meta == {"date": "2025-03-14"}
    assert record.text.startswith("The first passenger trains") and "cookies" not in record.text
    assert record.text.count("\n\n") == 1  # paragraphs stay paragraphs


def test_html_reader_falls_back_to_our_extractor_when_trafilatura_finds_nothing(monkeypatch):
    from nlpkit.data.inbox import html as html_module

    monkeypatch.setattr(html_module, "_trafilatura", lambda page: None)  # as if it were missing or had failed
    page = html_module.read_html(WORDPRESS)
    assert page.extractor == "nlpkit" and page.title == "Light rail opens to the airport" and "24 minutes" in page.text


# --- datelines ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first_sentence"),
    [
        (
            "МОСКВА, 3 марта.\n\nЦентральный банк сохранил ключевую ставку.",
            "Центральный банк сохранил ключевую ставку.",
        ),
        ("МОСКВА, 3 марта. Центральный банк сохранил ключевую ставку.", "Центральный банк сохранил ключевую ставку."),
        ("ASTANA, March 3 (Kazinform) - The government approved the budget.", "The government approved the budget."),
        ("TASHKENT, 14.03.2025 /UzA/. The president met the delegation.", "The president met the delegation."),
        ("MAZAR-I-SHARIF (National News Agency) -- The court ruled.", "The court ruled."),
        ("NEW YORK, Oct 4 (Regional wire) -- Uzbekistan spoke.", "Uzbekistan spoke."),
        ("ASTANA — The first trains ran on Wednesday.", "The first trains ran on Wednesday."),
    ],
)
def test_a_leading_dateline_in_any_script_never_reaches_the_sentences(text, first_sentence):
    from nlpkit.text.document import parse_article

    assert parse_article(text).texts[0] == first_sentence


@pytest.mark.parametrize(
    "text",
    [
        "NATO, 32 members strong, agreed on Tuesday.",
        "OPEC. The group met.",
        "US, 5 May - x marks the spot.",
        "The bank, 3 March. It held the rate.",
    ],
)
def test_sentences_that_only_look_like_datelines_stay(text):
    from nlpkit.text.furniture import strip_dateline

    assert strip_dateline(text) == text
