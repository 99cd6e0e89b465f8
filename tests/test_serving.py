"""`mlflow models serve` on the registered champion, as the README tells users to run it.

The model is trained on the tiny encoder, registered (it becomes `@champion`, the store has none yet),
and served by MLflow's own server (`nlpkit.tracking.scoring.serve_model`: `--env-manager local` on a free
127.0.0.1 port); the test posts a text-only record and a record with an id, and checks that the server's
whole process group is gone afterwards.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from nlpkit.labels import LABELS
from nlpkit.tracking.processes import group_members
from nlpkit.tracking.scoring import serve_model

ROOT = Path(__file__).resolve().parents[1]
NAME = "nlpkit-serving-test"
TEXT = (
    "Oil prices rose on Tuesday after OPEC ministers agreed to extend output cuts into next year.\n\n"
    "Brent crude gained two dollars a barrel in London trading as refinery demand recovered."
)


@pytest.fixture(scope="module")
def served(fast_config, tracking_uri, tmp_path_factory):
    from nlpkit.tracking.store import Tracker
    from nlpkit.tracking.training import record_training
    from nlpkit.training.trainer import train

    folder = tmp_path_factory.mktemp("serving")
    with Tracker.from_environment().active():
        result = record_training(train({**fast_config, "models_dir": str(folder / "models"), "register": NAME}))
    assert result.registration is not None and result.registration.promoted
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking_uri, "PYTHONPATH": str(ROOT)}
    with serve_model(f"models:/{NAME}@champion", folder, env) as server:
        yield server
    assert not group_members(server.process.pid), "mlflow models serve outlived the test"
    assert not (folder / "mlflow.db").exists(), "the server made a store of its own in its working folder"


@pytest.mark.slow
def test_served_champion_answers_a_text_only_record_and_one_with_an_id(served):
    status, body = served.invoke({"dataframe_records": [{"text": TEXT}]})
    assert status == 200, body
    [record] = body["predictions"]
    assert record["id"] == "0" and record["title"] == "" and record["error"] is None
    assert record["topic"] in LABELS and set(record["scores"]) == set(LABELS) and record["summary"]
    assert all(sentence in TEXT for sentence in record["summary"])
    status, body = served.invoke(
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
    status, body = served.invoke({"dataframe_records": [{"title": "only a title"}]})
    assert status == 400 and "text" in json.dumps(body)
