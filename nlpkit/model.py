"""`NewsModel`: encoder body + topic head + summarizer, trained, saved and loaded as one bundle.

Two public stages, as in SetFit and spaCy: `encode` runs the one encoder pass and returns an
`EmbeddedBatch`; `fit`, `predict_proba` and `predict` take raw articles or that batch. The pooled
document vector goes to the classifier, the sentence vectors to the summarizer and the evidence, so a
caller that fits, scores and predicts the same articles (the trainer, the evaluators) encodes them once.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence, Union

import numpy as np
from sklearn.pipeline import Pipeline

from nlpkit import __version__
from nlpkit.bundle import read_bundle, read_json_file, write_bundle
from nlpkit.embedding.encoder import SentenceEncoder
from nlpkit.errors import BundleError, ConfigError, NotFittedError
from nlpkit.heads.evidence import focused_summary, pick_evidence, sentence_support
from nlpkit.heads.summarizers import (
    CentralitySummarizer,
    LearnedSummarizer,
    make_summarizer,
    summarizer_from_dict,
    summarizer_to_dict,
)
from nlpkit.heads.topics import TopicDecider, make_topic_pipeline
from nlpkit.prediction import Prediction
from nlpkit.text.document import Article, EmbeddedArticle, parse_article

__all__ = ["NewsModel", "EmbeddedBatch", "ArticleInput", "TopicsInput", "ArticlesInput", "as_article"]

log = logging.getLogger(__name__)

#: The learned summary scorer's coefficients, plain JSON beside the classifier.
SCORER_FILE = "summarizer.json"

_NOT_FITTED = "NewsModel is not fitted: call fit() or NewsModel.load() first"

#: An article as callers have it: raw text, a {"title", "text", "id"} mapping, or a parsed Article.
ArticleInput = Union[str, Mapping[str, Any], Article]
#: Gold labels per article: the primary topic, or a list of topics with the primary first.
TopicsInput = Union[str, Sequence[str]]


def as_article(item: ArticleInput, index: int = 0) -> Article:
    """Parse raw text or a mapping; an Article passes through. Errors say what was expected."""
    if isinstance(item, Article):
        return item
    if isinstance(item, str):
        return parse_article(item, id=str(index))
    if isinstance(item, Mapping):
        text = item.get("text")
        if not isinstance(text, str):
            raise ValueError(f"article {index}: expected a 'text' string, got {type(text).__name__}")
        title = item.get("title")
        return parse_article(text, title if isinstance(title, str) else "", id=str(item.get("id", index)))
    raise TypeError(f"article {index}: expected str, mapping or Article, got {type(item).__name__}")


@dataclass(frozen=True)
class EmbeddedBatch:
    """Parsed articles and their vectors from one encoder pass (`NewsModel.encode`), index for index."""

    articles: list[Article]
    vectors: list[EmbeddedArticle]

    def __post_init__(self) -> None:
        if len(self.articles) != len(self.vectors):
            raise ValueError(
                f"EmbeddedBatch: {len(self.articles)} articles but {len(self.vectors)} vectors; expected one each"
            )

    def __len__(self) -> int:
        return len(self.articles)

    def subset(self, indices: Sequence[int]) -> EmbeddedBatch:
        """The articles at `indices` (in that order) with their vectors, without encoding again."""
        return EmbeddedBatch([self.articles[i] for i in indices], [self.vectors[i] for i in indices])

    def __add__(self, other: EmbeddedBatch) -> EmbeddedBatch:
        """Both batches, this one first (e.g. the train split plus pseudo-labelled articles)."""
        return EmbeddedBatch(self.articles + other.articles, self.vectors + other.vectors)


#: Articles for `fit`, `predict` and `predict_proba`: raw or parsed ones, or a batch `encode` already embedded.
ArticlesInput = Union[Sequence[ArticleInput], EmbeddedBatch]


def _bundle_encoder(
    recorded: Mapping[str, Any],
    path: Path,
    batch_size: int,
    cache_dir: str | None,
    precision: str | None,
    backend: str | None,
) -> SentenceEncoder:
    """The fitted encoder of a bundle: the caller's precision/backend, else the recorded ones (else auto/torch).

    A recorded openvino backend without the openvino package falls back to torch with a warning (same
    topics); a caller who asks for openvino gets the EncoderError that says how to install it.
    """
    chosen_backend = backend or str(recorded.get("backend", "torch"))
    if backend is None and chosen_backend == "openvino" and importlib.util.find_spec("openvino") is None:
        log.warning(
            "bundle was trained with embed__backend=openvino, which is not installed here; using torch "
            "(pip install 'nlpkit[openvino]' for the faster runtime)"
        )
        chosen_backend = "torch"
    chosen_precision = precision or str(recorded.get("precision", "auto"))
    return SentenceEncoder(
        model=str(path), batch_size=batch_size, cache_dir=cache_dir, precision=chosen_precision, backend=chosen_backend
    ).fit()


def _topic_lists(topics: Sequence[TopicsInput]) -> list[list[str]]:
    return [[t] if isinstance(t, str) else [str(x) for x in t] for t in topics]


class NewsModel:
    """The trained model. Build with `from_config`, then `fit`; or `NewsModel.load(folder)`."""

    def __init__(
        self,
        encoder: SentenceEncoder,
        pipeline: Pipeline,
        summarizer: CentralitySummarizer,
        decider: TopicDecider | None = None,
        config: dict[str, Any] | None = None,
    ) -> None:
        self.encoder = encoder
        self.pipeline = pipeline
        self.summarizer = summarizer
        self.decider = decider
        self.config = dict(config or {})
        self.metrics: dict[str, float] = {}
        self.provenance: dict[str, str] = {}
        #: sha256 of every bundle file when loaded from a bundle: what the model is, byte for byte.
        self.bundle_files: dict[str, str] = {}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> NewsModel:
        """An unfitted model whose parts take their parameters from a validated config."""
        embed = {key[len("embed__") :]: value for key, value in config.items() if key.startswith("embed__")}
        encoder = SentenceEncoder(**embed, cache_dir=config.get("cache_dir"))
        pipeline_params = {k: v for k, v in config.items() if k.startswith(("clf__", "pool__"))}
        pipeline = make_topic_pipeline(config.get("clf", "logreg"), pipeline_params, config.get("random_state", 0))
        summary = {key[len("summary__") :]: value for key, value in config.items() if key.startswith("summary__")}
        return cls(encoder, pipeline, make_summarizer(summary), config=dict(config))

    @property
    def labels(self) -> list[str]:
        """The classes the topic head knows, in score order."""
        if not hasattr(self.pipeline, "classes_"):
            raise NotFittedError(_NOT_FITTED)
        return [str(label) for label in self.pipeline.classes_]

    @property
    def training_metrics(self) -> dict[str, float]:
        """What fitting itself measured: the learned summary scorer's AUC, blend, ... (empty otherwise)."""
        if isinstance(self.summarizer, LearnedSummarizer) and hasattr(self.summarizer, "metrics_"):
            return dict(self.summarizer.metrics_)
        return {}

    # --- what the model knows about itself (written into the bundle manifest) ---------------------

    def add_metrics(self, metrics: Mapping[str, float]) -> NewsModel:
        """Scores measured on this model (validation, test, calibration...), kept in its bundle."""
        self.metrics.update({str(key): float(value) for key, value in metrics.items()})
        return self

    def set_provenance(self, provenance: Mapping[str, str]) -> NewsModel:
        """Where this model comes from (run name, MLflow run id...), kept in its bundle."""
        self.provenance = dict(provenance)
        return self

    def set_encoding(self, batch_size: int | None = None, show_progress: bool | None = None) -> NewsModel:
        """How `encode` runs (sentences per encoder call, a progress bar); the vectors do not change."""
        if batch_size is not None:
            self.encoder.batch_size = int(batch_size)
        if show_progress is not None:
            self.encoder.show_progress = bool(show_progress)
        return self

    # --- stage 1: the one encoder pass ------------------------------------------------------------

    def encode(self, items: Sequence[ArticleInput]) -> EmbeddedBatch:
        """Parse and embed articles once; pass the batch to `fit`, `predict_proba` and `predict`."""
        articles = [as_article(item, i) for i, item in enumerate(items)]
        return EmbeddedBatch(articles, list(self.encoder.transform(articles)))

    def _encoded(self, items: ArticlesInput) -> EmbeddedBatch:
        return items if isinstance(items, EmbeddedBatch) else self.encode(items)

    # --- stage 2: the heads, on raw articles or an EmbeddedBatch ----------------------------------

    def fit(
        self,
        articles: ArticlesInput,
        topics: Sequence[TopicsInput],
        validation: tuple[ArticlesInput, Sequence[TopicsInput]] | None = None,
        summaries: Sequence[Sequence[str]] | None = None,
        validation_summaries: Sequence[Sequence[str]] | None = None,
    ) -> NewsModel:
        """Fit the topic head; with `validation`, learn the decision thresholds there (else from config).

        `summaries` (the sentences an editor kept, per article; empty for none) train a learned summary
        scorer (summary__method=learned); `validation_summaries` choose its blend.
        """
        if isinstance(self.summarizer, LearnedSummarizer) and summaries is None:
            raise ConfigError("summary__method=learned: pass summaries= (the editor-kept sentences per article)")
        batch = self._encoded(articles)
        held = self._encoded(validation[0]) if validation else EmbeddedBatch([], [])
        held_topics = _topic_lists(validation[1]) if validation else []
        self._fit_topics(batch, _topic_lists(topics), held, held_topics)
        if isinstance(self.summarizer, LearnedSummarizer) and summaries is not None:
            scoring = (held.articles, held.vectors, validation_summaries) if validation_summaries is not None else None
            self.summarizer.fit(batch.articles, batch.vectors, summaries, scoring)
        return self

    def _fit_topics(
        self,
        batch: EmbeddedBatch,
        topics: Sequence[Sequence[str]],
        validation: EmbeddedBatch,
        validation_topics: Sequence[Sequence[str]],
    ) -> None:
        self.pipeline.fit(batch.vectors, [t[0] for t in topics])
        thresholds = self.config.get("thresholds", "auto")
        if thresholds != "auto":
            self.decider = TopicDecider.fixed(self.labels, min_confidence=float(thresholds))
            return
        self.decider = TopicDecider(self.labels)
        if len(validation):
            proba = self.predict_proba(validation)
            self.decider.fit(proba, [t[0] for t in validation_topics], [list(t) for t in validation_topics])

    def predict_proba(self, items: ArticlesInput) -> np.ndarray:
        """A probability per label (columns in `labels` order) for each article."""
        labels = self.labels
        batch = self._encoded(items)
        if not len(batch):
            return np.zeros((0, len(labels)))
        return np.asarray(self.pipeline.predict_proba(batch.vectors))

    def predict(
        self,
        items: ArticlesInput,
        n_sentences: int | None = None,
        focus: str | None = None,
        proba: np.ndarray | None = None,
    ) -> list[Prediction]:
        """Topics, scores, evidence and a summary (about `focus` when given) for each article.

        `proba` (from `predict_proba` on the same batch) saves scoring the articles twice.
        """
        if self.decider is None:
            raise NotFittedError(_NOT_FITTED)
        if focus is not None and focus not in self.labels:
            raise ValueError(f"focus topic {focus!r} is not one of the model's labels {self.labels}")
        batch = self._encoded(items)
        rows = self.predict_proba(batch) if proba is None else proba
        support = sentence_support(self.pipeline, batch.vectors, [article.texts for article in batch.articles])
        return [
            self._prediction(article, vectors, row, sentence_rows, n_sentences, focus)
            for article, vectors, row, sentence_rows in zip(batch.articles, batch.vectors, rows, support)
        ]

    def _prediction(
        self,
        article: Article,
        vectors: EmbeddedArticle,
        row: np.ndarray,
        support: np.ndarray,
        n_sentences: int | None,
        focus: str | None,
    ) -> Prediction:
        assert self.decider is not None
        topic, topics = self.decider.decide(row)
        scores = {label: round(float(p), 4) for label, p in zip(self.labels, row)}
        if not article.sentences:
            summary = []
        elif focus is not None:
            summary = focused_summary(
                self.summarizer, article, vectors, support[:, self.labels.index(focus)], n_sentences
            )
        else:
            summary = self.summarizer.summarize(article, vectors, n_sentences)
        return Prediction(
            id=article.id,
            title=article.title,
            topic=topic,
            topics=topics,
            scores=scores,
            summary=summary,
            evidence=pick_evidence(article, support, topics, self.labels),
        )

    # --- bundle ------------------------------------------------------------------------------------

    def save(self, folder: str | Path) -> Path:
        """Write the bundle folder (see `nlpkit.bundle`)."""
        encoder = self.encoder.fit() if not hasattr(self.encoder, "path_") else self.encoder
        manifest = {
            "nlpkit_version": __version__,
            "labels": self.labels,
            "decider": self.decider.to_dict() if self.decider else None,
            "summarizer": summarizer_to_dict(self.summarizer),
            "config": self.config,
            "metrics": self.metrics,
            "provenance": self.provenance,
            "encoder": {
                "model": str(encoder.model),
                "kind": encoder.kind_,
                "sha256": encoder.fingerprint_,
                "precision": str(encoder.precision),
                "backend": str(encoder.backend),
                "trained_with": {"runtime": encoder.runtime_, "precision": encoder.precision_},
            },
        }
        parts = {SCORER_FILE: self.summarizer.fitted_state()} if isinstance(self.summarizer, LearnedSummarizer) else {}
        return write_bundle(Path(folder), self.pipeline, manifest, encoder.path_, parts)

    @classmethod
    def load(
        cls,
        folder: str | Path,
        batch_size: int = 64,
        cache_dir: str | None = None,
        precision: str | None = None,
        backend: str | None = None,
    ) -> NewsModel:
        """Load a bundle; refuses one whose files, format version or encoder weights do not match.

        `precision` and `backend` default to the settings the bundle was trained with ("auto" resolves on
        this machine, so a bf16-trained bundle runs fp32 on a CPU without bf16); the caller's choice wins.
        Either way the topics are the same: fp32, bf16 and OpenVINO vectors agree to ~1e-4 cosine.
        """
        # Resolved once (models/latest may be repointed mid-load): the scorer comes from the bundle read_bundle checked.
        resolved = Path(os.path.realpath(folder))
        manifest, pipeline, encoder_path = read_bundle(resolved)
        encoder = _bundle_encoder(manifest["encoder"], encoder_path, batch_size, cache_dir, precision, backend)
        expected = manifest["encoder"]["sha256"]
        if encoder.fingerprint_ != expected:
            raise BundleError(
                f"{folder}: bundle was trained with encoder {manifest['encoder']['model']} (sha256 {expected[:12]}), "
                f"but {encoder_path} has other weights (sha256 {encoder.fingerprint_[:12]}); "
                "refusing to predict with it"
            )
        settings = manifest["summarizer"]
        state = read_json_file(resolved, SCORER_FILE) if settings.get("method") == "learned" else None
        try:
            summarizer = summarizer_from_dict(settings, state)
        except (ValueError, TypeError, KeyError) as error:
            raise BundleError(f"{folder}: summarizer cannot be rebuilt ({error})") from error
        model = cls(encoder, pipeline, summarizer, TopicDecider.from_dict(manifest["decider"]), manifest.get("config"))
        model.metrics = dict(manifest.get("metrics", {}))
        model.provenance = dict(manifest.get("provenance", {}))
        model.bundle_files = dict(manifest.get("files", {}))
        return model
