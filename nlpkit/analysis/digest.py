"""A day's news as stories: predict (or read predictions), group the same story across outlets, count topics.

Articles stream through the model in batches like `nlpkit.predict`; only a compact item per article is
kept (its record fields and one story vector), so 10,000 articles need tens of MB, not their texts.
Bad input becomes an error entry and the digest goes on.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urlparse

import numpy as np

from nlpkit.analysis.grouping import GroupingSettings, group_stories, parse_date, story_vector
from nlpkit.batch import output_record
from nlpkit.data.inbox import InputRecord
from nlpkit.errors import ConfigError
from nlpkit.model import NewsModel
from nlpkit.text.document import Article, parse_article

__all__ = [
    "DigestItem",
    "Digest",
    "load_settings",
    "items_from_records",
    "items_from_predictions",
    "is_predictions_file",
    "build_digest",
    "repeats_summary",
]

#: A why line repeats the summary when this share of its words is already in the summary.
REPEAT_OVERLAP = 0.8

log = logging.getLogger(__name__)


@dataclass
class DigestItem:
    """What the digest keeps of one article."""

    id: str
    path: str
    title: str
    source: str = ""
    date: dt.date | None = None
    url: str = ""
    topic: str | None = None
    topics: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    evidence: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None
    vector: np.ndarray | None = None


@dataclass
class Digest:
    """The JSON-ready digest (`data`) plus counts for the closing line."""

    data: dict[str, Any]

    @property
    def stories(self) -> list[dict[str, Any]]:
        return list(self.data["stories"])

    def to_json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, indent=1)


def load_settings(path: Path | None, overrides: dict[str, Any] | None = None) -> GroupingSettings:
    """Grouping settings from a YAML file (configs/digest.yaml) and `key=value` overrides, checked.

    The file is read with the config reader's limits (size, aliases, depth, huge numbers), so a hostile
    file is one short error line.
    """
    from nlpkit.training.config import read_yaml

    values: dict[str, Any] = {}
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"digest config {path} not found")
        loaded = read_yaml(path, "digest config") or {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: expected a mapping of settings")
        values.update(loaded)
    values.update(overrides or {})
    known = GroupingSettings.__dataclass_fields__
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"unknown digest setting {str(key)[:60]!r}; expected one of {sorted(known)}")
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not _sane_number(value):
            raise ConfigError(f"digest setting {key} must be a number, got {_short(value)}")
    settings = GroupingSettings(**{k: type(getattr(GroupingSettings(), k))(v) for k, v in values.items()})
    if not 0 < settings.threshold <= 1:
        raise ConfigError(f"digest setting threshold must be in (0, 1], got {settings.threshold}")
    for key in ("window_days", "lead_sentences", "neighbours"):
        if not 0 <= getattr(settings, key) <= 100_000:
            raise ConfigError(f"digest setting {key} must be in [0, 100000], got {getattr(settings, key)}")
    return settings


def _sane_number(value: float) -> bool:
    return math.isfinite(value) and abs(value) < 2**53


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _source(record: InputRecord, root: Path) -> str:
    """The outlet: a `source` field, else the host of a `url`, else the sub-folder the file sits in."""
    if record.meta.get("source"):
        return record.meta["source"]
    if record.meta.get("url"):
        return urlparse(record.meta["url"]).netloc.removeprefix("www.")
    parent = Path(record.path).parent
    if root.is_dir() and parent != root:
        return parent.name
    return ""


def _item(record: InputRecord, root: Path) -> DigestItem:
    date = parse_date(record.meta.get("date")) or parse_date(Path(record.path).name)
    return DigestItem(
        record.id,
        record.path,
        record.title,
        _source(record, root),
        date,
        record.meta.get("url", ""),
        error=record.error,
    )


def items_from_records(
    model: NewsModel,
    records: Iterable[InputRecord],
    root: Path,
    settings: GroupingSettings,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> Iterator[DigestItem]:
    """Predict articles in batches; each item keeps its record fields and its story vector."""
    iterator = iter(records)
    while batch := list(itertools.islice(iterator, batch_size)):
        items = [_item(record, root) for record in batch]
        chosen: list[tuple[int, Article]] = []
        for index, record in enumerate(batch):
            if record.error is None:
                article = parse_article(record.text, record.title, id=record.id)
                if article.sentences:
                    chosen.append((index, article))
                else:
                    items[index].error = "no sentences left after removing page furniture"
        articles = [article for _, article in chosen]
        encoded = model.encode(articles)
        for (index, _), vectors, prediction in zip(chosen, encoded.vectors, model.predict(encoded)):
            done = output_record(batch[index], prediction)
            item = items[index]
            item.topic, item.topics, item.summary, item.evidence = done.topic, done.topics, done.summary, done.evidence
            item.vector = story_vector(vectors, settings.lead_sentences)
        if progress:
            progress(len(batch))
        yield from items


def is_predictions_file(path: Path) -> bool:
    """A .jsonl whose first record looks like `nlpkit.predict` output (has `topic`, `summary`, `scores`)."""
    if not path.is_file() or path.suffix.lower() != ".jsonl":
        return False
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.strip():
                try:
                    first = json.loads(line)
                except ValueError:
                    return False
                return isinstance(first, dict) and {"topic", "summary", "scores"} <= set(first)
    return False


def items_from_predictions(
    model: NewsModel,
    path: Path,
    settings: GroupingSettings,
    batch_size: int = 256,
    progress: Callable[[int], None] | None = None,
) -> Iterator[DigestItem]:
    """Items from a predictions JSONL: the story vector is encoded from each title and its summary."""

    def read() -> Iterator[DigestItem]:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield prediction_item(line, number, path)

    iterator = read()
    while batch := list(itertools.islice(iterator, batch_size)):
        todo = [item for item in batch if item.error is None and item.topic and (item.summary or item.title)]
        kept = {id(item) for item in todo}
        for item in batch:
            if item.error is None and id(item) not in kept:
                item.error = "record has no topic and no summary"
        articles = [parse_article("\n".join(item.summary), item.title, id=item.id) for item in todo]
        for item, vectors in zip(todo, model.encode(articles).vectors):
            item.vector = story_vector(vectors, settings.lead_sentences)
        if progress:
            progress(len(batch))
        yield from batch


def prediction_item(line: str, number: int, path: Path) -> DigestItem:
    """One line of a predictions file as an item; a line that is not a well-typed record becomes an error item."""
    where = f"line {number}"
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return DigestItem(where, str(path), "", error=f"{where}: malformed JSON")
    if not isinstance(data, dict):
        return DigestItem(where, str(path), "", error=f"{where}: expected a JSON object")
    problem = _prediction_problem(data)
    record_id = data.get("id")
    record_id = where if record_id is None or problem else str(record_id)[:500]
    if problem:
        log.warning("%s %s: %s; record skipped", path, where, problem)
        return DigestItem(record_id, str(path), "", error=f"{where}: {problem}")
    record_path = str(data.get("path") or path)
    return DigestItem(
        record_id,
        record_path,
        str(data.get("title") or ""),
        str(data.get("source") or ""),
        parse_date(_text(data.get("date"))) or parse_date(Path(record_path).name),
        str(data.get("url") or ""),
        data.get("topic"),
        list(data.get("topics") or []),
        list(data.get("summary") or []),
        dict(data.get("evidence") or {}),
        data.get("error"),
    )


_OPTIONAL_TEXT = ("path", "title", "source", "url", "date", "topic", "error")


def _prediction_problem(data: dict[str, Any]) -> str | None:
    """What makes a prediction record unusable (a field of the wrong type), or None."""
    record_id = data.get("id")
    if record_id is not None and (
        isinstance(record_id, bool)
        or not isinstance(record_id, (str, int))
        or (isinstance(record_id, int) and abs(record_id) > 10**30)
    ):
        return f"'id' must be a string or a short integer, got {type(record_id).__name__}"
    for key in _OPTIONAL_TEXT:
        value = data.get(key)
        if (
            value is not None
            and not isinstance(value, str)
            and not (key in ("date", "source") and _is_plain_number(value))
        ):
            return f"'{key}' must be a string, got {type(value).__name__}"
    for key in ("topics", "summary"):
        value = data.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            return f"'{key}' must be a list of strings, got {type(value).__name__}"
    evidence = data.get("evidence")
    if evidence is not None and not (
        isinstance(evidence, dict)
        and all(
            isinstance(sentences, list) and all(isinstance(s, str) for s in sentences)
            for sentences in evidence.values()
        )
    ):
        return f"'evidence' must be an object of topic -> list of sentences, got {type(evidence).__name__}"
    return None


def _is_plain_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 10**30


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


def build_digest(
    items: Iterable[DigestItem], settings: GroupingSettings, about: dict[str, Any] | None = None
) -> Digest:
    """Group the items into stories and count topics by day and by source."""
    good: list[DigestItem] = []
    errors: list[dict[str, Any]] = []
    for item in items:
        if item.error is None and item.vector is not None:
            good.append(item)
        else:
            errors.append({"id": item.id, "path": item.path, "error": item.error or "not predicted"})
    if good:
        matrix = np.vstack([item.vector for item in good if item.vector is not None])
        labels = group_stories(matrix, [item.date for item in good], settings)
    else:
        matrix, labels = np.zeros((0, 0), np.float32), []
    members: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        members[label].append(index)
    stories = [_story(good, matrix, indices) for indices in members.values()]
    stories.sort(key=_newest_first)
    for number, story in enumerate(stories, start=1):
        story["id"] = f"s{number}"
    data = {
        **(about or {}),
        "generated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "settings": {
            "threshold": settings.threshold,
            "window_days": settings.window_days,
            "lead_sentences": settings.lead_sentences,
        },
        "articles": len(good),
        "failed": len(errors),
        "topics": dict(Counter(item.topic for item in good if item.topic).most_common()),
        "by_day": _table((item.date.isoformat() if item.date else None, item.topic) for item in good),
        "by_source": _table((item.source or None, item.topic) for item in good),
        "undated": dict(Counter(item.topic for item in good if item.topic and item.date is None)),
        "unknown_source": dict(Counter(item.topic for item in good if item.topic and not item.source)),
        "stories": stories,
        "errors": errors,
    }
    return Digest(data)


def _table(pairs: Iterable[tuple[str | None, str | None]]) -> dict[str, dict[str, int]]:
    table: dict[str, Counter] = defaultdict(Counter)
    for key, topic in pairs:
        if key and topic:
            table[key][topic] += 1
    return {key: dict(table[key]) for key in sorted(table)}


def _newest_first(story: dict[str, Any]) -> tuple[int, int, str]:
    """Stories by their latest date, newest first (undated last), then the bigger first."""
    last = story["last_date"]
    return (-dt.date.fromisoformat(last).toordinal() if last else 0, -story["size"], story["title"])


def _words(text: str) -> set[str]:
    return {word for word in re.findall(r"\w+", text.lower()) if len(word) > 2}


def _squeeze(text: str) -> str:
    return " ".join(text.split()).lower()


def repeats_summary(why: list[str], summary: list[str]) -> bool:
    """True when a why line adds nothing to the summary: its first sentence is a summary sentence, or at
    least 80% of its words (longer than two letters) are already in the summary."""
    if not why:
        return True
    if _squeeze(why[0]) in {_squeeze(sentence) for sentence in summary}:
        return True
    words, known = _words(" ".join(why)), _words(" ".join(summary))
    return bool(words) and len(words & known) / len(words) >= REPEAT_OVERLAP


def _story(items: list[DigestItem], matrix: np.ndarray, indices: list[int]) -> dict[str, Any]:
    """One story: its members with their cosine to the centroid, the member nearest it as representative,
    the majority topic, and the why lines that do not repeat the summary."""
    centroid = matrix[indices].sum(axis=0)
    centroid = centroid / max(float(np.linalg.norm(centroid)), 1e-12)
    similarity = {i: float(s) for i, s in zip(indices, matrix[indices] @ centroid)}
    representative = items[max(indices, key=lambda i: similarity[i])]
    topics = Counter(items[i].topic for i in indices)
    topic = max(topics, key=lambda t: (topics[t], t == representative.topic))
    dates = sorted(day.isoformat() for day in (items[i].date for i in indices) if day)
    return {
        "id": "",
        "title": representative.title,
        "topic": topic,
        "topics": representative.topics,
        "size": len(indices),
        "sources": sorted({items[i].source for i in indices if items[i].source}),
        "first_date": dates[0] if dates else None,
        "last_date": dates[-1] if dates else None,
        "summary": representative.summary,
        "evidence": representative.evidence,
        "why": {
            topic: sentences
            for topic, sentences in representative.evidence.items()
            if not repeats_summary(sentences, representative.summary)
        },
        "representative": representative.id,
        "articles": [
            {
                "id": items[i].id,
                "title": items[i].title,
                "path": items[i].path,
                "url": items[i].url,
                "source": items[i].source,
                "date": _iso(items[i].date),
                "topic": items[i].topic,
                "similarity": round(similarity[i], 3),
            }
            for i in sorted(
                indices, key=lambda i: (-(items[i].date or dt.date.min).toordinal(), items[i].source, items[i].id)
            )
        ],
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
