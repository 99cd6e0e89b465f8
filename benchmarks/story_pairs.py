"""Same-story grouping measured on seeds/pairs and seeds/pairs2: pairwise precision and recall by threshold.

The threshold is chosen on the first set (`--pairs`, default seeds/pairs) and reported on the others
(default seeds/pairs2, written separately with hard negatives), so it is not tuned on its only test.

seeds/pairs/articles.jsonl holds short articles of our own writing, each with the `event` it reports;
every pair of articles with the same event is a same-event pair, every other pair a different-event pair
(many are hard: same topic, same country or institution, near dates). The script groups them all at
once with `nlpkit.analysis.grouping` and scores the pairs, with and without the dates.

    python -m benchmarks story_pairs                         # the model at models/latest
    python -m benchmarks story_pairs --model models/latest --thresholds 0.6 0.7 0.8
    python -m benchmarks story_pairs --encoder default --cache-dir /work/cache/embeddings   # MiniLM
    python -m benchmarks story_pairs --encoder default --pairs seeds/pairs2 seeds/pairs   # choose on the other
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import REPO
from benchmarks.report import Report

PAIRS = REPO / "seeds" / "pairs" / "articles.jsonl"
PAIRS2 = REPO / "seeds" / "pairs2" / "articles.jsonl"

log = logging.getLogger("benchmarks.story_pairs")


def measure(
    model_path: str, thresholds: list[float], cache_dir: str | None, encoder: str | None = None, pairs: Path = PAIRS
) -> list[dict[str, float]]:
    from nlpkit.analysis.grouping import GroupingSettings, group_stories, pair_scores, parse_date, story_vector
    from nlpkit.data.jsonl import read_jsonl
    from nlpkit.embedding.encoder import SentenceEncoder
    from nlpkit.model import NewsModel
    from nlpkit.text.document import parse_article

    records = [data for _, data in read_jsonl(pairs)]
    articles = [parse_article(r["text"], r["title"], id=r["id"]) for r in records]
    if encoder:
        embedded = SentenceEncoder(encoder, cache_dir=cache_dir).transform(articles)
    else:
        embedded = NewsModel.load(model_path, cache_dir=cache_dir).encode(articles).vectors
    base = GroupingSettings()
    vectors = np.vstack([story_vector(e, base.lead_sentences) for e in embedded])
    events = [r["event"] for r in records]
    dates = [parse_date(r.get("date")) for r in records]
    rows = []
    for threshold in thresholds:
        settings = dataclasses.replace(base, threshold=threshold)
        for use_dates in (True, False):
            stories = group_stories(vectors, dates if use_dates else [None] * len(dates), settings)
            scores = pair_scores(events, stories)
            rows.append(
                {"threshold": threshold, "dates": float(use_dates), **scores, "stories": float(len(set(stories)))}
            )
    return rows


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default="models/latest", help="bundle folder (default models/latest)")
    parser.add_argument(
        "--thresholds", type=float, nargs="+", default=[round(x, 2) for x in np.arange(0.5, 0.96, 0.05)]
    )
    parser.add_argument(
        "--encoder", help="measure this encoder ('default' = MiniLM, or a folder) instead of the model's"
    )
    parser.add_argument("--cache-dir", default=None, help="embedding cache folder (e.g. /work/cache/embeddings)")
    parser.add_argument(
        "--pairs",
        type=Path,
        nargs="+",
        default=[PAIRS.parent, PAIRS2.parent],
        help="pairs folders (or .jsonl files); the threshold is chosen on the first and checked on the others",
    )


def _jsonl(path: Path) -> Path:
    return path / "articles.jsonl" if path.is_dir() else path


def _name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


#: A wrongly merged story hides news, so the shipped threshold must keep this precision on the tuning set.
PRECISION_TARGET = 0.9


def choose(rows: list[dict[str, float]]) -> dict[str, float]:
    """The threshold to ship: the lowest whose precision (with dates) reaches PRECISION_TARGET with some
    recall left, else the best F1."""
    dated = sorted((row for row in rows if row["dates"]), key=lambda row: row["threshold"])
    sure = [row for row in dated if row["precision"] >= PRECISION_TARGET and row["recall"] > 0]
    return sure[0] if sure else max(dated, key=lambda row: (round(row["f1"], 3), row["threshold"]))


def render(report: dict[str, Any]) -> str:
    lines = []
    for part in report["sets"]:
        lines += [
            f"{part['pairs_file']}: {part['articles']} articles, {part['events']} events; encoder {report['encoder']}",
            "",
            "| threshold | dates | precision | recall | F1 | stories |",
            "|---:|---|---:|---:|---:|---:|",
        ]
        for row in part["rows"]:
            lines.append(
                f"| {row['threshold']:.2f} | {'yes' if row['dates'] else 'no'} | {row['precision']:.3f} | "
                f"{row['recall']:.3f} | {row['f1']:.3f} | {int(row['stories'])} |"
            )
        lines.append("")
    chosen = report["chosen"]
    lines.append(
        f"chosen on {report['sets'][0]['pairs_file']} (with dates; lowest with precision >= {PRECISION_TARGET}): "
        f"threshold {chosen['threshold']:.2f}, precision {chosen['precision']:.3f}, recall {chosen['recall']:.3f}"
    )
    for part in report["sets"][1:]:
        row = next(r for r in part["rows"] if r["dates"] and r["threshold"] == chosen["threshold"])
        lines.append(
            f"checked on {part['pairs_file']}: precision {row['precision']:.3f}, recall {row['recall']:.3f}, "
            f"F1 {row['f1']:.3f}"
        )
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> Report:
    from nlpkit.data.jsonl import read_jsonl

    sets: list[dict[str, Any]] = []
    for folder in args.pairs:
        path = _jsonl(folder)
        records = [data for _, data in read_jsonl(path)]
        sets.append(
            {
                "pairs_file": _name(path),
                "articles": len(records),
                "events": len({r["event"] for r in records}),
                "rows": measure(args.model, args.thresholds, args.cache_dir, args.encoder, path),
            }
        )
    chosen = choose(sets[0]["rows"])
    report = {"encoder": args.encoder or args.model, "sets": sets, "chosen": chosen}
    metrics = {"chosen_threshold": chosen["threshold"], "tuning_f1": chosen["f1"]}
    for number, part in enumerate(sets[1:], start=2):
        row = next(r for r in part["rows"] if r["dates"] and r["threshold"] == chosen["threshold"])
        metrics.update(
            {
                f"check{number}_precision": row["precision"],
                f"check{number}_recall": row["recall"],
                f"check{number}_f1": row["f1"],
            }
        )
    return Report(
        "story_pairs",
        "same-story grouping: threshold chosen on one pairs set, checked on the other "
        "(python -m benchmarks story_pairs)",
        render(report),
        report,
        params={"encoder": report["encoder"], "thresholds": args.thresholds, "pairs": [s["pairs_file"] for s in sets]},
        metrics=metrics,
    )
