"""Reading a labelled corpus (the seed corpus schema) and its fixed train/validation/test split."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from nlpkit.data.jsonl import read_jsonl
from nlpkit.errors import CorpusError, DataError
from nlpkit.labels import LABELS, label_name_problem
from nlpkit.text.document import Article, parse_article

__all__ = ["LabelledArticle", "CorpusError", "topics_of", "load_corpus", "load_splits", "corpus_hash", "LABELS"]

#: Article fields kept as `Article.meta` (the digest and the benchmarks read them).
META_FIELDS = ("region", "date", "kind", "style")


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

    @classmethod
    def from_json(
        cls, data: Mapping[str, Any], where: str, labels: Sequence[str] | None = None, default_id: str | None = None
    ) -> LabelledArticle:
        """The one labelled-article schema (seed corpus, `train --data`, evaluation files); errors name `where`.

        `text` is a non-empty string, `title` an optional string, `id` required unless `default_id` is given;
        labels come as `topics` (a list, primary first), or `topic`/`label` with an optional `also` list, and
        must be drawn from `labels` when it is given; `summary` is the list of reference sentences.
        """
        record_id = _record_id(data.get("id"), where, default_id)
        if not isinstance(data.get("text"), str):
            raise CorpusError(f"{where}: expected a 'text' string (empty for a headline-only item)")
        topics = topics_of(data, where)
        if labels is not None and any(topic not in labels for topic in topics):
            raise CorpusError(f"{where}: topics must be a non-empty list of {tuple(labels)}, got {topics!r}")
        fields = {key: _optional_text(data, key, where) for key in ("title", *META_FIELDS)}
        if not data["text"].strip() and not fields["title"].strip():
            raise CorpusError(f"{where}: expected a non-empty 'text' or, for a headline-only item, a 'title'")
        meta = {key: fields[key] for key in META_FIELDS}
        article = parse_article(data["text"], fields["title"], id=record_id, meta=meta)
        return cls(article, tuple(topics), tuple(_summary(data.get("summary"), where)))


def _record_id(raw: object, where: str, default: str | None) -> str:
    if raw is None or raw == "":
        if default is None:
            raise CorpusError(f"{where}: missing field 'id'")
        return default
    if isinstance(raw, bool) or not isinstance(raw, (str, int)) or (isinstance(raw, int) and abs(raw) > 10**30):
        raise CorpusError(f"{where}: 'id' must be a string or a short integer, got {type(raw).__name__}")
    return str(raw)


def _optional_text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise CorpusError(f"{where}: '{key}' must be a string, got {type(value).__name__}")
    return value or ""


def _summary(value: object, where: str) -> list[str]:
    """Reference sentences: a list of strings (one string is one sentence)."""
    if not value:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise CorpusError(f"{where}: 'summary' must be a list of sentences, got {type(value).__name__}")
    return items


def _names(value: object, key: str, where: str) -> list[str]:
    """A label field: one name or a list of names, each a plain label name (no paths, no markup)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise CorpusError(f"{where}: '{key}' must be a label name or a list of them, got {type(value).__name__}")
    names = [item.strip() if isinstance(item, str) else item for item in items]
    for name in names:
        problem = label_name_problem(name) if name != "" else None
        if problem:
            raise CorpusError(f"{where}: '{key}': {problem}")
    return [name for name in names if name]


def topics_of(data: Mapping[str, Any], where: str, required: bool = True) -> list[str]:
    """An article's labels, primary first: `topics` or `labels` (a list or one name), else `topic` or `label`
    plus `also`; stripped, without repeats, each a plain label name. Empty only when not `required`."""
    key = next((k for k in ("topics", "labels") if data.get(k) is not None), None)
    if key is not None:
        topics = _names(data[key], key, where)
    else:
        key = next((k for k in ("topic", "label") if data.get(k) is not None), "topic")
        primary = _names(data[key], key, where) if data.get(key) is not None else []
        topics = primary + (_names(data["also"], "also", where) if primary and data.get("also") is not None else [])
    if not topics and required:
        raise CorpusError(f"{where}: no label: expected 'topics' (a list, primary first), 'topic' or 'label'")
    return list(dict.fromkeys(topics))


def load_corpus(path: str | Path, labels: Sequence[str] = LABELS) -> list[LabelledArticle]:
    """Parse a JSONL corpus; every line must have id, text and a `topics` list drawn from `labels`."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"corpus file {path} not found")
    try:
        records = [
            LabelledArticle.from_json(data, f"{path}:{number}", tuple(labels)) for number, data in read_jsonl(path)
        ]
    except DataError as error:
        raise CorpusError(str(error)) from error
    if not records:
        raise CorpusError(f"{path}: no articles")
    return records


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
            raise CorpusError(
                f"{path}: the train split has no article labelled {', '.join(map(repr, untaught))}, "
                f"which the {name} split uses; move some of those articles to train"
            )


def corpus_hash(path: str | Path) -> str:
    """sha256 of the corpus file, logged with each run so results trace back to the exact data."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
