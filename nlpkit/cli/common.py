"""Small helpers shared by the command-line entry points."""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nlpkit.model import NewsModel

__all__ = ["configure_logging", "fail", "load_model"]


def configure_logging(quiet: bool = False) -> None:
    """Plain one-line log records on stderr; the libraries under us stay quiet unless something is wrong."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a command-line process: nothing is ever fetched from a hub
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("sentence_transformers", "transformers", "mlflow", "alembic", "httpx", "urllib3", "huggingface_hub", "absl", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING if not quiet else logging.ERROR)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning, module="mlflow")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:
        pass


def fail(message: str, code: int = 2) -> int:
    """Print a one-line error to stderr and return the exit code to use."""
    print(f"error: {message}", file=sys.stderr)
    return code


def load_model(spec: str, batch_size: int = 64) -> NewsModel:
    """A bundle folder, or an MLflow model URI (`runs:/...`, `models:/name@alias`) resolved through tracking."""
    from nlpkit.tracking import flavor as tracking_flavor
    from nlpkit.tracking import store as tracking_store

    if tracking_flavor.is_model_uri(spec):
        tracker = tracking_store.Tracker.from_environment()
        print(tracking_store.export_line(tracker.uri), file=sys.stderr)  # the store this model URI was resolved in
        with tracker.active():
            model = tracking_flavor.load_news_model(spec)
        model.encoder.batch_size = batch_size
        return model
    from nlpkit.model import NewsModel

    return NewsModel.load(Path(spec), batch_size=batch_size)
