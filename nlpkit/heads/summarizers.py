"""Extractive summarizers on the shared document model.

As in sumy, each summarizer is a small class that only rates sentences. The `Summarizer` base owns the rest,
once: the length rule (`summary_length`), and `summarize`, which rates, then lets `select_sentences` take
the top sentences (MMR-penalised) and put them back in document order.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

from nlpkit.errors import CorpusError, NotFittedError
from nlpkit.text.document import Article, EmbeddedArticle

__all__ = [
    "SummaryLength",
    "select_sentences",
    "Summarizer",
    "LeadSummarizer",
    "CentralitySummarizer",
    "LearnedSummarizer",
    "lexical_centrality",
    "sentence_features",
    "FEATURES",
    "SUMMARIZERS",
    "make_summarizer",
    "summarizer_to_dict",
    "summarizer_from_dict",
    "reference_labels",
]

log = logging.getLogger(__name__)

_QUOTE_ONLY = re.compile(r"^[\"“'‘].*[\"”'’]$")
_QUOTE = re.compile(r"[\"“”]")
_DATELINE = re.compile(r"^(?:\(CNN\)|[A-Z][A-Z .,'/-]{2,}(?:,\s*[A-Z][a-z]+\.?\s+\d{1,2})?\s*(?:\([^)]*\)\s*)?[-—–])")
_SAID = re.compile(r"\b(?:said|says|told|according to)\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")


class SummaryLength(BaseEstimator):
    """How long a summary is. The rule, in order (each later step wins over the earlier ones):

    1. without `ratio`: `n_sentences`; with `ratio`: ceil(ratio x the article's sentences), kept between
       `min_sentences` and `n_sentences` (so `n_sentences` is the cap of a ratio summary);
    2. never more sentences than the article has;
    3. `max_words` (in `select_sentences`): a sentence that would take the summary past the budget is
       skipped for a shorter one further down the ranking; the best sentence is always kept.
    """

    def __init__(
        self, n_sentences: int = 3, ratio: float | None = None, max_words: int | None = None, min_sentences: int = 1
    ) -> None:
        self.n_sentences = n_sentences
        self.ratio = ratio
        self.max_words = max_words
        self.min_sentences = min_sentences

    def count(self, n_available: int) -> int:
        wanted = self.n_sentences
        if self.ratio:
            wanted = min(self.n_sentences, max(self.min_sentences, math.ceil(self.ratio * n_available)))
        return max(0, min(int(wanted), n_available))


def select_sentences(
    article: Article,
    scores: np.ndarray,
    length: SummaryLength,
    vectors: np.ndarray | None = None,
    redundancy: float = 0.0,
) -> list[str]:
    """Top sentences by score (MMR-penalised when `redundancy` > 0), returned in document order.

    MMR value of a candidate: (1 - redundancy) * score - redundancy * its highest cosine to a chosen
    sentence. The running maximum is updated once per pick, so selection stays linear in the sentences.
    """
    scores = np.asarray(scores, dtype=float)
    n_wanted = length.count(len(article.sentences))
    use_mmr = vectors is not None and redundancy > 0
    available = np.ones(len(scores), dtype=bool)
    similarity = np.zeros(len(scores))
    chosen: list[int] = []
    words = 0
    while available.any() and len(chosen) < n_wanted:
        value = (1.0 - redundancy) * scores - redundancy * similarity if use_mmr and chosen else scores
        best = int(np.argmax(np.where(available, value, -np.inf)))
        available[best] = False
        size = len(article.sentences[best].words)
        if length.max_words and chosen and words + size > length.max_words:
            continue
        if use_mmr:
            assert vectors is not None
            cosine = vectors @ vectors[best]
            similarity = np.maximum(similarity, cosine) if chosen else cosine
        chosen.append(best)
        words += size
    return [article.sentences[i].text for i in sorted(chosen)]


class Summarizer(BaseEstimator):
    """The base of every summarizer: the length rule and `summarize`; a subclass only rates sentences.

    `n_sentences`, `ratio`, `max_words` and `min_sentences` are the `SummaryLength` rule of the summary.
    """

    method = ""

    def __init__(
        self, n_sentences: int = 3, ratio: float | None = None, max_words: int | None = None, min_sentences: int = 1
    ) -> None:
        self.n_sentences = n_sentences
        self.ratio = ratio
        self.max_words = max_words
        self.min_sentences = min_sentences

    def summary_length(self, n_sentences: int | None = None) -> SummaryLength:
        """The configured length rule; an explicit count (predict's --summary-sentences, evaluation) is exact."""
        if n_sentences is not None:
            return SummaryLength(n_sentences)
        return SummaryLength(self.n_sentences, self.ratio, self.max_words, self.min_sentences)

    def rate(self, article: Article, vectors: EmbeddedArticle | None, n_wanted: int | None = None) -> np.ndarray:
        """One score per sentence, higher is more summary-worthy; `n_wanted` is the summary's length."""
        raise NotImplementedError

    def mmr_weight(self, n_available: int, n_wanted: int) -> float:
        """How much a sentence like one already chosen is penalised (MMR); 0 turns the penalty off."""
        return 0.0

    def summarize(
        self, article: Article, vectors: EmbeddedArticle | None = None, n_sentences: int | None = None
    ) -> list[str]:
        """The summary sentences in document order; `n_sentences` overrides the configured length."""
        length = self.summary_length(n_sentences)
        wanted = length.count(len(article.sentences))
        scores = self.rate(article, vectors, wanted)
        redundancy = self.mmr_weight(len(article.sentences), wanted)
        return select_sentences(article, scores, length, None if vectors is None else vectors.sentences, redundancy)


class LeadSummarizer(Summarizer):
    """Lead-k: the first sentences. The baseline every news summarizer has to beat."""

    method = "lead"

    def rate(self, article: Article, vectors: EmbeddedArticle | None = None, n_wanted: int | None = None) -> np.ndarray:
        return -np.arange(len(article.sentences), dtype=float)


def _needs_vectors(vectors: EmbeddedArticle | None, method: str) -> EmbeddedArticle:
    if vectors is None:
        raise ValueError(
            f"summary__method={method} rates sentences by their vectors: pass the article's EmbeddedArticle"
        )
    return vectors


class CentralitySummarizer(Summarizer):
    """summary__method=centrality. Rates sentences by centrality in embedding space, lead position, title similarity,
    length and coverage.

    centrality: cosine to the article's centroid (what the whole story is about);
    position: news states its key facts early, decaying as 1 / (1 + index / position_decay);
    title: cosine to the headline; length: very short lines and bare quotes carry few facts;
    coverage: lexical PageRank over shared content words (TextRank-style). It matters more as the summary
    keeps a larger share of the article: from `coverage_start` of the sentences it ramps up to full weight
    at `coverage_full`, while the MMR penalty (`redundancy`) that keeps short summaries varied fades out.
    """

    method = "centrality"

    def __init__(
        self,
        n_sentences: int = 3,
        ratio: float | None = None,
        max_words: int | None = None,
        min_sentences: int = 1,
        centrality_weight: float = 1.0,
        position_weight: float = 1.0,
        position_decay: float = 2.0,
        title_weight: float = 0.5,
        length_weight: float = 0.3,
        lexical_weight: float = 3.0,
        coverage_start: float = 0.2,
        coverage_full: float = 0.35,
        redundancy: float = 0.3,
    ) -> None:
        super().__init__(n_sentences=n_sentences, ratio=ratio, max_words=max_words, min_sentences=min_sentences)
        self.centrality_weight = centrality_weight
        self.position_weight = position_weight
        self.position_decay = position_decay
        self.title_weight = title_weight
        self.length_weight = length_weight
        self.lexical_weight = lexical_weight
        self.coverage_start = coverage_start
        self.coverage_full = coverage_full
        self.redundancy = redundancy

    def rate(self, article: Article, vectors: EmbeddedArticle | None, n_wanted: int | None = None) -> np.ndarray:
        vectors = _needs_vectors(vectors, self.method)
        count = len(article.sentences)
        if count == 0:
            return np.zeros(0)
        sentence_vectors = vectors.sentences
        centroid = sentence_vectors.mean(axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
        score = self.centrality_weight * (sentence_vectors @ centroid)
        score += self.position_weight / (1.0 + np.arange(count) / self.position_decay)
        if vectors.title is not None:
            score += self.title_weight * (sentence_vectors @ vectors.title)
        score += self.length_weight * np.array([_length_prior(s.text) for s in article.sentences])
        coverage = self._coverage(count, n_wanted)
        if coverage > 0 and self.lexical_weight:
            score += self.lexical_weight * coverage * lexical_centrality(article.texts)
        return score

    def _coverage(self, count: int, n_wanted: int | None) -> float:
        """0 for a short summary of a long article, 1 once it keeps `coverage_full` of the sentences."""
        wanted = n_wanted if n_wanted is not None else self.summary_length().count(count)
        share = min(1.0, wanted / max(count, 1))
        span = max(self.coverage_full - self.coverage_start, 1e-9)
        return float(np.clip((share - self.coverage_start) / span, 0.0, 1.0))

    def mmr_weight(self, n_available: int, n_wanted: int) -> float:
        """`redundancy` for a short summary, fading out as coverage takes over."""
        return self.redundancy * (1.0 - self._coverage(n_available, n_wanted))


def _zscore(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)


@dataclass(frozen=True)
class _Sentences:
    """What one article's sentence features are made from: one pass over its vectors and text."""

    texts: list[str]
    index: np.ndarray
    centrality: np.ndarray
    title: np.ndarray
    has_title: bool
    first: np.ndarray
    lexical: np.ndarray
    words: np.ndarray
    paragraphs: np.ndarray
    share: float

    @property
    def count(self) -> int:
        return len(self.texts)

    @property
    def inverse(self) -> np.ndarray:
        return 1.0 / (1.0 + self.index)

    def flags(self, test: Callable[[str], bool]) -> np.ndarray:
        return np.array([test(text) for text in self.texts], dtype=float)

    @classmethod
    def of(cls, article: Article, vectors: EmbeddedArticle, n_wanted: int) -> _Sentences:
        sentence_vectors = np.asarray(vectors.sentences, dtype=float)
        centroid = sentence_vectors.mean(axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
        count = len(article.sentences)
        has_title = vectors.title is not None
        return cls(
            texts=article.texts,
            index=np.arange(count, dtype=float),
            centrality=sentence_vectors @ centroid,
            title=sentence_vectors @ np.asarray(vectors.title, dtype=float) if has_title else np.zeros(count),
            has_title=has_title,
            first=sentence_vectors @ sentence_vectors[0],
            lexical=lexical_centrality(article.texts),
            words=np.array([len(text.split()) for text in article.texts], dtype=float),
            paragraphs=np.array([sentence.paragraph for sentence in article.sentences], dtype=float),
            share=min(1.0, n_wanted / count),
        )


#: The learned scorer's per-sentence features, each named where it is made, in column order. `share`
#: (wanted / available sentences) lets the scorer learn that coverage matters more as a summary keeps more
#: of the article, as the centrality summarizer's hand-set ramp does.
_FEATURES: tuple[tuple[str, Callable[[_Sentences], np.ndarray]], ...] = (
    ("inverse_position", lambda s: s.inverse),
    ("relative_position", lambda s: s.index / max(s.count - 1, 1)),
    ("is_first", lambda s: (s.index == 0).astype(float)),
    ("opens_paragraph", lambda s: np.r_[1.0, (s.paragraphs[1:] != s.paragraphs[:-1]).astype(float)]),
    ("relative_paragraph", lambda s: (s.paragraphs - s.paragraphs.min()) / max(float(np.ptp(s.paragraphs)), 1.0)),
    ("centrality", lambda s: s.centrality),
    ("centrality_z", lambda s: _zscore(s.centrality)),
    ("title_similarity", lambda s: s.title),
    ("title_z", lambda s: _zscore(s.title)),
    ("has_title", lambda s: np.full(s.count, float(s.has_title))),
    ("first_similarity", lambda s: s.first),
    ("lexical_rank", lambda s: s.lexical),
    ("lexical_z", lambda s: _zscore(s.lexical)),
    ("words", lambda s: np.minimum(s.words, 50.0) / 25.0),
    ("length_prior", lambda s: np.array([_length_prior(t) for t in s.texts])),
    ("short", lambda s: (s.words < 6).astype(float)),
    ("has_quote", lambda s: s.flags(lambda t: bool(_QUOTE.search(t)))),
    ("starts_with_quote", lambda s: s.flags(lambda t: t.lstrip()[:1] in "\"“'‘")),
    ("attribution", lambda s: s.flags(lambda t: bool(_SAID.search(t)))),
    ("dateline", lambda s: s.flags(lambda t: bool(_DATELINE.match(t)))),
    ("has_digit", lambda s: s.flags(lambda t: bool(_DIGIT.search(t)))),
    ("question", lambda s: s.flags(lambda t: t.rstrip().endswith("?"))),
    ("share", lambda s: np.full(s.count, s.share)),
    ("log_sentences", lambda s: np.full(s.count, math.log(s.count))),
    ("share_x_lexical", lambda s: s.share * s.lexical),
    ("share_x_position", lambda s: s.share * s.inverse),
    ("share_x_centrality", lambda s: s.share * s.centrality),
)

#: Names of the per-sentence features the learned scorer reads, in column order (saved with the scorer).
FEATURES = tuple(name for name, _ in _FEATURES)


def sentence_features(article: Article, vectors: EmbeddedArticle, n_wanted: int) -> np.ndarray:
    """One row of `FEATURES` per sentence, from the shared sentence vectors and the text alone."""
    if not article.sentences:
        return np.zeros((0, len(FEATURES)))
    sentences = _Sentences.of(article, vectors, n_wanted)
    return np.column_stack([make(sentences) for _, make in _FEATURES])


_TOKEN = re.compile(r"[a-z0-9]+")


def reference_labels(article: Article, reference: Sequence[str], min_overlap: float = 0.8) -> np.ndarray:
    """1 for each article sentence an editor kept: same words as a reference sentence, give or take a
    dateline or a stray quote mark (token F1 >= `min_overlap`)."""
    bags = [set(_TOKEN.findall(text.lower())) for text in article.texts]
    labels = np.zeros(len(bags))
    for line in reference:
        wanted = set(_TOKEN.findall(line.lower()))
        if not wanted:
            continue
        overlaps = [2 * len(bag & wanted) / (len(bag) + len(wanted)) if bag else 0.0 for bag in bags]
        if overlaps and max(overlaps) >= min_overlap:
            labels[int(np.argmax(overlaps))] = 1.0
    return labels


class LearnedSummarizer(CentralitySummarizer):
    """Rates sentences with a logistic regression learned from editors' picks (the seeds' `summary`).

    It reads `sentence_features` (position, centrality, title and lead similarity, lexical PageRank,
    length, quote, attribution and dateline cues) from the one shared encoder pass. The rating is the
    scorer's per-article z-scored log-odds, blended with the centrality summarizer's z-scored rating
    (`blend`, 0 = learned only); `blend` and `scorer_redundancy` (MMR weight) are chosen on validation
    when left None. With `handover`, a summary longer than any the editors wrote in training (more than
    `max_count_` sentences) is outside what the scorer learned, and the centrality summarizer rates it
    instead. The fitted scorer is plain numbers (`fitted_state`), saved as JSON in the bundle.
    """

    method = "learned"
    BLEND_GRID = (0.0, 0.25, 0.5)
    REDUNDANCY_GRID = (0.0, 0.15, 0.3)

    def __init__(
        self,
        n_sentences: int = 3,
        ratio: float | None = None,
        max_words: int | None = None,
        min_sentences: int = 1,
        centrality_weight: float = 1.0,
        position_weight: float = 1.0,
        position_decay: float = 2.0,
        title_weight: float = 0.5,
        length_weight: float = 0.3,
        lexical_weight: float = 3.0,
        coverage_start: float = 0.2,
        coverage_full: float = 0.35,
        redundancy: float = 0.3,
        C: float = 1.0,
        blend: float | None = None,
        scorer_redundancy: float | None = None,
        handover: bool = True,
    ) -> None:
        super().__init__(
            n_sentences=n_sentences,
            ratio=ratio,
            max_words=max_words,
            min_sentences=min_sentences,
            centrality_weight=centrality_weight,
            position_weight=position_weight,
            position_decay=position_decay,
            title_weight=title_weight,
            length_weight=length_weight,
            lexical_weight=lexical_weight,
            coverage_start=coverage_start,
            coverage_full=coverage_full,
            redundancy=redundancy,
        )
        self.C = C
        self.blend = blend
        self.scorer_redundancy = scorer_redundancy
        self.handover = handover

    # --- fitting -----------------------------------------------------------------------------------

    def fit(
        self,
        articles: Sequence[Article],
        vectors: Sequence[EmbeddedArticle],
        references: Sequence[Sequence[str]],
        validation: tuple[Sequence[Article], Sequence[EmbeddedArticle], Sequence[Sequence[str]]] | None = None,
    ) -> LearnedSummarizer:
        """Learn the scorer on (article, editor summary) pairs; pick blend and redundancy on `validation`."""
        rows, labels = self._examples(articles, vectors, references)
        if not len(labels) or labels.min() == labels.max():
            raise CorpusError(
                "summary__method=learned: no training article has `summary` sentences found in its text "
                "(expected the editor's verbatim sentences); use summary__method=centrality"
            )
        scaler = StandardScaler().fit(rows)
        scale = np.where(scaler.scale_ > 1e-12, scaler.scale_, 1.0)
        regression = LogisticRegression(C=self.C, max_iter=2000).fit((rows - scaler.mean_) / scale, labels)
        self.scorer_ = {
            "features": list(FEATURES),
            "mean": scaler.mean_.tolist(),
            "scale": scale.tolist(),
            "coef": regression.coef_[0].tolist(),
            "intercept": float(regression.intercept_[0]),
        }
        self.max_count_ = max((len(r) for a, r in zip(articles, references) if a.sentences and r), default=0)
        self.metrics_ = {
            "scorer_train_sentences": float(len(labels)),
            "scorer_train_positives": float(labels.sum()),
            "scorer_train_auc": float(roc_auc_score(labels, self._logit(rows))),
        }
        self.blend_ = 0.0 if self.blend is None else float(self.blend)
        self.redundancy_ = 0.0 if self.scorer_redundancy is None else float(self.scorer_redundancy)
        if validation is not None and len(validation[0]):
            self._choose_on_validation(*validation)
        self.metrics_.update(
            scorer_blend=self.blend_, scorer_redundancy=self.redundancy_, scorer_max_count=float(self.max_count_)
        )
        return self

    def _examples(
        self, articles: Sequence[Article], vectors: Sequence[EmbeddedArticle], references: Sequence[Sequence[str]]
    ) -> tuple[np.ndarray, np.ndarray]:
        rows, labels = [], []
        for article, embedded, reference in zip(articles, vectors, references):
            if not article.sentences or not reference:
                continue
            rows.append(sentence_features(article, embedded, len(reference)))
            labels.append(reference_labels(article, reference))
        if not rows:
            return np.zeros((0, len(FEATURES))), np.zeros(0)
        return np.vstack(rows), np.concatenate(labels)

    def _choose_on_validation(
        self, articles: Sequence[Article], vectors: Sequence[EmbeddedArticle], references: Sequence[Sequence[str]]
    ) -> None:
        """Grid over blend x redundancy by the share of editor-picked sentences recovered at their count."""
        cases = [
            (a, v, r, reference_labels(a, r)) for a, v, r in zip(articles, vectors, references) if a.sentences and r
        ]
        if not cases:
            return
        rows = np.vstack([sentence_features(a, v, len(r)) for a, v, r, _ in cases])
        truth = np.concatenate([labels for *_, labels in cases])
        if truth.min() != truth.max():
            self.metrics_["scorer_val_auc"] = float(roc_auc_score(truth, self._logit(rows)))
        blends = self.BLEND_GRID if self.blend is None else (float(self.blend),)
        redundancies = self.REDUNDANCY_GRID if self.scorer_redundancy is None else (float(self.scorer_redundancy),)
        best = (-1.0, self.blend_, self.redundancy_)
        for blend in blends:
            for redundancy in redundancies:
                self.blend_, self.redundancy_ = blend, redundancy
                hits = total = 0.0
                for article, embedded, reference, labels in cases:
                    chosen = set(self.summarize(article, embedded, len(reference)))
                    hits += sum(labels[i] for i, text in enumerate(article.texts) if text in chosen)
                    total += max(labels.sum(), 1.0)
                if hits / total > best[0] + 1e-9:
                    best = (hits / total, blend, redundancy)
        self.metrics_["scorer_val_recall"] = float(best[0])
        _, self.blend_, self.redundancy_ = best

    # --- rating ------------------------------------------------------------------------------------

    def _logit(self, rows: np.ndarray) -> np.ndarray:
        scorer = self.scorer_
        return ((rows - np.asarray(scorer["mean"])) / np.asarray(scorer["scale"])) @ np.asarray(
            scorer["coef"]
        ) + scorer["intercept"]

    def _check_fitted(self) -> None:
        if not hasattr(self, "scorer_"):
            raise NotFittedError("LearnedSummarizer is not fitted: train with summaries (python -m nlpkit.train)")

    def _hands_over(self, n_wanted: int) -> bool:
        """A summary longer than any the editors wrote in training goes to the centrality rating."""
        return self.handover and n_wanted > self.max_count_

    def rate(self, article: Article, vectors: EmbeddedArticle | None, n_wanted: int | None = None) -> np.ndarray:
        self._check_fitted()
        vectors = _needs_vectors(vectors, self.method)
        count = len(article.sentences)
        if count == 0:
            return np.zeros(0)
        wanted = n_wanted if n_wanted is not None else self.summary_length().count(count)
        if self._hands_over(wanted):
            return super().rate(article, vectors, wanted)
        score = _zscore(self._logit(sentence_features(article, vectors, wanted)))
        if self.blend_:
            score = (1.0 - self.blend_) * score + self.blend_ * _zscore(super().rate(article, vectors, wanted))
        return score

    def mmr_weight(self, n_available: int, n_wanted: int) -> float:
        """The MMR weight chosen on validation (the centrality one after a handover), fading out with coverage."""
        self._check_fitted()
        own = self.redundancy if self._hands_over(n_wanted) else self.redundancy_
        return own * (1.0 - self._coverage(n_available, n_wanted))

    # --- persistence -------------------------------------------------------------------------------

    def fitted_state(self) -> dict[str, Any]:
        """The fitted scorer as plain JSON-able numbers (no pickle)."""
        return {
            "scorer": self.scorer_,
            "blend": self.blend_,
            "redundancy": self.redundancy_,
            "max_count": self.max_count_,
            "metrics": self.metrics_,
        }

    def load_state(self, state: Mapping[str, Any]) -> LearnedSummarizer:
        scorer = dict(state["scorer"])
        if list(scorer.get("features", [])) != list(FEATURES):
            raise ValueError(f"scorer features {scorer.get('features')} do not match this nlpkit's {list(FEATURES)}")
        self.scorer_ = scorer
        self.blend_ = float(state["blend"])
        self.redundancy_ = float(state["redundancy"])
        self.max_count_ = int(state["max_count"])
        self.metrics_ = dict(state.get("metrics", {}))
        return self


#: `summary__method` value -> summarizer class.
SUMMARIZERS: dict[str, type[CentralitySummarizer]] = {"centrality": CentralitySummarizer, "learned": LearnedSummarizer}


def make_summarizer(params: Mapping[str, Any]) -> CentralitySummarizer:
    """A summarizer from `summary__*` settings (prefix removed); `method` picks the class."""
    settings = dict(params)
    method = settings.pop("method", "centrality")
    if method not in SUMMARIZERS:
        raise ValueError(f"summary__method must be one of {sorted(SUMMARIZERS)}, got {method!r}")
    return SUMMARIZERS[method](**settings)


def summarizer_to_dict(summarizer: CentralitySummarizer) -> dict[str, Any]:
    """Settings for the manifest: `method` plus the constructor parameters."""
    return {"method": getattr(summarizer, "method", "centrality"), **summarizer.get_params()}


def summarizer_from_dict(settings: Mapping[str, Any], state: Mapping[str, Any] | None = None) -> CentralitySummarizer:
    """Rebuild from `summarizer_to_dict` (older bundles: parameters only) and, if learned, its fitted state."""
    summarizer = make_summarizer(settings)
    if isinstance(summarizer, LearnedSummarizer):
        if state is None:
            raise ValueError("a learned summarizer needs its fitted scorer")
        summarizer.load_state(state)
    return summarizer


_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "and",
        "or",
        "for",
        "on",
        "at",
        "by",
        "with",
        "from",
        "as",
        "is",
        "was",
        "were",
        "be",
        "been",
        "are",
        "it",
        "its",
        "this",
        "that",
        "he",
        "she",
        "they",
        "we",
        "you",
        "i",
        "his",
        "her",
        "their",
        "our",
        "said",
        "says",
        "will",
        "would",
        "has",
        "have",
        "had",
        "not",
        "but",
        "also",
        "than",
        "which",
        "who",
    ]
)


def lexical_centrality(texts: list[str], damping: float = 0.85, iterations: int = 30) -> np.ndarray:
    """PageRank over sentences linked by shared content words, scaled to mean 1 (TextRank's similarity)."""
    words = [{w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOPWORDS} for text in texts]
    count = len(words)
    if count == 0:
        return np.zeros(0)
    weights = np.zeros((count, count))
    logs = [np.log(len(w)) if len(w) > 1 else 0.0 for w in words]
    for i in range(count):
        for j in range(i + 1, count):
            if logs[i] and logs[j]:
                weights[i, j] = weights[j, i] = len(words[i] & words[j]) / (logs[i] + logs[j])
    totals = weights.sum(axis=1, keepdims=True)
    transition = np.where(totals > 0, weights / np.maximum(totals, 1e-12), 1.0 / count)
    rank = np.full(count, 1.0 / count)
    for _ in range(iterations):
        rank = (1 - damping) / count + damping * transition.T @ rank
    return rank * count


def _length_prior(text: str) -> float:
    """0 for a fact-bearing sentence of 12+ words, down to -1 for a 1-word line or a bare quote."""
    words = len(text.split())
    prior = min(words, 12) / 12.0 - 1.0
    if _QUOTE_ONLY.match(text.strip()):
        prior -= 0.5
    return prior
