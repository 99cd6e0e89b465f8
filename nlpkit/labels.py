"""The label set: four news topics and `other`, the abstain label for everything else."""

from __future__ import annotations

import re
import reprlib

__all__ = ["TOPICS", "OTHER", "LABELS", "label_name_problem"]

TOPICS: tuple[str, ...] = ("diplomacy", "energy", "finance", "legal")
OTHER = "other"
LABELS: tuple[str, ...] = (*TOPICS, OTHER)

_LABEL_NAME = re.compile(r"\w(?:[\w -]{0,62}\w)?")
_SHOW = reprlib.Repr()
_SHOW.maxstring, _SHOW.maxother = 60, 60


def label_name_problem(name: object) -> str | None:
    """Why `name` cannot be a label (it ends up in metric names, file names and plot text), or None."""
    if not isinstance(name, str):
        return f"a label must be a string, got {type(name).__name__}"
    if not _LABEL_NAME.fullmatch(name):
        return (
            f"label {_SHOW.repr(name)} is not a plain name: use letters, digits, spaces, _ and - "
            "(at most 64 characters, starting and ending with a letter or digit)"
        )
    return None
