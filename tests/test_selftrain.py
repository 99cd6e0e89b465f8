"""Self-training (`python -m nlpkit.train --unlabelled DIR`) on the tiny encoder (fast tier)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nlpkit.cli import train as train_cli
from nlpkit.data.corpus import load_corpus, load_splits
from nlpkit.errors import DataError
from nlpkit.training.selftrain import pseudo_label, read_unlabelled, self_train
from nlpkit.training.trainer import train


@pytest.fixture(scope="module")
def first(fast_config: dict[str, Any]) -> Any:
    return train(fast_config)


@pytest.fixture(scope="module")
def unlabelled_dir(fast_config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small corpus's test articles written out as a user's folder, with no labels."""
    splits = load_splits(fast_config["splits"], load_corpus(fast_config["data"]))
    folder = tmp_path_factory.mktemp("unlabelled")
    for record in splits["test"]:
        text = "\n\n".join(" ".join(s.text for s in paragraph) for paragraph in record.article.paragraphs)
        (folder / f"{record.id}.json").write_text(
            json.dumps({"id": record.id, "title": record.article.title, "text": text})
        )
    (folder / "broken.json").write_text("{not json")
    return folder


def test_pseudo_labels_are_the_confident_primary_decisions(first: Any, unlabelled_dir: Path) -> None:
    articles = read_unlabelled(unlabelled_dir)
    batch = first.model.encode(articles)
    loose, strict = pseudo_label(first.model, batch, 0.0), pseudo_label(first.model, batch, 0.6)
    assert set(strict) <= set(loose) and len(strict) < len(articles)
    assert pseudo_label(first.model, articles, 0.6) == strict  # raw articles give the same picks
    proba = first.model.predict_proba(batch)
    for index, topic in strict:
        assert proba[index].max() >= 0.6
        assert topic == first.model.decider.decide(proba[index])[0]


def test_self_training_adds_only_pseudo_labelled_articles_to_train(
    fast_config: dict[str, Any], first: Any, unlabelled_dir: Path
) -> None:
    articles = read_unlabelled(unlabelled_dir)
    assert len(articles) == first.dataset.sizes["test"]  # the broken file is skipped, not fatal
    report = self_train(fast_config, articles, 0.3)
    added = int(report.metrics["selftrain/pseudo_labelled"])
    assert 0 < added <= len(articles)
    assert report.dataset.sizes["train"] == first.dataset.sizes["train"] + added
    assert report.dataset.sizes["validation"] == first.dataset.sizes["validation"]
    assert (
        sum(
            v
            for k, v in report.metrics.items()
            if k.startswith("selftrain/pseudo_") and k != "selftrain/pseudo_labelled"
        )
        == added
    )


def test_unlabelled_folder_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(DataError, match="not a folder"):
        read_unlabelled(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no readable article"):
        read_unlabelled(tmp_path / "empty")
    assert train_cli.main(["--min-confidence", "0.5", "--no-track"]) == 2
    assert "--min-confidence needs --unlabelled" in capsys.readouterr().err
    assert train_cli.main(["--unlabelled", str(tmp_path / "absent"), "--no-track"]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_min_confidence_out_of_range_is_refused(fast_config: dict[str, Any], unlabelled_dir: Path) -> None:
    with pytest.raises(DataError, match="min-confidence"):
        self_train(fast_config, read_unlabelled(unlabelled_dir), 1.5)
