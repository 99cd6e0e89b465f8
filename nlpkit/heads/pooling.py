"""Document features: vectors pooled from sentence and title vectors, plus an optional TF-IDF block.

News puts its subject in the headline and the lead, so early sentences and the title may weigh more than
the tail of a long article; `method="mean_max"` adds a max-pooled half that keeps a strong single signal.
With `lexical_weight` > 0, TF-IDF word and bigram features of the same text are appended: on real news
the exact vocabulary of a beat ("crude", "pct", "indicted") adds what a small sentence encoder smooths over,
at no encoder cost.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from nlpkit.text.document import EmbeddedArticle

__all__ = ["DocumentPooler", "POOLING_METHODS"]

POOLING_METHODS = ("mean", "mean_max")


class DocumentPooler(BaseEstimator, TransformerMixin):
    """`EmbeddedArticle`s in, a matrix of unit document vectors out.

    Sentence i gets weight `1 + lead_weight / (1 + i)`; the title adds `title_weight` times its vector.
    """

    def __init__(
        self, title_weight: float = 1.0, lead_weight: float = 1.0, method: str = "mean", lexical_weight: float = 0.0
    ) -> None:
        self.title_weight = title_weight
        self.lead_weight = lead_weight
        self.method = method
        self.lexical_weight = lexical_weight

    def fit(self, X: Sequence[EmbeddedArticle], y: object = None) -> DocumentPooler:
        if self.method not in POOLING_METHODS:
            raise ValueError(f"pool__method must be one of {POOLING_METHODS}, got {self.method!r}")
        self.n_features_in_ = _dimension(X)
        self.vectorizer_ = None
        if self.lexical_weight > 0:
            min_df = 2 if len(X) >= 50 else 1
            self.vectorizer_ = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=min_df, dtype=np.float32)
            self.vectorizer_.fit([article.text for article in X])
        return self

    def transform(self, X: Sequence[EmbeddedArticle]) -> np.ndarray | sparse.csr_matrix:
        dense = np.vstack([self._pool(article) for article in X]) if len(X) else np.zeros((0, 0), np.float32)
        vectorizer = getattr(self, "vectorizer_", None)
        if vectorizer is None:
            return dense
        lexical = self.lexical_weight * vectorizer.transform([article.text for article in X])
        return sparse.hstack([sparse.csr_matrix(dense), lexical], format="csr")

    def _pool(self, article: EmbeddedArticle) -> np.ndarray:
        dimension = (
            article.sentences.shape[1] if article.sentences.ndim == 2 or article.title is None else len(article.title)
        )
        mean = np.zeros(dimension, dtype=np.float32)
        if len(article.sentences):
            weights = 1.0 + self.lead_weight / (1.0 + np.arange(len(article.sentences)))
            mean += weights @ article.sentences / weights.sum()
        if article.title is not None:
            mean += self.title_weight * article.title
        parts = [_unit(mean)]
        if self.method == "mean_max":
            rows = article.sentences if article.title is None else np.vstack([article.title, article.sentences])
            parts.append(_unit(rows.max(axis=0)) if len(rows) else np.zeros(dimension, np.float32))
        return np.concatenate(parts).astype(np.float32)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _dimension(X: Sequence[EmbeddedArticle]) -> int:
    for article in X:
        if article.sentences.ndim == 2 and article.sentences.shape[1]:
            return int(article.sentences.shape[1])
    return 0
