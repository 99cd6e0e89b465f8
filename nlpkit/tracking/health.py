"""MLflow under faults: runs that always end, a dead server that fails fast, a store two processes can share.

- `end_runs_on_signal`: SIGTERM (a scheduler, `kill`, a container stop) and SIGINT (Ctrl-C) end every
  active run as KILLED before the process goes, instead of leaving it RUNNING for ever.
- `check_server`: two short HTTP requests to an `http(s)://` tracking URI before anything is trained, and
  MLflow's own retries cut to seconds: an unreachable server is one line after about 5 s, not five
  chained tracebacks after four minutes; a server that refuses our credentials or is not MLflow at all
  is one line too.
- `prepare_sqlite_store`: the first process to open a fresh sqlite store creates (migrates) its schema
  while holding an exclusive file lock; a second one started at the same moment waits for it instead of
  racing through the same migration.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType
from typing import Any, Callable, Iterator

from nlpkit.errors import TrackingError

__all__ = [
    "RunKilled",
    "end_runs_on_signal",
    "check_server",
    "fail_fast_settings",
    "prepare_sqlite_store",
    "prepare_store",
]

log = logging.getLogger(__name__)

#: Seconds a tracking server has to answer the first request before the command gives up.
SERVER_TIMEOUT = 5.0
_FAIL_FAST = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "10",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
}


class RunKilled(KeyboardInterrupt):
    """Raised in the main thread by SIGTERM, after the active runs were marked KILLED."""


def _end_active_runs(status: str) -> None:
    import mlflow

    while mlflow.active_run() is not None:
        run_id = mlflow.active_run().info.run_id  # type: ignore[union-attr]
        mlflow.end_run(status)
        log.warning("MLflow run %s ended as %s", run_id, status)


@contextlib.contextmanager
def end_runs_on_signal(signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT)) -> Iterator[None]:
    """While inside, SIGTERM/SIGINT end all active MLflow runs as KILLED, then interrupt the program.

    Outside the main thread signal handlers cannot be set; there the block runs unguarded. Previous
    handlers are restored on exit, so nested runs (a sweep and its children) stack cleanly.
    """
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: FrameType | None) -> None:
        try:
            _end_active_runs("KILLED")
        except Exception as error:  # noqa: BLE001 - the store may be gone; leaving matters more
            log.warning("could not mark the MLflow run KILLED: %s", error)
        raise RunKilled(f"stopped by {signal.Signals(signum).name}")

    try:
        for number in signals:
            previous[number] = signal.signal(number, handler)
    except ValueError:  # not the main thread
        previous.clear()
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def fail_fast_settings() -> None:
    """Cut MLflow's HTTP retries (default: 7 retries with backoff, minutes) unless the user set them."""
    for key, value in _FAIL_FAST.items():
        os.environ.setdefault(key, value)


#: A cheap read every MLflow server answers (an auth server only for a known user): proves the URI is MLflow.
_API_PROBE = "/api/2.0/mlflow/experiments/search?max_results=1"


def check_server(uri: str, timeout: float = SERVER_TIMEOUT, opener: Callable[..., Any] | None = None) -> None:
    """Raise TrackingError in at most about `timeout` seconds unless an http(s) tracking URI is a healthy MLflow
    server that accepts our credentials: a 401/403 (no or wrong MLFLOW_TRACKING_USERNAME/PASSWORD) or a 404
    (not MLflow, e.g. `python -m http.server`) fails here, before anything is trained."""
    if not uri.startswith(("http://", "https://")):
        return
    fail_fast_settings()
    for path in ("/health", _API_PROBE):
        _probe(uri, uri.rstrip("/") + path, timeout, opener or urllib.request.urlopen)


def _probe(uri: str, url: str, timeout: float, opener: Callable[..., Any]) -> None:
    started = time.monotonic()
    try:
        with opener(urllib.request.Request(url, headers=_auth_headers()), timeout=timeout) as response:
            response.read(64)
    except urllib.error.HTTPError as error:
        raise TrackingError(_refusal(uri, url, error.code)) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise TrackingError(
            f"MLflow tracking server {uri} did not answer within {time.monotonic() - started:.0f} s ({reason}); "
            "start it, fix MLFLOW_TRACKING_URI, or unset it to use the local store in experiments/"
        ) from error


def _refusal(uri: str, url: str, code: int) -> str:
    if code in (401, 403):
        given = (
            "were refused"
            if os.environ.get("MLFLOW_TRACKING_USERNAME") or os.environ.get("MLFLOW_TRACKING_TOKEN")
            else "are not set"
        )
        return (
            f"MLflow tracking server {uri} answered {code} to {url}: its credentials (MLFLOW_TRACKING_USERNAME and "
            f"MLFLOW_TRACKING_PASSWORD) {given}"
        )
    if code == 404:
        return f"{uri} answered 404 to {url}: not an MLflow tracking server; check MLFLOW_TRACKING_URI"
    return f"MLflow tracking server {uri} answered {code} to {url}; check MLFLOW_TRACKING_URI"


def _auth_headers() -> dict[str, str]:
    """The Authorization header MLflow's client would send, from the same environment variables."""
    import base64

    token = os.environ.get("MLFLOW_TRACKING_TOKEN")
    if token:
        return {"Authorization": f"Bearer {token}"}
    user, password = os.environ.get("MLFLOW_TRACKING_USERNAME"), os.environ.get("MLFLOW_TRACKING_PASSWORD")
    if user and password:
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
    return {}


def _sqlite_path(uri: str) -> Path | None:
    return Path(uri[len("sqlite:///") :]) if uri.startswith("sqlite:///") else None


def prepare_sqlite_store(uri: str, timeout: float = 120.0) -> None:
    """Create or migrate a sqlite store's schema once, under an exclusive lock beside the database.

    Two trainings started together on a fresh store both call this; the second blocks until the first
    has finished creating the tables, then finds them in place.
    """
    import fcntl

    database = _sqlite_path(uri)
    if database is None:
        return
    database.parent.mkdir(parents=True, exist_ok=True)
    lock_file = database.with_name(f".{database.name}.init-lock")
    with lock_file.open("a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise TrackingError(
                        f"{database}: another process has been initialising this MLflow store for "
                        f"over {timeout:.0f} s; remove {lock_file} if no nlpkit command is running"
                    ) from None
                time.sleep(0.2)
        try:
            _create_schema(uri, database)
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _create_schema(uri: str, database: Path) -> None:
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    try:
        SqlAlchemyStore(uri, (database.parent / "artifacts").resolve().as_uri())
    except Exception as error:  # noqa: BLE001 - a broken store is one line, not a migration traceback
        message = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise TrackingError(f"{database}: cannot open the MLflow store ({message})") from error


def prepare_store(uri: str) -> None:
    """Everything a command does before its first MLflow call: fail fast on a dead server, init sqlite once."""
    check_server(uri)
    prepare_sqlite_store(uri)
