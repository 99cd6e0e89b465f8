"""The label set: four news topics and `other`, the abstain label for everything else."""

from __future__ import annotations

__all__ = ["TOPICS", "OTHER", "LABELS"]

TOPICS: tuple[str, ...] = ("diplomacy", "energy", "finance", "legal")
OTHER = "other"
LABELS: tuple[str, ...] = (*TOPICS, OTHER)
