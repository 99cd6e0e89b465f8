"""`python -m nlpkit.train` output: the table and the link on stdout, nothing but the export line on stderr
under --quiet, and the encoder loaded once per process."""

from __future__ import annotations

import logging
import os
import re

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
