"""The MLflow pyfunc wrapper: a logged nlpkit model answers `mlflow.pyfunc.load_model(uri).predict(df)`.

The bundle folder travels as the model's artifact; the default encoder stays referenced by package, so a
sweep does not store the 90 MB of MiniLM weights once per run. Rows are the same `Prediction` records
that `nlpkit.predict` writes; a row without usable text gets an `error`, never a guess.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from mlflow.pyfunc import PythonModel

from nlpkit.data.fields import INPUT_FIELDS, MISSING_TEXT, OUTPUT_FIELDS, Field, row_record
from nlpkit.prediction import PREDICTION_FIELDS, Prediction

__all__ = ["NewsPyfuncModel", "predictions_frame", "rows_to_items", "model_signature"]


def predictions_frame(predictions: list[Prediction]) -> pd.DataFrame:
    """One row per article with the columns of the JSONL record; `scores` is a map of floats.

    Object columns, so a missing `topic` or `error` stays None (pandas 3 would make a string column with NaN).
    """
    return pd.DataFrame([p.to_dict() for p in predictions], columns=PREDICTION_FIELDS, dtype=object)


def rows_to_items(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Input rows as {"id", "title", "text"}; a missing id becomes the row number, missing text None."""
    columns = [field.name for field in INPUT_FIELDS if field.pyfunc_input]
    items = []
    for number, row in enumerate(frame.to_dict(orient="records")):
        record = row_record({name: row.get(name) for name in columns}, number)
        items.append({"id": record.id, "title": record.title, "text": record.text or None})
    return items


def _column(field: Field) -> Any:
    from mlflow.types.schema import Array, ColSpec, Map

    types: dict[str, Any] = {"string": "string", "strings": Array("string"), "scores": Map("double"), "evidence": Map(Array("string"))}
    return ColSpec(types[field.kind], field.name, required=field.required)


def model_signature() -> Any:
    """Inputs `text` (and optional `title`, `id`), the record's columns out, `summary_sentences` as a param."""
    from mlflow.models import ModelSignature
    from mlflow.types.schema import ParamSchema, ParamSpec, Schema

    inputs = Schema([_column(field) for field in INPUT_FIELDS if field.pyfunc_input])
    outputs = Schema([_column(field) for field in OUTPUT_FIELDS])
    params = ParamSchema([ParamSpec("summary_sentences", "integer", 3)])
    return ModelSignature(inputs=inputs, outputs=outputs, params=params)


class NewsPyfuncModel(PythonModel):  # type: ignore[misc]
    """Takes a DataFrame with `text` (and optional `title`, `id`) columns; returns `predictions_frame`."""

    def load_context(self, context: Any) -> None:
        from nlpkit.batch import model_fingerprint
        from nlpkit.model import NewsModel

        self.model = NewsModel.load(context.artifacts["bundle"])
        self.fingerprint = model_fingerprint(self.model)

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
        if "text" not in model_input.columns:
            raise ValueError(f"expected a DataFrame with a 'text' column, got columns {list(model_input.columns)}")
        items = rows_to_items(model_input)
        good = [i for i, item in enumerate(items) if item["text"] and item["text"].strip()]
        n_sentences = (params or {}).get("summary_sentences")
        predicted = dict(zip(good, self.model.predict([items[i] for i in good], n_sentences=n_sentences)))
        records = []
        for index, item in enumerate(items):
            record = predicted.get(index) or Prediction(error=MISSING_TEXT)
            record.id, record.title, record.model = item["id"], item["title"], getattr(self, "fingerprint", "")
            records.append(record)
        return predictions_frame(records)
