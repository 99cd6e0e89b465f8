"""Streaming batch prediction: records in, output records out, a batch of articles per encoder call.

Memory stays flat whatever the folder size (only one batch is held), and the encoder sees back-to-back
batches so a run is bound by the encoder, not by our bookkeeping. Per-article limits (sentences kept)
bound the time and memory any single article can take, and a failure inside one article, whatever it
is, becomes that article's error record: the batch always goes on.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import pickle
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from nlpkit.data.inbox import InputRecord, ReadLimits, display_path, iter_inputs
from nlpkit.model import NewsModel
from nlpkit.prediction import PREDICTION_FIELDS, Prediction
from nlpkit.text.document import Article, parse_article

__all__ = [
    "BatchStats",
    "FolderRun",
    "predict_folder",
    "predict_stream",
    "output_record",
    "model_fingerprint",
    "DEFAULT_MAX_SENTENCES",
    "OUTPUT_FIELDS",
]

log = logging.getLogger(__name__)

OUTPUT_FIELDS = PREDICTION_FIELDS
#: Sentences of one article that are encoded and summarised; news stories have 20-150, so 500 only cuts
#: pathological inputs (100,000 one-word "sentences"), which would otherwise take minutes and gigabytes.
DEFAULT_MAX_SENTENCES = 500


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


@dataclass
class FolderRun:
    """How a `predict_folder` job ended: its counts, whether it was interrupted, re-predicted records dropped."""

    stats: BatchStats
    interrupted: bool = False
    dropped: int = 0


def predict_folder(
    model: NewsModel,
    source: Path,
    output: Path | None = None,
    resume: bool = False,
    batch_size: int = 64,
    n_sentences: int | None = None,
    max_sentences: int = DEFAULT_MAX_SENTENCES,
    focus: str | None = None,
    limits: ReadLimits | None = None,
    follow_symlinks: bool = False,
    on_record: Callable[[Prediction], None] | None = None,
) -> FolderRun:
    """Predict every input under `source` into `output` (.jsonl or .csv; stdout when None), record by record.

    With `resume`, inputs already in `output` with the same content and model are skipped and the file is
    compacted at the end. Ctrl-C (KeyboardInterrupt) stops the job cleanly: what was written stays, and the
    result says `interrupted`. `on_record` sees each record after it is written (progress, console report).
    """
    from nlpkit.data.output import lock_path, open_writer

    run = FolderRun(BatchStats())
    fingerprint = model_fingerprint(model)
    writer = open_writer(output, OUTPUT_FIELDS, resume, model=fingerprint)

    def skipped(path: Path, reason: str) -> None:
        run.stats.skipped += 1
        log.info("skipped %s: %s", display_path(path), reason)

    def fresh() -> Iterator[InputRecord]:
        exclude = [output, lock_path(output)] if output else []
        for record in iter_inputs(source, limits, follow_symlinks, exclude, on_skip=skipped):
            if writer.resume.is_done(record.path, record.id, record.content_hash):
                run.stats.resumed += 1
            else:
                yield record

    try:
        for record in predict_stream(
            model, fresh(), run.stats, batch_size, n_sentences, max_sentences, fingerprint, focus
        ):
            writer.write(record.to_dict())
            if on_record is not None:
                on_record(record)
    except KeyboardInterrupt:
        run.interrupted = True
    finally:
        run.dropped = writer.close(compact_file=resume and not run.interrupted)
    if run.dropped:
        log.info("kept the newest record of %d re-predicted inputs", run.dropped)
    return run


def model_fingerprint(model: NewsModel) -> str:
    """A short hash of everything that decides a prediction: encoder weights, head, thresholds, summarizer.

    The same bundle gives the same fingerprint in every process, whether loaded from its folder, through
    MLflow or on a Spark worker: it hashes the bundle's file hashes, not Python objects (a pickle of the
    head would differ between processes, since string hashing and so set order is randomised per process).
    """
    digest = hashlib.sha256()
    digest.update(str(getattr(model.encoder, "fingerprint_", model.encoder)).encode())
    digest.update(
        json.dumps(
            [model.labels, model.decider.to_dict() if model.decider else None, model.summarizer.get_params()],
            sort_keys=True,
            default=str,
        ).encode()
    )
    files = {name: sha for name, sha in model.bundle_files.items() if not name.endswith(".md")}
    digest.update(json.dumps(files, sort_keys=True).encode() if files else pickle.dumps(model.pipeline, protocol=4))
    return digest.hexdigest()[:16]


def output_record(record: InputRecord, prediction: Prediction | None = None, model: str = "") -> Prediction:
    """The output record for one input: the prediction with where it came from, or the error."""
    done = prediction or Prediction()
    done.id, done.path, done.title, done.language = record.id, record.path, record.title, record.language
    done.error, done.sha256, done.model = record.error, record.content_hash, model
    done.warnings = list(record.warnings)
    return done


def predict_stream(
    model: NewsModel,
    records: Iterable[InputRecord],
    stats: BatchStats,
    batch_size: int = 64,
    n_sentences: int | None = None,
    max_sentences: int = DEFAULT_MAX_SENTENCES,
    fingerprint: str = "",
    focus: str | None = None,
) -> Iterator[Prediction]:
    """Yield one output record per input record, in input order, predicting in batches."""
    iterator = iter(records)
    while batch := list(itertools.islice(iterator, batch_size)):
        stats.read += len(batch)
        yield from _predict_batch(model, batch, stats, n_sentences, max_sentences, fingerprint, focus)


def limited_article(record: InputRecord, max_sentences: int = DEFAULT_MAX_SENTENCES) -> Article | None:
    """The parsed article, cut to `max_sentences` (with a warning); None after setting `record.error`."""
    try:
        article = parse_article(record.text, record.title, id=record.id)
    except Exception as error:  # noqa: BLE001 - one article's failure is its record's error
        record.error = f"cannot parse article: {type(error).__name__}: {str(error)[:120]}"
        return None
    if not article.sentences:
        record.error = "no sentences left after removing page furniture"
        return None
    if len(article.sentences) > max_sentences:
        record.warnings.append(
            f"{len(article.sentences):,} sentences; only the first {max_sentences:,} were read (--max-sentences)"
        )
        article = Article(article.title, article.sentences[:max_sentences], id=article.id, meta=article.meta)
    return article


def _predict_batch(
    model: NewsModel,
    batch: list[InputRecord],
    stats: BatchStats,
    n_sentences: int | None,
    max_sentences: int,
    fingerprint: str,
    focus: str | None = None,
) -> Iterator[Prediction]:
    articles: dict[int, Article] = {}
    for index, record in enumerate(batch):
        if record.error is None:
            article = limited_article(record, max_sentences)
            if article is not None:
                articles[index] = article
    by_index = _predict_isolated(model, articles, batch, n_sentences, focus)
    for index, record in enumerate(batch):
        prediction = by_index.get(index)
        if prediction is None:
            stats.failed += 1
        else:
            stats.predicted += 1
            stats.topics[prediction.topic] += 1
        yield output_record(record, prediction, fingerprint)


def _predict_isolated(
    model: NewsModel,
    articles: dict[int, Article],
    batch: list[InputRecord],
    n_sentences: int | None,
    focus: str | None = None,
) -> dict[int, Prediction]:
    """Predict the batch in one pass; if that fails, article by article, so only the culprit gets an error."""
    order = sorted(articles)
    chosen = [articles[i] for i in order]
    try:
        return dict(zip(order, model.predict(chosen, n_sentences, focus=focus)))
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as error:  # noqa: BLE001
        if len(order) == 1:
            batch[order[0]].error = f"prediction failed: {type(error).__name__}: {str(error)[:120]}"
            return {}
        log.warning("batch prediction failed (%s); retrying article by article", type(error).__name__)
    found: dict[int, Prediction] = {}
    for index in order:
        found.update(_predict_isolated(model, {index: articles[index]}, batch, n_sentences, focus))
    return found
