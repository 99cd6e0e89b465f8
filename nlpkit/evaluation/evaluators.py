"""Scoring a model on labelled articles: one shared routine for training, `nlpkit.cli.evaluate` and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from nlpkit.text.document import Article
from nlpkit.embedding.encoder import EmbeddedArticle
from nlpkit.evaluation.metrics import rouge, topic_metrics
from nlpkit.model import NewsModel, Prediction
from nlpkit.heads.summarizers import LeadSummarizer

__all__ = ["Evaluation", "evaluate_topics", "evaluate_summaries"]


@dataclass
class Evaluation:
    metrics: dict[str, float]
    truth: list[str]
    predictions: list[Prediction]


def evaluate_topics(
    model: NewsModel, articles: Sequence[Article], embedded: Sequence[EmbeddedArticle], truth: Sequence[str]
) -> Evaluation:
    """Per-topic precision/recall/F1, macro-F1, accuracy and log-loss of the primary topic."""
    proba = model.predict_proba(embedded) if len(articles) else None
    predictions = model.predict_articles(articles, embedded, n_sentences=3, proba=proba)
    metrics = topic_metrics(list(truth), [p.topic for p in predictions], model.labels, proba)
    return Evaluation(metrics, list(truth), predictions)


def evaluate_summaries(
    model: NewsModel,
    articles: Sequence[Article],
    embedded: Sequence[EmbeddedArticle],
    references: Sequence[Sequence[str] | str],
    lengths: Sequence[int],
) -> dict[str, float]:
    """ROUGE of nlpkit's summaries and of Lead-k at the same length (k = each reference's sentence count)."""
    ours, lead = [], []
    for article, vectors, n in zip(articles, embedded, lengths):
        wanted = max(int(n), 1)
        ours.append(model.summarizer.summarize(article, vectors, wanted) if article.sentences else [])
        lead.append(LeadSummarizer().summarize(article, n_sentences=wanted))
    metrics = {f"summary_{k}": v for k, v in rouge(ours, references).items()}
    metrics.update({f"lead_{k}": v for k, v in rouge(lead, references).items()})
    return metrics
