"""benchmarks.heads: the config-choice rule and the scoring of both dev sets (fast tier, no encoder)."""

from __future__ import annotations

from benchmarks import heads
from benchmarks.common import TopicScore


def _score(name: str, western: float, regional: float, headline: float) -> TopicScore:
    return TopicScore(name, {"western": western, "regional": regional, "headline": headline})


def test_pick_takes_the_best_worse_of_two_without_trading_away_western() -> None:
    scores = [
        _score("plateau", 0.958, 0.862, 0.806),
        _score("regional peak, western lost", 0.933, 0.879, 0.798),  # +0.017 regional bought with -0.025 Western
        _score("western best", 0.963, 0.854, 0.769),
        _score("tie, worse headlines", 0.958, 0.863, 0.747),
    ]
    assert heads.pick(scores).system == "plateau"
    assert heads.pick(scores[1:2]).system == "regional peak, western lost"
    assert heads.pick([scores[0], _score("clearly better", 0.955, 0.870, 0.70)]).system == "clearly better"


def test_rendered_report_ranks_by_worse_of_two_and_says_what_lost() -> None:
    scores = sorted([_score("a", 0.95, 0.86, 0.8), _score("b", 0.97, 0.84, 0.9)], key=lambda s: -s.worse_of_two)
    report = {"date": "today", "encoder": "tiny", "n": {"western": 2, "regional": 2}, "chosen": "a"}
    markdown = heads.render(report, scores)
    assert markdown.index("| **a** |") < markdown.index("| b |")
    assert "- b: -0.020" in markdown and "**a**" in markdown
