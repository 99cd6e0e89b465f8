"""Training on a user's own labelled file with no hand work: labels from the data, a split made and saved.

`python -m nlpkit.train --data my.jsonl [--with-seeds]` calls `prepare_user_data`: it reads the file (the
seed schema `topics: [primary, ...]`, or `topic` with optional `also`, or `label`), writes a normalised
corpus and a stratified 70/15/15 split beside it (`my.nlpkit.jsonl`, `my.splits.json`; a split that
still matches the file's ids is reused, so reruns compare like with like), and returns the config
settings that point training at them. Labels are the five topics, or the user's own set.
"""

from __future__ import annotations

import json
import logging
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpkit.data.jsonl import read_jsonl
from nlpkit.errors import CorpusError, DataError
from nlpkit.labels import LABELS

__all__ = ["PreparedData", "prepare_user_data", "read_labelled", "stratified_split"]

log = logging.getLogger(__name__)

SHARES = {"validation": 0.15, "test": 0.15}


@dataclass(frozen=True)
class PreparedData:
    """Where the normalised corpus and its split were written, and the settings to train on them."""

    data: Path
    splits: Path
    labels: list[str]
    sizes: dict[str, int]

    def overrides(self) -> list[str]:
        """`--set` style settings: data, splits, and labels when they are not the five topics."""
        settings = [f"data={self.data}", f"splits={self.splits}"]
        if not set(self.labels) <= set(LABELS):
            settings.append(f"labels={json.dumps(self.labels)}")
        return settings


def _names(value: Any, key: str, where: str) -> list[str]:
    """A label field: one name or a list of names, each a plain label name."""
    from nlpkit.training.config import label_name_problem

    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise CorpusError(f"{where}: '{key}' must be a label name or a list of them, got {type(value).__name__}")
    names = [item.strip() if isinstance(item, str) else item for item in items]
    for name in names:
        if name == "":
            continue
        problem = label_name_problem(name)
        if problem:
            raise CorpusError(f"{where}: '{key}': {problem}")
    return [name for name in names if name]


def _topics(data: dict[str, Any], where: str) -> list[str]:
    key = next((k for k in ("topics", "labels") if data.get(k) is not None), None)
    if key is not None:
        topics = _names(data[key], key, where)
    else:
        key = next((k for k in ("topic", "label") if data.get(k) is not None), "topic")
        primary = _names(data[key], key, where) if data.get(key) is not None else []
        topics = primary + (_names(data["also"], "also", where) if primary and data.get("also") is not None else [])
    if not topics:
        raise CorpusError(f"{where}: no label: expected 'topics' (a list, primary first), 'topic' or 'label'")
    return list(dict.fromkeys(topics))


_TEXT_FIELDS = ("date", "region", "source", "url")


def _record(data: dict[str, Any], where: str, record_id: str) -> dict[str, Any]:
    """One record in the seed schema; every optional field is checked for its type here, not in training."""
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        raise CorpusError(f"{where}: 'title' must be a string, got {type(title).__name__}")
    record = {"id": record_id, "title": title or "", "text": data["text"], "topics": _topics(data, where)}
    summary = data.get("summary")
    if summary:
        if isinstance(summary, str):
            summary = [summary]
        if not isinstance(summary, list) or not all(isinstance(s, str) for s in summary):
            raise CorpusError(f"{where}: 'summary' must be a list of sentences, got {type(data['summary']).__name__}")
        record["summary"] = summary
    for key in _TEXT_FIELDS:
        value = data.get(key)
        if value and not isinstance(value, str):
            raise CorpusError(f"{where}: '{key}' must be a string, got {type(value).__name__}")
        if value:
            record[key] = value
    return record


def _record_id(data: dict[str, Any], where: str, fallback: str) -> str:
    raw = data.get("id")
    if raw is None or raw == "":
        return fallback
    if isinstance(raw, bool) or not isinstance(raw, (str, int)) or (isinstance(raw, int) and abs(raw) > 10**30):
        raise CorpusError(f"{where}: 'id' must be a string or a short integer, got {type(raw).__name__}")
    return str(raw)


def read_labelled(path: Path) -> list[dict[str, Any]]:
    """Records in the seed schema (id, title, text, topics[, summary, date, source]); errors name the line."""
    try:
        rows = list(read_jsonl(path))
    except DataError as error:
        raise CorpusError(str(error)) from error
    records, seen = [], set()
    for number, data in rows:
        where = f"{path}:{number}"
        if not isinstance(data.get("text"), str) or not data["text"].strip():
            raise CorpusError(f"{where}: expected a non-empty 'text' string")
        record_id = _record_id(data, where, f"{path.stem}-{number}")
        if record_id in seen:
            raise CorpusError(f"{where}: id {record_id!r} appears twice; ids must be unique")
        seen.add(record_id)
        records.append(_record(data, where, record_id))
    if not records:
        raise CorpusError(f"{path}: no labelled articles")
    return records


def stratified_split(records: list[dict[str, Any]], seed: int = 0) -> dict[str, list[str]]:
    """70/15/15 by primary label; a label with fewer than 4 articles stays in train (it cannot be scored)."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for record in records:
        by_label[record["topics"][0]].append(record["id"])
    split: dict[str, list[str]] = {"train": [], "validation": [], "test": []}
    rng = random.Random(seed)
    for label in sorted(by_label):
        ids = sorted(by_label[label])
        rng.shuffle(ids)
        if len(ids) < 4:
            log.warning("label %r has only %d article(s): all go to train", label, len(ids))
            split["train"] += ids
            continue
        n_val = max(1, round(SHARES["validation"] * len(ids)))
        n_test = max(1, round(SHARES["test"] * len(ids)))
        split["validation"] += ids[:n_val]
        split["test"] += ids[n_val : n_val + n_test]
        split["train"] += ids[n_val + n_test :]
    return split


def _seed_records(seeds: Path) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    records = [data for _, data in read_jsonl(seeds / "articles.jsonl")]
    splits = json.loads((seeds / "splits.json").read_text(encoding="utf-8"))
    return records, splits


def _read_split(path: Path) -> dict[str, list[str]]:
    """A saved split: an object of train/validation/test lists of ids; anything else is one clear error."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        raise CorpusError(f"{path}: cannot read the saved split ({str(error)[:80]}); delete it to make a new one") from None
    if not (isinstance(saved, dict) and set(saved) <= {"train", "validation", "test"}
            and all(isinstance(part, list) and all(isinstance(i, str) for i in part) for part in saved.values())):
        raise CorpusError(f"{path}: expected an object of train, validation and test lists of ids (the splits file "
                          "nlpkit wrote); delete it to make a new one")
    return saved


def prepare_user_data(path: Path, with_seeds: bool = False, seeds: Path = Path("seeds"), seed: int = 0) -> PreparedData:
    """Normalise `path`, make (or reuse) its split, optionally merge the seed corpus; write both beside it."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"--data {path}: file not found")
    records = read_labelled(path)
    labels = sorted({t for r in records for t in r["topics"]})
    if len(labels) < 2 and not with_seeds:
        raise CorpusError(f"--data {path}: every article has the label {labels[0]!r}; a classifier needs at least two "
                          "labels (add articles of another label, or --with-seeds)")
    splits_path = path.with_name(f"{path.stem}.splits.json")
    ids = {r["id"] for r in records}
    split = None
    if splits_path.is_file():
        saved = _read_split(splits_path)
        if {i for part in saved.values() for i in part} == ids:
            split = saved
            log.info("reusing the split in %s", splits_path)
    if split is None:
        split = stratified_split(records, seed)
        splits_path.write_text(json.dumps(split, indent=1) + "\n", encoding="utf-8")
        log.info("split %s: train %d, validation %d, test %d -> %s", path, *map(len, split.values()), splits_path)
    data_path = path.with_name(f"{path.stem}.nlpkit.jsonl")
    out_splits = splits_path
    if with_seeds:
        seed_records, seed_split = _seed_records(seeds)
        clash = ids & {str(r["id"]) for r in seed_records}
        if clash:
            raise CorpusError(f"{path}: ids also used by the seed corpus, e.g. {sorted(clash)[:3]}; rename them")
        records = seed_records + records
        split = {name: list(seed_split.get(name, [])) + list(split.get(name, [])) for name in ("train", "validation", "test")}
        labels = sorted(set(labels) | set(LABELS))
        data_path = path.with_name(f"{path.stem}.with-seeds.jsonl")
        out_splits = path.with_name(f"{path.stem}.with-seeds.splits.json")
        out_splits.write_text(json.dumps(split, indent=1) + "\n", encoding="utf-8")
    data_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return PreparedData(data_path, out_splits, labels, {name: len(part) for name, part in split.items()})
