"""The same story across outlets: articles grouped by the similarity of their title + lead vectors.

Each article gets one story vector (its title and first sentences, from the vectors of the one encoder
pass). Articles are taken in date order; each joins the story whose centroid is most similar, if that
similarity reaches `threshold` and the story has an article within `window_days` of it (when dates are
known), else it starts a new story. Candidate stories come from each article's nearest neighbours, found
block by block, so memory stays linear in the number of articles and comparing to a centroid (not to one
member) stops a chain of loosely related articles from merging into one story.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from nlpkit.embedding.encoder import EmbeddedArticle
from nlpkit.text.dates import parse_date

__all__ = ["GroupingSettings", "story_vector", "group_stories", "parse_date", "pair_scores"]


@dataclass(frozen=True)
class GroupingSettings:
    """How stories are grouped; `threshold` chosen on seeds/pairs, checked on seeds/pairs2
    (benchmarks/story_pairs.py)."""

    threshold: float = 0.7
    window_days: int = 3
    lead_sentences: int = 2
    neighbours: int = 20


def story_vector(embedded: EmbeddedArticle, lead_sentences: int = 2) -> np.ndarray:
    """Unit vector of the title plus the mean of the first sentences: what the story is about."""
    lead = embedded.sentences[:lead_sentences]
    parts = [] if embedded.title is None else [embedded.title]
    if len(lead):
        parts.append(lead.mean(axis=0))
    if not parts:
        return np.zeros(embedded.sentences.shape[1] if embedded.sentences.ndim == 2 else 0, np.float32)
    vector = np.sum(parts, axis=0)
    norm = float(np.linalg.norm(vector))
    return (vector / norm if norm > 0 else vector).astype(np.float32)


def group_stories(
    vectors: np.ndarray,
    dates: Sequence[dt.date | None],
    settings: GroupingSettings = GroupingSettings(),
    block: int = 256,
) -> list[int]:
    """A story number per article (0, 1, ... in order of first appearance by date)."""
    count = len(vectors)
    if count == 0:
        return []
    vectors = np.asarray(vectors, dtype=np.float32)
    days = np.array([d.toordinal() if d else -1 for d in dates], dtype=np.int64)
    neighbours = _neighbours(vectors, days, settings, block)
    order = sorted(range(count), key=lambda i: (days[i] if days[i] >= 0 else 10**9, i))
    labels = np.full(count, -1)
    sums: list[np.ndarray] = []
    last_day: list[int] = []
    first_day: list[int] = []
    for i in order:
        candidates = {int(labels[j]) for j in neighbours[i] if labels[j] >= 0}
        best, best_sim = -1, settings.threshold
        for story in candidates:
            if (
                days[i] >= 0
                and last_day[story] >= 0
                and abs(days[i] - last_day[story]) > settings.window_days
                and abs(days[i] - first_day[story]) > settings.window_days
            ):
                continue
            centroid = sums[story] / max(float(np.linalg.norm(sums[story])), 1e-12)
            similarity = float(centroid @ vectors[i])
            if similarity >= best_sim:
                best, best_sim = story, similarity
        if best < 0:
            best = len(sums)
            sums.append(np.zeros_like(vectors[i]))
            last_day.append(int(days[i]))
            first_day.append(int(days[i]))
        labels[i] = best
        sums[best] = sums[best] + vectors[i]
        if days[i] >= 0:
            last_day[best] = max(last_day[best], int(days[i]))
            first_day[best] = int(days[i]) if first_day[best] < 0 else min(first_day[best], int(days[i]))
    renumber: dict[int, int] = {}
    return [renumber.setdefault(int(label), len(renumber)) for label in labels]


def _neighbours(vectors: np.ndarray, days: np.ndarray, settings: GroupingSettings, block: int) -> list[np.ndarray]:
    """For each article, up to `neighbours` others at or above the threshold and within the date window."""
    count = len(vectors)
    k = min(settings.neighbours, count - 1)
    found: list[np.ndarray] = []
    for start in range(0, count, block):
        sims = vectors[start : start + block] @ vectors.T
        rows = np.arange(start, min(start + block, count))
        sims[rows - start, rows] = -np.inf
        known = (days[rows, None] >= 0) & (days[None, :] >= 0)
        far = np.abs(days[rows, None] - days[None, :]) > settings.window_days
        sims[known & far] = -np.inf
        if k <= 0:
            found.extend(np.zeros(0, dtype=np.int64) for _ in rows)
            continue
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k < count else np.argsort(-sims, axis=1)
        for row, indices in zip(sims, top):
            found.append(indices[row[indices] >= settings.threshold])
    return found


def pair_scores(events: Sequence[str], stories: Sequence[int]) -> dict[str, float]:
    """Pairwise precision and recall of a grouping against known events (every pair of articles counts)."""
    tp = fp = fn = 0
    for i in range(len(events)):
        for j in range(i + 1, len(events)):
            same, grouped = events[i] == events[j], stories[i] == stories[j]
            tp += same and grouped
            fp += grouped and not same
            fn += same and not grouped
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "same_pairs": float(tp + fn),
        "grouped_pairs": float(tp + fp),
    }
