"""The MLflow UI in a real browser: a small sweep's runs side by side in headless Chromium.

A 2-child sweep runs through the CLI (`python -m nlpkit.train --sweep`) into a temporary store; the UI is
served by `nlpkit.ui.start_server` on a free port of 127.0.0.1 in its own session, and Chromium renders
the runs page, the compare-runs view and the per-metric comparison offline. Screenshots go to
test-artifacts/. Server and browser process groups are stopped by the test (SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pytest
import yaml

from nlpkit.cli import ui
from nlpkit.tracking.processes import group_members, stop_process_group, wait_until_ready
from nlpkit.tracking.ui import start_server

from test_sweep import TINY_SWEEP, write_small_corpus

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
METRIC = "val_macro_f1"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--window-size=1600,1000",
    "--virtual-time-budget=20000",
]


@dataclass
class SweepStore:
    uri: str
    folder: Path
    experiment_id: str
    parent: tuple[str, str]
    children: list[tuple[str, str, float]]  # (run id, run name, val_macro_f1), highest first
    link: str  # the runs-page path the sweep printed


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")
    return path


@pytest.fixture(scope="session")
def sweep_store(chromium: str, tiny_encoder: Path, tmp_path_factory: pytest.TempPathFactory) -> SweepStore:
    """A store holding one 2-child sweep, made by the train CLI exactly as a user would (tiny encoder)."""
    folder = tmp_path_factory.mktemp("browser")
    corpus, splits = write_small_corpus(folder)
    config = {
        "data": str(corpus),
        "splits": str(splits),
        "models_dir": str(folder / "models"),
        "cache_dir": str(folder / "cache"),
        "experiment": "browser-test",
        "embed__model": str(tiny_encoder),
    }
    (folder / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (folder / "sweep.yaml").write_text(TINY_SWEEP, encoding="utf-8")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    command = [sys.executable, "-m", "nlpkit.train", "--config", "config.yaml", "--sweep", "sweep.yaml", "--quiet"]
    env = {**os.environ, "MLFLOW_TRACKING_URI": uri, "PYTHONPATH": str(ROOT)}  # this checkout, not another install
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr.strip().splitlines() == [f"export MLFLOW_TRACKING_URI={uri}"], done.stderr[-2000:]  # --quiet
    [link] = re.findall(r"compare in the MLflow UI \(python -m nlpkit.ui\): http://127\.0\.0\.1:5000(\S+)", done.stdout)
    client = mlflow.MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("browser-test")
    runs = client.search_runs([experiment.experiment_id], order_by=[f"metrics.{METRIC} DESC"])
    [parent] = [r for r in runs if r.data.tags.get("sweep_role") == "parent"]
    children = [
        (r.info.run_id, r.info.run_name, r.data.metrics[METRIC])
        for r in runs
        if r.data.tags.get("sweep_role") == "child"
    ]
    children.sort(key=lambda child: -child[2])  # highest val_macro_f1 first, as the table should be
    return SweepStore(uri, folder, experiment.experiment_id, (parent.info.run_id, parent.info.run_name), children, link)


@pytest.fixture(scope="session")
def ui_url(sweep_store: SweepStore):
    """The MLflow UI on a free 127.0.0.1 port; its whole process group is stopped afterwards."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with (sweep_store.folder / "mlflow-server.log").open("w") as log:
        server = start_server(sweep_store.uri, "127.0.0.1", port, output=log)
        try:
            wait_until_ready(url, server, timeout=180)
            yield url
        finally:
            stop_process_group(server, grace=10)
    assert not group_members(server.pid), "mlflow server processes outlived the test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def render(chromium: str, url: str, screenshot: str) -> str:
    """The page's text after it settles (DOM saved beside a PNG screenshot in test-artifacts/);
    an empty profile each time."""
    ARTIFACTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={ARTIFACTS / screenshot}",
            "--dump-dom",
            url,
        ]
        browser = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True
        )
        try:
            dom, _ = browser.communicate(timeout=120)
        finally:
            stop_process_group(browser, grace=5)
    assert (ARTIFACTS / screenshot).stat().st_size > 10_000, f"no screenshot of {url}"
    (ARTIFACTS / screenshot).with_suffix(".html").write_text(dom, encoding="utf-8")
    body = dom[dom.find("<body") :]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def _json_param(value: object) -> str:
    return urllib.parse.quote(json.dumps(value))


def test_ui_refuses_a_port_in_use_with_a_one_line_error(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert ui.main(["--port", str(port), "--store", str(tmp_path / "store"), "--quiet"]) == 2
    assert f"port {port} on 127.0.0.1 is in use; choose another with --port" in capsys.readouterr().err


def _shown(score: float) -> list[str]:
    """The ways the runs table may print a metric value (full precision, or rounded)."""
    return [repr(score), f"{score:.4f}".rstrip("0"), f"{score:.3f}".rstrip("0")]


@pytest.mark.browser
@pytest.mark.slow
def test_the_printed_sweep_link_opens_ranked_with_the_metric_values_shown(chromium, sweep_store, ui_url):
    store = sweep_store
    assert "viewStateShareKey=" in store.link and "workflowType=machine_learning" in store.link
    dom = render(chromium, ui_url + store.link, "mlflow-runs.png")
    assert "Model training" in dom and "shared view" in dom and f"Sort: {METRIC}" in dom
    names = [name for _, name, _ in store.children]
    assert all(name in dom for name in names) and METRIC in dom and "val_log_loss" in dom, names
    rows = dom[dom.index(METRIC) :]
    for _, name, score in store.children:
        assert any(text in rows for text in _shown(score)), (name, score, rows[:2000])
    assert "3 matching runs" in dom
    first_row = min(names, key=dom.index)  # the name that appears first in the table
    assert dict((n, sc) for _, n, sc in store.children)[first_row] == store.children[0][2], (first_row, store.children)


@pytest.mark.browser
@pytest.mark.slow
def test_the_ui_command_prints_an_experiment_link_that_opens_ranked(chromium, sweep_store, ui_url):
    from nlpkit.tracking import views as tracking_views
    from nlpkit.tracking.store import Tracker

    store = sweep_store
    with Tracker(store.uri).active():
        views = dict(tracking_views.experiment_views())
    dom = render(chromium, ui_url + views["browser-test"], "mlflow-experiment.png")
    names = [name for _, name, _ in store.children]
    assert all(name in dom for name in names) and METRIC in dom
    assert dict((n, sc) for _, n, sc in store.children)[min(names, key=dom.index)] == store.children[0][2]


@pytest.mark.browser
@pytest.mark.slow
def test_compare_view_shows_the_children_side_by_side(chromium, sweep_store, ui_url):
    store = sweep_store
    ids = [run_id for run_id, _, _ in store.children]
    url = f"{ui_url}/#/compare-runs?runs={_json_param(ids)}&experiments={_json_param([store.experiment_id])}"
    dom = render(chromium, url, "mlflow-compare.png")
    assert "Comparing 2 Runs" in dom
    assert all(name in dom for _, name, _ in store.children)
    assert "clf__n_neighbors" in dom and "Metrics" in dom


@pytest.mark.browser
@pytest.mark.slow
def test_metric_comparison_shows_each_childs_macro_f1(chromium, sweep_store, ui_url):
    store = sweep_store
    ids = [run_id for run_id, _, _ in store.children]
    query = (
        f"runs={_json_param(ids)}&metric={_json_param(METRIC)}&experiments={_json_param([store.experiment_id])}"
        f"&plot_metric_keys={_json_param([METRIC])}"
    )
    dom = render(chromium, f"{ui_url}/#/metric/{METRIC}?{query}", "mlflow-compare-macro-f1.png")
    assert METRIC in dom
    for _, name, score in store.children:
        assert name in dom and repr(score) in dom, (name, score)
