"""Same-story grouping measured on seeds/pairs: pairwise precision and recall at a range of thresholds.

seeds/pairs/articles.jsonl holds short articles of our own writing, each with the `event` it reports;
every pair of articles with the same event is a same-event pair, every other pair a different-event pair
(many are hard: same topic, same country or institution, near dates). The script groups them all at
once with `nlpkit.analysis.grouping` and scores the pairs, with and without the dates.

    python benchmarks/story_pairs.py                         # the model at models/latest
    python benchmarks/story_pairs.py --model models/latest --thresholds 0.6 0.7 0.8
    python benchmarks/story_pairs.py --encoder default --cache-dir /work/cache/embeddings   # MiniLM
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "seeds" / "pairs" / "articles.jsonl"

log = logging.getLogger("story_pairs")


def measure(model_path: str, thresholds: list[float], cache_dir: str | None, encoder: str | None = None) -> list[dict[str, float]]:
    from nlpkit.analysis.grouping import GroupingSettings, group_stories, pair_scores, parse_date, story_vector
    from nlpkit.data.jsonl import read_jsonl
    from nlpkit.embedding.encoder import SentenceEncoder
    from nlpkit.model import NewsModel
    from nlpkit.text.document import parse_article

    records = [data for _, data in read_jsonl(PAIRS)]
    body = SentenceEncoder(encoder, cache_dir=cache_dir) if encoder else NewsModel.load(model_path, cache_dir=cache_dir).encoder
    articles = [parse_article(r["text"], r["title"], id=r["id"]) for r in records]
    base = GroupingSettings()
    vectors = np.vstack([story_vector(e, base.lead_sentences) for e in body.transform(articles)])
    events = [r["event"] for r in records]
    dates = [parse_date(r.get("date")) for r in records]
    rows = []
    for threshold in thresholds:
        settings = dataclasses.replace(base, threshold=threshold)
        for use_dates in (True, False):
            stories = group_stories(vectors, dates if use_dates else [None] * len(dates), settings)
            scores = pair_scores(events, stories)
            rows.append({"threshold": threshold, "dates": float(use_dates), **scores, "stories": float(len(set(stories)))})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/latest", help="bundle folder (default models/latest)")
    parser.add_argument("--thresholds", type=float, nargs="+", default=[round(x, 2) for x in np.arange(0.5, 0.96, 0.05)])
    parser.add_argument("--encoder", help="measure this encoder ('default' = MiniLM, or a folder) instead of the model's")
    parser.add_argument("--cache-dir", default=None, help="embedding cache folder (e.g. /work/cache/embeddings)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))  # the nlpkit of this checkout, whatever is installed
    logging.basicConfig(level=logging.WARNING)
    rows = measure(args.model, args.thresholds, args.cache_dir, args.encoder)
    n_events = len({line.split('"event": "')[1].split('"')[0] for line in PAIRS.read_text(encoding="utf-8").splitlines() if line})
    print(f"{PAIRS.relative_to(ROOT)}: {sum(1 for _ in PAIRS.open())} articles, {n_events} events; encoder {args.encoder or args.model}")
    print(f"{'threshold':>9} {'dates':>6} {'precision':>9} {'recall':>7} {'F1':>6} {'stories':>7}")
    for row in rows:
        print(f"{row['threshold']:>9.2f} {'yes' if row['dates'] else 'no':>6} {row['precision']:>9.3f} {row['recall']:>7.3f} "
              f"{row['f1']:>6.3f} {int(row['stories']):>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
