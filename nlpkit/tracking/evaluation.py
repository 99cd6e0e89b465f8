"""Recording an evaluation in MLflow: one run per `nlpkit.evaluate` call, linked to the training run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nlpkit.tracking import runs

__all__ = ["record_evaluation"]


def record_evaluation(
    model: Any,
    files: dict[str, Path],
    results: dict[str, Any],
    metrics: dict[str, float],
    experiment: str,
    model_spec: str,
    limit: int | None,
) -> str:
    """Log every file's metrics (`<name>_macro_f1`...), reports and confusion matrices into the active tracker's
    store; returns the run id."""
    training_run = model.provenance.get("mlflow_run_id", "")
    tags = {"training_run_id": training_run, "model": model_spec, "data": ", ".join(str(p) for p in files.values())}
    name = f"eval-{'+'.join(files)}-{model.provenance.get('run_name', 'model')}"
    with runs.run(experiment, name, f"evaluation of {model_spec} on {', '.join(files)}", tags=tags) as active:
        runs.log_params(
            {
                "model": model_spec,
                "limit": limit,
                "training_run_id": training_run,
                **{f"data_{name}": str(path) for name, path in files.items()},
            }
        )
        runs.log_metrics(metrics)
        scores = {name: result.metrics for name, result in results.items() if result.report}
        if scores:
            from nlpkit.tracking.pictures import f1_bars

            runs.log_figure(f1_bars(scores, list(model.labels), f"F1 per topic: {model_spec}"), "f1_per_topic.png")
        for file_name, result in results.items():
            if result.report:
                runs.log_text(result.report, f"{file_name}/classification_report.txt")
                runs.log_confusion_matrix(
                    result.confusion, model.labels, f"{file_name}/confusion_matrix.png", file_name
                )
        return str(active.info.run_id)
