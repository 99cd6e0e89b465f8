"""Run configuration: one flat mapping whose keys are scikit-learn `get_params` names.

`clf__C` in a YAML file is `clf__C` in the pipeline, in a sweep grid and in the MLflow params, so one
vocabulary serves all four. Unknown keys and ill-typed values are errors that say what was expected.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from nlpkit.embedding.encoder import SentenceEncoder
from nlpkit.errors import ConfigError
from nlpkit.heads.summarizers import CentralitySummarizer
from nlpkit.heads.topics import CLASSIFIERS, make_topic_pipeline

__all__ = ["DEFAULTS", "ConfigError", "load_config", "parse_overrides", "validate_config", "split_params"]


#: Every top-level setting with its default; estimator parameters (`clf__*`, `pool__*`, `summary__*`,
#: `embed__*`) are checked against the estimators themselves.
DEFAULTS: dict[str, Any] = {
    "data": "seeds/articles.jsonl",
    "splits": "seeds/splits.json",
    "experiment": "nlpkit",
    "run_name": None,
    "description": "",
    "models_dir": "models",
    "cache_dir": ".cache/nlpkit/embeddings",
    "random_state": 0,
    "clf": "logreg",
    "thresholds": "auto",
    "register": None,
    "embed__model": "default",
    "embed__batch_size": 64,
    "labels": None,  # null: the five topics; a list: your own label set (nlpkit.train --data sets it)
}
_PREFIXES = ("clf__", "pool__", "summary__", "embed__")


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> dict[str, Any]:
    """Defaults, then the YAML file, then `key=value` overrides; validated before anything runs."""
    config = copy.deepcopy(DEFAULTS)
    if path is not None:
        config.update(_read_yaml(Path(path)))
    config.update(parse_overrides(overrides or []))
    validate_config(config)
    return config


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"config file {path} not found")
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML ({error.__class__.__name__})") from error
    if not isinstance(loaded, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(loaded).__name__}")
    return loaded


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """`["clf__C=2", "clf=knn"]` -> `{"clf__C": 2, "clf": "knn"}`; values are read as YAML scalars."""
    parsed: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set expects key=value, got {pair!r}")
        parsed[key.strip()] = yaml.safe_load(raw) if raw.strip() else None
    return parsed


def split_params(config: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The settings under one estimator prefix, with the prefix removed (`summary__n_sentences` -> `n_sentences`)."""
    return {key[len(prefix) :]: value for key, value in config.items() if key.startswith(prefix)}


def validate_config(config: dict[str, Any]) -> None:
    """Raise ConfigError naming the first key that is unknown or holds a value of the wrong type."""
    for key, value in config.items():
        if key in DEFAULTS:
            _check_type(key, value, DEFAULTS[key])
        elif not key.startswith(_PREFIXES):
            raise ConfigError(f"unknown config key {key!r}; expected one of {sorted(DEFAULTS)} or a {'/'.join(_PREFIXES)} parameter")
    labels = config.get("labels")
    if labels is not None and not (isinstance(labels, list) and labels and all(isinstance(x, str) for x in labels)):
        raise ConfigError(f"labels must be null or a non-empty list of label names, got {labels!r}")
    if config["clf"] not in CLASSIFIERS:
        raise ConfigError(f"clf must be one of {sorted(CLASSIFIERS)}, got {config['clf']!r}")
    thresholds = config["thresholds"]
    if not (thresholds == "auto" or (isinstance(thresholds, (int, float)) and 0 <= thresholds <= 1)):
        raise ConfigError(f"thresholds must be 'auto' or a number in [0, 1], got {thresholds!r}")
    try:
        pipeline_params = {k: v for k, v in config.items() if k.startswith(("clf__", "pool__"))}
        make_topic_pipeline(config["clf"], pipeline_params, config["random_state"])
    except (ValueError, TypeError) as error:
        raise ConfigError(str(error)) from error
    _check_estimator_params(config, "summary__", CentralitySummarizer())
    _check_estimator_params(config, "embed__", SentenceEncoder())


def _check_type(key: str, value: Any, default: Any) -> None:
    if default is None or value is None:
        return
    expected = (int, float) if isinstance(default, (int, float)) and not isinstance(default, bool) else type(default)
    if key == "thresholds":
        return
    if not isinstance(value, expected) or isinstance(value, bool) != isinstance(default, bool):
        raise ConfigError(f"{key} must be a {type(default).__name__}, got {value!r}")


def _check_estimator_params(config: dict[str, Any], prefix: str, estimator: Any) -> None:
    valid = estimator.get_params()
    for name, value in split_params(config, prefix).items():
        if name not in valid:
            raise ConfigError(f"unknown parameter {prefix}{name}; expected one of {sorted(prefix + k for k in valid)}")
        default = valid[name]
        numeric = isinstance(default, (int, float)) and isinstance(value, (int, float)) and not isinstance(value, bool)
        if default is not None and value is not None and not isinstance(value, type(default)) and not numeric:
            raise ConfigError(f"{prefix}{name} must be a {type(default).__name__}, got {value!r}")
