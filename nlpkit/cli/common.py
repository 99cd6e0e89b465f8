"""Small helpers shared by the command-line entry points."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nlpkit.model import NewsModel

__all__ = ["command_parser", "configure_logging", "fail", "invoked_as", "load_model", "purpose"]


def invoked_as(command: str) -> str:
    """The command as the user typed it: `nlpkit predict` from the console script, else `python -m nlpkit.predict`."""
    script = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return f"nlpkit {command}" if script == "nlpkit" else f"python -m nlpkit.{command}"


def purpose(doc: str | None) -> str:
    """A command's one-line purpose: its docstring's first line without the leading `usage`: part."""
    first = (doc or "").strip().splitlines()[0] if (doc or "").strip() else ""
    return first.split("`: ", 1)[1] if first.startswith("`") and "`: " in first else first


def command_parser(command: str, doc: str | None, **kwargs: object) -> argparse.ArgumentParser:
    """An argument parser whose usage names the command as invoked, with `--version`."""
    from nlpkit import __version__

    parser = argparse.ArgumentParser(prog=invoked_as(command), description=purpose(doc), **kwargs)  # type: ignore[arg-type]
    parser.add_argument("--version", action="version", version=f"nlpkit {__version__}")
    return parser


def configure_logging(quiet: bool = False) -> None:
    """Plain one-line log records on stderr; the libraries under us stay quiet unless something is wrong."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a command-line process: nothing is ever fetched from a hub
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in (
        "sentence_transformers",
        "transformers",
        "mlflow",
        "alembic",
        "httpx",
        "urllib3",
        "huggingface_hub",
        "absl",
        "matplotlib",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING if not quiet else logging.ERROR)
    # Environment, not an import: importing transformers here would cost seconds before a usage error.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning, module="mlflow")


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
        return model.set_encoding(batch_size=batch_size)
    from nlpkit.model import NewsModel

    return NewsModel.load(Path(spec), batch_size=batch_size)
