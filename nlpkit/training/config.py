"""Run configuration: one flat mapping whose keys are scikit-learn `get_params` names.

`clf__C` in a YAML file is `clf__C` in the pipeline, in a sweep grid and in the MLflow params, so one
vocabulary serves all four. Every value has a declared constraint (type, range, choices, an existing
path), in the style of scikit-learn's `_parameter_constraints`; the classifier's own parameters are
checked by scikit-learn's validation of that classifier. All of it runs before any data, encoder or
MLflow run is touched, so a typo never leaves a FAILED run or a traceback behind.
"""

from __future__ import annotations

import copy
import difflib
import math
import re
import reprlib
from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from nlpkit.errors import ConfigError, EncoderError
from nlpkit.labels import label_name_problem

__all__ = [
    "DEFAULTS",
    "CONSTRAINTS",
    "ConfigError",
    "Constraint",
    "load_config",
    "parse_overrides",
    "read_yaml",
    "read_config_file",
    "validate_config",
    "split_params",
    "label_name_problem",
]


#: Every top-level setting with its default; estimator parameters (`clf__*`, `pool__*`, `summary__*`,
#: `embed__*`) are checked against the estimators themselves.
DEFAULTS: dict[str, Any] = {
    "data": "seeds/articles.jsonl",
    "splits": "seeds/splits.json",
    "experiment": "nlpkit",
    "run_name": None,
    "run_prefix": None,  # a first name part for runs and bundles (nlpkit.train --data sets data-<file stem>)
    "description": "",
    "models_dir": "models",
    "latest": True,  # point <models_dir>/latest at the new bundle (nlpkit.train --no-latest sets false)
    "cache_dir": ".cache/nlpkit/embeddings",
    "random_state": 0,
    "clf": "logreg",
    "thresholds": "auto",
    "register": None,
    "embed__model": "default",
    "embed__batch_size": 64,
    "embed__precision": "auto",  # bf16 where the CPU computes it natively, else fp32
    "embed__backend": "torch",  # or openvino (pip install 'nlpkit[openvino]')
    "labels": None,  # null: the five topics; a list: your own label set (nlpkit.train --data sets it)
}
_PREFIXES = ("clf__", "pool__", "summary__", "embed__")

#: YAML limits: a config or sweep file is a few hundred bytes of flat settings, never a document tree.
MAX_YAML_BYTES = 256_000
MAX_YAML_ALIASES = 32
MAX_YAML_DEPTH = 8
#: Longest integer a setting may hold (a 5,000-digit clf__C overflows scikit-learn's float conversion).
MAX_INT = 2**63
#: Longest string a path-like setting may hold; names that become MLflow or file names are shorter.
MAX_TEXT = 4096
#: Run names become folder names under models_dir: no separators, no leading dot, no control characters.
_SAFE_NAME = re.compile(r"[^\x00-\x1f\x7f/\\.][^\x00-\x1f\x7f/\\]*")
#: Label names become metric names, file names and plot text: letters, digits, spaces, `_` and `-`.
_SHOW = reprlib.Repr()
_SHOW.maxstring, _SHOW.maxother, _SHOW.maxlist, _SHOW.maxdict = 60, 60, 6, 6


@dataclass(frozen=True)
class Constraint:
    """What one setting accepts: `kind` is int, real, str, bool, path or names (a non-empty list of distinct
    strings); optional range, choices, None."""

    kind: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple[Any, ...] = ()
    none: bool = False
    also: tuple[Any, ...] = ()  # extra literal values accepted besides the kind (e.g. thresholds: "auto")
    exists: str = ""  # "file" or "dir": a path that must exist; "encoder": "default" or a model folder
    max_len: int = MAX_TEXT  # longest str/path value
    file_name: bool = False  # a str/path used as one folder name: no separators, no leading dot

    def describe(self) -> str:
        if self.choices:
            text = "one of " + ", ".join(repr(c) for c in self.choices)
        else:
            text = {
                "int": "an integer",
                "real": "a number",
                "str": "a string",
                "bool": "true or false",
                "path": f"an existing {self.exists}" if self.exists else "a non-empty string",
                "names": "a non-empty list of distinct label names (letters, digits, spaces, _ and -)",
            }[self.kind]
            if self.low is not None or self.high is not None:
                left = "(" if self.low_open else "["
                low = "-inf" if self.low is None else _num(self.low)
                high = "inf" if self.high is None else _num(self.high)
                text += f" in {left}{low}, {high}" + ("]" if self.high is not None else ")")
        extras = [repr(v) for v in self.also] + (["null"] if self.none else [])
        return text + "".join(f" or {e}" for e in extras)

    def check(self, key: str, value: Any) -> None:
        """Raise ConfigError naming `key` when `value` does not fit."""
        if value is None and self.none:
            return
        if any(value == extra and type(value) is type(extra) for extra in self.also):
            return
        if not self._fits(value):
            raise ConfigError(f"{key} must be {self.describe()}, got {_SHOW.repr(value)}")
        if isinstance(value, str) and len(value) > self.max_len:
            raise ConfigError(f"{key} must be at most {self.max_len} characters, got {len(value)}")
        if self.file_name and isinstance(value, str) and not _SAFE_NAME.fullmatch(value):
            raise ConfigError(
                f"{key} names a folder under models_dir: no / or \\, no leading dot and no control "
                f"characters, got {_SHOW.repr(value)}"
            )
        if self.exists:
            _check_path(key, str(value), self.exists)

    def _fits(self, value: Any) -> bool:
        if self.choices:
            return any(value == c and type(value) is type(c) for c in self.choices)
        if self.kind == "bool":
            return isinstance(value, bool)
        if self.kind == "names":
            return (
                isinstance(value, list)
                and bool(value)
                and len(set(map(str, value))) == len(value)
                and all(label_name_problem(item) is None for item in value)
            )
        if self.kind in ("str", "path"):
            return isinstance(value, str) and (bool(value.strip()) or self.kind == "str")
        if isinstance(value, bool) or not isinstance(value, Integral if self.kind == "int" else Real):
            return False
        number = float(value)
        if not math.isfinite(number):
            return False
        if self.low is not None and (number < self.low or (self.low_open and number == self.low)):
            return False
        return self.high is None or number <= self.high


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _check_path(key: str, value: str, kind: str) -> None:
    path = Path(value).expanduser()
    if kind == "file" and not path.is_file():
        raise ConfigError(f"{key}: file {value} not found" + (" (it is a folder)" if path.is_dir() else ""))
    if kind == "encoder":
        from nlpkit.embedding.encoder import DEFAULT_ENCODER, encoder_kind, resolve_encoder_path

        try:  # resolves the folder and looks at its file names; nothing is loaded
            encoder_kind(resolve_encoder_path(value)) if value != DEFAULT_ENCODER else resolve_encoder_path(value)
        except EncoderError as error:
            hint = " (build it with python -m nlpkit.distill)" if "encoders" in Path(value).parts else ""
            raise ConfigError(f"embed__model: {error}{hint}") from None


def _positive(kind: str = "real") -> Constraint:
    return Constraint(kind, low=0, low_open=True)


def _non_negative(kind: str = "real") -> Constraint:
    return Constraint(kind, low=0)


def _unit(**kwargs: Any) -> Constraint:
    return Constraint("real", low=0, high=1, **kwargs)


def _classifier_names() -> tuple[str, ...]:
    from nlpkit.heads.topics import CLASSIFIERS

    return tuple(sorted(CLASSIFIERS))


def _summary_methods() -> tuple[str, ...]:
    from nlpkit.heads.summarizers import SUMMARIZERS

    return tuple(sorted(SUMMARIZERS))


def _pooling_methods() -> tuple[str, ...]:
    from nlpkit.heads.pooling import POOLING_METHODS

    return tuple(POOLING_METHODS)


#: The declared constraint of every setting nlpkit itself owns. `clf__*` parameters belong to the
#: scikit-learn classifier and are checked by its own `_parameter_constraints`.
CONSTRAINTS: dict[str, Constraint | Callable[[], Constraint]] = {
    "data": Constraint("path", exists="file"),
    "splits": Constraint("path", exists="file"),
    "experiment": Constraint("path", max_len=200),  # a non-empty string, an MLflow experiment name
    "run_name": Constraint("path", none=True, max_len=100, file_name=True),  # also the bundle's folder name
    "run_prefix": Constraint("path", none=True, max_len=60, file_name=True),
    "description": Constraint("str", none=True, max_len=5000),
    "models_dir": Constraint("path"),
    "latest": Constraint("bool"),
    "cache_dir": Constraint("path", none=True),
    "random_state": Constraint("int", low=0, high=2**32 - 1),
    "clf": lambda: Constraint("str", choices=_classifier_names()),
    "thresholds": Constraint("real", low=0, high=1, also=("auto",)),
    "register": Constraint("path", none=True, max_len=200),
    "labels": Constraint("names", none=True),
    "embed__model": Constraint("path", exists="encoder"),
    "embed__batch_size": Constraint("int", low=1, high=100_000),
    "embed__device": Constraint("path"),
    "embed__show_progress": Constraint("bool"),
    "embed__precision": Constraint("str", choices=("auto", "fp32", "bf16")),
    "embed__backend": Constraint("str", choices=("torch", "openvino")),
    "pool__title_weight": _non_negative(),
    "pool__lead_weight": _non_negative(),
    "pool__method": lambda: Constraint("str", choices=_pooling_methods()),
    "pool__lexical_weight": _non_negative(),
    "summary__method": lambda: Constraint("str", choices=_summary_methods()),
    "summary__n_sentences": Constraint("int", low=1, high=1000),
    "summary__min_sentences": Constraint("int", low=1, high=1000),
    "summary__C": _positive(),
    "summary__blend": Constraint("real", low=0, high=1, none=True),
    "summary__scorer_redundancy": Constraint("real", low=0, high=1, none=True),
    "summary__ratio": Constraint("real", low=0, high=1, low_open=True, none=True),
    "summary__max_words": Constraint("int", low=1, none=True),
    "summary__centrality_weight": _non_negative(),
    "summary__position_weight": _non_negative(),
    "summary__position_decay": _positive(),
    "summary__title_weight": _non_negative(),
    "summary__length_weight": _non_negative(),
    "summary__lexical_weight": _non_negative(),
    "summary__coverage_start": _unit(),
    "summary__coverage_full": _unit(),
    "summary__redundancy": _unit(),
}


def constraint_for(key: str) -> Constraint | None:
    """The declared constraint of a setting, or None for a `clf__` parameter (scikit-learn checks those)."""
    found = CONSTRAINTS.get(key)
    return found() if callable(found) else found


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> dict[str, Any]:
    """Defaults, then the YAML file, then `key=value` overrides; validated before anything runs.

    An override `clf=X` that changes the classifier drops the `clf__*` settings of the file and the
    defaults (they belong to the old classifier); `clf__*` overrides given alongside it are kept.
    """
    config = copy.deepcopy(DEFAULTS)
    if path is not None:
        config.update(read_config_file(Path(path)))
    changes = parse_overrides(overrides or [])
    if "clf" in changes and changes["clf"] != config.get("clf"):
        config = {key: value for key, value in config.items() if not key.startswith("clf__")}
    config.update(changes)
    validate_config(config)
    return config


def read_config_file(path: Path) -> dict[str, Any]:
    """A config file: a YAML mapping of setting names to scalar values (or short lists)."""
    loaded = read_yaml(path, "config file")
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(loaded).__name__}")
    for key, value in loaded.items():
        if not isinstance(key, str):
            raise ConfigError(f"{path}: setting names must be strings, got {_SHOW.repr(key)}")
        _check_flat(f"{path}: {key}", value)
    return loaded


def _check_flat(where: str, value: Any) -> None:
    """Settings are scalars or short lists of scalars (e.g. clf__hidden_layer_sizes), of sane size."""
    if isinstance(value, (list, tuple)):
        if len(value) > 64 or not all(v is None or isinstance(v, (str, int, float, bool)) for v in value):
            raise ConfigError(f"{where}: expected a value or a short list of values, got {_SHOW.repr(value)}")
        for item in value:
            _check_scalar(where, item)
    elif isinstance(value, dict):
        raise ConfigError(f"{where}: expected a value, got a mapping {_SHOW.repr(value)}")
    else:
        _check_scalar(where, value)


def _check_scalar(where: str, value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise ConfigError(f"{where}: integer of {len(str(abs(value)))} digits is too large (limit 2**63)")
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise ConfigError(f"{where}: {len(value)} characters is too long (limit {MAX_TEXT})")


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader that refuses alias bombs and deep nesting while composing, before anything expands."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D401 - yaml hook
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise ConfigError(f"more than {MAX_YAML_ALIASES} YAML aliases (*name)")
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise ConfigError(f"nested deeper than {MAX_YAML_DEPTH} levels")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def read_yaml(path: Path, what: str = "file") -> Any:
    """Load a small YAML file safely: size, alias count and nesting depth are limited."""
    if not path.is_file():
        raise ConfigError(f"{what} {path} not found")
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise ConfigError(f"{path}: {size} bytes is too large for a {what} (limit {MAX_YAML_BYTES})")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read as UTF-8 text ({error.__class__.__name__})") from error
    return parse_yaml(text, str(path))


def parse_yaml(text: str, where: str) -> Any:
    """`yaml.safe_load` with the limits of `read_yaml`; errors name `where` and stay one line."""
    loader: _LimitedLoader | None = None
    try:
        loader = _LimitedLoader(text)  # its reader already refuses control characters
        return loader.get_single_data()
    except ConfigError as error:
        raise ConfigError(f"{where}: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"{where}: not valid YAML{at} ({getattr(error, 'problem', None) or error.__class__.__name__})"
        ) from None
    except RecursionError:
        raise ConfigError(f"{where}: nested too deeply") from None
    except (ValueError, OverflowError) as error:  # e.g. int() of a 5,000-digit number
        raise ConfigError(f"{where}: a value cannot be read ({str(error)[:100]})") from None
    finally:
        if loader is not None:
            loader.dispose()


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """`["clf__C=2", "clf=knn"]` -> `{"clf__C": 2, "clf": "knn"}`; values are read as YAML scalars."""
    parsed: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set expects key=value, got {_SHOW.repr(pair)}")
        value = parse_yaml(raw, f"--set {key.strip()}") if raw.strip() else None
        _check_flat(f"--set {key.strip()}", value)
        parsed[key.strip()] = value
    return parsed


def split_params(config: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The settings under one estimator prefix, with the prefix removed (`summary__n_sentences` -> `n_sentences`)."""
    return {key[len(prefix) :]: value for key, value in config.items() if key.startswith(prefix)}


def validate_config(config: dict[str, Any]) -> None:
    """Raise ConfigError naming the first key that is unknown or holds a value it does not accept.

    Order: names (with "did you mean"), then each declared constraint, then the classifier's own
    parameter validation, then paths, so the cheapest and most likely mistakes are reported first.
    """
    known = _known_keys(config)
    for key in config:
        if key not in known:
            raise ConfigError(_unknown_message(key, known, config.get("clf")))
    for key, value in config.items():
        constraint = constraint_for(key)
        if constraint is not None and not constraint.exists:
            constraint.check(key, value)
        elif constraint is None and not key.startswith("clf__"):
            _check_like_default(key, value, known[key])
    _check_classifier(config)
    summary = {**known, **config}
    if summary.get("summary__coverage_full", 1) < summary.get("summary__coverage_start", 0):
        raise ConfigError(
            "summary__coverage_full must be at least summary__coverage_start, "
            f"got {summary['summary__coverage_full']} < {summary['summary__coverage_start']}"
        )
    for key, value in config.items():
        constraint = constraint_for(key)
        if constraint is not None and constraint.exists:
            constraint.check(key, value)


def _known_keys(config: dict[str, Any]) -> dict[str, Any]:
    """Every valid setting name with its default: ours, the pooler's, the summarizer's, the encoder's,
    and the chosen classifier's parameters (so `clf__C` is valid for logreg, not for knn)."""
    from nlpkit.embedding.encoder import SentenceEncoder
    from nlpkit.heads.summarizers import SUMMARIZERS
    from nlpkit.heads.topics import make_topic_pipeline

    known = dict(DEFAULTS)
    clf = config.get("clf", DEFAULTS["clf"])
    pipeline = make_topic_pipeline(clf if clf in _classifier_names() else str(DEFAULTS["clf"]))
    known.update(
        {key: value for key, value in pipeline.get_params(deep=True).items() if key.startswith(("clf__", "pool__"))}
    )
    method = config.get("summary__method", "centrality")
    summarizer = SUMMARIZERS.get(method if isinstance(method, str) else "", SUMMARIZERS["centrality"])
    known["summary__method"] = "centrality"
    known.update({f"summary__{k}": v for k, v in summarizer().get_params().items()})
    encoder = SentenceEncoder().get_params()
    known.update({f"embed__{k}": v for k, v in encoder.items() if k != "cache_dir"})  # cache_dir is top level
    return known


def _unknown_message(key: str, known: Iterable[str], clf: Any = None) -> str:
    names = sorted(known)
    close = difflib.get_close_matches(key, names, n=3, cutoff=0.75)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    prefix = next((p for p in _PREFIXES if key.startswith(p)), None)
    if prefix is not None:
        scope = [n for n in names if n.startswith(prefix)]
        owner = f" for clf={clf!r}" if prefix == "clf__" else ""
        return f"unknown parameter {key}{owner}{hint} (expected one of {', '.join(scope)})"
    top = [n for n in names if not n.startswith(_PREFIXES)]
    return f"unknown config key {key!r}{hint} (expected one of {', '.join(top)} or a {'/'.join(_PREFIXES)} parameter)"


def _check_like_default(key: str, value: Any, default: Any) -> None:
    """A setting without a declared constraint (a new estimator parameter): same type as its default."""
    if default is None or value is None:
        return
    numeric = isinstance(default, Real) and isinstance(value, Real) and not isinstance(value, bool)
    if (not numeric and not isinstance(value, type(default))) or isinstance(value, bool) != isinstance(default, bool):
        raise ConfigError(f"{key} must be a {type(default).__name__}, got {_SHOW.repr(value)}")


def _check_classifier(config: dict[str, Any]) -> None:
    """Build the topic pipeline and run scikit-learn's own parameter validation on the classifier."""
    from sklearn.base import BaseEstimator

    from nlpkit.heads.topics import make_topic_pipeline

    params = {key: value for key, value in config.items() if key.startswith(("clf__", "pool__"))}
    try:
        pipeline = make_topic_pipeline(config["clf"], params, config["random_state"])
    except (ValueError, TypeError) as error:
        raise ConfigError(str(error).splitlines()[0]) from None
    stack: list[tuple[str, Any]] = [("clf", pipeline.named_steps["clf"])]
    while stack:
        prefix, estimator = stack.pop()
        validate = getattr(estimator, "_validate_params", None)
        if validate is not None:
            try:
                validate()
            except (ValueError, TypeError) as error:
                raise ConfigError(_sklearn_message(prefix, estimator, error)) from None
        for name, value in estimator.get_params(deep=False).items():
            if isinstance(value, BaseEstimator):
                stack.append((f"{prefix}__{name}", value))


def _sklearn_message(prefix: str, estimator: Any, error: Exception) -> str:
    """`The 'C' parameter of LogisticRegression must be ... Got -1 instead.` -> `clf__C must be ..., got -1`."""
    import re

    text = str(error).splitlines()[0]
    found = re.match(r"The '(\w+)' parameter of (\w+) must be (.*)\. Got (.*) instead\.$", text)
    if not found:
        return f"{prefix}: {text}"
    name, owner, expected, got = found.groups()
    return f"{prefix}__{name} must be {expected} ({owner}), got {got[:60]}"
