"""`NewsModel`: encoder body + topic head + summarizer, trained, saved and loaded as one bundle.

One encoder pass per article feeds both heads: the pooled document vector goes to the classifier, the
sentence vectors to the summarizer.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
from sklearn.pipeline import Pipeline

from nlpkit import __version__
from nlpkit.bundle import BundleError, read_bundle, write_bundle
from nlpkit.heads.topics import OTHER, TopicDecider, make_topic_pipeline
from nlpkit.training.config import split_params
from nlpkit.data.corpus import LabelledArticle
from nlpkit.text.document import Article, parse_article
from nlpkit.embedding.encoder import EmbeddedArticle, SentenceEncoder
from nlpkit.heads.summarizers import CentralitySummarizer

__all__ = ["Prediction", "NewsModel", "as_article", "ArticleInput"]

log = logging.getLogger(__name__)

ArticleInput = str | Article | dict


@dataclass
class Prediction:
    """What nlpkit says about one article."""

    topic: str
    topics: list[str]
    scores: dict[str, float]
    summary: list[str]
    id: str = ""
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def as_article(item: ArticleInput, index: int = 0) -> Article:
    """Accept raw text, a {"title", "text", "id"} mapping or an already parsed Article."""
    if isinstance(item, Article):
        return item
    if isinstance(item, str):
        return parse_article(item, id=str(index))
    if isinstance(item, dict):
        if not isinstance(item.get("text"), str):
            raise ValueError(f"article {index}: expected a 'text' string, got {type(item.get('text')).__name__}")
        title = item.get("title") or ""
        return parse_article(item["text"], str(title), id=str(item.get("id", index)))
    raise TypeError(f"article {index}: expected str, dict or Article, got {type(item).__name__}")


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

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "NewsModel":
        """An unfitted model whose parts take their parameters from a validated config."""
        encoder = SentenceEncoder(**split_params(config, "embed__"), cache_dir=config.get("cache_dir"))
        pipeline_params = {k: v for k, v in config.items() if k.startswith(("clf__", "pool__"))}
        pipeline = make_topic_pipeline(config.get("clf", "logreg"), pipeline_params, config.get("random_state", 0))
        summarizer = CentralitySummarizer(**split_params(config, "summary__"))
        return cls(encoder, pipeline, summarizer, config=config)

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.pipeline.classes_]

    def embed(self, articles: Sequence[Article]) -> list[EmbeddedArticle]:
        if not hasattr(self.encoder, "backend_"):
            self.encoder.fit()
        return self.encoder.transform(articles)

    def fit(self, train: Sequence[LabelledArticle], validation: Sequence[LabelledArticle] = ()) -> "NewsModel":
        """Fit the topic head on `train`; learn decision thresholds on `validation` (or set them from config)."""
        train_vectors = self.embed([record.article for record in train])
        validation_vectors = self.embed([record.article for record in validation])
        return self.fit_embedded(train, train_vectors, validation, validation_vectors)

    def fit_embedded(
        self,
        train: Sequence[LabelledArticle],
        train_vectors: Sequence[EmbeddedArticle],
        validation: Sequence[LabelledArticle] = (),
        validation_vectors: Sequence[EmbeddedArticle] = (),
    ) -> "NewsModel":
        """`fit` on vectors the caller already has, so training encodes each article once."""
        self.pipeline.fit(train_vectors, [record.primary for record in train])
        self.decider = TopicDecider(self.labels)
        thresholds = self.config.get("thresholds", "auto")
        if thresholds == "auto" and validation:
            proba = self.predict_proba(validation_vectors)
            self.decider.fit(proba, [r.primary for r in validation], [list(r.topics) for r in validation])
        elif thresholds != "auto":
            self.decider.min_confidence = float(thresholds)
            self.decider.thresholds = {label: 0.35 for label in self.labels if label != OTHER}
        return self

    def predict_proba(self, embedded: Sequence[EmbeddedArticle]) -> np.ndarray:
        return self.pipeline.predict_proba(embedded)

    def predict(self, items: Iterable[ArticleInput], n_sentences: int | None = None) -> list[Prediction]:
        """Topics, scores and a summary for each article (raw text, mapping or Article)."""
        articles = [as_article(item, i) for i, item in enumerate(items)]
        return self.predict_articles(articles, self.embed(articles), n_sentences)

    def predict_articles(
        self,
        articles: Sequence[Article],
        embedded: Sequence[EmbeddedArticle],
        n_sentences: int | None = None,
        proba: np.ndarray | None = None,
    ) -> list[Prediction]:
        """Predictions from vectors already computed: the one pass serves classifier and summarizer.

        `proba` lets a caller that already has the class probabilities (evaluation) skip a second pass.
        """
        if self.decider is None:
            raise RuntimeError("NewsModel is not fitted: call fit() or NewsModel.load()")
        if proba is None:
            proba = self.predict_proba(embedded) if len(articles) else np.zeros((0, len(self.labels)))
        predictions = []
        for article, vectors, row in zip(articles, embedded, proba):
            topic, topics = self.decider.decide(row)
            scores = {label: round(float(p), 4) for label, p in zip(self.labels, row)}
            summary = self.summarizer.summarize(article, vectors, n_sentences) if article.sentences else []
            predictions.append(Prediction(topic, topics, scores, summary, id=article.id, title=article.title))
        return predictions

    def save(self, folder: str | Path) -> Path:
        """Write the bundle folder (see `nlpkit.bundle`)."""
        manifest = {
            "nlpkit_version": __version__,
            "labels": self.labels,
            "decider": self.decider.to_dict() if self.decider else None,
            "summarizer": self.summarizer.get_params(),
            "config": self.config,
            "metrics": self.metrics,
            "provenance": self.provenance,
            "encoder": {
                "model": str(self.encoder.model),
                "kind": self.encoder.kind_,
                "sha256": self.encoder.fingerprint_,
                "dimension": self.encoder.dimension_,
            },
        }
        return write_bundle(Path(folder), self.pipeline, manifest, self.encoder.path_)

    @classmethod
    def load(cls, folder: str | Path, batch_size: int = 64) -> "NewsModel":
        """Load a bundle; refuses one whose files, format version or encoder weights do not match."""
        manifest, pipeline, encoder_path = read_bundle(Path(folder))
        encoder = SentenceEncoder(model=str(encoder_path), batch_size=batch_size).fit()
        expected = manifest["encoder"]["sha256"]
        if encoder.fingerprint_ != expected:
            raise BundleError(
                f"{folder}: bundle was trained with encoder {manifest['encoder']['model']} (sha256 {expected[:12]}), "
                f"but {encoder_path} has other weights (sha256 {encoder.fingerprint_[:12]}); refusing to predict with it"
            )
        summarizer = CentralitySummarizer(**manifest["summarizer"])
        model = cls(encoder, pipeline, summarizer, TopicDecider.from_dict(manifest["decider"]), manifest.get("config"))
        model.metrics = manifest.get("metrics", {})
        model.provenance = manifest.get("provenance", {})
        return model
