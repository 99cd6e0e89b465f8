"""Views of the run store in the MLflow UI: runs tables ranked best first, and links to them."""

from __future__ import annotations

import json
import re
from typing import Sequence

import mlflow

__all__ = ["QUALITY_METRICS", "LOCAL_UI", "share_runs_view", "experiment_views", "ui_link"]

#: Columns the runs table opens with: what answers "which is best and why", best first.
QUALITY_METRICS = ("val_macro_f1", "val_log_loss", "test_macro_f1", "val_ece", "val_accuracy", "val_summary_rouge1")
LOCAL_UI = "http://127.0.0.1:5000"


def share_runs_view(
    experiment_id: str,
    key: str,
    metric: str = "val_macro_f1",
    mode: str = "max",
    search_filter: str = "",
    params: Sequence[str] = ("clf",),
) -> str:
    """Store a view of the experiment's runs table (sorted by `metric`, best first, quality columns shown)
    as MLflow's shared view state, and return the UI path that opens it in "Model training" mode.

    MLflow's UI reads an experiment tag `mlflow.sharedViewState.<key>` (JSON with searchFilter,
    orderByKey, orderByAsc, selectedColumns, columnOrder) when the URL carries `viewStateShareKey=<key>`; checked in
    headless Chromium against MLflow 3.17 by tests/test_browser.py.
    """
    key = re.sub(r"[^A-Za-z0-9_-]+", "-", key)
    metrics = [metric] + [m for m in QUALITY_METRICS if m != metric]
    columns = (
        [f"metrics.`{m}`" for m in metrics]
        + [f"params.`{p}`" for p in dict.fromkeys(params)]
        + ["attributes.`Dataset`"]
    )
    state = {
        "searchFilter": search_filter,
        "orderByKey": f"metrics.`{metric}`",
        "orderByAsc": mode == "min",
        "selectedColumns": columns,
        "columnOrder": columns,
    }  # without an order MLflow sorts them by name
    mlflow.MlflowClient().set_experiment_tag(experiment_id, f"mlflow.sharedViewState.{key}", json.dumps(state))
    return f"/#/experiments/{experiment_id}/runs?viewStateShareKey={key}&workflowType=machine_learning"


def experiment_views() -> list[tuple[str, str]]:
    """(experiment name, runs-table path) for every experiment holding runs, each opening ranked by
    validation macro-F1 with the quality columns shown (what `python -m nlpkit.ui` prints)."""
    client = mlflow.MlflowClient()
    views = []
    for experiment in client.search_experiments():
        if client.search_runs([experiment.experiment_id], max_results=1):
            views.append(
                (experiment.name, share_runs_view(experiment.experiment_id, "nlpkit-runs", params=("clf", "encoder")))
            )
    return views


def ui_link(path: str, uri: str | None = None) -> str:
    """A full UI address: the tracking server's own when runs go to one, else the local `nlpkit.ui` default."""
    uri = uri or mlflow.get_tracking_uri()
    base = uri.rstrip("/") if uri.startswith(("http://", "https://")) else LOCAL_UI
    return base + path
