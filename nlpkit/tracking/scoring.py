"""`mlflow models serve` as the README tells users to run it, started and stopped one way (tests, benchmarks).

The server runs `--env-manager local` on a free 127.0.0.1 port in its own process group, with its output in
`<workdir>/serve.log`; it is ready when `/ping` answers, which MLflow's scoring server does only after the
model (and so `load_context`, which loads the encoder) has loaded. Leaving the block stops the whole group.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from nlpkit.tracking.processes import free_port, group_cpu_seconds, stop_process_group, wait_until_ready

__all__ = ["ScoringServer", "serve_command", "serve_model"]

#: Loading MiniLM in a new process on 2 busy cores can take a minute; a tiny encoder takes seconds.
SERVE_TIMEOUT = 240.0


@dataclass
class ScoringServer:
    """A running `mlflow models serve`: where it answers, its process, its log, and how long it took to answer."""

    url: str
    process: subprocess.Popen
    log: Path
    ready_seconds: float

    @property
    def invocations(self) -> str:
        return f"{self.url}/invocations"

    def invoke(self, payload: Mapping[str, Any], timeout: float = 120.0) -> tuple[int, dict[str, Any]]:
        """POST a JSON body to `/invocations`: (HTTP status, parsed answer), an error status included."""
        request = urllib.request.Request(
            self.invocations, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return int(response.status), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return int(error.code), json.loads(error.read() or b"{}")

    def cpu_seconds(self) -> float:
        """CPU seconds the server's processes have used so far."""
        return group_cpu_seconds(self.process.pid)


def serve_command(model_uri: str, port: int, workers: int = 1) -> list[str]:
    """The command line a user types, with this interpreter's MLflow."""
    return [
        sys.executable,
        "-m",
        "mlflow",
        "models",
        "serve",
        "-m",
        model_uri,
        "--env-manager",
        "local",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


def _with_interpreter_on_path(env: Mapping[str, str]) -> dict[str, str]:
    """MLflow starts `uvicorn` by name through a shell: it must be this environment's, found without activating it."""
    folder = str(Path(sys.executable).parent)
    path = env.get("PATH", "")
    return {**env, "PATH": path if folder in path.split(os.pathsep) else os.pathsep.join(filter(None, [folder, path]))}


@contextlib.contextmanager
def serve_model(
    model_uri: str, workdir: Path, env: Mapping[str, str] | None = None, timeout: float = SERVE_TIMEOUT
) -> Iterator[ScoringServer]:
    """Serve a model until the block ends; RuntimeError (with the log's tail) if it never answers `/ping`."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = workdir / "serve.log"
    started = time.perf_counter()
    with log_path.open("w") as log:
        server = subprocess.Popen(
            serve_command(model_uri, port),
            cwd=workdir,
            env=_with_interpreter_on_path(os.environ if env is None else env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            try:
                wait_until_ready(url, server, timeout, path="/ping")
            except (RuntimeError, TimeoutError) as error:
                tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
                raise RuntimeError(f"mlflow models serve did not come up: {error}\n{tail}") from error
            yield ScoringServer(url, server, log_path, time.perf_counter() - started)
        finally:
            stop_process_group(server, grace=10)
