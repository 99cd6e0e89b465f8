"""nlpkit: topic tagging and extractive summaries for news, with training runs tracked in MLflow."""

__version__ = "0.1.0"

__all__ = ["__version__", "NewsModel", "Prediction", "parse_article"]


def __getattr__(name: str):
    """Import the heavy parts (torch, sentence-transformers) only when they are asked for."""
    if name in ("NewsModel", "Prediction"):
        from nlpkit import model

        return getattr(model, name)
    if name == "parse_article":
        from nlpkit.text.document import parse_article

        return parse_article
    raise AttributeError(f"module 'nlpkit' has no attribute {name!r}")
