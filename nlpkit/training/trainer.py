"""One training run, end to end: data, one encoder pass, fit, evaluation, bundle, MLflow run.

`nlpkit.cli.train` (the CLI) and the sweep runner both call `train_run`; nothing here imports them.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from nlpkit.tracking import runs as tracking
from nlpkit.data.corpus import LABELS, LabelledArticle, corpus_hash, load_corpus, load_splits
from nlpkit.evaluation.evaluators import evaluate_summaries, evaluate_topics
from nlpkit.evaluation.metrics import confusion, topic_report
from nlpkit.model import NewsModel

__all__ = ["TrainResult", "train_run", "run_name_for", "point_latest"]

log = logging.getLogger(__name__)

_ENCODER_SHORT = {"default": "minilm"}
_KEY_PARAM = {"logreg": "C", "linear_svc": "estimator__C", "knn": "n_neighbors", "mlp": "hidden_layer_sizes",
              "random_forest": "n_estimators"}


@dataclass
class TrainResult:
    run_id: str
    run_name: str
    bundle: Path
    model_uri: str
    metrics: dict[str, float] = field(default_factory=dict)


def run_name_for(config: dict[str, Any]) -> str:
    """A name that says what the run is, e.g. `logreg-C4-minilm`."""
    if config.get("run_name"):
        return str(config["run_name"])
    clf = config["clf"]
    key = _KEY_PARAM.get(clf, "")
    value = config.get(f"clf__{key}")
    part = f"-{key.split('__')[-1]}{_compact(value)}" if value is not None else ""
    encoder = str(config.get("embed__model", "default"))
    short = _ENCODER_SHORT.get(encoder, Path(encoder).name or encoder)
    return f"{clf}{part}-{short}"


def _compact(value: Any) -> str:
    text = str(value).replace(" ", "").replace("(", "").replace(")", "").replace(",", "x")
    return text[:-2] if text.endswith(".0") else text


def train_run(config: dict[str, Any], nested: bool = False, tags: dict | None = None) -> TrainResult:
    """Train on the train split, score validation and test, save the bundle, log everything to MLflow."""
    corpus = load_corpus(config["data"])
    splits = load_splits(config["splits"], corpus)
    name = run_name_for(config)
    model = NewsModel.from_config(config)
    with tracking.run(config["experiment"], name, _description(config, splits), nested=nested, tags=tags) as active:
        tracking.log_config(config)
        tracking.log_metrics({f"n_{split}": len(records) for split, records in splits.items()})
        tracking.log_dataset(len(corpus), corpus_hash(config["data"]), str(config["embed__model"]))
        timings, vectors = _encode_splits(model, splits)
        started = time.perf_counter()
        model.fit_embedded(splits["train"], vectors["train"], splits["validation"], vectors["validation"])
        timings["fit_seconds"] = time.perf_counter() - started
        metrics = {**timings, **_score_splits(model, splits, vectors)}
        model.metrics = metrics
        model.provenance = {"mlflow_run_id": active.info.run_id, "run_name": name, "tracking_uri": tracking.current_uri()}
        bundle = model.save(Path(config["models_dir"]) / f"{name}-{active.info.run_id[:8]}")
        point_latest(bundle)
        tracking.log_metrics(metrics)
        example = _input_example(splits["test"] or splits["train"])
        model_uri = tracking.log_news_model(bundle, example, model.predict(example.to_dict(orient="records")))
        tracking.log_json(model.decider.to_dict(), "thresholds.json")
        if config.get("register"):
            tracking.register_champion(model_uri, str(config["register"]))
        log.info("run %s (%s) done; bundle at %s", name, active.info.run_id, bundle)
        return TrainResult(active.info.run_id, name, bundle, model_uri, metrics)


def _description(config: dict[str, Any], splits: dict[str, list]) -> str:
    sizes = ", ".join(f"{name} {len(records)}" for name, records in splits.items())
    return config.get("description") or f"{config['clf']} on {config['data']} ({sizes}); encoder {config['embed__model']}"


def _encode_splits(model: NewsModel, splits: dict[str, list[LabelledArticle]]) -> tuple[dict[str, float], dict]:
    """Encode every split once; with a warm cache this is mostly disk reads."""
    started = time.perf_counter()
    model.encoder.show_progress = True
    model.encoder.fit()
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    vectors = {name: model.embed([r.article for r in records]) for name, records in splits.items()}
    timings = {"encoder_load_seconds": load_seconds, "encode_seconds": time.perf_counter() - started}
    cache = model.encoder.cache_
    if cache is not None:
        timings["cache_hits"] = float(cache.hits)
        timings["cache_misses"] = float(cache.misses)
    return timings, vectors


def _score_splits(model: NewsModel, splits: dict[str, list[LabelledArticle]], vectors: dict) -> dict[str, float]:
    metrics: dict[str, float] = {}
    for split in ("validation", "test"):
        records = splits[split]
        if not records:
            continue
        articles = [r.article for r in records]
        result = evaluate_topics(model, articles, vectors[split], [r.primary for r in records])
        prefix = "val_" if split == "validation" else "test_"
        metrics.update({prefix + k: v for k, v in result.metrics.items()})
        with_summary = [i for i, r in enumerate(records) if r.summary]
        if with_summary:
            summary_metrics = evaluate_summaries(
                model,
                [articles[i] for i in with_summary],
                [vectors[split][i] for i in with_summary],
                [list(records[i].summary) for i in with_summary],
                [len(records[i].summary) for i in with_summary],
            )
            metrics.update({prefix + k: v for k, v in summary_metrics.items()})
        _log_split_artifacts(model, split, result)
    return metrics


def _log_split_artifacts(model: NewsModel, split: str, result: Any) -> None:
    predicted = [p.topic for p in result.predictions]
    tracking.log_text(topic_report(result.truth, predicted, LABELS), f"{split}/classification_report.txt")
    tracking.log_confusion_matrix(confusion(result.truth, predicted, LABELS), LABELS, f"{split}/confusion_matrix.png", f"{split} split")
    examples = [dict(truth=t, **p.to_dict()) for t, p in zip(result.truth, result.predictions)][:8]
    tracking.log_json(examples, f"{split}/example_predictions.json")


def _input_example(records: list[LabelledArticle]) -> pd.DataFrame:
    record = records[0]
    return pd.DataFrame([{"title": record.article.title, "text": "\n\n".join(
        " ".join(s.text for s in paragraph) for paragraph in record.article.paragraphs)}])


def point_latest(bundle: Path) -> None:
    """Make `<models_dir>/latest` a relative symlink to the newest bundle (replaced atomically)."""
    latest = bundle.parent / "latest"
    temp = bundle.parent / f".latest-{os.getpid()}"
    if temp.is_symlink() or temp.exists():
        temp.unlink()
    temp.symlink_to(bundle.name)
    os.replace(temp, latest)
