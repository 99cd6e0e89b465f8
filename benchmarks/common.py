"""What every benchmark shares: reading the data, encoding it, typed report records, the machine, and the
targets of the issues, written once as data. (Writing reports is `report.py`'s; MLflow is `tracking.py`'s.)

The benchmark files under `../shared/benchmarks` are read here for measuring only; nothing is trained on
them. Seeds come through `nlpkit.data.corpus`, JSONL through the package's one reader.
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from nlpkit.data.corpus import LabelledArticle, load_corpus, load_splits
from nlpkit.data.jsonl import read_jsonl
from nlpkit.embedding.encoder import SentenceEncoder
from nlpkit.errors import NlpkitError
from nlpkit.labels import LABELS
from nlpkit.model import EmbeddedBatch, NewsModel
from nlpkit.text.document import Article, EmbeddedArticle, parse_article

#: The checkout these benchmarks live in (run them from here: `python -m benchmarks NAME`).
REPO = Path(__file__).resolve().parents[1]

__all__ = [
    "REPO",
    "EXPERIMENT",
    "DEFAULT_SHARED",
    "DEFAULT_CACHE",
    "BenchmarkError",
    "read_records",
    "to_article",
    "raw_items",
    "TopicSet",
    "load_topic_set",
    "topic_sets",
    "load_seeds",
    "embed",
    "encode",
    "whole_text_vectors",
    "machine_info",
    "load_average",
    "utc_now",
    "stopwatch",
    "Target",
    "TargetResult",
    "TARGETS",
    "check",
    "TopicScore",
    "worse_of_two",
    "topic_score_table",
]

log = logging.getLogger("benchmarks.common")

EXPERIMENT = "nlpkit-benchmarks"
DEFAULT_SHARED = REPO.parent / "shared"
DEFAULT_CACHE = REPO / ".cache" / "nlpkit" / "embeddings"
#: The two topic dev sets every tuned choice is judged on (by the worse of the two), and where they live.
DEV_SETS = {"western": "topics/dev.jsonl", "regional": "topics/regional-dev.jsonl"}


class BenchmarkError(NlpkitError):
    """A benchmark or seed file that cannot be read as expected; the message names the file."""


# --------------------------------------------------------------------------- loading


def read_records(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """JSON objects of a benchmark file, each with a 'text' string; errors name the file and line."""
    records: list[dict[str, Any]] = []
    try:
        for number, record in read_jsonl(path, limit):
            if not isinstance(record.get("text"), str):
                raise BenchmarkError(f"{path}:{number}: expected a JSON object with a 'text' string")
            records.append(record)
    except NlpkitError as error:
        raise BenchmarkError(str(error)) from error
    return records


def to_article(record: dict[str, Any]) -> Article:
    """The record parsed exactly as `nlpkit.predict` parses it, so every system reads the same sentences."""
    return parse_article(record["text"], str(record.get("title") or ""), id=str(record.get("id", "")))


def raw_items(path: Path, limit: int | None = None) -> list[dict[str, str]]:
    """{"id", "title", "text"} as a user would send them: `predict` parses them itself."""
    return [
        {"id": str(r.get("id", i)), "title": str(r.get("title") or ""), "text": r["text"]}
        for i, r in enumerate(read_records(path, limit))
    ]


@dataclass
class TopicSet:
    """A labelled topic benchmark: parsed articles, their primary topic and kind (full | headline)."""

    name: str
    path: Path
    articles: list[Article]
    truth: list[str]
    kinds: list[str]

    @property
    def headline(self) -> list[int]:
        """Indices of the headline-only items (a title and nothing else)."""
        return [i for i, kind in enumerate(self.kinds) if kind == "headline"]

    def __len__(self) -> int:
        return len(self.articles)


def load_topic_set(path: Path, name: str) -> TopicSet:
    """A labelled topic file; every item needs a `topic` among the labels."""
    records = read_records(path)
    bad = [str(r.get("id")) for r in records if r.get("topic") not in LABELS]
    if bad:
        raise BenchmarkError(f"{path}: every item needs a 'topic' in {list(LABELS)}; e.g. {bad[:3]}")
    return TopicSet(
        name,
        path,
        [to_article(r) for r in records],
        [str(r["topic"]) for r in records],
        [str(r.get("kind") or "full") for r in records],
    )


def topic_sets(shared: Path) -> dict[str, TopicSet]:
    """Both dev sets (Western and regional) under `shared/benchmarks`."""
    return {name: load_topic_set(shared / "benchmarks" / relative, name) for name, relative in DEV_SETS.items()}


def load_seeds(seeds: Path) -> dict[str, list[LabelledArticle]]:
    """The seed corpus split into train / validation / test."""
    try:
        return load_splits(seeds / "splits.json", load_corpus(seeds / "articles.jsonl"))
    except NlpkitError as error:
        raise BenchmarkError(str(error)) from error


# --------------------------------------------------------------------------- encoder


def embed(encoder: SentenceEncoder, articles: Sequence[Article], label: str, chunk: int = 64) -> list[EmbeddedArticle]:
    """Sentence vectors for every article, in chunks so the bar moves and the on-disk cache fills as we go."""
    from tqdm import tqdm

    vectors: list[EmbeddedArticle] = []
    with tqdm(total=len(articles), desc=f"encode {label}", unit="article", leave=False) as bar:
        for start in range(0, len(articles), chunk):
            vectors.extend(encoder.transform(articles[start : start + chunk]))
            bar.update(min(chunk, len(articles) - start))
    return vectors


def encode(model: NewsModel, articles: Sequence[Article], label: str, chunk: int = 64) -> EmbeddedBatch:
    """`model.encode` in chunks (the bar moves, the on-disk cache fills as we go), joined into one batch."""
    from tqdm import tqdm

    vectors: list[EmbeddedArticle] = []
    with tqdm(total=len(articles), desc=f"encode {label}", unit="article", leave=False) as bar:
        for start in range(0, len(articles), chunk):
            vectors.extend(model.encode(articles[start : start + chunk]).vectors)
            bar.update(min(chunk, len(articles) - start))
    return EmbeddedBatch(list(articles), vectors)


def whole_text_vectors(encoder: SentenceEncoder, texts: Sequence[str], label: str) -> np.ndarray:
    """One vector per text read as a whole (the encoder truncates it: MiniLM reads the first 256 tokens).

    Cached beside the sentence vectors under the encoder's fingerprint plus "-whole", so reruns are free.
    """
    import hashlib

    from tqdm import tqdm

    from nlpkit.embedding.cache import EmbeddingCache

    if not hasattr(encoder, "path_"):
        encoder.fit()
    cache = EmbeddingCache(Path(encoder.cache_dir), "whole-" + encoder.fingerprint_) if encoder.cache_dir else None
    keys = [hashlib.sha256(text.encode("utf-8")).hexdigest() for text in texts]
    found = cache.get_many(keys) if cache else {}
    missing = [i for i, key in enumerate(keys) if key not in found]
    for start in tqdm(range(0, len(missing), 32), desc=f"encode whole {label}", leave=False):
        batch = missing[start : start + 32]
        vectors = encoder.encode_texts([texts[i] for i in batch])
        fresh = {keys[i]: vector for i, vector in zip(batch, vectors)}
        found.update(fresh)
        if cache:
            cache.put_many(fresh)
    return np.vstack([found[key] for key in keys]) if keys else np.zeros((0, 0), np.float32)


# --------------------------------------------------------------------------- machine


def machine_info() -> dict[str, Any]:
    """Cores, CPU model, memory, platform and load: speed figures from a busy machine are not comparable."""
    cpu = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gb = None
    with contextlib.suppress(ValueError, OSError, AttributeError):
        memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1)
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": memory_gb,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average": load_average(),
    }


def load_average() -> list[float] | None:
    """1, 5 and 15-minute load averages."""
    with contextlib.suppress(OSError, AttributeError):
        return [round(value, 2) for value in os.getloadavg()]
    return None


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


@contextlib.contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    """`with stopwatch() as elapsed: ...; elapsed()` gives the seconds since the block started."""
    started = time.perf_counter()
    yield lambda: time.perf_counter() - started


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    """One target of an issue: the measured quantity must be `op` `goal` (>=, <= or <)."""

    issue: int
    text: str
    op: str
    goal: float
    unit: str = ""

    def met(self, value: float) -> bool:
        return {">=": value >= self.goal, "<=": value <= self.goal, "<": value < self.goal}[self.op]


@dataclass(frozen=True)
class TargetResult:
    """A target checked against this run's number (reported, never asserted)."""

    key: str
    target: Target
    value: float | None
    note: str = ""

    @property
    def met(self) -> bool | None:
        return None if self.value is None else self.target.met(self.value)

    def line(self) -> str:
        shown = "n/a" if self.value is None else f"{self.value:.3f}{self.target.unit}"
        missed = f"missed by {abs(self.target.goal - (self.value or 0.0)):.3f}"
        verdict = {True: "met", False: missed, None: "n/a"}[self.met]
        note = f" ({self.note})" if self.note else ""
        goal = f"{self.target.op} {self.target.goal:g}{self.target.unit}"
        return f"- {self.target.text}: {shown}, goal {goal}{note}: **{verdict}**"

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, **asdict(self.target), "value": self.value, "met": self.met, "note": self.note}


#: Every target the benchmarks check, by key. Topic figures are dev figures (the held-out test labels are not ours).
TARGETS: dict[str, Target] = {
    # issue 5: summaries against the anchors
    "bbc_rouge_margin": Target(5, "BBC ROUGE-1 margin over the best sumy anchor", ">=", 2.0, " points"),
    "cnn_rouge_margin": Target(5, "CNN/DailyMail ROUGE-1 margin over Lead-3", ">=", 0.0, " points"),
    # issue 10: topics on both kinds of news
    "western_macro_f1": Target(10, "Western dev macro-F1", ">=", 0.97),
    "regional_macro_f1": Target(10, "regional dev macro-F1", ">=", 0.90),
    "headline_macro_f1": Target(10, "regional headline-only dev macro-F1", ">=", 0.85),
    "baseline_margin": Target(10, "margin over the best seeds-trained baseline, worse of the two dev sets", ">=", 0.02),
    "fast_gap": Target(10, "fast mode minus default, worse-of-two dev macro-F1", ">=", -0.01),
    "cold_train_seconds": Target(10, "default training with a cold cache", "<", 300.0, " s"),
    # issue 7: speed
    "e2e_over_encoder": Target(7, "default end-to-end time / bare encoder time", "<=", 1.10, "x"),
    "fast_speedup": Target(7, "fast mode articles/s / default articles/s", ">=", 50.0, "x"),
    "fast_rouge_gap": Target(7, "fast ROUGE-1 minus default", ">=", -1.0, " points"),
    "peak_rss_mb": Target(7, "peak RSS predicting", "<", 1536.0, " MB"),
    # issue 24: an encoder backend x precision may be faster but must not lose quality against torch fp32
    "setting_f1_loss": Target(24, "dev macro-F1 lost against torch fp32", "<=", 0.002),
    "setting_rouge_loss": Target(24, "ROUGE-1 lost against torch fp32", "<=", 0.1, " points"),
    # issue 11: a warm retrain as a user runs it, a new `python -m nlpkit.train` process
    "warm_retrain_speedup": Target(
        11, "cold / warm `python -m nlpkit.train` wall time, new process each", ">=", 10.0, "x"
    ),
    # issue 24: a served model answers its first request about as fast as the rest (warm start)
    "first_request_ratio": Target(24, "first served request / median of the rest", "<=", 2.0, "x"),
}


def check(key: str, value: float | None, note: str = "") -> TargetResult:
    return TargetResult(key, TARGETS[key], value, note)


# --------------------------------------------------------------------------- topic reports


@dataclass
class TopicScore:
    """One system's macro-F1 on each dev set (plus headline-only), how it was trained, and its cost."""

    system: str
    macro_f1: dict[str, float]
    trained_on: str = ""
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def worse_of_two(self) -> float:
        return worse_of_two(self.macro_f1)

    def row(self) -> dict[str, Any]:
        return {
            "system": self.system,
            **{f"{k}_macro_f1": v for k, v in self.macro_f1.items()},
            "worst_macro_f1": self.worse_of_two,
            "trained_on": self.trained_on,
            "seconds": self.seconds,
            **self.details,
        }


def worse_of_two(macro_f1: dict[str, float]) -> float:
    """The figure every tuned choice is judged by: the lower of the Western and regional dev macro-F1."""
    return min(macro_f1[name] for name in DEV_SETS)


def topic_score_table(scores: Sequence[TopicScore], bold: str = "") -> list[str]:
    """Markdown: one row per system, Western / regional / headline-only / worse-of-two macro-F1."""
    lines = [
        "| system | Western dev | regional dev | regional headline-only | worse of two | trained on |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for s in scores:
        name = f"**{s.system}**" if s.system == bold else s.system
        m = s.macro_f1
        lines.append(
            f"| {name} | {m['western']:.3f} | {m['regional']:.3f} | {m.get('headline', float('nan')):.3f} | "
            f"{s.worse_of_two:.3f} | {s.trained_on} |"
        )
    return lines


def predict_command(model: str, folder: Path, output: Path, *extra: str) -> list[str]:
    """`python -m nlpkit.predict` as a child process, as a user runs it (quiet, to a file)."""
    return [
        sys.executable,
        "-m",
        "nlpkit.predict",
        str(folder),
        "--model",
        model,
        "--output",
        str(output),
        "--quiet",
        *extra,
    ]
