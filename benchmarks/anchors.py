"""The anchors nlpkit is compared with: the tools a team would reach for instead of nlpkit.

Summarization: Lead-k and sumy's TextRank, LexRank, LSA and Luhn. sumy's own `Tokenizer` needs NLTK punkt
data that cannot be downloaded here, so the anchors are fed nlpkit's sentences through sumy's object document
model: every system then sees exactly the same sentences and differs only in how it picks them.
Classification: TF-IDF + LinearSVC trained on the seed corpus, and a zero-shot encoder baseline.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from nlpkit.embedding.encoder import SentenceEncoder
from nlpkit.heads.pooling import DocumentPooler
from nlpkit.heads.summarizers import LeadSummarizer
from nlpkit.heads.topics import OTHER
from nlpkit.text.document import Article, EmbeddedArticle

__all__ = [
    "SUMY_ANCHORS",
    "TOPIC_DESCRIPTIONS",
    "WordTokenizer",
    "sumy_document",
    "make_sumy",
    "sumy_summary",
    "lead_summary",
    "article_text",
    "make_tfidf_svc",
    "fit_tfidf_svc",
    "ZeroShotClassifier",
]

#: Display name -> sumy summarizer class path, in table order.
SUMY_ANCHORS = {
    "TextRank (sumy)": "sumy.summarizers.text_rank.TextRankSummarizer",
    "LexRank (sumy)": "sumy.summarizers.lex_rank.LexRankSummarizer",
    "LSA (sumy)": "sumy.summarizers.lsa.LsaSummarizer",
    "Luhn (sumy)": "sumy.summarizers.luhn.LuhnSummarizer",
}

#: One short description per topic, written for this baseline (not taken from any benchmark file).
TOPIC_DESCRIPTIONS = {
    "diplomacy": "Diplomacy and international relations: governments negotiate, foreign ministers and leaders "
    "meet at summits, countries sign treaties or impose sanctions on each other.",
    "energy": "The energy industry: oil, natural gas, coal, electricity and nuclear power, pipelines, refineries, "
    "OPEC output and fuel prices.",
    "finance": "Finance and markets: banks, central banks and interest rates, currencies, stocks and bonds, "
    "company earnings, mergers and takeovers.",
    "legal": "Law and justice: courts, trials, lawsuits, judges and prosecutors, police investigations, arrests, "
    "criminal charges and prison sentences.",
}

# sumy's Tokenizer keeps tokens matching ^[^\W\d_](?:[^\W\d_]|['-])*$; the same rule, applied by search.
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['-])*")


class WordTokenizer:
    """The tokenizer sumy's DOM asks for; sentences are already split, so only `to_words` does work."""

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(_WORD.findall(sentence))

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return (paragraph,)


def sumy_document(article: Article, tokenizer: WordTokenizer | None = None):
    """A sumy ObjectDocumentModel with nlpkit's paragraphs and sentences."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    tokenizer = tokenizer or WordTokenizer()
    paragraphs = [Paragraph([Sentence(s.text, tokenizer) for s in paragraph]) for paragraph in article.paragraphs]
    return ObjectDocumentModel(paragraphs)


def make_sumy(name: str):
    """A sumy summarizer by display name, with the English stemmer and stop words, as its docs set it up."""
    import importlib

    from sumy.nlp.stemmers import Stemmer
    from sumy.utils import get_stop_words

    module_name, _, class_name = SUMY_ANCHORS[name].rpartition(".")
    summarizer = getattr(importlib.import_module(module_name), class_name)(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    return summarizer


def sumy_summary(summarizer, article: Article, n_sentences: int) -> list[str]:
    """The sentences sumy picks, as text in document order."""
    if not article.sentences or n_sentences <= 0:
        return []
    return [str(sentence) for sentence in summarizer(sumy_document(article), n_sentences)]


def lead_summary(article: Article, n_sentences: int) -> list[str]:
    return LeadSummarizer().summarize(article, n_sentences=n_sentences)


def article_text(article: Article) -> str:
    """Title and body as one string, from the same parsed article every system reads."""
    return "\n".join([article.title, *article.texts]) if article.title else "\n".join(article.texts)


def make_tfidf_svc(C: float = 1.0, random_state: int = 0) -> Pipeline:
    """The usual strong text-classification baseline: word 1-2-gram TF-IDF into a linear SVM."""
    return Pipeline(
        [
            ("tfidf", TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1, stop_words="english")),
            ("svc", LinearSVC(C=C, class_weight="balanced", random_state=random_state)),
        ]
    )


def fit_tfidf_svc(
    train_texts: Sequence[str],
    train_labels: Sequence[str],
    validation_texts: Sequence[str] = (),
    validation_labels: Sequence[str] = (),
    grid: Sequence[float] = (1.0, 0.3, 3.0, 0.1, 10.0),
) -> Pipeline:
    """Fit on train; when validation is given, pick C from `grid` by its macro-F1 there (ties keep the earlier C)."""
    if not validation_texts:
        return make_tfidf_svc(grid[0]).fit(train_texts, train_labels)
    best, best_score = None, -1.0
    for C in grid:
        pipeline = make_tfidf_svc(C).fit(train_texts, train_labels)
        score = f1_score(validation_labels, pipeline.predict(validation_texts), average="macro", zero_division=0)
        if score > best_score + 1e-9:
            best, best_score = pipeline, score
    return best


class ZeroShotClassifier(BaseEstimator, ClassifierMixin):
    """Nearest topic description by cosine to the article's document vector; `other` below a threshold.

    No training examples: `fit` only embeds the descriptions and picks the `other` threshold that gives the
    best macro-F1 on the labelled articles it is given (the seed validation split), unless `threshold` is set.
    """

    def __init__(
        self, encoder: SentenceEncoder, descriptions: dict[str, str] | None = None, threshold: float | None = None
    ) -> None:
        self.encoder = encoder
        self.descriptions = descriptions
        self.threshold = threshold

    def fit(self, X: Sequence[EmbeddedArticle], y: Sequence[str]) -> ZeroShotClassifier:
        descriptions = self.descriptions or TOPIC_DESCRIPTIONS
        self.topics_ = list(descriptions)
        self.classes_ = np.array([*self.topics_, OTHER])
        self.topic_vectors_ = self.encoder.encode_texts([descriptions[t] for t in self.topics_])
        self.pooler_ = DocumentPooler().fit(X)
        self.threshold_ = self.threshold if self.threshold is not None else self._best_threshold(X, list(y))
        return self

    def similarities(self, X: Sequence[EmbeddedArticle]) -> np.ndarray:
        """Cosine of each article's document vector to each topic description, shape (n, topics)."""
        if not len(X):
            return np.zeros((0, len(self.topics_)))
        return self.pooler_.transform(X) @ self.topic_vectors_.T

    def predict(self, X: Sequence[EmbeddedArticle]) -> np.ndarray:
        return self._decide(self.similarities(X), self.threshold_)

    def _decide(self, similarities: np.ndarray, threshold: float) -> np.ndarray:
        best = similarities.argmax(axis=1)
        labels = np.array(self.topics_, dtype=object)[best]
        labels[similarities.max(axis=1) < threshold] = OTHER
        return labels

    def _best_threshold(self, X: Sequence[EmbeddedArticle], y: list[str]) -> float:
        similarities = self.similarities(X)
        best_value, best_score = 0.0, -1.0
        for value in np.round(np.arange(0.0, 0.8, 0.01), 2):
            predicted = self._decide(similarities, value)
            score = f1_score(y, predicted, labels=list(self.classes_), average="macro", zero_division=0)
            if score > best_score + 1e-9:
                best_value, best_score = float(value), score
        return best_value
