"""Where runs are stored: a `Tracker` holds the store's URI, and points MLflow at it only while it is active.

By default runs go to a local store in `experiments/` (sqlite, artifacts beside it); setting
MLFLOW_TRACKING_URI sends them to a team server instead, with no other change. Nothing here sets MLflow's
process-wide URI: `Tracker.active()` sets MLFLOW_TRACKING_URI for its block (as MLflow itself does for
subprocesses) and puts back what was there before, so two trackers, or a test's store, never leak.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import mlflow

from nlpkit.tracking import health

__all__ = [
    "DEFAULT_STORE",
    "Tracker",
    "export_line",
    "current_uri",
    "experiment_id",
    "git_commit",
    "local_artifact_root",
    "server_command",
]

log = logging.getLogger(__name__)

DEFAULT_STORE = Path("experiments")
_URI_VARIABLE = "MLFLOW_TRACKING_URI"


class Tracker:
    """One run store (`uri`): a local sqlite file, or a tracking server."""

    def __init__(self, uri: str) -> None:
        self.uri = uri

    def __repr__(self) -> str:
        return f"Tracker({self.uri!r})"

    @classmethod
    def from_environment(cls, store: Path = DEFAULT_STORE) -> Tracker:
        """The store MLFLOW_TRACKING_URI names, or the local sqlite store under `store`, checked and ready."""
        # Importing mlflow resets its loggers to INFO; keep them at the level the command asked for
        # (database set-up chatter is INFO; --quiet shows errors only).
        logging.getLogger("mlflow").setLevel(
            logging.WARNING if logging.getLogger().isEnabledFor(logging.INFO) else logging.ERROR
        )
        uri = os.environ.get(_URI_VARIABLE)
        if not uri:
            store.mkdir(parents=True, exist_ok=True)
            uri = f"sqlite:///{(store / 'mlflow.db').resolve()}"
        health.prepare_store(uri)  # a dead server fails in seconds; a fresh sqlite store is created once, under a lock
        return cls(uri)

    @contextlib.contextmanager
    def active(self) -> Iterator[Tracker]:
        """MLflow's calls (runs, logging, the registry, model URIs) go to this store inside the block."""
        saved = os.environ.get(_URI_VARIABLE)
        os.environ[_URI_VARIABLE] = self.uri
        try:
            yield self
        finally:
            if saved is None:
                os.environ.pop(_URI_VARIABLE, None)
            else:
                os.environ[_URI_VARIABLE] = saved

    def client(self) -> mlflow.MlflowClient:
        """A client for this store (and its model registry), whatever tracker is active."""
        return mlflow.MlflowClient(tracking_uri=self.uri, registry_uri=self.uri)


def export_line(uri: str) -> str:
    """The shell line that points `mlflow models serve`, `mlflow.pyfunc.load_model` etc. at this store."""
    return f"export MLFLOW_TRACKING_URI={uri}"


def current_uri() -> str:
    """The store MLflow's calls go to now (the active tracker's)."""
    return mlflow.get_tracking_uri()


def experiment_id(name: str) -> str:
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


def git_commit() -> str:
    """The commit of the working folder (logged on every run), or "unknown"."""
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip() or "unknown"


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
