"""Recording a training in MLflow: one run with params, metrics, pictures, bundle, card and model.

The trainer fits and scores everything without MLflow (`nlpkit.training.trainer.train`); this module
only writes it down. `training_run` opens the run when training starts, so the run's duration and its
System metrics cover the encoding and the fit; a data or config error (an `NlpkitError`) deletes that
run again, so such a failure never leaves a FAILED run behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import pandas as pd

from nlpkit.errors import NlpkitError
from nlpkit.evaluation.evaluators import Evaluation
from nlpkit.evaluation.metrics import confusion, topic_report
from nlpkit.tracking import flavor, pictures, registry, runs, store, views
from nlpkit.training.naming import encoder_short_name, run_name_for
from nlpkit.training.selection import SelectionRule
from nlpkit.training.trainer import TrainReport, save_bundle

__all__ = [
    "TrainResult",
    "training_run",
    "record_training",
    "register",
    "validation_digest",
    "model_card",
    "error_table",
    "MODEL_CARD",
]

log = logging.getLogger(__name__)

MODEL_CARD = "MODEL_CARD.md"
#: Rows of the error table beyond the misclassified ones: the least confident correct predictions.
LEAST_CONFIDENT = 15


@dataclass
class TrainResult:
    """Where a recorded training ended up."""

    run_id: str
    run_name: str
    bundle: Path
    model_uri: str
    metrics: dict[str, float] = field(default_factory=dict)
    experiment_id: str = ""
    validation_digest: str = ""
    card: str = ""
    registration: registry.Registration | None = None
    view_path: str = ""


@contextlib.contextmanager
def training_run(config: Mapping[str, Any], nested: bool = False, tags: dict[str, Any] | None = None) -> Iterator[Any]:
    """The MLflow run of a training about to start, with system metrics on; pass it to `record_training`.

    A data or config error inside deletes the run (nothing was trained); a crash or Ctrl-C leaves it FAILED
    or KILLED, as it really ended."""
    description = f"training {config['clf']} on {config['data']}"
    with runs.run(
        str(config["experiment"]), run_name_for(config), description, nested=nested, tags=tags, system_metrics=True
    ) as active:
        try:
            yield active
        except NlpkitError:
            runs.delete_run(active.info.run_id)
            raise


def record_training(
    report: TrainReport, nested: bool = False, tags: dict[str, Any] | None = None, active_run: Any = None
) -> TrainResult:
    """Log the report into `active_run` (from `training_run`) or a new run, save the bundle under the run's id,
    log and maybe register the model."""
    config = report.config
    digest = validation_digest(report)
    all_tags = {registry.VALIDATION_DIGEST_TAG: digest, **(tags or {})}
    opened = (
        contextlib.nullcontext(active_run)
        if active_run is not None
        else runs.run(str(config["experiment"]), report.run_name, report.description, nested=nested, tags=all_tags)
    )
    with opened as active:
        run_id = active.info.run_id
        if active_run is not None:
            runs.set_tags({**all_tags, "mlflow.note.content": report.description})
        runs.log_config(config)
        runs.log_dataset(
            report.dataset.path,
            report.dataset.sha256,
            report.dataset.sizes,
            encoder_short_name(str(config["embed__model"])),
        )
        for split, evaluation in report.evaluations.items():
            _log_split(split, evaluation, report.model.labels)
        runs.log_metrics(report.metrics)
        f1_scores = {split: _unprefixed(report.metrics, runs_prefix(split)) for split in report.evaluations}
        if f1_scores:
            runs.log_figure(
                pictures.f1_bars(f1_scores, list(report.model.labels), f"F1 per topic: {report.run_name}"),
                "f1_per_topic.png",
            )
        if report.model.decider is not None:
            runs.log_json(report.model.decider.to_dict(), "thresholds.json")
            runs.log_figure(pictures.thresholds_figure(report.model.decider.to_dict()), "thresholds.png")
        provenance = {"mlflow_run_id": run_id, "tracking_uri": store.current_uri()}
        bundle = save_bundle(report, run_id[:8], provenance)
        card = model_card(report, run_id, digest)
        (bundle / MODEL_CARD).write_text(card, encoding="utf-8")
        runs.log_text(card, MODEL_CARD)
        model_uri = flavor.log_news_model(bundle, pd.DataFrame(report.example))
        result = TrainResult(
            run_id, report.run_name, bundle, model_uri, dict(report.metrics), active.info.experiment_id, digest, card
        )
    if not nested:
        result.view_path = views.share_runs_view(result.experiment_id, "nlpkit-runs", params=("clf", "encoder"))
    if config.get("register"):
        result.registration = register(result, str(config["register"]), SelectionRule())
    log.info("run %s (%s) recorded; bundle at %s", report.run_name, run_id, bundle)
    return result


def register(result: TrainResult, name: str, rule: SelectionRule) -> registry.Registration:
    """Register the run's model as `name@challenger`; `champion` moves only if it beats the current one."""
    registration = registry.register_candidate(
        result.model_uri, name, result.metrics, result.validation_digest, result.card, rule
    )
    runs.tag_run(
        result.run_id,
        {
            "registered_model": f"{name} v{registration.version}",
            "registered_alias": "champion" if registration.promoted else "challenger",
        },
    )
    result.registration = registration
    return registration


def runs_prefix(split: str) -> str:
    from nlpkit.training.trainer import SPLIT_PREFIX

    return SPLIT_PREFIX.get(split, f"{split}_")


def _unprefixed(metrics: dict[str, float], prefix: str) -> dict[str, float]:
    return {key[len(prefix) :]: value for key, value in metrics.items() if key.startswith(prefix)}


def validation_digest(report: TrainReport) -> str:
    """sha256 of the validation articles (id, title, gold topic), so two runs compare only on the same data."""
    evaluation = report.evaluations.get("validation")
    if evaluation is None:
        return ""
    rows = sorted(f"{p.id}\x1f{p.title}\x1f{truth}" for p, truth in zip(evaluation.predictions, evaluation.truth))
    return hashlib.sha256("\x1e".join(rows).encode("utf-8")).hexdigest()


def _log_split(split: str, evaluation: Evaluation, model_labels: list[str]) -> None:
    """Report, confusion matrix, reliability diagram and error table of one split (numbers the evaluator made)."""
    predicted: list[Any] = [p.topic for p in evaluation.predictions]
    known = list(model_labels)
    labels = sorted(set(evaluation.truth) | set(known)) if set(evaluation.truth) - set(known) else known
    runs.log_text(topic_report(evaluation.truth, predicted, labels), f"{split}/classification_report.txt")
    runs.log_confusion_matrix(
        confusion(evaluation.truth, predicted, labels), labels, f"{split}/confusion_matrix.png", f"{split} split"
    )
    runs.log_json(evaluation.reliability, f"{split}/reliability.json")
    runs.log_figure(
        pictures.reliability_diagram(evaluation.reliability, f"{split} calibration"), f"{split}/reliability.png"
    )
    errors = error_table(evaluation)
    if len(errors):
        runs.log_table(errors, f"{split}/errors.json")


def error_table(evaluation: Any, least_confident: int = LEAST_CONFIDENT) -> pd.DataFrame:
    """Every misclassified article, then the least confident correct ones: what to read first."""
    rows = []
    for prediction, truth in zip(evaluation.predictions, evaluation.truth):
        confidence = max(prediction.scores.values()) if prediction.scores else 0.0
        rows.append(
            {
                "kind": "misclassified" if prediction.topic != truth else "least confident",
                "id": prediction.id,
                "title": prediction.title,
                "gold": truth,
                "predicted": prediction.topic or "",
                "confidence": round(float(confidence), 4),
                "scores": json.dumps(
                    {k: round(float(v), 3) for k, v in sorted(prediction.scores.items(), key=lambda kv: -kv[1])}
                ),
                "summary": " ".join(prediction.summary),
            }
        )
    frame = pd.DataFrame(rows, columns=["kind", "id", "title", "gold", "predicted", "confidence", "scores", "summary"])
    wrong = frame[frame["kind"] == "misclassified"].sort_values("confidence", ascending=False)
    unsure = frame[frame["kind"] != "misclassified"].sort_values("confidence").head(least_confident)
    return pd.concat([wrong, unsure], ignore_index=True)


def model_card(report: TrainReport, run_id: str, digest: str) -> str:
    """A short markdown card: what the model is, what it learned from, how it scores, where it stops working."""
    config, dataset, metrics = report.config, report.dataset, report.metrics
    splits = [s for s in ("validation", "test") if s in report.evaluations]
    rows = [
        ("macro-F1", "macro_f1"),
        ("accuracy", "accuracy"),
        ("log-loss", "log_loss"),
        ("calibration error (ECE)", "ece"),
        ("summary ROUGE-1", "summary_rouge1"),
        ("Lead-k ROUGE-1", "lead_rouge1"),
    ]
    labels = list(report.model.labels)
    rows += [(f"F1 {label}", f"f1_{label}") for label in labels]
    table = ["| metric | " + " | ".join(splits) + " |", "|---|" + "---:|" * len(splits)]
    for label, key in rows:
        values = [metrics.get(f"{runs_prefix(s)}{key}") for s in splits]
        if any(v is not None for v in values):
            table.append(f"| {label} | " + " | ".join(f"{v:.3f}" if v is not None else "-" for v in values) + " |")
    decider = report.model.decider.to_dict() if report.model.decider is not None else {}
    thresholds = ", ".join(f"{k} {v:.2f}" for k, v in decider.get("thresholds", {}).items())
    sizes = ", ".join(f"{name} {count}" for name, count in dataset.sizes.items())
    return "\n".join(
        [
            f"# Model card: {report.run_name}",
            "",
            f"nlpkit topic tagger and extractive summarizer; MLflow run `{run_id}`.",
            "",
            "## What it is",
            f"- Encoder: `{config['embed__model']}` "
            f"(sentence vectors, pooled with `{config.get('pool__method', 'mean')}`)",
            f"- Topic head: `{config['clf']}` over {', '.join(labels)}; thresholds learned on validation"
            + (f" (other below {decider.get('min_confidence', 0):.2f}; secondary: {thresholds})" if decider else ""),
            f"- Summaries: extractive, {config.get('summary__n_sentences', 3)} sentences by default, "
            "verbatim from the article",
            "",
            "## Data",
            f"- `{dataset.path}` (sha256 `{dataset.sha256[:16]}`), splits `{dataset.splits_path}`: {sizes}",
            f"- Validation digest `{digest[:16]}` "
            "(models are compared for the champion only on the same validation data)",
            "",
            "## Scores",
            *table,
            "",
            "Scores on other labelled files (`python -m nlpkit.evaluate FILE`) "
            "are logged as evaluation runs linked to this run.",
            "",
            "## Limits",
            "- English news only; other languages get a warning and unreliable topics.",
            _labels_limit(labels),
            "- Trained on the data above; articles unlike it (other beats, other regions' styles) score lower, see the "
            "evaluation runs before trusting it on a new feed.",
            "- Probabilities are calibrated only as far as the ECE above says; "
            "thresholds were tuned on the validation split.",
            "",
        ]
    )


_COUNTS = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")


def _labels_limit(labels: list[str]) -> str:
    """The model card's line on what the model can say: its own labels, never a global list."""
    count = _COUNTS[len(labels)] if len(labels) < len(_COUNTS) else str(len(labels))
    rest = (
        "anything else should come out as `other`, not as a new topic"
        if "other" in labels
        else "anything else is given the nearest of them"
    )
    return f"- {count} labels only ({', '.join(labels)}); {rest}."
