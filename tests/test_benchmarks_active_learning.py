"""benchmarks.active_learning: the half/half split, the pool-size rule, and a tiny real run of the protocol.

The tiny run uses the fast-tier encoder and seed articles (our own writing) outside the training slice as the
"pool file", so it needs no benchmark data.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import active_learning

ROOT = Path(__file__).resolve().parents[1]
#: Topic counts shaped like regional-dev's (two odd counts), no text.
TOPICS = ["other"] * 75 + ["finance"] * 68 + ["legal"] * 66 + ["diplomacy"] * 65 + ["energy"] * 64


def test_halves_are_disjoint_complete_stratified_and_seeded() -> None:
    pool, scored = active_learning.split_halves(TOPICS, seed=0)
    assert not set(pool) & set(scored) and sorted(pool + scored) == list(range(len(TOPICS)))
    assert (len(pool), len(scored)) == (169, 169)
    in_pool, in_scored = Counter(TOPICS[i] for i in pool), Counter(TOPICS[i] for i in scored)
    assert all(abs(in_pool[t] - in_scored[t]) <= 1 for t in set(TOPICS))
    assert active_learning.split_halves(TOPICS, seed=0) == (pool, scored)
    other_pool, _ = active_learning.split_halves(TOPICS, seed=1)
    assert len(other_pool) == len(pool) and other_pool != pool


def test_budgets_at_or_over_the_pool_become_one_whole_pool_arm() -> None:
    assert active_learning.budget_plan([25, 50, 100, 200], 169) == ([25, 50, 100], True)
    assert active_learning.budget_plan([50, 25], 169) == ([25, 50], False)
    assert active_learning.budget_plan([169, 300], 169) == ([], True)


def test_every_rule_picks_distinct_pool_articles() -> None:
    pool, _ = active_learning.split_halves(TOPICS, seed=3)
    rng = np.random.default_rng(0)
    uncertainty, vectors = rng.random(len(TOPICS)), rng.normal(size=(len(TOPICS), 8))
    for strategy in active_learning.STRATEGIES:
        picked = active_learning.pick(strategy, pool, 20, 3, uncertainty, vectors)
        assert len(set(picked)) == 20 and set(picked) <= set(pool), strategy
    most_uncertain = active_learning.pick("uncertainty", pool, 5, 0, uncertainty, vectors)
    assert sorted(uncertainty[most_uncertain]) == sorted(np.sort(uncertainty[pool])[-5:])


def _pool_file(folder: Path, per_topic: int = 10) -> Path:
    """Seed articles after the first 24 of each topic (the training slice of `small_corpus`)."""
    records = [json.loads(line) for line in (ROOT / "seeds" / "articles.jsonl").read_text().splitlines() if line]
    seen: Counter[str] = Counter()
    rows = []
    for record in records:
        topic = record["topics"][0]
        seen[topic] += 1
        if 24 < seen[topic] <= 24 + per_topic:
            rows.append({"id": record["id"], "title": record.get("title", ""), "text": record["text"], "topic": topic})
    path = folder / "pool.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_tiny_protocol_runs_for_real_and_draws_the_curve(fast_config: dict[str, Any], tmp_path: Path) -> None:
    report = active_learning.measure(fast_config, _pool_file(tmp_path), [4, 8, 100], seeds=2)
    assert (report["pool_size"], report["scored_size"]) == (25, 25)
    assert report["budgets"] == [4, 8] and report["whole_pool"]
    assert len(report["rows"]) == 2 and all(row["pool"] == 25 for row in report["rows"])
    summary = report["summary"]
    for key in ("base", "label_4", "random_4", "label_8", "random_8", active_learning.WHOLE):
        assert 0.0 <= summary[key]["min"] <= summary[key]["mean"] <= summary[key]["max"] <= 1.0, key
    versus = summary["label_vs_random_8"]
    assert versus["wins"] + versus["ties"] + versus["losses"] == 2
    markdown = active_learning.render(report)
    assert "| whole pool (25), every rule alike |" in markdown and "| 8, label |" in markdown
    figure = tmp_path / "curve.png"
    active_learning.plot(report, [figure])
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
