"""Which of several trained models deserves to be chosen: a primary metric, a margin, and a tie-break.

A validation split of a hundred articles moves macro-F1 by about 0.01 per article, so a bare maximum
crowns whichever model got one article luckier. Here a model must beat the others by more than
`margin`; models within the margin of the best are tied, and the tie goes to the better `tie_break`
metric (log-loss by default: the model whose probabilities are honest), then to the earlier model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence, TypeVar

__all__ = ["SelectionRule", "DEFAULT_MARGIN"]

T = TypeVar("T")

#: Half an article on a ~100-article validation split.
DEFAULT_MARGIN = 0.005


@dataclass(frozen=True)
class SelectionRule:
    """`metric` is maximised (`mode="max"`) or minimised; `tie_break` is always minimised."""

    metric: str = "val_macro_f1"
    mode: str = "max"
    margin: float = DEFAULT_MARGIN
    tie_break: str = "val_log_loss"

    def _score(self, metrics: Mapping[str, float]) -> float:
        """The primary metric turned so that higher is better; -inf when missing or not finite."""
        value = metrics.get(self.metric, math.nan)
        if value is None or not math.isfinite(value):
            return -math.inf
        return float(value) if self.mode == "max" else -float(value)

    def _tie(self, metrics: Mapping[str, float]) -> float:
        value = metrics.get(self.tie_break, math.nan)
        return float(value) if value is not None and math.isfinite(value) else math.inf

    def best(self, candidates: Sequence[T], metrics_of: Callable[[T], Mapping[str, float]]) -> T:
        """The chosen candidate: among those within `margin` of the top score, the lowest tie-break."""
        if not candidates:
            raise ValueError("no candidates to choose from")
        scores = [self._score(metrics_of(c)) for c in candidates]
        top = max(scores)
        tied = [i for i, score in enumerate(scores) if score >= top - self.margin - 1e-12 and math.isfinite(score)]
        if not tied:
            return candidates[0]
        return candidates[min(tied, key=lambda i: (self._tie(metrics_of(candidates[i])), -scores[i], i))]

    def beats(self, challenger: Mapping[str, float], champion: Mapping[str, float]) -> tuple[bool, str]:
        """Whether `challenger` should replace `champion` (both scored on the same data), and why."""
        ours, theirs = self._score(challenger), self._score(champion)
        shown = (
            f"{self.metric} {challenger.get(self.metric, math.nan):.4f} vs {champion.get(self.metric, math.nan):.4f}"
        )
        if ours > theirs + self.margin:
            return True, f"better {shown} (margin {self.margin})"
        if ours < theirs - self.margin or not math.isfinite(ours):
            return False, f"worse {shown}"
        tie_ours, tie_theirs = self._tie(challenger), self._tie(champion)
        tied = f"{shown} within margin {self.margin}; {self.tie_break} {tie_ours:.4f} vs {tie_theirs:.4f}"
        return (tie_ours < tie_theirs, f"{'better' if tie_ours < tie_theirs else 'not better'}: {tied}")
