"""Training on the user's own file cannot silently replace the default model (issue 23, item 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlpkit.cli import train
from nlpkit.errors import CorpusError
from nlpkit.training.userdata import MIN_PER_LABEL, prepare_user_data
from tests.test_label import custom_label_file

ROOT = Path(__file__).resolve().parents[1]


def _five_articles(folder: Path) -> Path:
    path = folder / "five.jsonl"
    topics = ["energy", "energy", "finance", "legal", "legal"]
    path.write_text(
        "".join(
            json.dumps({"id": f"f{i}", "title": f"Story {i}", "text": f"Story {i} happened today.", "topic": topic})
            + "\n"
            for i, topic in enumerate(topics)
        ),
        encoding="utf-8",
    )
    return path


def _train(data: Path, encoder: Path, models: Path, *extra: str) -> int:
    return train.main(
        [
            "--data",
            str(data),
            "--no-track",
            "--quiet",
            *extra,
            "--set",
            f"embed__model={encoder}",
            "--set",
            f"models_dir={models}",
            "--set",
            "cache_dir=null",
            "--set",
            "pool__lexical_weight=0",
        ]
    )


def test_too_few_articles_per_label_are_refused_unless_allowed(tmp_path):
    data = _five_articles(tmp_path)
    with pytest.raises(
        CorpusError, match=rf"energy 2, finance 1, legal 2 \(at least {MIN_PER_LABEL} per label.*--allow-small"
    ):
        prepare_user_data(data)
    assert prepare_user_data(data, allow_small=True).labels == ["energy", "finance", "legal"]


def test_the_cli_refuses_small_data_before_any_model_is_saved(tiny_encoder, tmp_path, capsys):
    models = tmp_path / "models"
    assert _train(_five_articles(tmp_path), tiny_encoder, models) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --data") and "--allow-small" in err and not models.exists()


def test_an_empty_validation_split_is_refused(tmp_path):
    data = custom_label_file(tmp_path)
    ids = [json.loads(line)["id"] for line in data.read_text(encoding="utf-8").splitlines()]
    (tmp_path / "desk.splits.json").write_text(json.dumps({"train": ids[:-3], "validation": [], "test": ids[-3:]}))
    with pytest.raises(CorpusError, match="validation split is empty"):
        prepare_user_data(data)


def test_a_data_run_is_named_for_its_file_and_says_when_latest_changes_labels(tiny_encoder, tmp_path, caplog):
    models = tmp_path / "models"
    seeds_like = models / "seeds-bundle"
    seeds_like.mkdir(parents=True)
    (seeds_like / "nlpkit.json").write_text(
        json.dumps({"labels": ["diplomacy", "energy", "finance", "legal", "other"]})
    )
    (models / "latest").symlink_to("seeds-bundle")
    data = custom_label_file(tmp_path)

    assert _train(data, tiny_encoder, models, "--no-latest") == 0
    assert (models / "latest").resolve() == seeds_like.resolve()  # --no-latest: the default model stays
    assert [p.name for p in models.iterdir() if p.name.startswith("data-desk-logreg-C")], "run named for its file"
    assert "other labels" not in caplog.text

    assert _train(data, tiny_encoder, models) == 0
    assert (models / "latest").resolve().name.startswith("data-desk-logreg-C")
    warning = [r.getMessage() for r in caplog.records if r.levelname == "WARNING" and "other labels" in r.getMessage()]
    assert len(warning) == 1 and "markets, politics" in warning[0] and "--no-latest" in warning[0]


def test_the_normalised_file_is_written_with_and_without_seeds(tmp_path):
    data = custom_label_file(tmp_path)
    alone = prepare_user_data(data)
    assert alone.data == tmp_path / "desk.nlpkit.jsonl" and alone.run_prefix == "data-desk"
    (tmp_path / "desk.nlpkit.jsonl").unlink()
    both = prepare_user_data(data, with_seeds=True, seeds=ROOT / "seeds")
    assert (tmp_path / "desk.nlpkit.jsonl").is_file() and both.data == tmp_path / "desk.with-seeds.jsonl"
    assert both.splits == tmp_path / "desk.with-seeds.splits.json" and both.run_prefix == "data-desk-with-seeds"
    mine = (tmp_path / "desk.nlpkit.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(mine) == len(data.read_text(encoding="utf-8").splitlines())
