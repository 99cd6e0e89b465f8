"""What to label next: the articles whose labels would teach the model most (uncertainty with diversity).

Uncertainty alone picks fifty near-copies of one confusing story; diversity alone picks what the model
already knows. As in diverse mini-batch active learning (Zhdanov, 2019), the most uncertain articles
(`pool_factor` x n of them, by the margin between the two best topics) are clustered into n groups by
their document vectors, weighted by uncertainty, and the article nearest each cluster centre is chosen.
Streaming keeps only that many candidates in memory, so the pool can be any size.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from nlpkit.data.inbox import InputRecord
from nlpkit.model import NewsModel
from nlpkit.text.document import Article, EmbeddedArticle, parse_article

__all__ = ["margin_uncertainty", "document_vector", "choose", "Candidate", "CandidatePool", "candidates_from_records"]


def margin_uncertainty(proba: np.ndarray) -> np.ndarray:
    """1 minus the margin between the best and second-best label: 1 = a coin toss, 0 = certain."""
    proba = np.atleast_2d(np.asarray(proba, dtype=float))
    if proba.shape[1] < 2:
        return np.zeros(len(proba))
    top = -np.sort(-proba, axis=1)
    return 1.0 - (top[:, 0] - top[:, 1])


def document_vector(embedded: EmbeddedArticle) -> np.ndarray:
    """Unit mean of the title and sentence vectors: where the article sits, for diversity."""
    rows = embedded.sentences if embedded.title is None else np.vstack([embedded.title, embedded.sentences])
    vector = rows.mean(axis=0) if len(rows) else np.zeros(embedded.sentences.shape[-1], np.float32)
    norm = float(np.linalg.norm(vector))
    return (vector / norm if norm > 0 else vector).astype(np.float32)


def choose(
    uncertainty: np.ndarray, vectors: np.ndarray, n: int, pool_factor: int = 10, random_state: int = 0
) -> list[int]:
    """Indices of n articles: the most uncertain `pool_factor * n`, clustered, nearest each centre."""
    from sklearn.cluster import KMeans

    uncertainty = np.asarray(uncertainty, dtype=float)
    order = np.argsort(-uncertainty, kind="stable")
    if n <= 0:
        return []
    if len(order) <= n:
        return [int(i) for i in order]
    shortlist = order[: max(n, pool_factor * n)]
    weights = np.maximum(uncertainty[shortlist], 1e-6)
    kmeans = KMeans(n_clusters=n, n_init=3, random_state=random_state).fit(vectors[shortlist], sample_weight=weights)
    chosen: list[int] = []
    for cluster in range(n):
        members = np.flatnonzero(kmeans.labels_ == cluster)
        if not len(members):
            continue
        distance = np.linalg.norm(vectors[shortlist[members]] - kmeans.cluster_centers_[cluster], axis=1)
        chosen.append(int(shortlist[members[int(np.argmin(distance))]]))
    for index in shortlist:  # KMeans can leave a cluster empty: top up by uncertainty
        if len(chosen) >= n:
            break
        if int(index) not in chosen:
            chosen.append(int(index))
    return sorted(chosen, key=lambda i: -uncertainty[i])


@dataclass(order=True)
class Candidate:
    """One article that might be worth labelling, with the model's guess."""

    uncertainty: float
    sequence: int
    record: dict[str, Any] = field(compare=False)
    vector: np.ndarray = field(compare=False, repr=False)


class CandidatePool:
    """Keeps the `capacity` most uncertain candidates seen so far (a min-heap), nothing else."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.heap: list[Candidate] = []
        self.seen = 0

    def add(self, candidate: Candidate) -> None:
        self.seen += 1
        if len(self.heap) < self.capacity:
            heapq.heappush(self.heap, candidate)
        elif candidate > self.heap[0]:
            heapq.heapreplace(self.heap, candidate)

    def select(self, n: int, pool_factor: int = 10, random_state: int = 0) -> list[dict[str, Any]]:
        """The chosen records, most uncertain first."""
        kept = sorted(self.heap, key=lambda c: c.sequence)
        if not kept:
            return []
        picks = choose(
            np.array([c.uncertainty for c in kept]), np.vstack([c.vector for c in kept]), n, pool_factor, random_state
        )
        return [kept[i].record for i in picks]


def candidates_from_records(
    model: NewsModel,
    records: Iterable[InputRecord],
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
    failed: Callable[[InputRecord], None] | None = None,
) -> Iterator[Candidate]:
    """Predict in batches; each readable article becomes a Candidate whose record is ready to label."""
    iterator = iter(records)
    sequence = 0
    while batch := list(itertools.islice(iterator, batch_size)):
        good: list[tuple[InputRecord, Article]] = []
        for record in batch:
            article = parse_article(record.text, record.title, id=record.id) if record.error is None else None
            if article is not None and article.sentences:
                good.append((record, article))
            elif failed:
                record.error = record.error or "no sentences left after removing page furniture"
                failed(record)
        encoded = model.encode([article for _, article in good])
        proba = model.predict_proba(encoded)
        predictions = model.predict(encoded, proba=proba)
        for (record, _), vectors, prediction, score in zip(
            good, encoded.vectors, predictions, margin_uncertainty(proba)
        ):
            labelled = {
                "id": record.id,
                "title": record.title,
                "text": record.text,
                "topics": prediction.topics,
                "model_topic": prediction.topic,
                "scores": prediction.scores,
                "uncertainty": round(float(score), 4),
                "evidence": prediction.evidence,
                "path": record.path,
                **record.meta,
            }
            yield Candidate(float(score), sequence, labelled, document_vector(vectors))
            sequence += 1
        if progress:
            progress(len(batch))


def pick_indices(model: NewsModel, articles: Sequence[Article], n: int, random_state: int = 0) -> list[int]:
    """In-memory form of the same choice, for measurements: indices into `articles`."""
    batch = model.encode(list(articles))
    proba = model.predict_proba(batch)
    vectors = np.vstack([document_vector(e) for e in batch.vectors])
    return choose(margin_uncertainty(proba), vectors, n, random_state=random_state)
