"""`python -m nlpkit.ui`: the MLflow UI on the local run store, to compare training runs and sweeps.

    python -m nlpkit.ui                 # http://127.0.0.1:5000, store in experiments/
    python -m nlpkit.ui --port 5001

The server (`mlflow server`) starts a job runner and worker processes of its own, so it runs in a new
session and Ctrl-C stops its whole process group; nothing is left listening on the port afterwards.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType
from typing import IO

from nlpkit.cli import configure_logging, fail

__all__ = ["start_server", "wait_until_ready", "stop_process_group", "group_members", "port_is_free", "main"]

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
    from nlpkit.tracking import server_command

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
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass


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
    members = []
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2 :].split()
            if fields[0] not in ("Z", "X") and int(fields[2]) == pgid:
                members.append(int(entry.name))
    return members


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m nlpkit.ui", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5000, help="port to listen on (default: 5000)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1, this machine only)")
    parser.add_argument("--store", type=Path, default=None, help="local run store folder (default: experiments/)")
    parser.add_argument("--quiet", action="store_true", help="only warnings and errors")
    return parser


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.quiet)
    from nlpkit import tracking

    uri = tracking.configure(args.store) if args.store else tracking.configure()
    if not uri.startswith("sqlite:///"):
        print(f"runs are tracked on {uri} (MLFLOW_TRACKING_URI); open that server's UI instead")
        return 0
    if not port_is_free(args.host, args.port):
        return fail(f"port {args.port} on {args.host} is in use; choose another with --port")
    url = f"http://{args.host}:{args.port}"
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGHUP, _raise_interrupt)
    process = start_server(uri, args.host, args.port)
    try:
        print(f"MLflow UI for {uri}\n  {url}   (starting, ~20 s; Ctrl-C stops it)", flush=True)
        wait_until_ready(url, process)
        print(f"ready: {url}", flush=True)
        return process.wait()
    except KeyboardInterrupt:
        print("stopping the MLflow UI (its job workers can take ~10 s)", file=sys.stderr)
        return 0
    except (RuntimeError, TimeoutError) as error:
        return fail(str(error), code=1)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave the group half-stopped
        stop_process_group(process, grace=STOP_GRACE)


if __name__ == "__main__":
    sys.exit(main())
