"""The MLflow pyfunc wrapper: a logged nlpkit model answers `mlflow.pyfunc.load_model(uri).predict(df)`.

The bundle folder travels as the model's artifact; the default encoder stays referenced by package, so a
sweep does not store the 90 MB of MiniLM weights once per run.
"""

from __future__ import annotations

import json
from typing import Any

import mlflow.pyfunc
import pandas as pd

__all__ = ["NewsPyfuncModel", "OUTPUT_COLUMNS", "predictions_frame"]

OUTPUT_COLUMNS = ["id", "topic", "topics", "scores", "summary"]


def predictions_frame(predictions: list[Any]) -> pd.DataFrame:
    """One row per article; `topics` and `summary` are lists, `scores` a JSON object string."""
    return pd.DataFrame(
        {
            "id": [p.id for p in predictions],
            "topic": [p.topic for p in predictions],
            "topics": [list(p.topics) for p in predictions],
            "scores": [json.dumps(p.scores, sort_keys=True) for p in predictions],
            "summary": [list(p.summary) for p in predictions],
        },
        columns=OUTPUT_COLUMNS,
    )


class NewsPyfuncModel(mlflow.pyfunc.PythonModel):
    """Takes a DataFrame with `text` (and optional `title`, `id`) columns; returns `predictions_frame`."""

    def load_context(self, context: Any) -> None:
        from nlpkit.model import NewsModel

        self.model = NewsModel.load(context.artifacts["bundle"])

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict | None = None) -> pd.DataFrame:
        if "text" not in model_input.columns:
            raise ValueError(f"expected a DataFrame with a 'text' column, got columns {list(model_input.columns)}")
        records = model_input.to_dict(orient="records")
        items = [{"text": str(r.get("text") or ""), "title": str(r.get("title") or ""), "id": r.get("id", i)} for i, r in enumerate(records)]
        n_sentences = (params or {}).get("summary_sentences")
        return predictions_frame(self.model.predict(items, n_sentences=n_sentences))
