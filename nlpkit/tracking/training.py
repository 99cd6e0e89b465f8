"""Recording a finished training in MLflow: one run with params, metrics, pictures, bundle and model.

The trainer has already fitted and scored everything (`nlpkit.training.trainer.train`); this only
writes it down, so a failure in the data or the config never leaves a FAILED run behind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from nlpkit.evaluation.metrics import confusion, topic_report
from nlpkit.labels import LABELS
from nlpkit.tracking import runs
from nlpkit.training.trainer import TrainReport, save_bundle

__all__ = ["TrainResult", "record_training"]

log = logging.getLogger(__name__)


@dataclass
class TrainResult:
    """Where a recorded training ended up."""

    run_id: str
    run_name: str
    bundle: Path
    model_uri: str
    metrics: dict[str, float] = field(default_factory=dict)
    experiment_id: str = ""


def record_training(report: TrainReport, nested: bool = False, tags: dict[str, Any] | None = None) -> TrainResult:
    """Open a run, log the report, save the bundle under the run's id, log and maybe register the model."""
    config = report.config
    with runs.run(str(config["experiment"]), report.run_name, report.description, nested=nested, tags=tags) as active:
        run_id = active.info.run_id
        runs.log_config(config)
        runs.log_dataset(report.dataset.path, report.dataset.sha256, report.dataset.sizes, str(config["embed__model"]))
        runs.log_metrics(report.metrics)
        for split, evaluation in report.evaluations.items():
            _log_split(split, evaluation)
        if report.model.decider is not None:
            runs.log_json(report.model.decider.to_dict(), "thresholds.json")
        provenance = {"mlflow_run_id": run_id, "tracking_uri": runs.current_uri()}
        bundle = save_bundle(report, run_id[:8], provenance)
        model_uri = runs.log_news_model(bundle, pd.DataFrame(report.example))
        if config.get("register"):
            runs.register_champion(model_uri, str(config["register"]))
        log.info("run %s (%s) recorded; bundle at %s", report.run_name, run_id, bundle)
        return TrainResult(run_id, report.run_name, bundle, model_uri, dict(report.metrics), active.info.experiment_id)


def _log_split(split: str, evaluation: Any) -> None:
    predicted = [p.topic for p in evaluation.predictions]
    labels = sorted(set(evaluation.truth) | set(LABELS)) if set(evaluation.truth) - set(LABELS) else list(LABELS)
    runs.log_text(topic_report(evaluation.truth, predicted, labels), f"{split}/classification_report.txt")
    runs.log_confusion_matrix(confusion(evaluation.truth, predicted, labels), labels,
                              f"{split}/confusion_matrix.png", f"{split} split")
    examples = [dict(truth=t, **p.to_dict()) for t, p in zip(evaluation.truth, evaluation.predictions)][:8]
    runs.log_json(examples, f"{split}/example_predictions.json")
