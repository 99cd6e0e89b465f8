"""Server processes, one way for all of them (the MLflow UI, the team server, a test's `mlflow models serve`).

Each server runs in its own session (process group), so stopping it stops its workers too: SIGTERM to the
group, then SIGKILL to what is left after a grace period. A group id recorded earlier (the team server's
server.json) may have been reused by an unrelated program since, so a group is signalled only while it
still runs what we started.
"""

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
from typing import Iterator

__all__ = [
    "READY_TIMEOUT",
    "STOP_GRACE",
    "port_is_free",
    "free_port",
    "answers",
    "wait_until_ready",
    "stop_group",
    "stop_process_group",
    "group_members",
    "group_runs",
    "group_cpu_seconds",
    "process_stats",
]

log = logging.getLogger(__name__)

#: `mlflow server` needs ~20 s to answer on 2 cores; allow for a slow CI machine.
READY_TIMEOUT = 180.0
#: Clock ticks per second of the CPU times in /proc/<pid>/stat.
TICKS = os.sysconf("SC_CLK_TCK")
#: After SIGTERM a long-running server's huey job consumers take up to ~10 s to exit; then SIGKILL.
STOP_GRACE = 15.0


def port_is_free(host: str, port: int) -> bool:
    """Nothing listens on host:port. SO_REUSEADDR, as servers use it: connections of a server stopped a
    moment ago (TIME_WAIT) do not make the port busy, a listening socket does."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port nothing listens on now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str, timeout: float = 2.0, path: str = "/health") -> bool:
    """True when `<url><path>` answers 200 (`/health` for `mlflow server`, `/ping` for `mlflow models serve`)."""
    try:
        with urllib.request.urlopen(f"{url}{path}", timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def wait_until_ready(
    url: str, process: subprocess.Popen, timeout: float = READY_TIMEOUT, path: str = "/health"
) -> None:
    """Poll `<url><path>` until the server answers; RuntimeError if it exits first, TimeoutError after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mlflow server exited with code {process.returncode} before answering at {url}")
        if answers(url, path=path):
            return
        time.sleep(0.5)
    raise TimeoutError(f"mlflow server did not answer at {url} within {timeout:.0f} s")


def stop_group(pgid: int, grace: float = STOP_GRACE, runs: str | None = None) -> bool:
    """SIGTERM a process group, SIGKILL what is left after `grace`; True if anything was running.

    With `runs`, the group is signalled only if one of its processes has that text in its command line
    (a recorded group id that now belongs to another program is left alone, with a warning).
    """
    if not group_members(pgid):
        return False
    if runs is not None and not group_runs(pgid, runs):
        log.warning("process group %d no longer runs %r; not signalling it", pgid, runs)
        return False
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + grace
    while group_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if group_members(pgid):
        log.warning("process group %d still running %.0f s after SIGTERM; sending SIGKILL", pgid, grace)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
    return True


def stop_process_group(process: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop the group led by a process this one started (`start_new_session=True`), and reap the leader."""
    process.poll()
    stop_group(process.pid, grace)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        log.warning("process %d did not exit after SIGKILL", process.pid)


def group_runs(pgid: int, text: str) -> bool:
    """True when a live member of the group has `text` in its command line (always True without /proc)."""
    if not Path("/proc").is_dir():
        return True
    for pid in group_members(pgid):
        try:
            if text.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


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


def group_cpu_seconds(pgid: int) -> float:
    """CPU seconds (user + system, with those of reaped children) of a process group's live members so far.

    A server's own CPU, which on a shared machine says more than the wall clock of a request."""
    ticks = 0
    for _, fields in process_stats():
        if fields[0] not in ("Z", "X") and int(fields[2]) == pgid:
            ticks += sum(int(value) for value in fields[11:15])
    return ticks / TICKS


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
