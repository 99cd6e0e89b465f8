"""`python -m nlpkit.train` output: the table and the link on stdout, nothing but the export line on stderr
under --quiet, and the encoder loaded once per process."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import mlflow
import yaml

from nlpkit.cli import train as train_cli


def test_quiet_training_prints_the_table_the_link_and_only_the_export_line(fast_config, tmp_path, capfd, monkeypatch):
    config = {**fast_config, "models_dir": str(tmp_path / "models"), "experiment": "nlpkit-cli-tests"}
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    root = logging.getLogger()
    monkeypatch.setattr(root, "level", root.level)  # configure_logging changes the root level: restore it
    assert train_cli.main(["--config", str(tmp_path / "run.yaml"), "--quiet"]) == 0
    out, err = capfd.readouterr()
    uri = re.escape(os.environ["MLFLOW_TRACKING_URI"])
    assert re.fullmatch(f"export MLFLOW_TRACKING_URI={uri}", err.strip()), err
    assert "macro-F1" in out and "ECE" in out
    [link] = re.findall(r"compare in the MLflow UI \(python -m nlpkit.ui\): (\S+)", out)
    assert link.startswith("http://127.0.0.1:5000/#/experiments/") and "viewStateShareKey=nlpkit-runs" in link
    assert link.endswith("workflowType=machine_learning")


def test_models_on_one_encoder_folder_share_one_load_and_one_log_line(tiny_encoder, caplog):
    from nlpkit.embedding import encoder as encoder_module
    from nlpkit.embedding.encoder import SentenceEncoder
    from nlpkit.text.document import parse_article

    encoder_module._LOADED.clear()
    article = parse_article("Brent gained two dollars. Demand recovered.", title="Oil rises")
    with caplog.at_level(logging.INFO, logger="nlpkit.embedding.encoder"):
        first = SentenceEncoder(model=str(tiny_encoder))
        second = SentenceEncoder(model=str(tiny_encoder))
        first.transform([article])
        second.transform([article])
    assert first.backend_ is second.backend_
    assert sum("loaded" in record.getMessage() for record in caplog.records) == 1


def test_the_run_opens_when_training_starts_with_system_metrics(fast_config, tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL", "1")
    monkeypatch.setenv("MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING", "1")
    root = logging.getLogger()
    monkeypatch.setattr(root, "level", root.level)
    config = {**fast_config, "models_dir": str(tmp_path / "models"), "experiment": "nlpkit-run-span", "cache_dir": None}
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    assert train_cli.main(["--config", str(tmp_path / "run.yaml"), "--quiet"]) == 0
    client = mlflow.MlflowClient()
    [run] = client.search_runs([client.get_experiment_by_name("nlpkit-run-span").experiment_id])
    seconds = (run.info.end_time - run.info.start_time) / 1000
    metrics = run.data.metrics
    assert seconds >= metrics["sys/encode_seconds"] + metrics["sys/fit_seconds"]  # encoding happened inside the run
    assert any(key.startswith("system/") for key in metrics), sorted(metrics)
    assert run.data.params["encoder"] == Path(config["embed__model"]).name
    assert run.data.tags["mlflow.note.content"].startswith("logreg on ")  # the report's description, set at the end


def test_a_data_error_during_training_leaves_no_run(fast_config, tmp_path, capsys, monkeypatch):
    root = logging.getLogger()
    monkeypatch.setattr(root, "level", root.level)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "title": "T", "text": "Body.", "topics": ["energy"]}\n{not json\n', encoding="utf-8")
    config = {**fast_config, "data": str(bad), "models_dir": str(tmp_path / "models"), "experiment": "nlpkit-bad-data"}
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    assert train_cli.main(["--config", str(tmp_path / "run.yaml"), "--quiet"]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    client = mlflow.MlflowClient()
    experiment = client.get_experiment_by_name("nlpkit-bad-data")
    assert experiment is None or not client.search_runs([experiment.experiment_id])
