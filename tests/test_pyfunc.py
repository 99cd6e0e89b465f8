"""The pyfunc contract (issue 13): what `mlflow.pyfunc.load_model(uri).predict(df)` takes and returns."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from nlpkit.prediction import PREDICTION_FIELDS

STORY = (
    "Oil producers agreed on Sunday to cut crude output by a further 500,000 barrels a day. "
    "Brent rose 3 percent in early trading. Ministers will meet again in June."
)


@pytest.fixture(scope="module")
def pyfunc_model(fast_trained):
    return mlflow.pyfunc.load_model(fast_trained.model_uri)


def test_text_alone_is_enough_and_rows_are_prediction_records(pyfunc_model):
    result = pyfunc_model.predict(pd.DataFrame({"text": [STORY]}))
    assert list(result.columns) == PREDICTION_FIELDS
    row = result.iloc[0]
    assert row["id"] == "0" and row["title"] == "" and row["error"] is None and row["topic"]
    assert isinstance(row["scores"], dict) and all(isinstance(v, float) for v in row["scores"].values())
    assert abs(sum(row["scores"].values()) - 1.0) < 1e-3


def test_ids_pass_through_and_missing_titles_stay_empty(pyfunc_model):
    frame = pd.DataFrame({"id": ["a-17", None], "title": [None, "Cut agreed"], "text": [STORY, STORY]})
    result = pyfunc_model.predict(frame)
    assert list(result["id"]) == ["a-17", "1"]
    assert list(result["title"]) == ["", "Cut agreed"]


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA, "", "   "])
def test_missing_text_is_an_error_never_the_string_nan(pyfunc_model, missing):
    frame = pd.DataFrame({"id": ["good", "bad"], "text": pd.Series([STORY, missing], dtype=object)})
    result = pyfunc_model.predict(frame)
    bad = result.iloc[1]
    assert bad["id"] == "bad" and bad["error"] and bad["topic"] is None
    assert list(bad["summary"]) == [] and list(bad["topics"]) == [] and "nan" not in json.dumps(bad["summary"])
    assert result.iloc[0]["error"] is None and result.iloc[0]["topic"]


def test_signature_title_and_id_optional_scores_a_map(fast_trained):
    from mlflow.models import get_model_info

    signature = get_model_info(fast_trained.model_uri).signature
    inputs = {spec.name: spec.required for spec in signature.inputs.inputs}
    assert inputs == {"id": False, "title": False, "text": True}
    outputs = {
        spec.name: spec.type.to_dict() if hasattr(spec.type, "to_dict") else str(spec.type)
        for spec in signature.outputs.inputs
    }
    assert list(outputs) == PREDICTION_FIELDS
    assert "map" in json.dumps(outputs["scores"])


def test_requirements_resolve_and_code_travels_with_the_model(fast_trained, tmp_path):
    local = Path(mlflow.artifacts.download_artifacts(fast_trained.model_uri, dst_path=str(tmp_path)))
    requirements = (local / "requirements.txt").read_text().split()
    assert not any(line.startswith("nlpkit") for line in requirements), requirements
    assert not any("+" in line for line in requirements), "local version labels (+cpu) are served by no index"
    assert any(line.startswith("model2vec==") for line in requirements), "a model2vec bundle needs model2vec"
    assert (local / "code" / "nlpkit" / "prediction.py").is_file()
    # A fresh interpreter in another folder imports nlpkit from the model's own code once it is loaded.
    probe = (
        "import mlflow, sys; m = mlflow.pyfunc.load_model(sys.argv[1]); import nlpkit; print(nlpkit.__file__); "
        "print(m.predict(__import__('pandas').DataFrame({'text': [sys.argv[2]]}))['topic'][0])"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(local), STORY], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    origin, topic = done.stdout.split()[-2:]
    assert Path(origin).resolve().is_relative_to(local.resolve() / "code"), origin
    assert topic in {"diplomacy", "energy", "finance", "legal", "other"}


def test_topic_output_is_one_column_and_mlflow_evaluate_scores_it_as_a_classifier(fast_trained, pyfunc_model):
    """The README recipe: `mlflow.models.evaluate` on the model's topic-only output, as a classifier."""
    rows = [
        json.loads(line)
        for line in (Path(__file__).resolve().parents[1] / "seeds" / "articles.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()[::30]
    ]
    data = pd.DataFrame(
        {
            "title": [r["title"] for r in rows],
            "text": [r["text"] or r["title"] for r in rows],
            "gold": [r["topics"][0] for r in rows],
        }
    )
    topics = pyfunc_model.predict(data[["title", "text"]], params={"output": "topic"})
    assert list(topics.columns) == ["topic"] and len(topics) == len(data)
    with pytest.raises(Exception, match="output must be one of records, topic"):
        pyfunc_model.predict(data[["text"]], params={"output": "columns"})
    with mlflow.start_run(run_name="evaluate-recipe"):
        model = mlflow.pyfunc.load_model(fast_trained.model_uri)
        result = mlflow.models.evaluate(
            lambda frame: model.predict(frame, params={"output": "topic"})["topic"],
            data,
            targets="gold",
            model_type="classifier",
            evaluators=["default"],
        )
    assert 0.0 <= result.metrics["accuracy_score"] <= 1.0
    agree = float((topics["topic"] == data["gold"]).mean())
    assert result.metrics["accuracy_score"] == pytest.approx(agree)


def test_the_logged_model_has_an_input_example_that_predicts(fast_trained):
    info = mlflow.models.get_model_info(fast_trained.model_uri)
    assert info.saved_input_example_info is not None
    from mlflow.models import Model

    example = Model.load(fast_trained.model_uri).load_input_example(
        mlflow.artifacts.download_artifacts(fast_trained.model_uri)
    )
    assert {"title", "text"} <= set(example.columns) and example["text"].iloc[0].strip()
