"""The MLflow pyfunc wrapper: a logged nlpkit model answers `mlflow.pyfunc.load_model(uri).predict(df)`.

The bundle folder travels as the model's artifact; the default encoder stays referenced by package, so a
sweep does not store the 90 MB of MiniLM weights once per run. Rows are the same `Prediction` records
that `nlpkit.predict` writes; a row without usable text gets an `error`, never a guess.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from mlflow.pyfunc import PythonModel

from nlpkit.data.readers import cell_text
from nlpkit.prediction import PREDICTION_FIELDS, Prediction

__all__ = ["NewsPyfuncModel", "predictions_frame", "rows_to_items", "model_signature"]


def predictions_frame(predictions: list[Prediction]) -> pd.DataFrame:
    """One row per article with the columns of the JSONL record; `scores` is a map of floats.

    Object columns, so a missing `topic` or `error` stays None (pandas 3 would make a string column with NaN).
    """
    return pd.DataFrame([p.to_dict() for p in predictions], columns=PREDICTION_FIELDS, dtype=object)


def rows_to_items(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Input rows as {"id", "title", "text"}; a missing id becomes the row number."""
    items = []
    for number, row in enumerate(frame.to_dict(orient="records")):
        row_id = cell_text(row.get("id"))
        items.append({"id": row_id if row_id is not None else str(number), "title": cell_text(row.get("title")) or "",
                      "text": cell_text(row.get("text"))})
    return items


def model_signature() -> Any:
    """Inputs `text` (and optional `title`, `id`), the record's columns out, `summary_sentences` as a param."""
    from mlflow.models import ModelSignature
    from mlflow.types.schema import Array, ColSpec, Map, ParamSchema, ParamSpec, Schema

    inputs = Schema([ColSpec("string", "id", required=False), ColSpec("string", "title", required=False),
                     ColSpec("string", "text")])
    strings = Array("string")
    outputs = Schema([ColSpec("string", "id"), ColSpec("string", "path"), ColSpec("string", "title"),
                      ColSpec("string", "topic", required=False), ColSpec(strings, "topics"),
                      ColSpec(Map("double"), "scores"), ColSpec(strings, "summary"),
                      ColSpec(Map(strings), "evidence"),
                      ColSpec("string", "error", required=False), ColSpec(strings, "warnings"), ColSpec("string", "sha256"),
                      ColSpec("string", "model", required=False)])
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
            record = predicted.get(index) or Prediction(error="no text: expected a non-empty 'text' string")
            record.id, record.title, record.model = item["id"], item["title"], getattr(self, "fingerprint", "")
            records.append(record)
        return predictions_frame(records)
