"""The serving benchmark's own arithmetic and requests (fast tier); the served model itself is tests/test_serving.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from benchmarks.common import BenchmarkError
from benchmarks.serving import check_answer, latency_summary, request_articles, request_body, resolve_bundle
from nlpkit.tracking.flavor import rows_to_items


def test_the_first_request_is_compared_with_the_median_of_the_rest_only():
    summary = latency_summary([3.0, 1.0, 1.4, 0.8])
    assert summary["first"] == 3.0 and summary["median_rest"] == 1.0 and summary["ratio"] == 3.0
    assert summary["met"] is False and (summary["min_rest"], summary["max_rest"]) == (0.8, 1.4)
    assert latency_summary([2.0, 1.0, 1.0])["met"] is True  # exactly 2x is within the target
    assert latency_summary([2.1, 1.0, 1.0])["met"] is False


def test_a_clock_too_coarse_for_the_rest_gives_no_verdict_and_one_request_is_refused():
    coarse = latency_summary([0.01, 0.0, 0.0])
    assert coarse["median_rest"] == 0.0 and coarse["ratio"] is None and coarse["met"] is None
    with pytest.raises(ValueError, match="at least one more"):
        latency_summary([1.0])


def test_the_request_keeps_the_pyfunc_contract_for_every_article():
    articles = request_articles(10)
    body = request_body(articles)
    assert len(body["dataframe_records"]) == 10 and len({a["text"] for a in articles}) == 10
    items = rows_to_items(pd.DataFrame(body["dataframe_records"]))
    assert [item["text"] for item in items] == [a["text"] for a in articles]
    assert [item["title"] for item in items] == [a["title"] for a in articles] and all(a["title"] for a in articles)


def test_a_request_counts_only_when_every_article_got_a_topic():
    good = {"predictions": [{"topic": "energy", "error": None}] * 2}
    check_answer(200, good, 2)
    with pytest.raises(BenchmarkError, match="answered 400"):
        check_answer(400, {"error_code": "BAD_REQUEST"}, 2)
    with pytest.raises(BenchmarkError, match="answered 200"):
        check_answer(200, good, 3)
    with pytest.raises(BenchmarkError, match="1 of 2 articles"):
        check_answer(200, {"predictions": [{"topic": "energy"}, {"topic": None, "error": "no text"}]}, 2)


def test_without_a_bundle_or_a_cache_the_user_is_told_the_command(tmp_path: Path):
    with pytest.raises(BenchmarkError, match="python -m nlpkit.train"):
        resolve_bundle(tmp_path / "missing", None, tmp_path)
