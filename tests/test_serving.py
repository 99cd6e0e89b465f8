"""`mlflow models serve` on the registered champion, as the README tells users to run it.

The model is trained on the tiny encoder, registered (it becomes `@champion`, the store has none yet),
and served by MLflow's own server with `--env-manager local` on a free 127.0.0.1 port; the test posts
a text-only record and a record with an id, and stops the server's whole process group afterwards.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from nlpkit.labels import LABELS
from nlpkit.tracking.processes import group_members, stop_process_group

ROOT = Path(__file__).resolve().parents[1]
NAME = "nlpkit-serving-test"
TEXT = (
    "Oil prices rose on Tuesday after OPEC ministers agreed to extend output cuts into next year.\n\n"
    "Brent crude gained two dollars a barrel in London trading as refinery demand recovered."
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _post(url: str, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture(scope="module")
def served(fast_config, tracking_uri, tmp_path_factory):
    from nlpkit.tracking.store import Tracker
    from nlpkit.tracking.training import record_training
    from nlpkit.training.trainer import train

    folder = tmp_path_factory.mktemp("serving")
    with Tracker.from_environment().active():
        result = record_training(train({**fast_config, "models_dir": str(folder / "models"), "register": NAME}))
    assert result.registration is not None and result.registration.promoted
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "mlflow",
        "models",
        "serve",
        "-m",
        f"models:/{NAME}@champion",
        "--env-manager",
        "local",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking_uri, "PYTHONPATH": str(ROOT)}
    with (folder / "serve.log").open("w") as log:
        server = subprocess.Popen(
            command,
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            _wait(f"http://127.0.0.1:{port}/ping", server, folder / "serve.log")
            yield f"http://127.0.0.1:{port}/invocations", folder
        finally:
            stop_process_group(server, grace=10)
    assert not group_members(server.pid), "mlflow models serve outlived the test"
    assert not (folder / "mlflow.db").exists(), "the server made a store of its own in its working folder"


def _wait(url: str, server: subprocess.Popen, log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    pytest.fail(f"mlflow models serve did not answer within {timeout} s: {log.read_text()[-2000:]}")


@pytest.mark.slow
def test_served_champion_answers_a_text_only_record_and_one_with_an_id(served):
    url, _ = served
    status, body = _post(url, {"dataframe_records": [{"text": TEXT}]})
    assert status == 200, body
    [record] = body["predictions"]
    assert record["id"] == "0" and record["title"] == "" and record["error"] is None
    assert record["topic"] in LABELS and set(record["scores"]) == set(LABELS) and record["summary"]
    assert all(sentence in TEXT for sentence in record["summary"])
    status, body = _post(
        url,
        {
            "dataframe_records": [
                {"id": "a-17", "title": "Oil rises on OPEC cuts", "text": TEXT},
                {"id": "empty", "text": "   "},
            ]
        },
    )
    assert status == 200, body
    first, empty = body["predictions"]
    assert first["id"] == "a-17" and first["title"] == "Oil rises on OPEC cuts" and first["topic"] in LABELS
    assert empty["id"] == "empty" and empty["topic"] is None and empty["error"].startswith("no text")


@pytest.mark.slow
def test_a_request_without_text_is_refused_with_a_clear_message(served):
    url, _ = served
    status, body = _post(url, {"dataframe_records": [{"title": "only a title"}]})
    assert status == 400 and "text" in json.dumps(body)
