"""Streaming batch prediction: records in, output records out, a batch of articles per encoder call.

Memory stays flat whatever the folder size (only one batch is held), and the encoder sees back-to-back
batches so a run is bound by the encoder, not by our bookkeeping.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from nlpkit.data.readers import InputRecord
from nlpkit.model import NewsModel
from nlpkit.prediction import PREDICTION_FIELDS, Prediction
from nlpkit.text.document import Article, parse_article

__all__ = ["BatchStats", "predict_stream", "output_record", "OUTPUT_FIELDS"]

OUTPUT_FIELDS = PREDICTION_FIELDS


@dataclass
class BatchStats:
    """Counts for the closing summary of a run."""

    read: int = 0
    predicted: int = 0
    failed: int = 0
    skipped: int = 0
    resumed: int = 0
    topics: Counter = field(default_factory=Counter)
    started: float = field(default_factory=time.perf_counter)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def summary(self) -> str:
        rate = self.predicted / self.seconds if self.seconds > 0 else 0.0
        per_topic = ", ".join(f"{topic} {count}" for topic, count in sorted(self.topics.items())) or "none"
        return (
            f"read {self.read}, predicted {self.predicted}, skipped {self.skipped}, failed {self.failed}"
            + (f", already done {self.resumed}" if self.resumed else "")
            + f"; topics: {per_topic}; {self.seconds:.1f}s, {rate:.2f} articles/s"
        )


def output_record(record: InputRecord, prediction: Prediction | None = None) -> Prediction:
    """The output record for one input: the prediction with where it came from, or the error."""
    done = prediction or Prediction()
    done.id, done.path, done.title = record.id, record.path, record.title
    done.error, done.warnings, done.sha256 = record.error, list(record.warnings), record.content_hash
    return done


def predict_stream(
    model: NewsModel,
    records: Iterable[InputRecord],
    stats: BatchStats,
    batch_size: int = 64,
    n_sentences: int | None = None,
    focus: str | None = None,
) -> Iterator[Prediction]:
    """Yield one output record per input record, in input order, predicting in batches."""
    iterator = iter(records)
    while batch := list(itertools.islice(iterator, batch_size)):
        stats.read += len(batch)
        yield from _predict_batch(model, batch, stats, n_sentences, focus)


def _predict_batch(
    model: NewsModel, batch: list[InputRecord], stats: BatchStats, n_sentences: int | None, focus: str | None = None
) -> Iterator[Prediction]:
    articles: dict[int, Article] = {}
    for index, record in enumerate(batch):
        if record.error is None:
            article = parse_article(record.text, record.title, id=record.id)
            if article.sentences:
                articles[index] = article
            else:
                record.error = "no sentences left after removing page furniture"
    order = sorted(articles)
    chosen = [articles[i] for i in order]
    predictions = model._predict_embedded(chosen, model._embed(chosen), n_sentences, focus=focus)
    by_index = dict(zip(order, predictions))
    for index, record in enumerate(batch):
        prediction = by_index.get(index)
        if prediction is None:
            stats.failed += 1
        else:
            stats.predicted += 1
            stats.topics[prediction.topic] += 1
        yield output_record(record, prediction)
