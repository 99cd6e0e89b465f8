"""Issue 14 item 7: MLflow under faults. Runs end KILLED on SIGTERM/SIGINT, a silent server fails in seconds,
two trainings started together on a fresh sqlite store both succeed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from nlpkit.errors import TrackingError
from nlpkit.tracking import health

ROOT = Path(__file__).resolve().parents[1]

_RUN_SCRIPT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from nlpkit.tracking import runs
    from nlpkit.tracking.store import Tracker
    with Tracker.from_environment(Path(sys.argv[1])).active(), runs.run("faults", sys.argv[2]) as active:
        runs.log_metrics({"x": 1.0})
        print(active.info.run_id, flush=True)
        time.sleep(float(sys.argv[3]))
""")


def _env(store: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    return {**env, "PYTHONPATH": str(ROOT)}


def _status(store: Path, run_id: str) -> str:
    import mlflow

    return mlflow.MlflowClient(f"sqlite:///{store.resolve() / 'mlflow.db'}").get_run(run_id).info.status


@pytest.mark.slow  # a subprocess importing MLflow and creating a store: 30-40 s on a busy 2-core machine
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_the_run_as_killed(tmp_path, signum):
    store = tmp_path / "store"
    process = subprocess.Popen(
        [sys.executable, "-c", _RUN_SCRIPT, str(store), "victim", "120"],
        cwd=tmp_path,
        env=_env(store),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    run_id = process.stdout.readline().strip()  # type: ignore[union-attr]
    assert run_id, process.stderr.read()  # type: ignore[union-attr]
    process.send_signal(signum)
    process.wait(timeout=60)
    assert process.returncode != 0 and _status(store, run_id) == "KILLED"


@pytest.mark.slow
def test_two_runs_started_together_on_a_fresh_store_both_succeed(tmp_path):
    store = tmp_path / "fresh"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _RUN_SCRIPT, str(store), f"twin{i}", "0"],
            cwd=tmp_path,
            env=_env(store),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    results = [(p.wait(timeout=240), p.stdout.read().strip(), p.stderr.read()) for p in processes]  # type: ignore[union-attr]
    assert [code for code, _, _ in results] == [0, 0], [err[-500:] for _, _, err in results]
    assert all(_status(store, run_id) == "FINISHED" for _, run_id, _ in results)


def test_a_server_that_never_answers_fails_in_seconds_with_one_line():
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        uri = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(TrackingError, match="did not answer within") as caught:
            health.check_server(uri, timeout=1.0)
        assert time.monotonic() - started < 5 and "\n" not in str(caught.value)


def test_a_closed_port_fails_at_once_and_a_local_store_is_not_checked():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(TrackingError, match="unset it to use the local store"):
        health.check_server(f"http://127.0.0.1:{port}")
    assert time.monotonic() - started < 5
    health.check_server("sqlite:///nowhere/mlflow.db")  # no network for a local store
