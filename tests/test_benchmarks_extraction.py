"""benchmarks/extraction.py and its page set: the score definition and gold that matches its pages (fast tier)."""

from __future__ import annotations

import html
import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

MODULE = Path(__file__).resolve().parents[1] / "benchmarks" / "extraction.py"


@pytest.fixture(scope="module")
def extraction() -> Iterator[Any]:
    spec = importlib.util.spec_from_file_location("extraction_under_test", MODULE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def _page_text(page: str) -> str:
    without_tags = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S))
    return " ".join(html.unescape(without_tags).split())


def test_overlap_counts_words_as_a_bag(extraction: Any) -> None:
    assert extraction.overlap_counts("The the cat, menu", ["the cat sat"]) == (2, 4, 3)


def test_every_gold_paragraph_and_title_stands_verbatim_in_its_page(extraction: Any) -> None:
    pages = extraction.load_gold()
    assert len(pages) >= 30
    for gold in pages:
        text = _page_text((extraction.PAGES / gold.file).read_text(encoding="utf-8"))
        assert " ".join(gold.title.split()) in text, gold.file
        for paragraph in gold.paragraphs:
            assert paragraph in text, (gold.file, paragraph[:60])


def test_an_extractor_that_returns_the_gold_scores_one_and_an_empty_one_zero(extraction: Any) -> None:
    gold_by_page = {
        (extraction.PAGES / gold.file).read_text(encoding="utf-8"): "\n\n".join(gold.paragraphs)
        for gold in extraction.load_gold()
    }
    perfect = extraction.measure(gold_by_page.__getitem__)
    assert (perfect["precision"], perfect["recall"], perfect["clean_pages"]) == (1.0, 1.0, perfect["pages"])
    empty = extraction.measure(lambda page: "")
    assert (empty["precision"], empty["recall"], empty["clean_pages"]) == (0.0, 0.0, 0)
