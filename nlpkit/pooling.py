"""Document vectors pooled from sentence vectors and the title vector.

News puts its subject in the headline and the lead, so early sentences and the title may weigh more than
the tail of a long article; `method="mean_max"` adds a max-pooled half that keeps a strong single signal.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from nlpkit.encoder import EmbeddedArticle

__all__ = ["DocumentPooler", "POOLING_METHODS"]

POOLING_METHODS = ("mean", "mean_max")


class DocumentPooler(BaseEstimator, TransformerMixin):
    """`EmbeddedArticle`s in, a matrix of unit document vectors out.

    Sentence i gets weight `1 + lead_weight / (1 + i)`; the title adds `title_weight` times its vector.
    """

    def __init__(self, title_weight: float = 1.0, lead_weight: float = 1.0, method: str = "mean") -> None:
        self.title_weight = title_weight
        self.lead_weight = lead_weight
        self.method = method

    def fit(self, X: Sequence[EmbeddedArticle], y: object = None) -> "DocumentPooler":
        if self.method not in POOLING_METHODS:
            raise ValueError(f"pool__method must be one of {POOLING_METHODS}, got {self.method!r}")
        self.n_features_in_ = _dimension(X)
        return self

    def transform(self, X: Sequence[EmbeddedArticle]) -> np.ndarray:
        return np.vstack([self._pool(article) for article in X]) if len(X) else np.zeros((0, 0), np.float32)

    def _pool(self, article: EmbeddedArticle) -> np.ndarray:
        dimension = article.sentences.shape[1] if article.sentences.ndim == 2 else len(article.title)
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
