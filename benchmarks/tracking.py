"""The benchmarks' one MLflow module: a report becomes one run in the "nlpkit-benchmarks" experiment.

A client bound to the store's URI records the run, so no global MLflow state is set.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.common import EXPERIMENT, REPO
from benchmarks.report import Report, git_commit

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

log = logging.getLogger("benchmarks.tracking")


def default_uri() -> str:
    """MLFLOW_TRACKING_URI when set, else the project's local store (experiments/mlflow.db)."""
    uri = os.environ.get("MLFLOW_TRACKING_URI")
    if uri:
        return uri
    store = REPO / "experiments"
    store.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(store / 'mlflow.db').resolve()}"


def log_run(report: Report, uri: str | None = None) -> str:
    """One run with the report's params, metrics, targets, Markdown and JSON; returns the run id."""
    from mlflow.entities import Metric, Param, RunTag
    from mlflow.tracking import MlflowClient

    uri = uri or default_uri()
    logging.getLogger("mlflow").setLevel(logging.WARNING)  # its database set-up chatter is INFO
    client = MlflowClient(tracking_uri=uri)
    tags = {"benchmark": report.name, "git_commit": git_commit(), "mlflow.note.content": report.title}
    run = client.create_run(_experiment_id(client, uri), run_name=report.run_name or report.name, tags=tags)
    run_id = str(run.info.run_id)
    now = int(time.time() * 1000)
    metrics = {_key(k): v for k, v in report.run_metrics().items()}
    metrics.update({f"target_{t.key}": t.value for t in report.targets if t.value is not None})
    params = [Param(_key(k), str(v)[:6000]) for k, v in report.params.items()]
    client.log_batch(
        run_id,
        metrics=[Metric(k, float(v), now, 0) for k, v in metrics.items()],
        params=params,
        tags=[RunTag("targets_met", str(sum(bool(t.met) for t in report.targets)))],
    )
    stem = report.stem or report.name
    client.log_text(run_id, report.markdown, f"{stem}.md")
    client.log_dict(run_id, report.envelope(run_id), f"{stem}.json")
    client.set_terminated(run_id)
    log.info("MLflow run %s in %s (%s)", run_id, EXPERIMENT, uri)
    return run_id


def _experiment_id(client: MlflowClient, uri: str) -> str:
    """Get or create the experiment; a local sqlite store keeps artifacts beside the database."""
    from mlflow.exceptions import MlflowException

    found = client.get_experiment_by_name(EXPERIMENT)
    if found is not None:
        return str(found.experiment_id)
    location = None
    if uri.startswith("sqlite:///"):
        location = (Path(uri[len("sqlite:///") :]).parent / "artifacts").resolve().as_uri()
    try:
        return str(client.create_experiment(EXPERIMENT, artifact_location=location))
    except MlflowException:  # another process created it a moment ago
        found = client.get_experiment_by_name(EXPERIMENT)
        if found is None:
            raise
        return str(found.experiment_id)


def _key(name: str) -> str:
    """MLflow keys allow letters, digits and _-./ only."""
    return "".join(c if c.isalnum() or c in "_-." else "_" for c in name)
