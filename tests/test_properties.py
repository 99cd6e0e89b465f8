"""Property-based tests (hypothesis): arbitrary bytes and text through readers, splitter, furniture removal
and summarizer. Whatever comes in: no exception escapes, every input yields exactly one record, and
summaries are verbatim sentences of their article.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlpkit.batch import BatchStats, predict_stream
from nlpkit.data.inbox import InputRecord, ReadLimits, read_path
from nlpkit.text.document import parse_article
from nlpkit.text.furniture import strip_furniture
from nlpkit.text.splitter import split_paragraphs, split_sentences

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)

# Text that looks like news and markup often enough to reach the interesting branches.
_PIECES = st.sampled_from(
    [
        "The",
        "court",
        "said",
        "U.S.",
        "Mr.",
        "Gen.",
        "J.",
        "K.",
        "Rowling",
        ".",
        "!",
        "?",
        "…",
        "\n",
        "\n\n",
        "By Ann Lee",
        "Latest news",
        "- ",
        "1. ",
        "Photo: AFP",
        "Read also",
        "©",
        '"',
        "“",
        "”",
        "'",
        "(",
        ")",
        "<p>",
        "</p>",
        "<div>",
        "<script>",
        "<!--",
        "-->",
        "<a ",
        ">",
        "&amp;",
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "\ud800",
        "\x00",
        "\r\n",
        "\t",
        "Ж",
        "東京",
        "12:30",
        "22 November 2024",
        "|",
        " ",
    ]
)
NEWSY_TEXT = st.one_of(
    st.text(max_size=400), st.lists(_PIECES, max_size=80).map(" ".join), st.lists(_PIECES, max_size=80).map("".join)
)
SUFFIXES = st.sampled_from([".txt", ".md", ".html", ".htm", ".json", ".jsonl"])


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _encodable(record: InputRecord) -> None:
    json.dumps(record.__dict__, ensure_ascii=False).encode("utf-8")  # raises on anything a writer could not write


@SETTINGS
@given(
    data=st.one_of(st.binary(max_size=3000), NEWSY_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))),
    suffix=SUFFIXES,
)
def test_readers_turn_any_bytes_into_records(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        records = list(read_path(path, limits=ReadLimits(max_bytes=10_000)))
    if suffix == ".jsonl":
        assert len(records) >= 1  # one per non-blank line, or one error record for the file
    else:
        json_list = suffix == ".json" and records and all("#" in r.id for r in records)
        assert len(records) == 1 or json_list
    for record in records:
        assert isinstance(record.text, str) and isinstance(record.id, str) and (record.error is None or record.error)
        assert record.error is not None or record.text.strip()
        _encodable(record)


@SETTINGS
@given(
    lines=st.lists(
        st.one_of(NEWSY_TEXT.map(lambda t: json.dumps({"id": t[:20], "text": t})), NEWSY_TEXT), min_size=1, max_size=20
    )
)
def test_jsonl_gives_one_record_per_non_blank_line(lines: list[str]) -> None:
    lines = [line.replace("\n", " ").replace("\r", " ").replace("\x00", " ") for line in lines]  # a NUL makes it binary
    # A raw lone surrogate cannot be stored as UTF-8 (that whole file is an encoding error, tested in
    # test_hostile); here the file is valid UTF-8 and every line must give its own record.
    lines = [line.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for line in lines]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "feed.jsonl"
        path.write_text("\n".join(lines), encoding="utf-8")
        records = list(read_path(path))
    expected = sum(1 for line in lines if line.strip())
    assert len(records) == max(expected, 1)
    assert len({r.id for r in records}) == len(records)  # duplicate ids are made unique, never merged


@SETTINGS
@given(text=NEWSY_TEXT)
def test_splitter_keeps_sentences_verbatim(text: str) -> None:
    for paragraph in split_paragraphs(text):
        assert paragraph in text.replace("\r\n", "\n").replace("\r", "\n")
        for sentence in split_sentences(paragraph):
            assert sentence.strip() == sentence and sentence
            assert _squeeze(sentence) in _squeeze(paragraph)


@SETTINGS
@given(text=NEWSY_TEXT)
def test_furniture_removal_only_removes_whole_lines_or_a_leading_header(text: str) -> None:
    cleaned = strip_furniture(text)
    assert len(cleaned) <= len(text)
    kept = text.replace("\r\n", "\n")
    assert all(line in kept for line in cleaned.split("\n"))


@pytest.fixture(scope="module")
def news_model(fast_trained):
    from nlpkit.model import NewsModel

    return NewsModel.load(fast_trained.bundle)


@SETTINGS
@given(items=st.lists(st.tuples(NEWSY_TEXT, NEWSY_TEXT), min_size=1, max_size=6))
def test_every_article_gets_one_record_and_a_verbatim_summary(news_model, items: list[tuple[str, str]]) -> None:
    records = [InputRecord(path="p", id=str(i), title=title, text=text) for i, (title, text) in enumerate(items)]
    out = list(predict_stream(news_model, records, BatchStats(), batch_size=4, max_sentences=50))
    assert [p.id for p in out] == [str(i) for i in range(len(items))]
    for prediction, (title, text) in zip(out, items):
        assert (prediction.error is None) == (prediction.topic is not None)
        if prediction.error is None:
            sentences = parse_article(text, title).texts
            assert prediction.summary and all(sentence in sentences for sentence in prediction.summary)
            assert all(_squeeze(sentence) in _squeeze(text) for sentence in prediction.summary)
