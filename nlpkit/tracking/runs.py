"""What goes into a run: config, metrics, text, tables, figures, datasets and tags of the active MLflow run.

Runs are opened with `run()` inside an active `nlpkit.tracking.store.Tracker`; the numbers come from the
evaluators, tracking only records them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import logging
import warnings
from pathlib import Path
from typing import Any, Iterator, Sequence

import mlflow
import numpy as np
import pandas as pd

from nlpkit.tracking import health
from nlpkit.tracking.store import experiment_id, git_commit

log = logging.getLogger(__name__)

__all__ = [
    "run",
    "delete_run",
    "log_config",
    "log_metrics",
    "log_confusion_matrix",
    "log_text",
    "log_json",
    "log_dataset",
    "log_figure",
    "log_table",
    "log_params",
    "set_tags",
    "tag_run",
]


def _can_sample_system() -> bool:
    """MLflow's system metrics need psutil (a main dependency); without it the run still opens, unsampled."""
    if importlib.util.find_spec("psutil") is None:
        log.warning("psutil is not installed: the run opens without system metrics (pip install psutil)")
        return False
    return True


@contextlib.contextmanager
def run(
    experiment: str,
    run_name: str,
    description: str = "",
    nested: bool = False,
    tags: dict | None = None,
    system_metrics: bool = False,
) -> Iterator[Any]:
    """An MLflow run with the git commit and a description attached; `system_metrics` samples CPU, memory
    and disk (MLflow's System metrics tab) while the run is open."""
    all_tags = {"git_commit": git_commit(), "mlflow.note.content": description, **(tags or {})}
    with (
        health.end_runs_on_signal(),
        mlflow.start_run(
            experiment_id=experiment_id(experiment),
            run_name=run_name,
            nested=nested,
            tags=all_tags,
            log_system_metrics=(system_metrics and _can_sample_system()) or None,
        ) as active,
    ):
        yield active


def delete_run(run_id: str) -> None:
    """End the active run `run_id` and move it to the trash (a training that stopped on bad data leaves no run)."""
    active = mlflow.active_run()
    if active is not None and active.info.run_id == run_id:
        mlflow.end_run("FAILED")
    mlflow.MlflowClient().delete_run(run_id)


def log_config(config: dict[str, Any]) -> None:
    """Every setting as a param under its get_params name, plus the config file as an artifact."""
    mlflow.log_params({key: _param_value(value) for key, value in sorted(config.items())})
    log_text(_yaml(config), "config.yaml")


def _param_value(value: Any) -> str:
    return "None" if value is None else str(value)[:500]


def _yaml(config: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(config, sort_keys=True)


def log_metrics(metrics: dict[str, float], prefix: str = "") -> None:
    clean = {f"{prefix}{k}": float(v) for k, v in metrics.items() if v is not None and np.isfinite(v)}
    mlflow.log_metrics(clean)


def log_text(text: str, name: str) -> None:
    mlflow.log_text(text, name)


def log_json(data: Any, name: str) -> None:
    mlflow.log_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), name)


def log_confusion_matrix(matrix: np.ndarray, labels: Sequence[str], name: str, title: str) -> None:
    """A labelled heat-map PNG of a confusion matrix."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5.5, 4.5))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(title)
    for (row, col), value in np.ndenumerate(matrix):
        colour = "white" if value > matrix.max() / 2 else "black"
        axes.text(col, row, str(value), ha="center", va="center", color=colour)
    figure.tight_layout()
    log_figure(figure, name)


def log_figure(figure: Any, name: str) -> None:
    """Store a matplotlib figure as a PNG artifact and free it."""
    import matplotlib.pyplot as plt

    mlflow.log_figure(figure, name)
    plt.close(figure)


def log_table(frame: pd.DataFrame, name: str) -> None:
    """A table artifact (`mlflow.log_table`) the UI shows sortable in its artifact and evaluation views."""
    with warnings.catch_warnings():  # pandas 3 deprecation inside MLflow's own dtype check
        warnings.simplefilter("ignore")
        mlflow.log_table(data=frame, artifact_file=name)


def log_dataset(path: str, sha256: str, sizes: dict[str, int], encoder: str) -> None:
    """Which data and encoder a run used: an MLflow dataset input (name, digest, source) plus params; `encoder`
    is the short name (`minilm`, or the encoder folder's name) that fits a runs-table column."""
    from mlflow.data.pandas_dataset import from_pandas
    from mlflow.data.sources import LocalArtifactDatasetSource  # type: ignore[attr-defined]

    frame = pd.DataFrame([{"split": name, "articles": float(count)} for name, count in sizes.items()])
    source = LocalArtifactDatasetSource(str(Path(path).resolve()))
    dataset = from_pandas(frame, source=source, name=Path(path).name, digest=sha256[:16])
    mlflow.log_input(dataset, context="training")
    mlflow.log_params(
        {
            "dataset_size": sum(sizes.values()),
            "dataset_sha256": sha256[:16],
            "encoder": encoder,
            **{f"n_{name}": count for name, count in sizes.items()},
        }
    )
    mlflow.set_tag("encoder", encoder)


def log_params(params: dict[str, Any]) -> None:
    """Params of the active run that are not config keys (e.g. a sweep's metric and mode)."""
    mlflow.log_params({key: _param_value(value) for key, value in params.items()})


def set_tags(tags: dict[str, Any]) -> None:
    """Tags on the active run."""
    mlflow.set_tags({key: str(value) for key, value in tags.items()})


def tag_run(run_id: str, tags: dict[str, Any]) -> None:
    """Tags on a run that has already finished (a sweep marks its best child afterwards)."""
    client = mlflow.MlflowClient()
    for key, value in tags.items():
        client.set_tag(run_id, key, str(value))
