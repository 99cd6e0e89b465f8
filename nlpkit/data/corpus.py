"""Reading a labelled corpus (the seed corpus schema) and its fixed train/validation/test split."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from nlpkit.data.jsonl import read_jsonl
from nlpkit.errors import CorpusError, DataError
from nlpkit.labels import LABELS
from nlpkit.text.document import Article, parse_article

__all__ = ["LabelledArticle", "CorpusError", "load_corpus", "load_splits", "corpus_hash", "LABELS"]

@dataclass(frozen=True)
class LabelledArticle:
    """One corpus record: the parsed article, its topics (primary first) and reference summary."""

    article: Article
    topics: tuple[str, ...]
    summary: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def primary(self) -> str:
        return self.topics[0]


def load_corpus(path: str | Path, labels: Sequence[str] = LABELS) -> list[LabelledArticle]:
    """Parse a JSONL corpus; every line must have id, text and a `topics` list drawn from `labels`."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"corpus file {path} not found")
    try:
        records = [_record(data, path, number, tuple(labels)) for number, data in read_jsonl(path)]
    except DataError as error:
        raise CorpusError(str(error)) from error
    if not records:
        raise CorpusError(f"{path}: no articles")
    return records


def _record(data: dict[str, Any], path: Path, number: int, labels: tuple[str, ...] = LABELS) -> LabelledArticle:
    where = f"{path}:{number}"
    for key in ("id", "text", "topics"):
        if key not in data:
            raise CorpusError(f"{where}: missing field {key!r}")
    raw_topics = data["topics"]
    topics = tuple(raw_topics) if isinstance(raw_topics, list) else ()
    if not topics or any(topic not in labels for topic in topics):
        raise CorpusError(f"{where}: topics must be a non-empty list of {labels}, got {raw_topics!r}")
    if not isinstance(data["text"], str) or not isinstance(data.get("title", ""), str):
        raise CorpusError(f"{where}: 'text' and 'title' must be strings")
    meta = {key: data.get(key, "") for key in ("region", "date", "kind", "style")}
    article = parse_article(data["text"], data.get("title", ""), id=str(data["id"]), meta=meta)
    return LabelledArticle(article, topics, tuple(data.get("summary", ())))


def load_splits(path: str | Path, corpus: list[LabelledArticle]) -> dict[str, list[LabelledArticle]]:
    """{"train": [...], "validation": [...], "test": [...]} from a JSON of id lists; unknown ids are errors."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"split file {path} not found")
    try:
        ids = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise CorpusError(f"{path}: not valid JSON ({error})") from error
    if not isinstance(ids, dict):
        raise CorpusError(f"{path}: expected an object with train, validation and test id lists")
    by_id = {record.id: record for record in corpus}
    splits: dict[str, list[LabelledArticle]] = {}
    for name in ("train", "validation", "test"):
        if not isinstance(ids.get(name, []), list) or not all(isinstance(i, str) for i in ids.get(name, [])):
            raise CorpusError(f"{path}: {name} must be a list of article ids, got {type(ids.get(name)).__name__}")
        missing = [i for i in ids.get(name, []) if i not in by_id]
        if missing:
            raise CorpusError(f"{path}: {name} names ids not in the corpus, e.g. {missing[:3]}")
        splits[name] = [by_id[i] for i in ids.get(name, [])]
    if not splits["train"]:
        raise CorpusError(f"{path}: the train split is empty")
    _check_train_covers_labels(path, splits)
    return splits


def _check_train_covers_labels(path: Path, splits: dict[str, list[LabelledArticle]]) -> None:
    """Every primary label the split uses must be the primary label of a training article, or the classifier
    cannot learn it."""
    taught = {record.primary for record in splits["train"]}
    for name in ("validation", "test"):
        untaught = sorted({record.primary for record in splits[name]} - taught)
        if untaught:
            raise CorpusError(f"{path}: the train split has no article labelled {', '.join(map(repr, untaught))}, "
                              f"which the {name} split uses; move some of those articles to train")


def corpus_hash(path: str | Path) -> str:
    """sha256 of the corpus file, logged with each run so results trace back to the exact data."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
