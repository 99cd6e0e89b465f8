"""Why this topic: each sentence scored for each topic from the vectors of the one encoder pass.

A sentence's support for a topic is its contribution to the article's score: the topic head's probability
for that sentence read alone (the same pooling and classifier, fed the sentence's own vector and words)
times the sentence's weight in the pooled document vector (the lead counts more, as in `DocumentPooler`).
So evidence agrees with the classifier whatever the head is (logistic regression, SVM, kNN...). All
sentences of a batch go through the head in one call; nothing is encoded again.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.pipeline import Pipeline

from nlpkit.heads.summarizers import CentralitySummarizer, select_sentences
from nlpkit.text.document import Article, EmbeddedArticle

__all__ = ["sentence_support", "pick_evidence", "focused_summary", "EVIDENCE_SENTENCES"]

#: At most this many sentences are given as evidence for one topic.
EVIDENCE_SENTENCES = 2
#: A second evidence sentence is kept only when its support is at least this share of the first one's.
_SECOND_SHARE = 0.6
#: How much the summarizer's own score still counts in a focused summary (the topic support counts 1).
_FOCUS_BASE_WEIGHT = 0.35


def sentence_support(
    pipeline: Pipeline, embedded: Sequence[EmbeddedArticle], texts: Sequence[Sequence[str]]
) -> list[np.ndarray]:
    """Per article, a (sentences x labels) matrix: each sentence's probabilities alone, times its pooling weight."""
    singles: list[EmbeddedArticle] = []
    spans: list[tuple[int, int]] = []
    for vectors, sentences in zip(embedded, texts):
        start = len(singles)
        count = min(len(sentences), len(vectors.sentences))
        singles.extend(EmbeddedArticle(None, vectors.sentences[i : i + 1], sentences[i]) for i in range(count))
        spans.append((start, len(singles)))
    n_labels = len(pipeline.classes_)
    rows = np.asarray(pipeline.predict_proba(singles)) if singles else np.zeros((0, n_labels))
    lead = float(getattr(pipeline.named_steps.get("pool"), "lead_weight", 0.0) or 0.0)
    support = []
    for start, end in spans:
        weights = (1.0 + lead / (1.0 + np.arange(end - start))) / (1.0 + lead)
        support.append(rows[start:end] * weights[:, None])
    return support


def pick_evidence(
    article: Article, support: np.ndarray, topics: Sequence[str], labels: Sequence[str]
) -> dict[str, list[str]]:
    """For each predicted topic, the one or two sentences that support it most, strongest first."""
    evidence: dict[str, list[str]] = {}
    if not len(support):
        return evidence
    for topic in topics:
        if topic not in labels:
            continue
        column = support[:, list(labels).index(topic)]
        order = np.argsort(-column, kind="stable")[:EVIDENCE_SENTENCES]
        best = float(column[order[0]])
        chosen = [int(i) for i in order if float(column[i]) >= _SECOND_SHARE * best or i == order[0]]
        evidence[topic] = [article.sentences[i].text for i in chosen]
    return evidence


def focused_summary(
    summarizer: CentralitySummarizer,
    article: Article,
    vectors: EmbeddedArticle,
    support_column: np.ndarray,
    n_sentences: int | None = None,
) -> list[str]:
    """A summary about one topic: sentences ranked mostly by their support for it, in document order."""
    length = summarizer.summary_length(n_sentences)
    wanted = length.count(len(article.sentences))
    base = summarizer.rate(article, vectors, wanted)
    scores = support_column[: len(base)] + _FOCUS_BASE_WEIGHT * _scaled(base)
    return select_sentences(article, scores, length, vectors.sentences, summarizer.redundancy)


def _scaled(values: np.ndarray) -> np.ndarray:
    """Min-max to [0, 1], so the summarizer's score and a probability add on one scale."""
    span = float(values.max() - values.min()) if len(values) else 0.0
    return (values - values.min()) / span if span > 0 else np.zeros_like(values)
