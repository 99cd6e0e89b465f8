"""Self-training on a user's unlabelled folder: train, pseudo-label the confident articles, train again.

A user's own news differs from the seeds in style (a regional agency's house style, a translated wire);
articles the first model is sure about carry that style with a label that is very likely right. They are
added to the train split only (never to validation or test, so thresholds and scores stay honest), with
their primary topic. Articles below `min_confidence`, and those decided `other` by the abstain rule, are
left out.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from nlpkit.data.corpus import LabelledArticle
from nlpkit.data.inbox import iter_inputs
from nlpkit.errors import DataError, NotFittedError
from nlpkit.model import ArticlesInput, NewsModel
from nlpkit.text.document import Article, parse_article
from nlpkit.training.trainer import TrainReport, train

__all__ = ["DEFAULT_MIN_CONFIDENCE", "pseudo_label", "read_unlabelled", "self_train"]

log = logging.getLogger(__name__)

#: Default probability the first model must give an article's primary topic for it to be used.
DEFAULT_MIN_CONFIDENCE = 0.8


def pseudo_label(model: NewsModel, articles: ArticlesInput, min_confidence: float) -> list[tuple[int, str]]:
    """(index, primary topic) of the articles (raw or `model.encode`d) the model decides with at least
    `min_confidence`."""
    if model.decider is None:
        raise NotFittedError("pseudo_label needs a fitted model")
    proba = model.predict_proba(articles)
    picked = []
    for index, row in enumerate(proba):
        topic, _ = model.decider.decide(row)
        if float(np.max(row)) >= min_confidence and topic == model.labels[int(np.argmax(row))]:
            picked.append((index, topic))
    return picked


def read_unlabelled(folder: str | Path) -> list[Article]:
    """Every readable article under `folder` (the formats `nlpkit.predict` reads); unreadable files are skipped."""
    root = Path(folder)
    if not root.is_dir():
        raise DataError(
            f"--unlabelled {root}: not a folder; expected a folder of articles (.txt, .md, .html, .json, .jsonl)"
        )
    articles = []
    for record in iter_inputs(root):
        if record.error is None and record.text.strip():
            articles.append(parse_article(record.text, record.title, id=record.id))
    if not articles:
        raise DataError(f"--unlabelled {root}: no readable article found")
    return articles


def self_train(
    config: Mapping[str, Any], unlabelled: Sequence[Article], min_confidence: float = DEFAULT_MIN_CONFIDENCE
) -> TrainReport:
    """Train, pseudo-label `unlabelled` at `min_confidence`, then train again with them added to the train split."""
    if not 0.0 < min_confidence <= 1.0:
        raise DataError(f"--min-confidence must be in (0, 1], got {min_confidence}")
    first = train(config)
    picked = pseudo_label(first.model, list(unlabelled), min_confidence)
    log.info(
        "self-training: %d of %d unlabelled articles at confidence >= %.2f",
        len(picked),
        len(unlabelled),
        min_confidence,
    )
    extra = [LabelledArticle(unlabelled[i], (topic,), ()) for i, topic in picked]
    report = train(config, extra_train=extra) if extra else first
    report.metrics.update(
        {
            "selftrain/unlabelled": float(len(unlabelled)),
            "selftrain/pseudo_labelled": float(len(extra)),
            "selftrain/min_confidence": float(min_confidence),
        }
    )
    for topic in sorted({t for _, t in picked}):
        report.metrics[f"selftrain/pseudo_{topic}"] = float(sum(1 for _, t in picked if t == topic))
    report.model.add_metrics(report.metrics)
    return report
