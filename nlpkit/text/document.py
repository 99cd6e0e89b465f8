"""The shared document model: an article is a title plus paragraphs of sentences.

Everything downstream (embedding, classification, summarization, evaluation) reads this one structure,
so furniture removal and sentence splitting happen once, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nlpkit.text.furniture import strip_furniture
from nlpkit.text.splitter import split_paragraphs, split_sentences

__all__ = ["Sentence", "Article", "EmbeddedArticle", "parse_article"]


@dataclass(frozen=True)
class Sentence:
    """One sentence with where it stands: its paragraph and its index in the whole article."""

    text: str
    paragraph: int
    index: int

    @property
    def words(self) -> list[str]:
        return self.text.split()


@dataclass(frozen=True)
class Article:
    """A parsed article; `sentences` is in document order across all paragraphs."""

    title: str
    sentences: tuple[Sentence, ...]
    id: str = ""
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def paragraphs(self) -> list[list[Sentence]]:
        grouped: dict[int, list[Sentence]] = {}
        for sentence in self.sentences:
            grouped.setdefault(sentence.paragraph, []).append(sentence)
        return [grouped[key] for key in sorted(grouped)]

    @property
    def texts(self) -> list[str]:
        return [sentence.text for sentence in self.sentences]

    @property
    def word_count(self) -> int:
        return sum(len(sentence.words) for sentence in self.sentences)


@dataclass(frozen=True)
class EmbeddedArticle:
    """Unit vectors of an article's title (None when it has none) and of each of its sentences.

    `text` (title and sentences joined) rides along for heads that also read words, such as TF-IDF.
    """

    title: np.ndarray | None
    sentences: np.ndarray
    text: str = ""


def parse_article(text: str, title: str = "", id: str = "", meta: dict | None = None) -> Article:
    """Build an Article from raw text: strip page furniture, then split paragraphs and sentences."""
    if not isinstance(text, str):
        raise TypeError(f"article text must be a string, got {type(text).__name__}")
    cleaned = strip_furniture(text)
    sentences: list[Sentence] = []
    for paragraph_index, paragraph in enumerate(split_paragraphs(cleaned)):
        for sentence_text in split_sentences(paragraph):
            sentences.append(Sentence(sentence_text, paragraph_index, len(sentences)))
    return Article(title=(title or "").strip(), sentences=tuple(sentences), id=id, meta=dict(meta or {}))
