"""`Prediction`: the one record nlpkit writes about an article, whoever asks (CLI, Python, pyfunc, Spark).

Its fields are the JSONL output line, in order; a failed input is a record too, with `error` set and the
prediction fields empty, so one bad file never removes a line from the output. `sha256` identifies the
input's content and `model` the model that wrote the record (a short fingerprint), so `--resume` can
tell finished work from stale work and refuse to mix two models in one file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = ["Prediction", "PREDICTION_FIELDS"]


@dataclass
class Prediction:
    """What nlpkit says about one article (or why it could not say anything)."""

    id: str = ""
    path: str = ""
    title: str = ""
    #: ISO 639-1 code of the article's language ("" when unknown); anything but "en" also has a warning.
    language: str = ""
    topic: str | None = None
    topics: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)
    #: For each predicted topic, the one or two sentences that support it most (see nlpkit.analysis.evidence).
    evidence: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    sha256: str = ""
    model: str = ""

    @property
    def ok(self) -> bool:
        """True when the article was predicted."""
        return self.error is None and self.topic is not None

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready record, fields in output order."""
        return asdict(self)


PREDICTION_FIELDS: list[str] = [f.name for f in fields(Prediction)]
