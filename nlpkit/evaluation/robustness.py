"""How far a score can be trusted: bootstrap intervals, paired differences, and cross-validation by house style.

A dev set of 338 regional articles moves macro-F1 by about 0.003 per article, so a choice between two settings
is only made on a difference larger than that noise; the style folds give a second, larger signal of domain
robustness that never touches a benchmark file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from sklearn.metrics import f1_score

__all__ = [
    "Interval",
    "macro_f1",
    "bootstrap_interval",
    "paired_difference",
    "prefer_simpler",
    "INTERNATIONAL",
    "style_folds",
    "style_cross_validation",
]

#: The seed corpus's Western house style; every other style is one our regional users read.
INTERNATIONAL = "international"


@dataclass(frozen=True)
class Interval:
    """A score with its bootstrap 95% interval."""

    value: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}]"

    def as_dict(self, name: str) -> dict[str, float]:
        """Flat MLflow-friendly keys: `name`, `name_low`, `name_high`."""
        return {name: self.value, f"{name}_low": self.low, f"{name}_high": self.high}


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Macro-F1 over the labels that occur in either list (an absent label would score 0 and mean nothing)."""
    present = sorted(set(truth) | set(predicted))
    return float(f1_score(list(truth), list(predicted), labels=present, average="macro", zero_division=0))


def _resamples(count: int, rounds: int, random_state: int) -> np.ndarray:
    return np.random.default_rng(random_state).integers(0, count, size=(rounds, count))


def bootstrap_interval(
    truth: Sequence[str],
    predicted: Sequence[str],
    metric: Callable[..., float] = macro_f1,
    rounds: int = 1000,
    random_state: int = 0,
) -> Interval:
    """The metric and its percentile 95% interval over `rounds` resamples of the articles."""
    if len(truth) != len(predicted) or not len(truth):
        raise ValueError(f"expected two equally long, non-empty label lists, got {len(truth)} and {len(predicted)}")
    truth_arr, predicted_arr = np.asarray(truth, dtype=object), np.asarray(predicted, dtype=object)
    scores = [metric(truth_arr[rows], predicted_arr[rows]) for rows in _resamples(len(truth), rounds, random_state)]
    low, high = np.percentile(scores, [2.5, 97.5])
    return Interval(metric(truth, predicted), float(low), float(high))


def paired_difference(
    truth: Sequence[Any],
    first: Sequence[Any],
    second: Sequence[Any],
    metric: Callable[..., float] = macro_f1,
    rounds: int = 1000,
    random_state: int = 0,
) -> Interval:
    """metric(first) - metric(second) with a paired bootstrap interval: both systems see the same resamples.

    Labels by default; any per-item values (e.g. per-article ROUGE) with a `metric(truth, values)` that reads them.
    """
    if not len(truth) == len(first) == len(second) or not len(truth):
        raise ValueError("expected three equally long, non-empty label lists")
    t, a, b = (np.asarray(x, dtype=object) for x in (truth, first, second))
    gaps = [metric(t[rows], a[rows]) - metric(t[rows], b[rows]) for rows in _resamples(len(t), rounds, random_state)]
    low, high = np.percentile(gaps, [2.5, 97.5])
    return Interval(metric(truth, first) - metric(truth, second), float(low), float(high))


def prefer_simpler(gap: Interval) -> bool:
    """True when a richer setting's gain over the simpler one is within the noise (its interval reaches 0)."""
    return gap.low <= 0.0


def style_folds(styles: Sequence[str]) -> dict[str, tuple[list[int], list[int]]]:
    """Two folds by house style: train on international, test on regional; and the reverse."""
    international = [i for i, style in enumerate(styles) if style == INTERNATIONAL]
    regional = [i for i, style in enumerate(styles) if style and style != INTERNATIONAL]
    if not international or not regional:
        raise ValueError("style folds need both international and regional-style articles")
    return {
        "international_to_regional": (international, regional),
        "regional_to_international": (regional, international),
    }


def style_cross_validation(
    make_model: Callable[[], Any],
    batch: Any,
    topics: Sequence[Sequence[str]],
    styles: Sequence[str],
    rounds: int = 1000,
) -> Mapping[str, Interval]:
    """Macro-F1 with intervals for each style fold, from one encoded batch (the encoder runs once).

    `make_model()` gives a fresh unfitted NewsModel; `batch` is its `encode` of every article.
    """
    results = {}
    for name, (train, test) in style_folds(styles).items():
        model = make_model().fit(batch.subset(train), [topics[i] for i in train])
        predicted = [p.topic or "" for p in model.predict(batch.subset(test))]
        results[name] = bootstrap_interval([topics[i][0] for i in test], predicted, rounds=rounds)
    return results
