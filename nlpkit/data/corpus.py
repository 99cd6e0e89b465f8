"""Reading a labelled corpus (the seed corpus schema) and its fixed train/validation/test split."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from nlpkit.data.jsonl import read_jsonl
from nlpkit.errors import CorpusError, DataError
from nlpkit.labels import LABELS
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
    def from_json(cls, data: Mapping[str, Any], where: str, labels: Sequence[str] | None = None,
                  default_id: str | None = None) -> LabelledArticle:
        """The one labelled-article schema (seed corpus, `train --data`, evaluation files); errors name `where`.

        `text` is a non-empty string, `title` an optional string, `id` required unless `default_id` is given;
        labels come as `topics` (a list, primary first), or `topic`/`label` with an optional `also` list, and
        must be drawn from `labels` when it is given; `summary` is the list of reference sentences.
        """
        raw_id = data.get("id") if data.get("id") not in (None, "") else default_id
        if raw_id is None:
            raise CorpusError(f"{where}: missing field 'id'")
        if not isinstance(data.get("text"), str) or not data["text"].strip():
            raise CorpusError(f"{where}: expected a non-empty 'text' string")
        if not isinstance(data.get("title") or "", str):
            raise CorpusError(f"{where}: 'title' must be a string")
        topics = topics_of(data, where)
        if labels is not None and any(topic not in labels for topic in topics):
            raise CorpusError(f"{where}: topics must be a non-empty list of {tuple(labels)}, got {topics!r}")
        meta = {key: data.get(key, "") for key in META_FIELDS}
        article = parse_article(data["text"], data.get("title") or "", id=str(raw_id), meta=meta)
        return cls(article, tuple(topics), tuple(data.get("summary") or ()))


def topics_of(data: Mapping[str, Any], where: str, required: bool = True) -> list[str]:
    """An article's labels, primary first: `topics` or `labels` (a list or one string), else `topic` or `label`
    plus `also`; stripped, without repeats. Empty only when not `required`."""
    raw = data.get("topics", data.get("labels"))
    if raw is None and data.get("topic", data.get("label")) is not None:
        raw = [data.get("topic", data.get("label"))] + list(data.get("also") or [])
    if isinstance(raw, str):
        raw = [raw]
    topics = [str(t).strip() for t in raw or [] if str(t).strip()] if isinstance(raw, (list, tuple)) else []
    if not topics and required:
        raise CorpusError(f"{where}: no label: expected 'topics' (a list, primary first), 'topic' or 'label'")
    return list(dict.fromkeys(topics))


def load_corpus(path: str | Path, labels: Sequence[str] = LABELS) -> list[LabelledArticle]:
    """Parse a JSONL corpus; every line must have id, text and a `topics` list drawn from `labels`."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"corpus file {path} not found")
    try:
        records = [LabelledArticle.from_json(data, f"{path}:{number}", tuple(labels)) for number, data in read_jsonl(path)]
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
        missing = [i for i in ids.get(name, []) if i not in by_id]
        if missing:
            raise CorpusError(f"{path}: {name} names ids not in the corpus, e.g. {missing[:3]}")
        splits[name] = [by_id[i] for i in ids.get(name, [])]
    if not splits["train"]:
        raise CorpusError(f"{path}: the train split is empty")
    return splits


def corpus_hash(path: str | Path) -> str:
    """sha256 of the corpus file, logged with each run so results trace back to the exact data."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
