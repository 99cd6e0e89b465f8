"""Bootstrap intervals, paired differences and style folds: selection only on differences beyond the noise."""

from __future__ import annotations

import json

import pytest

from nlpkit.evaluation.robustness import (
    Interval,
    bootstrap_interval,
    macro_f1,
    paired_difference,
    prefer_simpler,
    style_cross_validation,
    style_folds,
)

TRUTH = ["energy"] * 40 + ["legal"] * 40 + ["other"] * 40


def with_errors(count: int) -> list[str]:
    """TRUTH with `count` legal articles filed under other."""
    return TRUTH[:40] + ["other"] * count + TRUTH[40 + count :]


def test_interval_brackets_the_score_and_narrows_with_more_articles():
    small = bootstrap_interval(with_errors(8)[::4], TRUTH[::4])
    large = bootstrap_interval(with_errors(8), TRUTH)
    for interval in (small, large):
        assert interval.low <= interval.value <= interval.high <= 1.0 and interval.low < 0.95
    assert large.high - large.low < small.high - small.low


def test_a_perfect_system_has_a_point_interval_and_a_reproducible_one():
    assert bootstrap_interval(TRUTH, TRUTH) == Interval(1.0, 1.0, 1.0)
    assert bootstrap_interval(TRUTH, with_errors(5)) == bootstrap_interval(TRUTH, with_errors(5))


def test_paired_difference_separates_a_real_gap_from_noise():
    clear = paired_difference(TRUTH, TRUTH, with_errors(20))
    assert clear.low > 0 and not prefer_simpler(clear)
    noise = paired_difference(TRUTH, with_errors(3), with_errors(4))
    assert noise.value > 0 and prefer_simpler(noise)


def test_bad_lengths_say_what_was_expected():
    with pytest.raises(ValueError, match="equally long"):
        bootstrap_interval(TRUTH, TRUTH[:-1])


def test_style_folds_train_on_one_side_and_test_on_the_other():
    folds = style_folds(["international", "state-agency", "international", "translated", ""])
    assert folds["international_to_regional"] == ([0, 2], [1, 3])
    assert folds["regional_to_international"] == ([1, 3], [0, 2])
    with pytest.raises(ValueError):
        style_folds(["international", "international"])


def seed_slice(per_side: int = 10) -> list[dict]:
    """Per topic, the first `per_side` international and `per_side` regional-style full seed articles."""
    from pathlib import Path

    seeds = Path(__file__).resolve().parents[1] / "seeds" / "articles.jsonl"
    with seeds.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    chosen: list[dict] = []
    for topic in ("diplomacy", "energy", "finance", "legal", "other"):
        full = [r for r in records if r["topics"][0] == topic and r["text"]]
        chosen += [r for r in full if r["style"] == "international"][:per_side]
        chosen += [r for r in full if r["style"] != "international"][:per_side]
    return chosen


def test_style_cross_validation_on_a_seed_slice(fast_config):
    from nlpkit.model import NewsModel

    records = seed_slice()
    batch = NewsModel.from_config(fast_config).encode(records)
    results = style_cross_validation(
        lambda: NewsModel.from_config(fast_config),
        batch,
        [r["topics"] for r in records],
        [r["style"] for r in records],
        rounds=200,
    )
    assert set(results) == {"international_to_regional", "regional_to_international"}
    for interval in results.values():
        assert 0.2 < interval.value <= 1.0 and interval.low <= interval.value <= interval.high
    assert macro_f1(["a", "b"], ["a", "b"]) == 1.0
