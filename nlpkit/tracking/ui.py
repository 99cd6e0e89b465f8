"""Start and stop the MLflow UI server as one process group, so nothing outlives it."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Iterator

__all__ = ["start_server", "wait_until_ready", "stop_process_group", "group_members", "process_stats", "port_is_free",
           "READY_TIMEOUT", "STOP_GRACE"]

log = logging.getLogger(__name__)

#: `mlflow server` needs ~20 s to answer on 2 cores; allow for a slow CI machine.
READY_TIMEOUT = 180.0
#: After SIGTERM a long-running server's huey job consumers take up to ~10 s to exit; then SIGKILL.
STOP_GRACE = 15.0


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def start_server(uri: str, host: str = "127.0.0.1", port: int = 5000, output: IO | None = None) -> subprocess.Popen:
    """Start `mlflow server` for `uri` in its own session (process group), so it can be stopped as a whole."""
    from nlpkit.tracking.runs import server_command

    command = server_command(uri, host, port)
    log.info("starting %s", " ".join(command))
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT if output else None,
                            start_new_session=True)


def wait_until_ready(url: str, process: subprocess.Popen, timeout: float = READY_TIMEOUT) -> None:
    """Poll `<url>/health` until the server answers; raise if it exits or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mlflow server exited with code {process.returncode} before answering at {url}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"mlflow server did not answer at {url} within {timeout:.0f} s")


def stop_process_group(process: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the process group led by `process`, then SIGKILL whatever is left after `grace` seconds."""
    _signal_group(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while _group_alive(process) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _group_alive(process):
        log.warning("process group %d still running %.0f s after SIGTERM; sending SIGKILL", process.pid, grace)
        _signal_group(process.pid, signal.SIGKILL)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        log.warning("process %d did not exit after SIGKILL", process.pid)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def _group_alive(process: subprocess.Popen) -> bool:
    """True while the leader or any other member of its group is running (the leader is reaped first)."""
    process.poll()
    return bool(group_members(process.pid))


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in a process group; killed orphans stay zombies until init reaps them."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return []
        return [pgid]
    return [pid for pid, fields in process_stats() if fields[0] not in ("Z", "X") and int(fields[2]) == pgid]


def process_stats() -> Iterator[tuple[int, list[str]]]:
    """(pid, the fields of /proc/<pid>/stat after the command name) for every process that can be read.

    Field 0 is the state, 1 the parent, 2 the process group, 3 the session, 11-12 user and system ticks,
    21 the resident pages. Processes that end while being listed are skipped.
    """
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            yield int(entry.name), stat[stat.rfind(")") + 2 :].split()
