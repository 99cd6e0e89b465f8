"""Shared fixtures: one real training run on the seed corpus, reused by the tests that need a model.

It uses the real bundled encoder (no mocks) with a temporary MLflow store, models folder and cache, so
the suite never touches the project's own experiments/ or models/.
"""

from __future__ import annotations

import os
from pathlib import Path

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
def seed_config(session_dir: Path, tracking_uri: str) -> dict:
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
def trained(seed_config: dict):
    """The real end-to-end training run on the seed corpus (about a minute on 2 cores)."""
    from nlpkit.tracking import runs as tracking
    from nlpkit.training.trainer import train_run

    tracking.configure()
    return train_run(seed_config)


@pytest.fixture(scope="session")
def model(trained):
    from nlpkit.model import NewsModel

    return NewsModel.load(trained.bundle)
