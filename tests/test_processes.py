"""The one process helper behind the UI and the team server: port check, group stop, and the "still ours" check."""

from __future__ import annotations

import socket
import subprocess
import sys

from nlpkit.tracking.processes import group_members, group_runs, port_is_free, stop_group, stop_process_group


def _sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)


def test_a_listening_port_is_busy_and_a_closed_one_free():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert not port_is_free("127.0.0.1", port)
    assert port_is_free("127.0.0.1", port)


def test_a_group_that_runs_something_else_is_not_signalled():
    process = _sleeper()
    try:
        assert group_runs(process.pid, "time.sleep")
        assert not group_runs(process.pid, "mlflow")
        assert stop_group(process.pid, grace=1, runs="mlflow") is False
        assert process.poll() is None and group_members(process.pid) == [process.pid]
    finally:
        stop_process_group(process, grace=5)
    assert process.returncode is not None and group_members(process.pid) == []
    assert stop_group(process.pid, grace=1) is False  # nothing left to stop
