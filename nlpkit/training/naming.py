"""Run names that say what a run is (`logreg-C4-minilm`), shared by single runs and sweep children."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

__all__ = ["run_name_for", "compact"]

_ENCODER_SHORT = {"default": "minilm"}
_KEY_PARAM = {
    "logreg": "C",
    "linear_svc": "estimator__C",
    "knn": "n_neighbors",
    "mlp": "hidden_layer_sizes",
    "random_forest": "n_estimators",
}


def compact(value: Any) -> str:
    """A setting's value as a name part: 4.0 -> 4, (64, 32) -> 64x32."""
    if isinstance(value, (list, tuple)):
        return "x".join(compact(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def encoder_short_name(model: str) -> str:
    """`minilm` for the bundled encoder, else the encoder folder's name."""
    return _ENCODER_SHORT.get(model, Path(model).name or model)


def run_name_for(config: Mapping[str, Any]) -> str:
    """The config's `run_name`, or classifier, its key setting and encoder, e.g. `logreg-C4-minilm`, after
    the config's `run_prefix` when it has one (`data-my-logreg-C1-minilm` for `nlpkit.train --data my.jsonl`)."""
    if config.get("run_name"):
        return str(config["run_name"])
    prefix = f"{config['run_prefix']}-" if config.get("run_prefix") else ""
    clf = str(config["clf"])
    key = _KEY_PARAM.get(clf, "")
    value = config.get(f"clf__{key}")
    part = f"-{key.split('__')[-1]}{compact(value)}" if value is not None else ""
    return f"{prefix}{clf}{part}-{encoder_short_name(str(config.get('embed__model', 'default')))}"
