"""`python -m nlpkit.ui` starts MLflow without its job runner: a couple of processes, not about ten."""

from __future__ import annotations

from nlpkit.tracking.processes import group_members, port_is_free, stop_process_group, wait_until_ready
from nlpkit.tracking.ui import start_server

#: `mlflow server` with one worker and the job runner off: the CLI process and the uvicorn server.
MAX_PROCESSES = 3


def _free_port() -> int:
    return next(port for port in range(5321, 5400) if port_is_free("127.0.0.1", port))


def test_the_ui_server_runs_without_mlflows_job_runner(tmp_path):
    port = _free_port()
    with (tmp_path / "server.log").open("wb") as log:
        server = start_server(f"sqlite:///{tmp_path / 'mlflow.db'}", "127.0.0.1", port, output=log)
        try:
            wait_until_ready(f"http://127.0.0.1:{port}", server)
            members = group_members(server.pid)
        finally:
            stop_process_group(server)
    text = (tmp_path / "server.log").read_text(encoding="utf-8", errors="replace")
    assert 1 <= len(members) <= MAX_PROCESSES, f"{len(members)} processes:\n{text[-2000:]}"
    assert "huey" not in text.lower()  # the job runner's consumer never started
    assert not group_members(server.pid)
