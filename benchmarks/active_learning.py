"""The learning curve with the user's own labels: does `nlpkit.label` pick better than chance, and how far do
100 labels take regional macro-F1? Measured on regional-dev.jsonl (issue 21, item 5).

Per repeat (seeds 0..4), regional-dev (338 real regional articles) is split at random into two halves,
stratified by primary topic: a pool whose labels the selector never sees, and a scored half. From the pool,
B articles are picked by nlpkit.label's rule (`choose` on the seed-trained model's margin uncertainty and
document vectors) or at random; they are added with their gold labels to the seed train split, the model
is refitted (thresholds on the seed validation split, as in training) and scored (macro-F1) on the scored
half. A budget at least as large as the pool is run once as "the whole pool" (every rule then picks the
same articles), never silently capped. The pool's labels are used only inside this measurement: nothing
from regional-dev is saved or shipped. Besides the JSON/Markdown report it draws the curve (PNG).

    python -m benchmarks active_learning --cache-dir /work/cache/emb --figure docs/learning-curve.png
    python -m benchmarks active_learning --budgets 25 50 --seeds 3 --config configs/fast.yaml
    python -m benchmarks active_learning --strategies label random uncertainty diversity
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from benchmarks.common import DEFAULT_SHARED, REPO, encode
from benchmarks.report import BenchmarkSkipped, Report

POOL = Path("benchmarks") / "topics" / "regional-dev.jsonl"
#: Summary key of the arm that adds every pool article (all rules pick the same set there).
WHOLE = "whole_pool"
#: The issue's target for this curve: regional macro-F1 on the scored half with 100 of the user's labels.
TARGET = (100, 0.92)

log = logging.getLogger("benchmarks.active_learning")


def split_halves(topics: Sequence[str], seed: int) -> tuple[list[int], list[int]]:
    """(pool, scored) indices: each topic's articles shuffled and halved; odd leftovers alternate sides.

    The sizes depend only on the topic counts, so every repeat has the same pool size.
    """
    rng = random.Random(seed)
    by_topic: dict[str, list[int]] = defaultdict(list)
    for index, topic in enumerate(topics):
        by_topic[topic].append(index)
    pool: list[int] = []
    scored: list[int] = []
    odd = 0
    for topic in sorted(by_topic):
        members = sorted(by_topic[topic])
        rng.shuffle(members)
        half = len(members) // 2
        if len(members) % 2:  # alternate the spare article so the halves stay within one of each other
            half += odd % 2 == 0
            odd += 1
        pool += members[:half]
        scored += members[half:]
    return sorted(pool), sorted(scored)


def budget_plan(budgets: Sequence[int], pool_size: int) -> tuple[list[int], bool]:
    """(budgets smaller than the pool, ascending; whether to run the whole pool) - none is silently capped."""
    partial = sorted({b for b in budgets if 0 < b < pool_size})
    return partial, any(b >= pool_size for b in budgets)


#: Selection rules: nlpkit.label's, chance, and its two halves alone.
STRATEGIES = ("label", "random", "uncertainty", "diversity")


def pick(
    strategy: str, pool: list[int], budget: int, seed: int, uncertainty: np.ndarray, vectors: np.ndarray
) -> list[int]:
    """Pool indices chosen by one rule (uncertainty and vectors are indexed like the whole file)."""
    from nlpkit.analysis.labelling import choose

    if strategy == "random":
        return random.Random(1000 + seed).sample(pool, budget)
    if strategy == "uncertainty":
        return [pool[i] for i in np.argsort(-uncertainty[pool], kind="stable")[:budget]]
    if strategy == "diversity":  # every pool article weighted alike, one per cluster
        return [
            pool[i] for i in choose(np.ones(len(pool)), vectors[pool], budget, pool_factor=len(pool), random_state=seed)
        ]
    return [pool[i] for i in choose(uncertainty[pool], vectors[pool], budget, random_state=seed)]


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "mean": statistics.mean(values),
        "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
        "min": min(values),
        "max": max(values),
    }


def summarise(rows: list[dict[str, Any]], budgets: list[int], strategies: Sequence[str], whole: bool) -> dict:
    """Mean, sd, min and max per arm; label's wins, ties and losses against random per repeat."""
    keys = ["base"] + [f"{s}_{b}" for b in budgets for s in strategies] + ([WHOLE] if whole else [])
    summary: dict[str, Any] = {key: _stats([row[key] for row in rows]) for key in keys}
    if {"label", "random"} <= set(strategies):
        for budget in budgets:
            diffs = [row[f"label_{budget}"] - row[f"random_{budget}"] for row in rows]
            summary[f"label_vs_random_{budget}"] = {
                "wins": float(sum(d > 1e-9 for d in diffs)),
                "ties": float(sum(abs(d) <= 1e-9 for d in diffs)),
                "losses": float(sum(d < -1e-9 for d in diffs)),
                "mean_difference": statistics.mean(diffs),
            }
    return summary


def measure(
    config: dict[str, Any],
    pool_file: Path,
    budgets: Sequence[int],
    seeds: int,
    strategies: Sequence[str] = ("label", "random"),
) -> dict[str, Any]:
    """Scored-half macro-F1 of the seeds-only model and after each rule's picks, per repeat, and the spread."""
    from nlpkit.analysis.labelling import document_vector, margin_uncertainty
    from nlpkit.data.corpus import load_corpus, load_splits
    from nlpkit.data.jsonl import read_jsonl
    from nlpkit.evaluation.metrics import topic_metrics
    from nlpkit.model import NewsModel
    from nlpkit.text.document import parse_article

    splits = load_splits(config["splits"], load_corpus(config["data"]))
    records = [data for _, data in read_jsonl(pool_file)]
    articles = [parse_article(r["text"], r.get("title", ""), id=r["id"]) for r in records]
    gold = [[r["topic"], *[t for t in r.get("also", []) if t != r["topic"]]] for r in records]
    primary = [r["topic"] for r in records]

    model = NewsModel.from_config(config)
    train = encode(model, [r.article for r in splits["train"]], "seed train")
    validation = (
        encode(model, [r.article for r in splits["validation"]], "seed validation"),
        [list(r.topics) for r in splits["validation"]],
    )
    pool_batch = encode(model, articles, "regional")
    train_topics = [list(r.topics) for r in splits["train"]]

    def fit_and_score(extra: list[int], scored: list[int]) -> float:
        added = pool_batch.subset(extra)
        fresh = NewsModel.from_config(config).fit(
            train + added, train_topics + [gold[i] for i in extra], validation=validation
        )
        predictions = fresh.predict(pool_batch.subset(scored))
        truth = [primary[i] for i in scored]
        return float(topic_metrics(truth, [p.topic or "" for p in predictions], fresh.labels)["macro_f1"])

    # The selector sees only what the seed-trained model makes of each article, never a regional label.
    base = NewsModel.from_config(config).fit(train, train_topics, validation=validation)
    uncertainty = margin_uncertainty(base.predict_proba(pool_batch))
    doc_vectors = np.vstack([document_vector(v) for v in pool_batch.vectors])

    pool_size = len(split_halves(primary, 0)[0])
    partial, whole = budget_plan(budgets, pool_size)
    rows: list[dict[str, Any]] = []
    for seed in range(seeds):
        pool, scored = split_halves(primary, seed)
        started = time.process_time()
        row: dict[str, Any] = {"seed": seed, "pool": len(pool), "scored": len(scored)}
        row["base"] = fit_and_score([], scored)
        for budget in partial:
            for strategy in strategies:
                row[f"{strategy}_{budget}"] = fit_and_score(
                    pick(strategy, pool, budget, seed, uncertainty, doc_vectors), scored
                )
        if whole:
            row[WHOLE] = fit_and_score(pool, scored)
        row["cpu_seconds"] = time.process_time() - started
        log.warning("repeat %d: %s", seed, {k: round(v, 3) for k, v in row.items() if isinstance(v, float)})
        rows.append(row)
    return {
        "encoder": config["embed__model"],
        "pool_file": pool_file.name,
        "articles": len(records),
        "pool_size": pool_size,
        "scored_size": len(records) - pool_size,
        "budgets_requested": list(budgets),
        "budgets": partial,
        "whole_pool": whole,
        "strategies": list(strategies),
        "seeds": seeds,
        "rows": rows,
        "summary": summarise(rows, partial, strategies, whole),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=REPO / "configs" / "default.yaml")
    parser.add_argument(
        "--budgets",
        type=int,
        nargs="+",
        default=[25, 50, 100, 200],
        help="labels added from the pool; a budget >= the pool size runs as the whole pool (default 25 50 100 200)",
    )
    parser.add_argument("--seeds", type=int, default=5, help="repeats, each its own random split (seeds 0..N-1)")
    parser.add_argument(
        "--strategies",
        nargs="+",
        choices=STRATEGIES,
        default=["label", "random"],
        help="selection rules to compare (default: label random)",
    )
    parser.add_argument("--cache-dir", default=None, help="embedding cache (e.g. /work/cache/emb)")
    parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help="folder holding benchmarks/ (default ../shared)"
    )
    parser.add_argument("--figure", type=Path, default=None, help="also write the learning-curve PNG here")


#: How label's score compares with random's on each repeat: summary key -> the word for one.
OUTCOMES = {"wins": "win", "ties": "tie", "losses": "loss"}


def _cell(stats: dict[str, float]) -> str:
    return f"{stats['mean']:.3f} ± {stats['sd']:.3f} | {stats['min']:.3f} – {stats['max']:.3f}"


def render(report: dict[str, Any]) -> str:
    """A Markdown table: one row per arm, mean ± sd, min–max, and label's record against random."""
    summary = report["summary"]
    lines = [
        f"regional-dev macro-F1 on the scored half ({report['scored_size']} articles), pool {report['pool_size']}, "
        f"{report['seeds']} repeats; encoder {report['encoder']}",
        "",
        "| labels added | mean ± sd | min – max | label vs random per repeat |",
        "|---|---|---|---|",
        f"| none (seed corpus only) | {_cell(summary['base'])} | |",
    ]
    for budget in report["budgets"]:
        versus = summary.get(f"label_vs_random_{budget}")
        for strategy in report["strategies"]:
            record = ""
            if strategy == "label" and versus:
                counts = [f"{int(versus[k])} {one if versus[k] == 1 else k}" for k, one in OUTCOMES.items()]
                record = f"{', '.join(counts)} (mean {versus['mean_difference']:+.3f})"
            lines.append(f"| {budget}, {strategy} | {_cell(summary[f'{strategy}_{budget}'])} | {record} |")
    if report["whole_pool"]:
        lines.append(
            f"| whole pool ({report['pool_size']}), every rule alike | {_cell(summary[WHOLE])} | same articles |"
        )
    return "\n".join(lines) + "\n"


def plot(report: dict[str, Any], paths: Sequence[Path]) -> None:
    """Macro-F1 against labels added: mean ± sd band per rule, the seeds-only level and the issue's target."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = report["summary"]
    xs = [0, *report["budgets"]] + ([report["pool_size"]] if report["whole_pool"] else [])
    figure, axes = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    for strategy in report["strategies"]:
        arms = ["base"] + [f"{strategy}_{b}" for b in report["budgets"]] + ([WHOLE] if report["whole_pool"] else [])
        mean = np.array([summary[a]["mean"] for a in arms])
        sd = np.array([summary[a]["sd"] for a in arms])
        (line,) = axes.plot(xs, mean, marker="o", label=f"{strategy} picks")
        axes.fill_between(xs, mean - sd, mean + sd, color=line.get_color(), alpha=0.15)
    axes.axhline(summary["base"]["mean"], color="grey", linestyle="--", linewidth=1, label="seed corpus only")
    axes.plot([TARGET[0]], [TARGET[1]], marker="*", markersize=12, color="black", linestyle="", label="issue target")
    axes.set_xticks(xs)
    if report["whole_pool"]:
        axes.set_xticklabels([str(x) for x in xs[:-1]] + [f"all {report['pool_size']}"])
    axes.set_xlabel("regional labels added to the seed corpus (from the pool)")
    axes.set_ylabel(f"macro-F1, scored half ({report['scored_size']})")
    axes.set_title(f"Learning curve on regional-dev, {report['seeds']} random halvings (mean ± sd)", fontsize=10)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path)
    plt.close(figure)


def run(args: argparse.Namespace) -> Report:
    from nlpkit.training.config import load_config

    pool_file = args.shared / POOL
    if not pool_file.is_file():
        raise BenchmarkSkipped(f"{pool_file} not found (pass --shared)")
    config = load_config(args.config, [f"cache_dir={args.cache_dir}"] if args.cache_dir else [])
    report = {"config": str(args.config), **measure(config, pool_file, args.budgets, args.seeds, args.strategies)}
    stem = f"active_learning-{Path(str(report['encoder'])).name}"
    plot(report, [args.out / f"{stem}.png"] + ([args.figure] if args.figure else []))
    return Report(
        "active_learning",
        "learning curve with the user's own labels: nlpkit.label's picks against chance "
        "(python -m benchmarks active_learning)",
        render(report),
        report,
        params={
            "config": str(args.config),
            "budgets": args.budgets,
            "seeds": args.seeds,
            "strategies": args.strategies,
        },
        metrics={f"{key}_mean": stats["mean"] for key, stats in report["summary"].items() if "mean" in stats},
        stem=stem,
    )
