"""The seeds-trained topic baselines nlpkit must beat (issue 10): what a team would build instead.

Each is trained on the seed train split, picks its one setting (C, threshold) on the seed validation
split, and is then refitted on train + validation, so it learns from the same seeds as nlpkit. They read
the same parsed articles (title + sentences) as nlpkit; none sees a benchmark item before it is scored.

- TF-IDF (1-2-grams) + LogisticRegression, and + LinearSVC.
- MiniLM on the whole text (the model reads its first 256 tokens) + LogisticRegression.
- Zero-shot: nearest topic description (see `anchors.ZeroShotClassifier`).
- SetFit-style, 8 examples per class: MiniLM fine-tuned contrastively on pairs of those 40 articles with
  sentence-transformers' own trainer and `CosineSimilarityLoss` (SetFit's recipe), then a
  LogisticRegression on the fine-tuned whole-text vectors.
"""

from __future__ import annotations

import logging
import random
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.pipeline import Pipeline

from benchmarks.anchors import article_text, make_tfidf_svc
from benchmarks.common import whole_text_vectors
from nlpkit.data.corpus import LabelledArticle
from nlpkit.embedding.encoder import SentenceEncoder
from nlpkit.text.document import Article

__all__ = ["SeedData", "Baseline", "tfidf_logreg", "tfidf_svc", "minilm_logreg", "setfit"]

log = logging.getLogger("benchmarks.topic_baselines")

C_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)
#: SetFit recipe: examples per class, pair-generation rounds (SetFit's `num_iterations`), one epoch.
SETFIT_SHOTS = 8
SETFIT_ITERATIONS = 5


@dataclass
class SeedData:
    train: list[LabelledArticle]
    validation: list[LabelledArticle]

    @property
    def train_texts(self) -> list[str]:
        return [article_text(r.article) for r in self.train]

    @property
    def validation_texts(self) -> list[str]:
        return [article_text(r.article) for r in self.validation]

    @property
    def train_labels(self) -> list[str]:
        return [r.primary for r in self.train]

    @property
    def validation_labels(self) -> list[str]:
        return [r.primary for r in self.validation]


@dataclass
class Baseline:
    """A fitted baseline: predicts primary topics for parsed articles; `info` says what it chose."""

    name: str
    predict: Callable[[Sequence[Article]], list[str]]
    trained_on: str
    seconds: float
    info: dict[str, Any] = field(default_factory=dict)


def _pick_and_refit(
    make: Callable[[float], Any], X_train: Any, X_val: Any, data: SeedData, stack: Callable[[Any, Any], Any]
) -> tuple[Any, float]:
    """C by macro-F1 on seed validation (fit on train), then the same C refitted on train + validation."""
    best_C, best = C_GRID[0], -1.0
    for C in C_GRID:
        predicted = make(C).fit(X_train, data.train_labels).predict(X_val)
        score = f1_score(data.validation_labels, predicted, average="macro", zero_division=0)
        if score > best + 1e-9:
            best_C, best = C, score
    return make(best_C).fit(stack(X_train, X_val), data.train_labels + data.validation_labels), best_C


def _texts(articles: Sequence[Article]) -> list[str]:
    return [article_text(a) for a in articles]


def _lists(a: list[str], b: list[str]) -> list[str]:
    return a + b


def _logreg(C: float) -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=3000, class_weight="balanced")


def tfidf_logreg(data: SeedData) -> Baseline:
    def make(C: float) -> Pipeline:
        return Pipeline(
            [
                ("tfidf", TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), stop_words="english")),
                ("clf", _logreg(C)),
            ]
        )

    started = time.perf_counter()
    model, C = _pick_and_refit(make, data.train_texts, data.validation_texts, data, _lists)
    return Baseline(
        "TF-IDF + LogisticRegression",
        lambda arts: list(model.predict(_texts(arts))),
        "seed train + validation",
        time.perf_counter() - started,
        {"C": C},
    )


def tfidf_svc(data: SeedData) -> Baseline:
    started = time.perf_counter()
    model, C = _pick_and_refit(make_tfidf_svc, data.train_texts, data.validation_texts, data, _lists)
    return Baseline(
        "TF-IDF + LinearSVC",
        lambda arts: list(model.predict(_texts(arts))),
        "seed train + validation",
        time.perf_counter() - started,
        {"C": C},
    )


def minilm_logreg(data: SeedData, encoder: SentenceEncoder) -> Baseline:
    """MiniLM reading each whole text (its first 256 tokens) into one vector, then LogisticRegression."""
    started = time.perf_counter()
    train = whole_text_vectors(encoder, data.train_texts, "seed train")
    validation = whole_text_vectors(encoder, data.validation_texts, "seed validation")
    model, C = _pick_and_refit(_logreg, train, validation, data, lambda a, b: np.vstack([a, b]))
    return Baseline(
        "MiniLM first 256 tokens + LogisticRegression",
        lambda arts: list(model.predict(whole_text_vectors(encoder, _texts(arts), "scored"))),
        "seed train + validation",
        time.perf_counter() - started,
        {"C": C},
    )


def setfit_pairs(
    texts: Sequence[str], labels: Sequence[str], iterations: int, seed: int = 0
) -> tuple[list[str], list[str], list[float]]:
    """SetFit's pair generation: per round and example, one same-class pair (1.0) and one other-class pair (0.0)."""
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    first, second, target = [], [], []
    for _ in range(iterations):
        for i, label in enumerate(labels):
            same = [j for j in by_label[label] if j != i] or [i]
            other = [j for j in range(len(labels)) if labels[j] != label]
            for j, value in ((rng.choice(same), 1.0), (rng.choice(other), 0.0)):
                first.append(texts[i])
                second.append(texts[j])
                target.append(value)
    return first, second, target


def few_shot(data: SeedData, shots: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """`shots` seed-train articles per class, drawn with a fixed seed."""
    rng = random.Random(seed)
    texts, labels = [], []
    for label in sorted(set(data.train_labels)):
        picked = rng.sample([r for r in data.train if r.primary == label], shots)
        texts += [article_text(r.article) for r in picked]
        labels += [label] * shots
    return texts, labels


def setfit(
    data: SeedData, encoder: SentenceEncoder, shots: int = SETFIT_SHOTS, iterations: int = SETFIT_ITERATIONS
) -> Baseline:
    """SetFit with sentence-transformers' own trainer and loss: contrastive fine-tuning, then a LogisticRegression."""
    from datasets import Dataset
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.sentence_transformer import losses

    if not hasattr(encoder, "path_"):
        encoder.fit()
    texts, labels = few_shot(data, shots)
    first, second, target = setfit_pairs(texts, labels, iterations)
    wall, cpu = time.perf_counter(), time.process_time()
    body = SentenceTransformer(str(encoder.path_), device="cpu")
    with tempfile.TemporaryDirectory(prefix="setfit-") as work:
        args = SentenceTransformerTrainingArguments(
            output_dir=work,
            num_train_epochs=1,
            per_device_train_batch_size=16,
            learning_rate=2e-5,
            warmup_ratio=0.1,
            seed=0,
            report_to="none",
            save_strategy="no",
            logging_steps=10,
            use_cpu=True,
            disable_tqdm=True,
        )
        dataset = Dataset.from_dict({"sentence1": first, "sentence2": second, "label": target})
        SentenceTransformerTrainer(
            model=body, args=args, train_dataset=dataset, loss=losses.CosineSimilarityLoss(body)
        ).train()
    fine_tune = {
        "fine_tune_wall_seconds": time.perf_counter() - wall,
        "fine_tune_cpu_seconds": time.process_time() - cpu,
        "pairs": len(target),
        "shots": shots,
        "iterations": iterations,
    }
    log.info("SetFit: fine-tuned on %d pairs in %.0f s wall", len(target), fine_tune["fine_tune_wall_seconds"])

    def vectors(items: Sequence[str]) -> np.ndarray:
        return np.asarray(body.encode(list(items), batch_size=32, convert_to_numpy=True, normalize_embeddings=True))

    head = _logreg(1.0).fit(vectors(texts), labels)
    return Baseline(
        f"SetFit-style ({shots} per class, MiniLM fine-tuned)",
        lambda arts: list(head.predict(vectors(_texts(arts)))),
        f"{shots} seed train articles per class",
        time.perf_counter() - wall,
        fine_tune,
    )
