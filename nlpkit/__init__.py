"""nlpkit: topic tagging and extractive summaries for news, with training runs tracked in MLflow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "NewsModel", "Prediction", "parse_article"]

if TYPE_CHECKING:  # type checkers see the real classes; at run time torch loads only when asked for
    from nlpkit.model import NewsModel
    from nlpkit.prediction import Prediction
    from nlpkit.text.document import parse_article


def __getattr__(name: str) -> Any:
    """Import the heavy parts (torch, sentence-transformers) only when they are asked for."""
    if name == "NewsModel":
        from nlpkit.model import NewsModel

        return NewsModel
    if name == "Prediction":
        from nlpkit.prediction import Prediction

        return Prediction
    if name == "parse_article":
        from nlpkit.text.document import parse_article

        return parse_article
    raise AttributeError(f"module 'nlpkit' has no attribute {name!r}")
