"""Apache Spark (issue 13): the Parquet output of `--engine spark` equals `nlpkit.predict`'s records.

Runs Spark `local[2]` in this process on a small folder that mixes good files with every bad-input case
`nlpkit.predict` handles, on the tiny-encoder model; marked slow (a Spark start costs 10-25 s) and skipped
with a reason where Java or pyspark is missing.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from pathlib import Path

import pytest
from test_predict import make_bad_folder

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
#: The budget on an idle 2-core machine; scaled up by the load average when other jobs share the cores.
BUDGET_SECONDS = 60.0


def _java_missing() -> str | None:
    if shutil.which("java") or (os.environ.get("JAVA_HOME") and Path(os.environ["JAVA_HOME"], "bin", "java").exists()):
        return None
    return "Java is not installed (Spark needs a JRE 17+)"


def _pyspark_missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'nlpkit[spark]')"
    return None


_reason = _java_missing() or _pyspark_missing()
if _reason:
    pytestmark = [pytest.mark.slow, pytest.mark.skip(reason=_reason)]


@pytest.fixture(scope="module")
def spark():
    from nlpkit.engines import spark as nlpkit_spark

    session = nlpkit_spark.session("local[2]")
    yield session
    session.stop()


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    make_bad_folder(
        folder
    )  # good, empty, binary, malformed JSON and JSONL, no article text, latin-1, Russian, PNG, broken symlink
    nested = folder / "desk" / "energy"
    nested.mkdir(parents=True)
    (nested / "opec.md").write_text(
        "# OPEC agrees cut\n\nOil producers agreed on Sunday to cut output by 500,000 barrels a day."
    )
    (nested / "many.json").write_text(
        json.dumps(
            [
                {"id": "m1", "title": "Rates", "text": "The central bank raised rates."},
                {"text": "Ministers met in Astana to discuss the border treaty."},
                {"title": "no text"},
            ]
        )
    )
    (folder / "_underscore.txt").write_text("Court ruling\n\nThe court upheld the verdict against the bank on Tuesday.")
    (folder / ".hidden.txt").write_text("never read")
    (folder / "huge.txt").write_text("Big\n\n" + "The pipeline carries gas to the coast. " * 200)
    (folder / "page.html").write_text(
        "<html><head><title>T</title></head><body><article><h1>Court jails banker</h1>"
        "<p>A court jailed a former banker for fraud on Tuesday.</p></article></body></html>"
    )
    return folder


def _normal(record: dict) -> dict:
    out = {}
    for key, value in record.items():
        if isinstance(value, float) and math.isnan(value):
            value = None
        if key == "scores":
            value = {k: round(float(v), 9) for k, v in dict(value or {}).items()}
        elif key in ("topics", "summary", "warnings"):
            value = [str(v) for v in (value if value is not None else [])]
        elif key == "evidence":  # Parquet gives a map back as (key, array) pairs
            value = {str(k): [str(s) for s in v] for k, v in (dict(value) if value is not None else {}).items()}
        out[key] = value
    return out


def test_spark_parquet_equals_nlpkit_predict_field_for_field(spark, fast_trained, tmp_path, capsys):
    import pandas as pd

    from nlpkit.cli import predict
    from nlpkit.engines import spark as nlpkit_spark
    from nlpkit.prediction import PREDICTION_FIELDS

    folder = _folder(tmp_path)
    jsonl = tmp_path / "local.jsonl"
    assert (
        predict.main(
            [str(folder), "--model", str(fast_trained.bundle), "--output", str(jsonl), "--max-bytes", "4000", "--quiet"]
        )
        == 1
    )
    capsys.readouterr()
    expected = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]

    started = time.perf_counter()
    out = tmp_path / "spark.parquet"
    stats = nlpkit_spark.predict_folder(
        spark, str(folder), str(fast_trained.bundle), str(out), batch_size=8, max_bytes=4000
    )
    seconds = time.perf_counter() - started
    frame = pd.read_parquet(out)
    assert list(frame.columns) == PREDICTION_FIELDS
    got = [_normal(r) for r in frame.to_dict(orient="records")]
    key = lambda r: (r["path"], r["id"])  # noqa: E731
    want = sorted((_normal(r) for r in expected), key=key)
    got = sorted(got, key=key)
    assert [r["path"] for r in got] == [r["path"] for r in want]
    for a, b in zip(got, want):
        assert {k: a[k] for k in a if a[k] != b.get(k)} == {}, (
            a["path"],
            {k: (a[k], b.get(k)) for k in a if a[k] != b.get(k)},
        )
    two_steps = nlpkit_spark.predict(
        nlpkit_spark.read_folder(spark, str(folder), max_bytes=4000), str(fast_trained.bundle)
    )
    assert sorted((_normal(r.asDict()) for r in two_steps.collect()), key=key) == sorted(got, key=key)
    errors = {r["id"]: r["error"] for r in expected if r["error"]}
    assert {"empty", "binary", "broken", "line 2", "nav", "dangling", "huge", "many#3"} <= set(errors), errors
    assert stats.read == len(expected) and stats.failed == len(errors)
    budget = BUDGET_SECONDS * max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    assert seconds < budget, f"Spark took {seconds:.0f} s (budget {budget:.0f} s at load {os.getloadavg()[0]:.1f})"


def test_predict_takes_any_dataframe_and_passes_ids_through(spark, fast_trained):
    from nlpkit.engines import spark as nlpkit_spark

    rows = [
        ("a1", "OPEC agrees cut", "Oil producers agreed on Sunday to cut output by 500,000 barrels a day."),
        ("a2", None, "The court upheld the verdict against the bank on Tuesday."),
        ("a3", "Central bank holds its key rate", None),
        ("a4", None, "   "),
    ]
    frame = spark.createDataFrame(rows, "id string, title string, text string")
    result = {r["id"]: r.asDict() for r in nlpkit_spark.predict(frame, str(fast_trained.bundle)).collect()}
    assert set(result) == {"a1", "a2", "a3", "a4"}
    assert result["a1"]["topic"] and result["a1"]["error"] is None and result["a2"]["title"] == ""
    # A title with no text is a headline-only item: predicted from the title, with a warning (issue 23).
    assert result["a3"]["error"] is None and result["a3"]["topic"]
    assert any("headline only" in warning for warning in result["a3"]["warnings"])
    assert result["a4"]["error"] and result["a4"]["topic"] is None and result["a4"]["summary"] == []
    assert all(isinstance(v, float) for v in result["a1"]["scores"].values())


def test_mlflow_spark_udf_gives_the_same_topics(spark, fast_trained):
    import mlflow.pyfunc
    from pyspark.sql import functions as F

    from nlpkit.engines import spark as nlpkit_spark

    rows = [
        ("b1", "Rates", "The central bank raised its key rate by half a point to fight inflation."),
        ("b2", None, None),
    ]
    frame = spark.createDataFrame(rows, "id string, title string, text string")
    udf = mlflow.pyfunc.spark_udf(spark, fast_trained.model_uri, env_manager="local")
    via_udf = {
        r["id"]: r
        for r in frame.select("id", udf(F.struct("id", "title", "text")).alias("p")).select("id", "p.*").collect()
    }
    ours = {r["id"]: r for r in nlpkit_spark.predict(frame, str(fast_trained.bundle)).collect()}
    assert via_udf["b1"]["topic"] == ours["b1"]["topic"] and list(via_udf["b1"]["summary"]) == list(
        ours["b1"]["summary"]
    )
    assert via_udf["b2"]["error"] and via_udf["b2"]["topic"] is None
