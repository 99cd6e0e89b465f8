"""One training run with no MLflow inside: data, one encoder pass, fit, scores; a `TrainReport` out.

Like setfit's Trainer, the trainer stands beside the model: it owns the splits and the reuse of one
encoder pass for fitting and scoring. Recording the report (MLflow run, bundle, registry) is
`nlpkit.tracking.training`'s job, afterwards, so a bad data path fails before any run exists.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from nlpkit.bundle import MANIFEST, point_latest
from nlpkit.data.corpus import LabelledArticle, corpus_hash, load_corpus, load_splits
from nlpkit.evaluation.evaluators import Evaluation, evaluate_summaries, evaluate_topics
from nlpkit.labels import LABELS
from nlpkit.model import EmbeddedBatch, NewsModel
from nlpkit.training.naming import run_name_for

__all__ = ["DatasetInfo", "TrainReport", "train", "save_bundle", "SPLIT_PREFIX"]

log = logging.getLogger(__name__)

#: Metric name prefix per scored split.
SPLIT_PREFIX = {"validation": "val_", "test": "test_"}


@dataclass(frozen=True)
class DatasetInfo:
    """Which data a run learned from, so runs trace back to exact files."""

    path: str
    splits_path: str
    sha256: str
    sizes: dict[str, int]


@dataclass
class TrainReport:
    """What a training produced: the fitted model, its scores per split, and how it was made."""

    config: dict[str, Any]
    run_name: str
    model: NewsModel
    dataset: DatasetInfo
    metrics: dict[str, float] = field(default_factory=dict)
    evaluations: dict[str, Evaluation] = field(default_factory=dict)
    example: list[dict[str, str]] = field(default_factory=list)

    @property
    def description(self) -> str:
        """The run's description: the config's, or what was trained on what."""
        sizes = ", ".join(f"{name} {count}" for name, count in self.dataset.sizes.items())
        return str(
            self.config.get("description")
            or f"{self.config['clf']} on {self.dataset.path} ({sizes}); encoder {self.config['embed__model']}"
        )


def train(config: Mapping[str, Any], extra_train: Sequence[LabelledArticle] = ()) -> TrainReport:
    """Fit on the train split (plus `extra_train`, e.g. pseudo-labelled), learn thresholds on validation, score both."""
    corpus = load_corpus(config["data"], config.get("labels") or LABELS)
    splits = load_splits(config["splits"], corpus)
    splits["train"] = splits["train"] + list(extra_train)
    dataset = DatasetInfo(
        str(config["data"]),
        str(config["splits"]),
        corpus_hash(config["data"]),
        {name: len(records) for name, records in splits.items()},
    )
    model = NewsModel.from_config(config)
    timings, batches = _encode_splits(model, splits)
    started = time.perf_counter()
    train_split, validation = splits["train"], splits["validation"]
    model.fit(
        batches["train"],
        [r.topics for r in train_split],
        validation=(batches["validation"], [r.topics for r in validation]),
        summaries=_summaries(train_split),
        validation_summaries=_summaries(validation),
    )
    timings["sys/fit_seconds"] = time.perf_counter() - started
    report = TrainReport(dict(config), run_name_for(config), model, dataset, example=_example(splits))
    report.metrics.update(timings)
    report.metrics.update(model.training_metrics)
    for split, prefix in SPLIT_PREFIX.items():
        if splits[split]:
            evaluation, scores = _score_split(model, splits[split], batches[split])
            report.evaluations[split] = evaluation
            report.metrics.update({prefix + key: value for key, value in scores.items()})
    model.add_metrics(report.metrics)
    return report


def _encode_splits(
    model: NewsModel, splits: dict[str, list[LabelledArticle]]
) -> tuple[dict[str, float], dict[str, EmbeddedBatch]]:
    """Encode every split once; with a warm cache this is disk reads and the weights never load."""
    started = time.perf_counter()
    model.set_encoding(show_progress=True)
    vectors = {name: model.encode([r.article for r in records]) for name, records in splits.items()}
    timings = {"sys/encode_seconds": time.perf_counter() - started}
    cache = getattr(model.encoder, "cache_", None)
    if cache is not None:
        timings["sys/cache_hits"] = float(cache.hits)
        timings["sys/cache_misses"] = float(cache.misses)
    return timings, vectors


def _summaries(records: Sequence[LabelledArticle]) -> list[list[str]]:
    """Each article's editor summary to learn from; none (empty) for headline-only items,
    which have no body to pick from."""
    return [list(r.summary) if r.article.meta.get("kind") != "headline" else [] for r in records]


def _score_split(
    model: NewsModel, records: list[LabelledArticle], batch: EmbeddedBatch
) -> tuple[Evaluation, dict[str, float]]:
    articles, vectors = batch.articles, batch.vectors
    evaluation = evaluate_topics(model, articles, vectors, [r.primary for r in records])
    scores = dict(evaluation.metrics)
    with_summary = [i for i, r in enumerate(records) if r.summary and r.article.sentences]
    if with_summary:
        scores.update(
            evaluate_summaries(
                model,
                [articles[i] for i in with_summary],
                [vectors[i] for i in with_summary],
                [list(records[i].summary) for i in with_summary],
                [len(records[i].summary) for i in with_summary],
            )
        )
    return evaluation, scores


def _example(splits: dict[str, list[LabelledArticle]]) -> list[dict[str, str]]:
    """One article as users send it (title, text), for the logged model's input example."""
    record = (splits["test"] or splits["train"])[0]
    text = "\n\n".join(" ".join(s.text for s in paragraph) for paragraph in record.article.paragraphs)
    return [{"title": record.article.title, "text": text}]


def save_bundle(report: TrainReport, suffix: str, provenance: dict[str, str] | None = None) -> Path:
    """Save the model as `<models_dir>/<run name>-<suffix>` and point `<models_dir>/latest` at it
    (unless the config's `latest` is false); a change of label set is said, since predict, digest and
    label use `latest` without asking."""
    report.model.set_provenance({"run_name": report.run_name, **(provenance or {})})
    bundle = report.model.save(Path(report.config["models_dir"]) / f"{report.run_name}-{suffix}")
    log.info("bundle saved to %s", bundle)
    if not report.config.get("latest", True):
        log.info("%s left as it was (latest: false)", bundle.parent / "latest")
        return bundle
    before = latest_labels(bundle.parent)
    point_latest(bundle)
    if before is not None and before != list(report.model.labels):
        log.warning(
            "%s now points at a model with other labels (%s; was %s): predict, digest and label use it "
            "by default. To keep the previous model as the default, train with --no-latest "
            "(or --set models_dir=DIR for a separate folder)",
            bundle.parent / "latest",
            ", ".join(report.model.labels),
            ", ".join(before),
        )
    return bundle


def latest_labels(models_dir: Path) -> list[str] | None:
    """The labels of the bundle `<models_dir>/latest` points at, or None when there is none (or it is unreadable)."""
    manifest = models_dir / "latest" / MANIFEST
    try:
        labels = json.loads(manifest.read_text(encoding="utf-8")).get("labels")
    except (OSError, ValueError, AttributeError):
        return None
    return [str(label) for label in labels] if isinstance(labels, list) else None
