"""Scoring a model on labelled articles: one shared routine for training, `nlpkit.cli.evaluate` and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from nlpkit.data.corpus import topics_of
from nlpkit.data.jsonl import read_jsonl
from nlpkit.errors import DataError
from nlpkit.evaluation.metrics import confusion, prediction_reliability, rouge, topic_metrics, topic_report
from nlpkit.heads.summarizers import LeadSummarizer
from nlpkit.model import EmbeddedBatch, NewsModel
from nlpkit.prediction import Prediction
from nlpkit.text.document import Article, EmbeddedArticle, parse_article

__all__ = [
    "Evaluation",
    "evaluate_topics",
    "evaluate_summaries",
    "EvalItem",
    "read_eval_file",
    "FileEvaluation",
    "evaluate_items",
    "reference_length",
]


@dataclass
class Evaluation:
    """A split's topic figures (ECE included, so every caller has it) and the reliability table behind the ECE."""

    metrics: dict[str, float]
    truth: list[str]
    predictions: list[Prediction]
    reliability: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.reliability = prediction_reliability(self.predictions, self.truth)
        self.metrics["ece"] = float(self.reliability["ece"])


def evaluate_topics(
    model: NewsModel,
    articles: Sequence[Article],
    embedded: Sequence[EmbeddedArticle],
    truth: Sequence[str],
    n_sentences: int | None = None,
) -> Evaluation:
    """Per-topic precision/recall/F1, macro-F1, accuracy and log-loss of the primary topic."""
    batch = EmbeddedBatch(list(articles), list(embedded))
    proba = model.predict_proba(batch)
    predictions = model.predict(batch, n_sentences, proba=proba)
    metrics = topic_metrics(list(truth), [p.topic or "" for p in predictions], model.labels, proba)
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


@dataclass
class EvalItem:
    """One line of an evaluation file: the article and whatever labels it carries."""

    id: str
    title: str
    text: str
    topic: str | None
    reference: list[str] | str | None
    kind: str = "full"


def read_eval_file(path: str | Path, limit: int | None = None) -> list[EvalItem]:
    """Evaluation lines from a JSONL file (`topic` or `topics`, and/or `reference_sentences`/`reference`/`summary`)."""
    items = []
    for number, data in read_jsonl(path, limit):
        if not isinstance(data.get("text"), str):
            raise DataError(f"{path}:{number}: expected an object with a 'text' string")
        topic = next(iter(topics_of(data, f"{path}:{number}", required=False)), None)
        reference = data.get("reference_sentences") or data.get("reference") or data.get("summary") or None
        items.append(
            EvalItem(
                str(data.get("id", number)),
                str(data.get("title") or ""),
                data["text"],
                topic,
                reference,
                str(data.get("kind") or "full"),
            )
        )
    if not any(item.topic or item.reference for item in items):
        raise DataError(f"{path}: no line has a 'topic', 'topics', 'reference' or 'reference_sentences' field")
    return items


@dataclass
class FileEvaluation:
    """The figures for one evaluation file, plus the report and confusion matrix when it has topics."""

    metrics: dict[str, float]
    report: str = ""
    confusion: Any = None
    topics: Evaluation | None = None
    items: list[EvalItem] = field(default_factory=list)


def evaluate_items(model: NewsModel, items: Sequence[EvalItem], summary_sentences: int | None = None) -> FileEvaluation:
    """Topic figures (and, for headline items, their own macro-F1) and summary figures, from one encoder pass."""
    articles = [parse_article(item.text, item.title, id=item.id) for item in items]
    vectors = model.encode(articles).vectors
    result = FileEvaluation({}, items=list(items))
    topical = [i for i, item in enumerate(items) if item.topic]
    if topical:
        truth = [str(items[i].topic) for i in topical]
        result.topics = evaluate_topics(model, [articles[i] for i in topical], [vectors[i] for i in topical], truth)
        predicted = [p.topic or "" for p in result.topics.predictions]
        result.metrics.update(result.topics.metrics)
        result.report = topic_report(truth, predicted, model.labels)
        result.confusion = confusion(truth, predicted, model.labels)
        headline = [k for k, i in enumerate(topical) if items[i].kind == "headline"]
        if headline:
            picked = [predicted[k] for k in headline]
            result.metrics["headline_macro_f1"] = topic_metrics([truth[k] for k in headline], picked, model.labels)[
                "macro_f1"
            ]
    summarised = [i for i, item in enumerate(items) if item.reference and articles[i].sentences]
    if summarised:
        references = [items[i].reference or "" for i in summarised]
        lengths = [summary_sentences or reference_length(ref) for ref in references]
        result.metrics.update(
            evaluate_summaries(
                model, [articles[i] for i in summarised], [vectors[i] for i in summarised], references, lengths
            )
        )
    result.metrics["n_topic_items"] = float(len(topical))
    result.metrics["n_summary_items"] = float(len(summarised))
    return result


def reference_length(reference: Sequence[str] | str) -> int:
    """Sentences in a reference summary: list items, or non-empty lines of a string."""
    if isinstance(reference, str):
        return max(len([line for line in reference.split("\n") if line.strip()]), 1)
    return max(len(reference), 1)
