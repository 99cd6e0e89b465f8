"""Start the MLflow UI server for a local store, as one process group, so nothing outlives it.

Waiting for it and stopping it are `nlpkit.tracking.processes`' job, shared with the team server.
"""

from __future__ import annotations

import logging
import os
import subprocess
from typing import IO

from nlpkit.tracking.processes import (
    READY_TIMEOUT,
    STOP_GRACE,
    group_members,
    port_is_free,
    process_stats,
    stop_process_group,
    wait_until_ready,
)

__all__ = [
    "start_server",
    "wait_until_ready",
    "stop_process_group",
    "group_members",
    "process_stats",
    "port_is_free",
    "READY_TIMEOUT",
    "STOP_GRACE",
]

log = logging.getLogger(__name__)


def start_server(uri: str, host: str = "127.0.0.1", port: int = 5000, output: IO | None = None) -> subprocess.Popen:
    """Start `mlflow server` for `uri` in its own session (process group), so it can be stopped as a whole.

    MLflow's job runner (GenAI scorer jobs, a supervisor and worker processes, ~2.5 GB) is off: browsing
    runs never needs it, and it turns one server into about ten processes."""
    from nlpkit.tracking.store import server_command

    command = server_command(uri, host, port)
    log.info("starting %s", " ".join(command))
    env = dict(os.environ, MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false")
    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
        start_new_session=True,
        env=env,
    )
