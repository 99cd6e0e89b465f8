"""Training on a user's own labelled file with no hand work: labels from the data, a split made and saved.

`python -m nlpkit.train --data my.jsonl [--with-seeds]` calls `prepare_user_data`: it reads the file (the
seed schema `topics: [primary, ...]`, or `topic` with optional `also`, or `label`), writes a normalised
corpus and a stratified 70/15/15 split beside it (`my.nlpkit.jsonl`, `my.splits.json`; a split that
still matches the file's ids is reused, so reruns compare like with like), and returns the config
settings that point training at them. Labels are the five topics, or the user's own set.

A model trained on too little cannot be scored, so it must not quietly become the default: training is
refused when the validation split is empty or a label has fewer than `MIN_PER_LABEL` articles, unless
`allow_small` (`--allow-small`) says the user knows.
"""

from __future__ import annotations

import json
import logging
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpkit.data.corpus import LabelledArticle
from nlpkit.data.jsonl import read_jsonl
from nlpkit.errors import CorpusError, DataError
from nlpkit.labels import LABELS

__all__ = ["PreparedData", "prepare_user_data", "read_labelled", "stratified_split", "check_enough", "MIN_PER_LABEL"]

log = logging.getLogger(__name__)

SHARES = {"validation": 0.15, "test": 0.15}
#: Fewest articles per label (primary topic) to train on: at 10, the 70/15/15 split puts at least one of
#: each label in validation and in test, so every label is scored before the model is used.
MIN_PER_LABEL = 10


@dataclass(frozen=True)
class PreparedData:
    """Where the normalised corpus and its split were written, and the settings to train on them."""

    data: Path
    splits: Path
    labels: list[str]
    sizes: dict[str, int]
    run_prefix: str = ""

    def overrides(self) -> list[str]:
        """`--set` style settings: data, splits, run prefix, and labels when they are not the five topics."""
        settings = [f"data={self.data}", f"splits={self.splits}"]
        if self.run_prefix:
            settings.append(f"run_prefix={self.run_prefix}")
        if not set(self.labels) <= set(LABELS):
            settings.append(f"labels={json.dumps(self.labels)}")
        return settings


def read_labelled(path: Path) -> list[dict[str, Any]]:
    """Records in the seed schema (id, title, text, topics[, summary, date, source]); errors name the line."""
    try:
        rows = list(read_jsonl(path))
    except DataError as error:
        raise CorpusError(str(error)) from error
    records, seen = [], set()
    for number, data in rows:
        where = f"{path}:{number}"
        labelled = LabelledArticle.from_json(data, where, default_id=f"{path.stem}-{number}")
        if labelled.id in seen:
            raise CorpusError(f"{where}: id {labelled.id!r} appears twice; ids must be unique")
        seen.add(labelled.id)
        records.append(_record(labelled, data, where))
    if not records:
        raise CorpusError(f"{path}: no labelled articles")
    return records


#: Optional string fields a user's record keeps when it is saved in the seed schema.
_KEPT_FIELDS = ("date", "region", "source", "url")


def _record(labelled: LabelledArticle, data: dict[str, Any], where: str) -> dict[str, Any]:
    """The record in the seed schema, from the one validated reading of it."""
    record: dict[str, Any] = {
        "id": labelled.id,
        "title": labelled.article.title,
        "text": data["text"],
        "topics": list(labelled.topics),
    }
    if labelled.summary:
        record["summary"] = list(labelled.summary)
    for key in _KEPT_FIELDS:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise CorpusError(f"{where}: '{key}' must be a string, got {type(value).__name__}")
        if value:
            record[key] = value
    return record


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
        raise CorpusError(
            f"{path}: cannot read the saved split ({str(error)[:80]}); delete it to make a new one"
        ) from None
    if not (
        isinstance(saved, dict)
        and set(saved) <= {"train", "validation", "test"}
        and all(isinstance(part, list) and all(isinstance(i, str) for i in part) for part in saved.values())
    ):
        raise CorpusError(
            f"{path}: expected an object of train, validation and test lists of ids (the splits file "
            "nlpkit wrote); delete it to make a new one"
        )
    return saved


def check_enough(path: Path, records: list[dict[str, Any]], split: dict[str, list[str]]) -> None:
    """Refuse data a model cannot be scored on: no validation split, or a label under `MIN_PER_LABEL` articles."""
    counts: dict[str, int] = defaultdict(int)
    for record in records:
        counts[record["topics"][0]] += 1
    small = {label: n for label, n in sorted(counts.items()) if n < MIN_PER_LABEL}
    advice = "label more articles, add --with-seeds, or pass --allow-small to train anyway"
    if small:
        listed = ", ".join(f"{label} {n}" for label, n in small.items())
        raise CorpusError(
            f"--data {path}: too few articles to train and score a model: {listed} "
            f"(at least {MIN_PER_LABEL} per label needed); {advice}"
        )
    if not split.get("validation"):
        raise CorpusError(f"--data {path}: the validation split is empty, so the model could not be scored; {advice}")


def run_prefix_for(path: Path, with_seeds: bool) -> str:
    """`data-<file stem>` (`-with-seeds` added), so a run on the user's data is told apart from a seeds run."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip(".-")[:40] or "file"
    return f"data-{stem}" + ("-with-seeds" if with_seeds else "")


def prepare_user_data(
    path: Path, with_seeds: bool = False, seeds: Path = Path("seeds"), seed: int = 0, allow_small: bool = False
) -> PreparedData:
    """Normalise `path`, make (or reuse) its split, optionally merge the seed corpus; write both beside it.

    `my.nlpkit.jsonl` (the user's records, normalised) is always written; `--with-seeds` also writes
    `my.with-seeds.jsonl` and `my.with-seeds.splits.json`, and training reads those.
    """
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"--data {path}: file not found")
    records = read_labelled(path)
    labels = sorted({t for r in records for t in r["topics"]})
    if len(labels) < 2 and not with_seeds:
        raise CorpusError(
            f"--data {path}: every article has the label {labels[0]!r}; a classifier needs at least two "
            "labels (add articles of another label, or --with-seeds)"
        )
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
    data_path.write_text(_jsonl(records), encoding="utf-8")
    out_splits = splits_path
    if with_seeds:
        seed_records, seed_split = _seed_records(seeds)
        clash = ids & {str(r["id"]) for r in seed_records}
        if clash:
            raise CorpusError(f"{path}: ids also used by the seed corpus, e.g. {sorted(clash)[:3]}; rename them")
        records = seed_records + records
        split = {
            name: list(seed_split.get(name, [])) + list(split.get(name, [])) for name in ("train", "validation", "test")
        }
        labels = sorted(set(labels) | set(LABELS))
        data_path = path.with_name(f"{path.stem}.with-seeds.jsonl")
        out_splits = path.with_name(f"{path.stem}.with-seeds.splits.json")
        out_splits.write_text(json.dumps(split, indent=1) + "\n", encoding="utf-8")
        data_path.write_text(_jsonl(records), encoding="utf-8")
    if not allow_small:
        check_enough(path, records, split)
    return PreparedData(
        data_path,
        out_splits,
        labels,
        {name: len(part) for name, part in split.items()},
        run_prefix_for(path, with_seeds),
    )


def _jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
