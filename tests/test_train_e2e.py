"""The real thing: train on the seed corpus with the bundled encoder, into a temporary MLflow store (slow tier)."""

import json

import mlflow
import pandas as pd
import pytest

from nlpkit.errors import BundleError
from nlpkit.model import NewsModel

pytestmark = pytest.mark.slow


def test_training_run_logs_params_metrics_and_artifacts(trained, seed_config):
    run = mlflow.get_run(trained.run_id)
    params = run.data.params
    assert params["clf"] == "logreg" and params["clf__C"] == str(seed_config["clf__C"])
    assert params["summary__n_sentences"] == "3" and int(params["dataset_size"]) >= 100
    metrics = run.data.metrics
    for key in (
        "val_macro_f1",
        "test_macro_f1",
        "test_accuracy",
        "test_log_loss",
        "test_f1_energy",
        "test_precision_legal",
        "test_recall_other",
        "test_summary_rouge1",
        "test_lead_rouge2",
        "sys/encode_seconds",
        "sys/fit_seconds",
    ):
        assert key in metrics, key
    assert 0.5 < metrics["test_macro_f1"] <= 1.0
    assert run.data.tags["encoder"] == run.data.params["encoder"] == "minilm" and run.data.tags["git_commit"]
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(trained.run_id)}
    assert {"config.yaml", "test", "validation", "thresholds.json"} <= artifacts
    test_files = {a.path for a in mlflow.MlflowClient().list_artifacts(trained.run_id, "test")}
    assert "test/confusion_matrix.png" in test_files and "test/classification_report.txt" in test_files


def test_logged_pyfunc_model_predicts_topics_and_summaries(trained):
    loaded = mlflow.pyfunc.load_model(trained.model_uri)
    frame = pd.DataFrame(
        [
            {
                "title": "OPEC agrees deeper output cut",
                "text": "Oil producers agreed on Sunday to cut crude output by a further "
                "500,000 barrels a day. Brent rose 3 percent in early trading. Ministers will meet again in June.",
            },
            {
                "title": "",
                "text": (
                    "The striker scored twice as the home side won the cup final. Fans celebrated late into the night."
                ),
            },
        ]
    )
    result = loaded.predict(frame)
    assert list(result["topic"]) == ["energy", "other"]
    assert all(isinstance(s, (list, tuple)) or hasattr(s, "__len__") for s in result["summary"])
    assert set(result["scores"][0]) == {"diplomacy", "energy", "finance", "legal", "other"}


def test_bundle_round_trip_and_latest_link(trained, model):
    assert (trained.bundle.parent / "latest").resolve() == trained.bundle.resolve()
    predictions = model.predict(
        [
            "The central bank raised its key interest rate by 50 basis points to fight inflation. "
            "The currency firmed against the dollar."
        ]
    )
    assert predictions[0].topic == "finance"
    assert abs(sum(predictions[0].scores.values()) - 1.0) < 1e-3
    assert 1 <= len(predictions[0].summary) <= 3


def test_tampered_or_foreign_bundles_are_refused(trained, tmp_path):
    import shutil

    copy = tmp_path / "bundle"
    shutil.copytree(trained.bundle, copy)
    (copy / "classifier.skops").write_bytes((copy / "classifier.skops").read_bytes() + b"x")
    with pytest.raises(BundleError, match="modified"):
        NewsModel.load(copy)
    manifest = json.loads((trained.bundle / "nlpkit.json").read_text())
    manifest["format_version"] = 99
    shutil.copytree(trained.bundle, tmp_path / "future")
    (tmp_path / "future" / "nlpkit.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match="format version 99"):
        NewsModel.load(tmp_path / "future")
    with pytest.raises(BundleError, match="not an nlpkit model bundle"):
        NewsModel.load(tmp_path)


def test_second_run_reuses_the_embedding_cache(trained, seed_config):
    from nlpkit.training.trainer import train

    again = train({**seed_config, "run_name": "cache-check"})
    assert again.metrics["sys/cache_misses"] == 0 and again.metrics["sys/cache_hits"] > 0
    assert not again.model.encoder.loaded, "a fully cached retrain must not load the encoder weights"
    assert again.metrics["test_macro_f1"] == pytest.approx(trained.metrics["test_macro_f1"])
