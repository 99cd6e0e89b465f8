"""One error family: anything that stops a run derives from `NlpkitError`.

Every command turns an `NlpkitError` into one line on stderr (`error: ...`) and exit code 2, so a typo in a
config, a missing file or a tampered bundle never ends in a traceback. Per-article problems are not errors
of this kind: they become the `error` field of that article's record and the batch goes on.
"""

from __future__ import annotations

__all__ = [
    "FinetuneError",
    "NlpkitError",
    "ConfigError",
    "CorpusError",
    "EncoderError",
    "DistillError",
    "BundleError",
    "DataError",
    "TrackingError",
    "NotFittedError",
]


class NlpkitError(Exception):
    """A run cannot proceed; the message says what was expected and names the file or setting."""


class ConfigError(NlpkitError, ValueError):
    """A config key, value or file that does not follow the declared settings."""


class CorpusError(NlpkitError, ValueError):
    """A labelled corpus or split file that does not follow the schema; names file and line."""


class EncoderError(NlpkitError, ValueError):
    """The encoder folder is missing, unreadable or not a sentence-transformers / model2vec model."""


class DistillError(NlpkitError):
    """Distillation cannot run: model2vec missing, or the source is not a transformer folder."""


class FinetuneError(NlpkitError, ValueError):
    """Fine-tuning cannot run: a bad setting, an output folder that must not be replaced, or a static source."""


class BundleError(NlpkitError, ValueError):
    """A model bundle that is missing, from another format version, tampered with or untrusted."""


class DataError(NlpkitError, ValueError):
    """An evaluation or input data file that cannot be used as a whole (not found, no usable line)."""


class TrackingError(NlpkitError):
    """The MLflow store or server cannot be used, or a model URI does not resolve."""


class NotFittedError(NlpkitError, RuntimeError):
    """A model or head used before `fit` (or `load`); the message says which call makes it usable."""
