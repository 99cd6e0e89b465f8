"""Same-story grouping measured on seeds/pairs: pairwise precision and recall at a range of thresholds.

seeds/pairs/articles.jsonl holds short articles of our own writing, each with the `event` it reports;
every pair of articles with the same event is a same-event pair, every other pair a different-event pair
(many are hard: same topic, same country or institution, near dates). The script groups them all at
once with `nlpkit.analysis.grouping` and scores the pairs, with and without the dates.

    python -m benchmarks story_pairs                         # the model at models/latest
    python -m benchmarks story_pairs --model models/latest --thresholds 0.6 0.7 0.8
    python -m benchmarks story_pairs --encoder default --cache-dir /work/cache/embeddings   # MiniLM
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
from typing import Any

import numpy as np

from benchmarks.common import REPO
from benchmarks.report import Report

PAIRS = REPO / "seeds" / "pairs" / "articles.jsonl"

log = logging.getLogger("benchmarks.story_pairs")


def measure(
    model_path: str, thresholds: list[float], cache_dir: str | None, encoder: str | None = None
) -> list[dict[str, float]]:
    from nlpkit.analysis.grouping import GroupingSettings, group_stories, pair_scores, parse_date, story_vector
    from nlpkit.data.jsonl import read_jsonl
    from nlpkit.embedding.encoder import SentenceEncoder
    from nlpkit.model import NewsModel
    from nlpkit.text.document import parse_article

    records = [data for _, data in read_jsonl(PAIRS)]
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


def render(report: dict[str, Any]) -> str:
    lines = [
        f"{report['pairs_file']}: {report['articles']} articles, {report['events']} events; "
        f"encoder {report['encoder']}",
        "",
        "| threshold | dates | precision | recall | F1 | stories |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for row in report["rows"]:
        lines.append(
            f"| {row['threshold']:.2f} | {'yes' if row['dates'] else 'no'} | {row['precision']:.3f} | "
            f"{row['recall']:.3f} | {row['f1']:.3f} | {int(row['stories'])} |"
        )
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> Report:
    from nlpkit.data.jsonl import read_jsonl

    rows = measure(args.model, args.thresholds, args.cache_dir, args.encoder)
    records = [data for _, data in read_jsonl(PAIRS)]
    report = {
        "pairs_file": str(PAIRS.relative_to(REPO)),
        "articles": len(records),
        "events": len({r["event"] for r in records}),
        "encoder": args.encoder or args.model,
        "rows": rows,
    }
    best = max(rows, key=lambda row: row["f1"])
    return Report(
        "story_pairs",
        "same-story grouping on seeds/pairs (python -m benchmarks story_pairs)",
        render(report),
        report,
        params={"encoder": report["encoder"], "thresholds": args.thresholds},
        metrics={"best_f1": best["f1"], "best_threshold": best["threshold"]},
    )
