"""Does `nlpkit.label` pick better articles to label than chance? Measured on regional-dev.jsonl.

For each of 5 seeds, regional-dev (143 real regional articles) is split at random, stratified by topic,
into an unlabelled pool (93) and a held-out evaluation part (50). From the pool, B articles are picked
by nlpkit.label's rule (uncertainty with diversity, using the seed-trained model) or at random; they are
added with their gold labels to the seed training split, the model is refitted (thresholds on the seed
validation split) and scored on the held-out 50. The pool's labels are used only here, inside this
measurement: nothing from regional-dev is saved or shipped.

    python benchmarks/active_learning.py                         # configs/fast.yaml, budgets 25 and 50
    python benchmarks/active_learning.py --config configs/default.yaml --budgets 50 --seeds 5
    python benchmarks/active_learning.py --strategies label random uncertainty diversity
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
POOL = ROOT.parent / "shared" / "benchmarks" / "topics" / "regional-dev.jsonl"
RESULTS = ROOT / "benchmarks" / "results"
EVAL_SIZE = 50

log = logging.getLogger("active_learning")


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


def _pick(strategy: str, pool: list[int], budget: int, seed: int, uncertainty: np.ndarray, vectors: np.ndarray) -> list[int]:
    """Pool indices chosen by one rule."""
    from nlpkit.analysis.labelling import choose

    if strategy == "random":
        return random.Random(1000 + seed).sample(pool, budget)
    if strategy == "uncertainty":
        return [pool[i] for i in np.argsort(-uncertainty[pool], kind="stable")[:budget]]
    if strategy == "diversity":  # every pool article weighted alike, one per cluster
        return [pool[i] for i in choose(np.ones(len(pool)), vectors[pool], budget, pool_factor=len(pool), random_state=seed)]
    return [pool[i] for i in choose(uncertainty[pool], vectors[pool], budget, random_state=seed)]


def run(config_path: Path, budgets: list[int], seeds: int, cache_dir: str | None,
        strategies: tuple[str, ...] = ("label", "random")) -> dict[str, Any]:
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
    records = [data for _, data in read_jsonl(POOL)]
    articles = [parse_article(r["text"], r.get("title", ""), id=r["id"]) for r in records]
    gold = [[r["topic"], *[t for t in r.get("also", []) if t != r["topic"]]] for r in records]

    model = NewsModel.from_config(config)
    train_vectors = model._embed([r.article for r in splits["train"]])
    val_vectors = model._embed([r.article for r in splits["validation"]])
    pool_vectors = model._embed(articles)
    train_topics = [list(r.topics) for r in splits["train"]]
    val_topics = [list(r.topics) for r in splits["validation"]]

    def fit_and_score(extra: list[int], evaluation: list[int]) -> float:
        fresh = NewsModel.from_config(config)
        fresh._fit_embedded(train_vectors + [pool_vectors[i] for i in extra], train_topics + [gold[i] for i in extra],
                            val_vectors, val_topics)
        predictions = fresh._predict_embedded([articles[i] for i in evaluation], [pool_vectors[i] for i in evaluation])
        return topic_metrics([records[i]["topic"] for i in evaluation], [p.topic or "" for p in predictions], fresh.labels)["macro_f1"]

    base = NewsModel.from_config(config)
    base._fit_embedded(train_vectors, train_topics, val_vectors, val_topics)
    proba = base._proba(pool_vectors)
    uncertainty = margin_uncertainty(proba)
    doc_vectors = np.vstack([document_vector(v) for v in pool_vectors])

    rows: list[dict[str, Any]] = []
    for seed in range(seeds):
        pool, evaluation = _split(records, seed)
        started = time.perf_counter()
        row: dict[str, Any] = {"seed": seed, "pool": len(pool), "evaluation": len(evaluation)}
        row["base"] = fit_and_score([], evaluation)
        for budget in budgets:
            for strategy in strategies:
                row[f"{strategy}_{budget}"] = fit_and_score(_pick(strategy, pool, budget, seed, uncertainty, doc_vectors), evaluation)
        log.warning("seed %d: %s (%.0fs)", seed, {k: round(v, 3) for k, v in row.items() if isinstance(v, float)},
                    time.perf_counter() - started)
        rows.append(row)
    summary = {}
    for key in ["base"] + [f"{kind}_{b}" for b in budgets for kind in strategies]:
        values = [row[key] for row in rows]
        summary[key] = {"mean": statistics.mean(values), "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
                        "min": min(values), "max": max(values)}
    for budget in budgets:
        wins = sum(row[f"label_{budget}"] > row[f"random_{budget}"] for row in rows)
        summary[f"label_beats_random_{budget}"] = {"seeds": float(wins), "of": float(len(rows))}
    return {"config": str(config_path), "encoder": config["embed__model"], "pool_file": POOL.name, "rows": rows, "summary": summary}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "configs" / "fast.yaml")
    parser.add_argument("--budgets", type=int, nargs="+", default=[25, 50])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--strategies", nargs="+", choices=STRATEGIES, default=["label", "random"],
                        help="selection rules to compare (default: label random)")
    parser.add_argument("--cache-dir", default=None, help="embedding cache (e.g. /work/cache/embeddings)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if not POOL.is_file():
        print(f"error: {POOL} not found", file=sys.stderr)
        return 2
    report = run(args.config, args.budgets, args.seeds, args.cache_dir, tuple(args.strategies))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"active_learning-{Path(report['encoder']).name}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"regional-dev macro-F1 on the held-out {EVAL_SIZE}, {args.seeds} seeds (mean ± sd [min, max]); encoder {report['encoder']}")
    for key, stats in report["summary"].items():
        if "beats" in key:
            print(f"  {key}: {int(stats['seeds'])} of {int(stats['of'])} seeds")
        else:
            print(f"  {key:<10} {stats['mean']:.3f} ± {stats['sd']:.3f}  [{stats['min']:.3f}, {stats['max']:.3f}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
