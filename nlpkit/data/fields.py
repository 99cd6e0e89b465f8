"""The one field table for article rows in and prediction records out, and the one row -> record converter.

The MLflow pyfunc signature (`nlpkit.tracking.flavor`) and the Spark schemas (`nlpkit.engines.spark`) are
both derived from these tables, so the two can never disagree on a column's name, order or type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, Mapping

from nlpkit.data.inbox.language import note_language
from nlpkit.data.inbox.record import InputRecord, use_headline
from nlpkit.prediction import PREDICTION_FIELDS

__all__ = ["Field", "Kind", "INPUT_FIELDS", "OUTPUT_FIELDS", "MISSING_TEXT", "cell_text", "row_record", "spark_schema"]

#: What a column holds: a string, a list of strings, topic -> score, or topic -> sentences.
Kind = Literal["string", "strings", "scores", "evidence"]

#: The error of a row without usable text, whoever reads it (pyfunc or Spark).
MISSING_TEXT = "no text: expected a non-empty 'text' or 'title' string"


@dataclass(frozen=True)
class Field:
    """One column: its name, what it holds, whether a row must have it, and whether a pyfunc caller gives it."""

    name: str
    kind: Kind = "string"
    required: bool = False
    pyfunc_input: bool = False


#: An article row: what `engines.spark.read_folder` returns; a pyfunc caller gives `id`, `title` and `text`.
INPUT_FIELDS: tuple[Field, ...] = (
    Field("path"),
    Field("id", pyfunc_input=True),
    Field("title", pyfunc_input=True),
    Field("text", required=True, pyfunc_input=True),
    Field("error"),
    Field("warnings", "strings"),
    Field("language"),
)

_OUTPUT_KINDS: dict[str, Kind] = {
    "topics": "strings",
    "scores": "scores",
    "summary": "strings",
    "evidence": "evidence",
    "warnings": "strings",
}
_OUTPUT_OPTIONAL = {"topic", "error", "model"}
#: A prediction record (`Prediction`'s fields, in order): the JSONL line, the pyfunc frame, the Parquet row.
OUTPUT_FIELDS: tuple[Field, ...] = tuple(
    Field(name, _OUTPUT_KINDS.get(name, "string"), required=name not in _OUTPUT_OPTIONAL) for name in PREDICTION_FIELDS
)

_SPARK_TYPES: dict[Kind, str] = {
    "string": "string",
    "strings": "array<string>",
    "scores": "map<string,double>",
    "evidence": "map<string,array<string>>",
}


def spark_schema(table: tuple[Field, ...]) -> str:
    """A field table as a Spark DDL schema: same names, same order."""
    return ", ".join(f"{field.name} {_SPARK_TYPES[field.kind]}" for field in table)


def cell_text(value: Any) -> str | None:
    """A DataFrame cell as text, or None when missing (pandas gives None, NaN, pd.NA or NaT), never "nan"."""
    if (
        value is None
        or type(value).__name__ in ("NAType", "NaTType")
        or (isinstance(value, float) and math.isnan(value))
    ):
        return None
    return value if isinstance(value, str) else str(value)


def row_record(row: Mapping[str, Any], index: int) -> InputRecord:
    """One article row (pyfunc frame or Spark batch) as an input record; a row without text gets `MISSING_TEXT`.

    A missing id becomes the row number; missing title and text become "", a missing error stays None.
    A row with a title and no text is predicted from its title (`use_headline`). Its language is noted, unless
    the row has a `language` cell already (Spark's `read_folder` rows: the readers noted it; detecting it again
    cost a third of a Spark worker's time with the fast bundle).
    """
    text = cell_text(row.get("text"))
    record_id = cell_text(row.get("id"))
    warnings = row.get("warnings")
    record = InputRecord(
        path=cell_text(row.get("path")) or "",
        id=record_id if record_id is not None else str(index),
        title=cell_text(row.get("title")) or "",
        text=text or "",
        error=cell_text(row.get("error")),
        warnings=[str(w) for w in warnings] if warnings is not None else [],
    )
    use_headline(record)
    if record.error is None and not record.text.strip():
        record.error = MISSING_TEXT
    elif record.error is None:
        language = cell_text(row.get("language"))
        if language is None:
            note_language(record)
        else:
            record.language = language
    return record
