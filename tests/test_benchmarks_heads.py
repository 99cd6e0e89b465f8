"""benchmarks/heads.py: the config-choice rule and the scoring of both dev sets (fast tier, no encoder)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def heads() -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCHMARKS))
        yield importlib.import_module("heads")


def _score(heads: Any, name: str, western: float, regional: float, headline: float) -> Any:
    import common

    return common.TopicScore(name, {"western": western, "regional": regional, "headline": headline})


def test_pick_takes_the_best_worse_of_two_without_trading_away_western(heads: Any) -> None:
    scores = [
        _score(heads, "plateau", 0.958, 0.862, 0.806),
        _score(heads, "regional peak, western lost", 0.933, 0.879, 0.798),  # +0.017 regional bought with -0.025 Western
        _score(heads, "western best", 0.963, 0.854, 0.769),
        _score(heads, "tie, worse headlines", 0.958, 0.863, 0.747),
    ]
    assert heads.pick(scores).system == "plateau"
    assert heads.pick(scores[1:2]).system == "regional peak, western lost"
    assert heads.pick([scores[0], _score(heads, "clearly better", 0.955, 0.870, 0.70)]).system == "clearly better"


def test_rendered_report_ranks_by_worse_of_two_and_says_what_lost(heads: Any) -> None:
    scores = sorted([_score(heads, "a", 0.95, 0.86, 0.8), _score(heads, "b", 0.97, 0.84, 0.9)], key=lambda s: -s.worse_of_two)
    report = {"date": "today", "encoder": "tiny", "n": {"western": 2, "regional": 2}, "chosen": "a"}
    markdown = heads.render(report, scores)
    assert markdown.index("| **a** |") < markdown.index("| b |")
    assert "- b: -0.020" in markdown and "**a**" in markdown
