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

from nlpkit.embedding.encoder import EmbeddedArticle
from nlpkit.text.document import Article

__all__ = ["SummaryLength", "select_sentences", "LeadSummarizer", "CentralitySummarizer", "Rater", "lexical_centrality"]

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
    """Top sentences by score (MMR-penalised when `redundancy` > 0), returned in document order.

    MMR value of a candidate: (1 - redundancy) * score - redundancy * its highest cosine to a chosen
    sentence. The running maximum is updated once per pick, so selection stays linear in the sentences.
    """
    scores = np.asarray(scores, dtype=float)
    n_wanted = length.count(len(article.sentences))
    use_mmr = vectors is not None and redundancy > 0
    available = np.ones(len(scores), dtype=bool)
    similarity = np.zeros(len(scores))
    chosen: list[int] = []
    words = 0
    while available.any() and len(chosen) < n_wanted:
        value = (1.0 - redundancy) * scores - redundancy * similarity if use_mmr and chosen else scores
        best = int(np.argmax(np.where(available, value, -np.inf)))
        available[best] = False
        size = len(article.sentences[best].words)
        if length.max_words and chosen and words + size > length.max_words:
            continue
        if use_mmr:
            assert vectors is not None
            cosine = vectors @ vectors[best]
            similarity = np.maximum(similarity, cosine) if chosen else cosine
        chosen.append(best)
        words += size
    return [article.sentences[i].text for i in sorted(chosen)]


class LeadSummarizer(BaseEstimator):
    """Lead-k: the first sentences. The baseline every news summarizer has to beat."""

    def __init__(self, n_sentences: int = 3) -> None:
        self.n_sentences = n_sentences

    def rate(self, article: Article, vectors: EmbeddedArticle | None = None) -> np.ndarray:
        return -np.arange(len(article.sentences), dtype=float)

    def summarize(self, article: Article, vectors: EmbeddedArticle | None = None, n_sentences: int | None = None) -> list[str]:
        return select_sentences(article, self.rate(article), SummaryLength(n_sentences or self.n_sentences))


class CentralitySummarizer(BaseEstimator):
    """Rates sentences by centrality in embedding space, lead position, title similarity, length and coverage.

    centrality: cosine to the article's centroid (what the whole story is about);
    position: news states its key facts early, decaying as 1 / (1 + index / position_decay);
    title: cosine to the headline; length: very short lines and bare quotes carry few facts;
    coverage: lexical PageRank over shared content words (TextRank-style). It matters more as the summary
    keeps a larger share of the article: from `coverage_start` of the sentences it ramps up to full weight
    at `coverage_full`, while the MMR penalty (`redundancy`) that keeps short summaries varied fades out.
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
        lexical_weight: float = 3.0,
        coverage_start: float = 0.2,
        coverage_full: float = 0.35,
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
        self.lexical_weight = lexical_weight
        self.coverage_start = coverage_start
        self.coverage_full = coverage_full
        self.redundancy = redundancy

    def rate(self, article: Article, vectors: EmbeddedArticle, n_wanted: int | None = None) -> np.ndarray:
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
        coverage = self._coverage(count, n_wanted)
        if coverage > 0 and self.lexical_weight:
            score += self.lexical_weight * coverage * lexical_centrality(article.texts)
        return score

    def _coverage(self, count: int, n_wanted: int | None) -> float:
        """0 for a short summary of a long article, 1 once it keeps `coverage_full` of the sentences."""
        wanted = n_wanted if n_wanted is not None else self._length().count(count)
        share = min(1.0, wanted / max(count, 1))
        span = max(self.coverage_full - self.coverage_start, 1e-9)
        return float(np.clip((share - self.coverage_start) / span, 0.0, 1.0))

    def _length(self, n_sentences: int | None = None) -> SummaryLength:
        if n_sentences is not None:
            return SummaryLength(n_sentences, None, self.max_words)
        return SummaryLength(self.n_sentences, self.ratio, self.max_words)

    def summarize(self, article: Article, vectors: EmbeddedArticle, n_sentences: int | None = None) -> list[str]:
        """The summary sentences in document order; `n_sentences` overrides the configured length."""
        length = self._length(n_sentences)
        wanted = length.count(len(article.sentences))
        scores = self.rate(article, vectors, wanted)
        redundancy = self.redundancy * (1.0 - self._coverage(len(article.sentences), wanted))
        return select_sentences(article, scores, length, vectors.sentences, redundancy)


_STOPWORDS = frozenset(
    ["a", "an", "the", "of", "to", "in", "and", "or", "for", "on", "at", "by", "with", "from", "as", "is", "was", "were", "be", "been", "are", "it", "its", "this", "that", "he", "she", "they", "we", "you", "i", "his", "her", "their", "our", "said", "says", "will", "would", "has", "have", "had", "not", "but", "also", "than", "which", "who"]
)


def lexical_centrality(texts: list[str], damping: float = 0.85, iterations: int = 30) -> np.ndarray:
    """PageRank over sentences linked by shared content words, scaled to mean 1 (TextRank's similarity)."""
    words = [{w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOPWORDS} for text in texts]
    count = len(words)
    if count == 0:
        return np.zeros(0)
    weights = np.zeros((count, count))
    logs = [np.log(len(w)) if len(w) > 1 else 0.0 for w in words]
    for i in range(count):
        for j in range(i + 1, count):
            if logs[i] and logs[j]:
                weights[i, j] = weights[j, i] = len(words[i] & words[j]) / (logs[i] + logs[j])
    totals = weights.sum(axis=1, keepdims=True)
    transition = np.where(totals > 0, weights / np.maximum(totals, 1e-12), 1.0 / count)
    rank = np.full(count, 1.0 / count)
    for _ in range(iterations):
        rank = (1 - damping) / count + damping * transition.T @ rank
    return rank * count


def _length_prior(text: str) -> float:
    """0 for a fact-bearing sentence of 12+ words, down to -1 for a 1-word line or a bare quote."""
    words = len(text.split())
    prior = min(words, 12) / 12.0 - 1.0
    if _QUOTE_ONLY.match(text.strip()):
        prior -= 0.5
    return prior
