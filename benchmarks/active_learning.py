"""Does `nlpkit.label` pick better articles to label than chance? Measured on regional-dev.jsonl.

For each of 5 seeds, regional-dev (143 real regional articles) is split at random, stratified by topic,
into an unlabelled pool (93) and a held-out evaluation part (50). From the pool, B articles are picked
by nlpkit.label's rule (uncertainty with diversity, using the seed-trained model) or at random; they are
added with their gold labels to the seed training split, the model is refitted (thresholds on the seed
validation split) and scored on the held-out 50. The pool's labels are used only here, inside this
measurement: nothing from regional-dev is saved or shipped.

    python -m benchmarks active_learning                         # configs/fast.yaml, budgets 25 and 50
    python -m benchmarks active_learning --config configs/default.yaml --budgets 50 --seeds 5
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
from typing import Any

import numpy as np

from benchmarks.common import DEFAULT_SHARED, REPO, encode
from benchmarks.report import BenchmarkSkipped, Report
from nlpkit.model import EmbeddedBatch

POOL = Path("benchmarks") / "topics" / "regional-dev.jsonl"
EVAL_SIZE = 50

log = logging.getLogger("benchmarks.active_learning")


def _split(records: list[dict[str, Any]], seed: int) -> tuple[list[int], list[int]]:
    """(pool, evaluation) indices, evaluation stratified by primary topic."""
    rng = random.Random(seed)
    by_topic: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        by_topic[record["topic"]].append(index)
    evaluation: list[int] = []
    for topic in sorted(by_topic):
        members = sorted(by_topic[topic])
        rng.shuffle(members)
        evaluation += members[: round(EVAL_SIZE * len(members) / len(records))]
    chosen = set(evaluation)
    return [i for i in range(len(records)) if i not in chosen], evaluation


#: Selection rules compared: nlpkit.label's, chance, and its two halves alone.
STRATEGIES = ("label", "random", "uncertainty", "diversity")


def _pick(
    strategy: str, pool: list[int], budget: int, seed: int, uncertainty: np.ndarray, vectors: np.ndarray
) -> list[int]:
    """Pool indices chosen by one rule."""
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


def measure(
    config_path: Path,
    pool_file: Path,
    budgets: list[int],
    seeds: int,
    cache_dir: str | None,
    strategies: tuple[str, ...] = ("label", "random"),
) -> dict[str, Any]:
    """Macro-F1 on the held-out part after adding each strategy's picks, per seed, and their spread."""
    from nlpkit.analysis.labelling import document_vector, margin_uncertainty
    from nlpkit.data.corpus import load_corpus, load_splits
    from nlpkit.data.jsonl import read_jsonl
    from nlpkit.evaluation.metrics import topic_metrics
    from nlpkit.model import NewsModel
    from nlpkit.text.document import parse_article
    from nlpkit.training.config import load_config

    overrides = [f"cache_dir={cache_dir}"] if cache_dir else []
    config = load_config(config_path, overrides)
    splits = load_splits(config["splits"], load_corpus(config["data"]))
    records = [data for _, data in read_jsonl(pool_file)]
    articles = [parse_article(r["text"], r.get("title", ""), id=r["id"]) for r in records]
    gold = [[r["topic"], *[t for t in r.get("also", []) if t != r["topic"]]] for r in records]

    model = NewsModel.from_config(config)
    train = encode(model, [r.article for r in splits["train"]], "seed train")
    validation = (
        encode(model, [r.article for r in splits["validation"]], "seed validation"),
        [list(r.topics) for r in splits["validation"]],
    )
    pool_batch = encode(model, articles, "pool")
    train_topics = [list(r.topics) for r in splits["train"]]

    def fit_and_score(extra: list[int], evaluation: list[int]) -> float:
        added = pool_batch.subset(extra)
        fresh = NewsModel.from_config(config).fit(
            EmbeddedBatch(train.articles + added.articles, train.vectors + added.vectors),
            train_topics + [gold[i] for i in extra],
            validation=validation,
        )
        predictions = fresh.predict(pool_batch.subset(evaluation))
        truth = [records[i]["topic"] for i in evaluation]
        return topic_metrics(truth, [p.topic or "" for p in predictions], fresh.labels)["macro_f1"]

    base = NewsModel.from_config(config).fit(train, train_topics, validation=validation)
    uncertainty = margin_uncertainty(base.predict_proba(pool_batch))
    doc_vectors = np.vstack([document_vector(v) for v in pool_batch.vectors])

    rows: list[dict[str, Any]] = []
    for seed in range(seeds):
        pool, evaluation = _split(records, seed)
        started = time.perf_counter()
        row: dict[str, Any] = {"seed": seed, "pool": len(pool), "evaluation": len(evaluation)}
        row["base"] = fit_and_score([], evaluation)
        for budget in budgets:
            for strategy in strategies:
                picked = _pick(strategy, pool, budget, seed, uncertainty, doc_vectors)
                row[f"{strategy}_{budget}"] = fit_and_score(picked, evaluation)
        log.warning(
            "seed %d: %s (%.0fs)",
            seed,
            {k: round(v, 3) for k, v in row.items() if isinstance(v, float)},
            time.perf_counter() - started,
        )
        rows.append(row)
    summary = {}
    for key in ["base"] + [f"{kind}_{b}" for b in budgets for kind in strategies]:
        values = [row[key] for row in rows]
        summary[key] = {
            "mean": statistics.mean(values),
            "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
            "min": min(values),
            "max": max(values),
        }
    for budget in budgets:
        wins = sum(row[f"label_{budget}"] > row[f"random_{budget}"] for row in rows)
        summary[f"label_beats_random_{budget}"] = {"seeds": float(wins), "of": float(len(rows))}
    return {
        "config": str(config_path),
        "encoder": config["embed__model"],
        "pool_file": pool_file.name,
        "eval_size": EVAL_SIZE,
        "seeds": seeds,
        "rows": rows,
        "summary": summary,
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=REPO / "configs" / "fast.yaml")
    parser.add_argument("--budgets", type=int, nargs="+", default=[25, 50])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument(
        "--strategies",
        nargs="+",
        choices=STRATEGIES,
        default=["label", "random"],
        help="selection rules to compare (default: label random)",
    )
    parser.add_argument("--cache-dir", default=None, help="embedding cache (e.g. /work/cache/embeddings)")
    parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help="folder holding benchmarks/ (default ../shared)"
    )


def render(report: dict[str, Any]) -> str:
    lines = [
        f"regional-dev macro-F1 on the held-out {report['eval_size']}, {report['seeds']} seeds "
        f"(mean ± sd [min, max]); encoder {report['encoder']}",
        "",
    ]
    for key, stats in report["summary"].items():
        if "beats" in key:
            lines.append(f"- {key}: {int(stats['seeds'])} of {int(stats['of'])} seeds")
        else:
            lines.append(f"- {key}: {stats['mean']:.3f} ± {stats['sd']:.3f} [{stats['min']:.3f}, {stats['max']:.3f}]")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> Report:
    pool_file = args.shared / POOL
    if not pool_file.is_file():
        raise BenchmarkSkipped(f"{pool_file} not found (pass --shared)")
    report = measure(args.config, pool_file, args.budgets, args.seeds, args.cache_dir, tuple(args.strategies))
    return Report(
        "active_learning",
        "nlpkit.label's picks against chance (python -m benchmarks active_learning)",
        render(report),
        report,
        params={"config": str(args.config), "budgets": args.budgets, "seeds": args.seeds},
        metrics={f"{key}_mean": stats["mean"] for key, stats in report["summary"].items() if "mean" in stats},
        stem=f"active_learning-{Path(str(report['encoder'])).name}",
    )
