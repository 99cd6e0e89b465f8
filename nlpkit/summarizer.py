"""Extractive summarizers on the shared document model.

As in sumy, each summarizer is a small class that only rates sentences; choosing how many, removing
redundancy and putting the choice back in document order is `select_sentences`, written once.
"""

from __future__ import annotations

import math
import re
from typing import Protocol

import numpy as np
from sklearn.base import BaseEstimator

from nlpkit.document import Article
from nlpkit.encoder import EmbeddedArticle

__all__ = ["SummaryLength", "select_sentences", "LeadSummarizer", "CentralitySummarizer", "Rater"]

_QUOTE_ONLY = re.compile(r"^[\"“'‘].*[\"”'’]$")


class Rater(Protocol):
    def rate(self, article: Article, vectors: EmbeddedArticle) -> np.ndarray: ...


class SummaryLength(BaseEstimator):
    """How long a summary is: a sentence count, or a ratio of the article, capped by a word budget."""

    def __init__(self, n_sentences: int = 3, ratio: float | None = None, max_words: int | None = None) -> None:
        self.n_sentences = n_sentences
        self.ratio = ratio
        self.max_words = max_words

    def count(self, n_available: int) -> int:
        wanted = math.ceil(self.ratio * n_available) if self.ratio else self.n_sentences
        return max(0, min(int(wanted), n_available))


def select_sentences(
    article: Article,
    scores: np.ndarray,
    length: SummaryLength,
    vectors: np.ndarray | None = None,
    redundancy: float = 0.0,
) -> list[str]:
    """Top sentences by score (MMR-penalised when `redundancy` > 0), returned in document order."""
    n_wanted = length.count(len(article.sentences))
    chosen: list[int] = []
    candidates = list(range(len(article.sentences)))
    words = 0
    while candidates and len(chosen) < n_wanted:
        best = max(candidates, key=lambda i: _mmr(i, scores, chosen, vectors, redundancy))
        candidates.remove(best)
        size = len(article.sentences[best].words)
        if length.max_words and chosen and words + size > length.max_words:
            continue
        chosen.append(best)
        words += size
    return [article.sentences[i].text for i in sorted(chosen)]


def _mmr(i: int, scores: np.ndarray, chosen: list[int], vectors: np.ndarray | None, redundancy: float) -> float:
    if not chosen or vectors is None or redundancy <= 0:
        return float(scores[i])
    similarity = float(np.max(vectors[chosen] @ vectors[i]))
    return (1.0 - redundancy) * float(scores[i]) - redundancy * similarity


class LeadSummarizer(BaseEstimator):
    """Lead-k: the first sentences. The baseline every news summarizer has to beat."""

    def __init__(self, n_sentences: int = 3) -> None:
        self.n_sentences = n_sentences

    def rate(self, article: Article, vectors: EmbeddedArticle | None = None) -> np.ndarray:
        return -np.arange(len(article.sentences), dtype=float)

    def summarize(self, article: Article, vectors: EmbeddedArticle | None = None) -> list[str]:
        return select_sentences(article, self.rate(article), SummaryLength(self.n_sentences))


class CentralitySummarizer(BaseEstimator):
    """Rates sentences by centrality in embedding space, lead position, title similarity and length.

    centrality: cosine to the article's centroid (what the whole story is about);
    position: news states its key facts early, decaying as 1 / (1 + index / position_decay);
    title: cosine to the headline; length: very short lines and bare quotes carry few facts.
    MMR (`redundancy`) keeps two near-identical sentences out of one summary.
    """

    def __init__(
        self,
        n_sentences: int = 3,
        ratio: float | None = None,
        max_words: int | None = None,
        centrality_weight: float = 1.0,
        position_weight: float = 1.0,
        position_decay: float = 2.0,
        title_weight: float = 0.5,
        length_weight: float = 0.3,
        redundancy: float = 0.3,
    ) -> None:
        self.n_sentences = n_sentences
        self.ratio = ratio
        self.max_words = max_words
        self.centrality_weight = centrality_weight
        self.position_weight = position_weight
        self.position_decay = position_decay
        self.title_weight = title_weight
        self.length_weight = length_weight
        self.redundancy = redundancy

    def rate(self, article: Article, vectors: EmbeddedArticle) -> np.ndarray:
        count = len(article.sentences)
        if count == 0:
            return np.zeros(0)
        sentence_vectors = vectors.sentences
        centroid = sentence_vectors.mean(axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
        score = self.centrality_weight * (sentence_vectors @ centroid)
        score += self.position_weight / (1.0 + np.arange(count) / self.position_decay)
        if vectors.title is not None:
            score += self.title_weight * (sentence_vectors @ vectors.title)
        score += self.length_weight * np.array([_length_prior(s.text) for s in article.sentences])
        return score

    def summarize(self, article: Article, vectors: EmbeddedArticle) -> list[str]:
        length = SummaryLength(self.n_sentences, self.ratio, self.max_words)
        return select_sentences(article, self.rate(article, vectors), length, vectors.sentences, self.redundancy)


def _length_prior(text: str) -> float:
    """0 for a fact-bearing sentence of 12+ words, down to -1 for a 1-word line or a bare quote."""
    words = len(text.split())
    prior = min(words, 12) / 12.0 - 1.0
    if _QUOTE_ONLY.match(text.strip()):
        prior -= 0.5
    return prior
