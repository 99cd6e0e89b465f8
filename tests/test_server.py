"""The scripted team server (issue 13): PostgreSQL + `mlflow server` on loopback, trained into, then stopped.

Starts the real thing in a fresh folder, trains the tiny-encoder model into it through the CLI, registers
it as champion, predicts from `models:/…@champion`, and checks that `stop` leaves no process and frees the
port. Marked slow; skipped with a reason without the PostgreSQL binaries or psycopg2.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import small_corpus

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def _missing() -> str | None:
    from nlpkit.tracking.server import find_pg_bin

    if find_pg_bin() is None:
        return "PostgreSQL binaries (initdb, pg_ctl, postgres) not found; install PostgreSQL or set PG_BIN"
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        return "psycopg2 is not installed (pip install psycopg2-binary)"
    return None


_reason = _missing()
if _reason:
    pytestmark = [pytest.mark.slow, pytest.mark.skip(reason=_reason)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server_dir():
    # Not under pytest's tmp_path: its parents are root-only (0700), and PostgreSQL runs as an unprivileged user.
    folder = Path(tempfile.mkdtemp(prefix="nlpkit-server-"))
    folder.chmod(0o755)
    yield folder / "server"
    from nlpkit.tracking import server

    if (folder / "server" / "server.json").exists():
        server.stop(folder / "server")
    shutil.rmtree(folder, ignore_errors=True)


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)


def test_start_train_register_predict_stop(server_dir, tiny_encoder, session_dir):
    from nlpkit.tracking import server
    from nlpkit.tracking.processes import group_members, port_is_free

    port = _free_port()
    started = _cli("-m", "nlpkit.server", "start", "--dir", str(server_dir), "--port", str(port), "--quiet")
    assert started.returncode == 0, started.stderr[-3000:]
    assert started.stdout.strip() == f"export MLFLOW_TRACKING_URI=http://127.0.0.1:{port}"
    state = json.loads((server_dir / "server.json").read_text())
    assert (server_dir / "server.json").stat().st_mode & 0o077 == 0, "the state file holds the database password"
    status = server.status(server_dir)
    assert status["postgres"] and status["mlflow"] and status["answering"], status

    again = _cli("-m", "nlpkit.server", "start", "--dir", str(server_dir), "--port", str(port), "--quiet")
    assert again.returncode == 2 and "already running" in again.stderr

    env = dict(os.environ, MLFLOW_TRACKING_URI=f"http://127.0.0.1:{port}")
    data, splits = small_corpus(session_dir / "server-corpus")
    trained = _cli(
        "-m",
        "nlpkit.train",
        "--register",
        "nlpkit-news",
        "--quiet",
        "--set",
        f"data={data}",
        "--set",
        f"splits={splits}",
        "--set",
        f"embed__model={tiny_encoder}",
        "--set",
        f"models_dir={server_dir.parent / 'models'}",
        "--set",
        f"cache_dir={server_dir.parent / 'cache'}",
        "--set",
        "experiment=nlpkit-server-test",
        env=env,
    )
    assert trained.returncode == 0, trained.stderr[-3000:]
    assert any((server_dir / "artifacts").rglob("MLmodel")), "artifacts must be proxied into DIR/artifacts"

    predicted = _cli(
        "-m", "nlpkit.predict", "seeds/inbox", "--model", "models:/nlpkit-news@champion", "--quiet", env=env
    )
    assert predicted.returncode == 0, predicted.stderr[-3000:]
    records = [json.loads(line) for line in predicted.stdout.splitlines()]
    assert len(records) >= 12 and all(r["topic"] for r in records)

    stopped = _cli("-m", "nlpkit.server", "stop", "--dir", str(server_dir))
    assert stopped.returncode == 0 and "mlflow server" in stopped.stdout and "PostgreSQL" in stopped.stdout, stopped
    assert not group_members(state["mlflow_pgid"]) and port_is_free("127.0.0.1", port)
    assert not (server_dir / "postgres" / "postmaster.pid").exists()
    assert not server.status(server_dir)["postgres"]


def test_start_refuses_a_busy_port(server_dir):
    from nlpkit.errors import NlpkitError
    from nlpkit.tracking import server

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(NlpkitError, match="in use"):
            server.start(server_dir, port=busy.getsockname()[1])
    assert not (server_dir / "postgres").exists(), "nothing is initialised when the port is taken"


def test_basic_auth_refuses_anonymous_clients(server_dir):
    import base64
    import urllib.error
    import urllib.request

    from nlpkit.tracking import server

    port = _free_port()
    started = _cli("-m", "nlpkit.server", "start", "--dir", str(server_dir), "--port", str(port), "--auth", "--quiet")
    assert started.returncode == 0, started.stderr[-3000:]
    assert "MLFLOW_TRACKING_USERNAME=admin" in started.stdout
    url = f"http://127.0.0.1:{port}/api/2.0/mlflow/experiments/search?max_results=1"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=30)
    assert refused.value.code == 401
    password = json.loads((server_dir / "server.json").read_text())["extra"]["admin_password"]
    request = urllib.request.Request(
        url, headers={"Authorization": "Basic " + base64.b64encode(f"admin:{password}".encode()).decode()}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
    assert server.status(server_dir)["auth"]
    server.stop(server_dir)
    assert not server.status(server_dir)["mlflow"]
