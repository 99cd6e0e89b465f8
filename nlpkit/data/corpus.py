"""Reading a labelled corpus (the seed corpus schema) and its fixed train/validation/test split."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from nlpkit.heads.topics import OTHER, TOPICS
from nlpkit.text.document import Article, parse_article

__all__ = ["LabelledArticle", "CorpusError", "load_corpus", "load_splits", "corpus_hash", "LABELS"]

LABELS = (*TOPICS, OTHER)


class CorpusError(ValueError):
    """A corpus or split file that does not follow the schema; the message names file and line."""


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


def load_corpus(path: str | Path) -> list[LabelledArticle]:
    """Parse a JSONL corpus; every line must have id, text and a valid `topics` list."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"corpus file {path} not found")
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            records.append(_record(json.loads(line) if _is_json(line) else None, path, number))
    if not records:
        raise CorpusError(f"{path}: no articles")
    return records


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def _record(data: dict | None, path: Path, number: int) -> LabelledArticle:
    where = f"{path}:{number}"
    if not isinstance(data, dict):
        raise CorpusError(f"{where}: expected a JSON object per line")
    for key in ("id", "text", "topics"):
        if key not in data:
            raise CorpusError(f"{where}: missing field {key!r}")
    topics = tuple(data["topics"])
    if not topics or any(topic not in LABELS for topic in topics):
        raise CorpusError(f"{where}: topics must be a non-empty list of {LABELS}, got {list(topics)}")
    article = parse_article(data["text"], data.get("title", ""), id=str(data["id"]), meta={
        "region": data.get("region", ""), "date": data.get("date", "")})
    return LabelledArticle(article, topics, tuple(data.get("summary", ())))


def load_splits(path: str | Path, corpus: list[LabelledArticle]) -> dict[str, list[LabelledArticle]]:
    """{"train": [...], "validation": [...], "test": [...]} from a JSON of id lists; unknown ids are errors."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"split file {path} not found")
    ids = json.loads(path.read_text(encoding="utf-8"))
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
