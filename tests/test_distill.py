"""Fast mode: a static encoder distilled from the bundled MiniLM, trained into a bundle, loaded and used.

The encoders are real model2vec distillations of the real bundled model, restricted to the words of the
small corpus written here (`token_remove_pattern`), so each takes seconds instead of the full ~20 s.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from nlpkit.bundle import MANIFEST, BundleError, file_sha256
from nlpkit.cli.distill import main
from nlpkit.embedding.distill import PROVENANCE_FILE, DistillError, distill_encoder
from nlpkit.embedding.encoder import encoder_fingerprint, encoder_kind

ROOT = Path(__file__).resolve().parents[1]

#: Five clearly separated topics; each article mixes a few of its topic's words into shared filler.
TOPIC_WORDS = {
    "energy": "oil gas pipeline crude barrels refinery fuel drilling",
    "finance": "bank shares profit earnings stocks investors dividend market",
    "legal": "court judge lawsuit jury verdict trial lawyers appeal",
    "diplomacy": "treaty embassy minister summit diplomats talks ambassador envoy",
    "other": "football match goals film music concert season player",
}
FILLER = ["the", "a", "of", "on", "in", "and", "to", "said", "after", "was", "were", "this", "week", "today", "new"]
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def _sentence(words: list[str], start: int) -> str:
    picked = [words[(start + k) % len(words)] for k in range(4)]
    return f"The {picked[0]} and {picked[1]} were in the {picked[2]} this week, said the {picked[3]}."


def _article(topic: str, n: int) -> dict:
    words = TOPIC_WORDS[topic].split()
    sentences = [_sentence(words, n + 3 * k) for k in range(4)]
    return {
        "id": f"{topic}-{n}",
        "title": f"New {words[n % len(words)]} and {words[(n + 5) % len(words)]} today",
        "text": " ".join(sentences[:2]) + "\n\n" + " ".join(sentences[2:]),
        "topics": [topic],
        "summary": sentences[:2],
    }


def _keep_only(words: list[str]) -> str:
    """A token_remove_pattern that removes every vocabulary entry except these words and the special tokens."""
    return r"^(?!(?:" + "|".join(re.escape(word) for word in SPECIAL_TOKENS + words) + r")$).*"


@pytest.fixture(scope="module")
def vocabulary() -> list[str]:
    return sorted(set(FILLER + " ".join(TOPIC_WORDS.values()).split() + ["new", "today", "week"]))


@pytest.fixture(scope="module")
def static_encoder(tmp_path_factory: pytest.TempPathFactory, vocabulary: list[str]) -> Path:
    out = tmp_path_factory.mktemp("encoders") / "minilm-m2v-16"
    return distill_encoder("default", pca_dims=16, out=out, token_remove_pattern=_keep_only(vocabulary))


@pytest.fixture(scope="module")
def other_encoder(tmp_path_factory: pytest.TempPathFactory, vocabulary: list[str]) -> Path:
    """A second static encoder from the same source with other weights (fewer dimensions)."""
    out = tmp_path_factory.mktemp("encoders") / "minilm-m2v-8"
    return distill_encoder("default", pca_dims=8, out=out, token_remove_pattern=_keep_only(vocabulary))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("corpus")
    records = [_article(topic, n) for topic in TOPIC_WORDS for n in range(10)]
    (folder / "articles.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    splits = {
        "train": [r["id"] for r in records if int(r["id"].split("-")[1]) < 7],
        "validation": [r["id"] for r in records if int(r["id"].split("-")[1]) in (7, 8)],
        "test": [r["id"] for r in records if r["id"].endswith("-9")],
    }
    (folder / "splits.json").write_text(json.dumps(splits), encoding="utf-8")
    return folder / "articles.jsonl", folder / "splits.json"


@pytest.fixture(scope="module")
def fast_bundle(
    static_encoder: Path, corpus: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory, tracking_uri: str
) -> Path:
    """A real training run with the static encoder: temp MLflow store, temp models folder, cache off."""
    from nlpkit.training.config import load_config
    from nlpkit.training.trainer import save_bundle, train

    models = tmp_path_factory.mktemp("models")
    config = load_config(
        ROOT / "configs" / "default.yaml",
        [
            f"data={corpus[0]}",
            f"splits={corpus[1]}",
            f"models_dir={models}",
            "cache_dir=",
            f"embed__model={static_encoder}",
            "experiment=nlpkit-tests-distill",
        ],
    )
    assert config["cache_dir"] is None
    return save_bundle(train(config), "untracked")


def test_distilled_folder_is_a_static_encoder(static_encoder: Path) -> None:
    # model2vec also writes modules.json; the folder must still be read by model2vec, not sentence-transformers.
    assert (static_encoder / "modules.json").is_file()
    assert encoder_kind(static_encoder) == "model2vec"
    provenance = json.loads((static_encoder / PROVENANCE_FILE).read_text())
    assert provenance["source_encoder"] == "default" and provenance["dimension"] == 16
    config = json.loads((static_encoder / "config.json").read_text())
    assert config["tokenizer_name"] == "default"  # no machine-specific path in the fingerprinted config


def test_static_vectors_keep_topics_apart(static_encoder: Path) -> None:
    from nlpkit.embedding.encoder import SentenceEncoder

    encoder = SentenceEncoder(model=str(static_encoder)).fit()
    assert encoder.kind_ == "model2vec" and encoder.encode_texts(["probe"]).shape[1] == 16
    energy, energy2, legal = encoder.encode_texts(
        ["crude oil pipeline", "gas refinery fuel", "the jury verdict at trial"]
    )
    assert float(energy @ energy2) > float(energy @ legal)


def test_fast_bundle_round_trip(fast_bundle: Path, static_encoder: Path) -> None:
    from nlpkit.model import NewsModel

    manifest = json.loads((fast_bundle / MANIFEST).read_text())
    assert manifest["encoder"]["kind"] == "model2vec"
    assert manifest["encoder"]["source"] == "bundled"
    assert manifest["encoder"]["sha256"] == encoder_fingerprint(static_encoder)
    model = NewsModel.load(fast_bundle)
    assert model.encoder.kind_ == "model2vec"
    text = (
        "Crude oil and gas prices rose as the pipeline and refinery were shut this week. "
        "Fuel and drilling were down, said the barrels report.\n\nThe oil market was new today."
    )
    legal = "The jury and the judge were in the court this week. The lawyers said the appeal of the verdict was new."
    first, second = model.predict([{"title": "Oil and gas pipeline", "text": text}, legal], n_sentences=2)
    assert first.topic == "energy" and second.topic == "legal"
    assert len(first.summary) == 2 and all(sentence in text for sentence in first.summary)


def _swap_encoder(bundle: Path, replacement: Path, target: Path) -> Path:
    copy = shutil.copytree(bundle, target)
    shutil.rmtree(copy / "encoder")
    shutil.copytree(replacement, copy / "encoder")
    return copy


def test_bundle_refuses_another_encoder(fast_bundle: Path, other_encoder: Path, tmp_path: Path) -> None:
    from nlpkit.model import NewsModel

    swapped = _swap_encoder(fast_bundle, other_encoder, tmp_path / "swapped")
    with pytest.raises(BundleError, match=r"encoder/.*modified"):
        NewsModel.load(swapped)


def test_encoder_sha256_is_checked_even_when_file_hashes_are_rewritten(
    fast_bundle: Path, other_encoder: Path, tmp_path: Path
) -> None:
    # A tool that re-hashes the files after a swap gets past the file check; the recorded encoder sha256 does not.
    from nlpkit.model import NewsModel

    swapped = _swap_encoder(fast_bundle, other_encoder, tmp_path / "rehashed")
    manifest = json.loads((swapped / MANIFEST).read_text())
    manifest["files"] = {
        p.relative_to(swapped).as_posix(): file_sha256(p)
        for p in sorted(swapped.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    (swapped / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(BundleError, match="trained with encoder .* other weights"):
        NewsModel.load(swapped)


def test_distill_refuses_a_static_source(static_encoder: Path, tmp_path: Path) -> None:
    with pytest.raises(DistillError, match="already a static"):
        distill_encoder(str(static_encoder), out=tmp_path / "again")


def test_distill_never_replaces_a_folder_that_is_not_a_static_encoder(tmp_path: Path) -> None:
    models = tmp_path / "models"
    (models / "some-bundle").mkdir(parents=True)
    (models / "some-bundle" / "nlpkit.json").write_text("{}")
    with pytest.raises(DistillError, match="not a static encoder"):
        distill_encoder("default", out=models)
    assert (models / "some-bundle" / "nlpkit.json").is_file()


def test_cli_reports_a_missing_encoder_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-model"
    assert main(["--encoder", str(missing), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    error = capsys.readouterr().err.strip()
    assert str(missing) in error and len(error.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_fast_config_is_the_default_config_with_the_encoder_switched() -> None:
    from nlpkit.training.config import DEFAULTS, read_config_file

    # read, not load_config: validating fast.yaml needs the distilled folder, which only `nlpkit.distill` makes
    default = {**DEFAULTS, **read_config_file(ROOT / "configs" / "default.yaml")}
    fast = {**DEFAULTS, **read_config_file(ROOT / "configs" / "fast.yaml")}
    assert fast["embed__model"] == "models/encoders/minilm-m2v-256"
    # The only other differences are the topic head's tuned settings (picked per encoder by the worse of the
    # two dev macro-F1s, benchmarks/heads.py); data, thresholds and the summarizer are the same.
    switched = {"embed__model"} | {k for k in default if k.startswith(("pool__", "clf__"))}
    assert {k: v for k, v in fast.items() if k not in switched} == {
        k: v for k, v in default.items() if k not in switched
    }
