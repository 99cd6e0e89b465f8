"""The topic head: a scikit-learn pipeline (pooling + any classifier) and the decision rules on its scores.

The pipeline steps are named `pool` and `clf`, so `pool__title_weight` and `clf__C` mean the same thing in
a config file, in `get_params`, in a grid search and in MLflow params.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from nlpkit.heads.pooling import DocumentPooler
from nlpkit.labels import OTHER, TOPICS

__all__ = [
    "CLASSIFIERS",
    "TOPICS",
    "OTHER",
    "make_classifier",
    "make_topic_pipeline",
    "TopicDecider",
    "DEFAULT_THRESHOLD",
]


def _logreg(random_state: int) -> BaseEstimator:
    return LogisticRegression(C=4.0, max_iter=3000, class_weight="balanced", random_state=random_state)


def _linear_svc(random_state: int) -> BaseEstimator:
    svc = LinearSVC(C=0.5, class_weight="balanced", random_state=random_state)
    return CalibratedClassifierCV(estimator=svc, cv=3)


def _knn(random_state: int) -> BaseEstimator:
    return KNeighborsClassifier(n_neighbors=15, weights="distance", metric="cosine")


def _mlp(random_state: int) -> BaseEstimator:
    return MLPClassifier(
        hidden_layer_sizes=(128,), alpha=1e-3, max_iter=600, early_stopping=False, random_state=random_state
    )


def _random_forest(random_state: int) -> BaseEstimator:
    return RandomForestClassifier(n_estimators=400, class_weight="balanced", n_jobs=-1, random_state=random_state)


#: Classifier names usable as `clf:` in a config, each with our default settings.
CLASSIFIERS = {
    "logreg": _logreg,
    "linear_svc": _linear_svc,
    "knn": _knn,
    "mlp": _mlp,
    "random_forest": _random_forest,
}


def make_classifier(name: str, random_state: int = 0) -> BaseEstimator:
    """A fresh classifier by config name; an unknown name is an error that lists the known ones."""
    if name not in CLASSIFIERS:
        raise ValueError(f"clf must be one of {sorted(CLASSIFIERS)}, got {name!r}")
    return CLASSIFIERS[name](random_state)


def make_topic_pipeline(clf: str = "logreg", params: dict | None = None, random_state: int = 0) -> Pipeline:
    """Pipeline([pool, clf]) with `params` in get_params naming (`pool__title_weight`, `clf__C`)."""
    pipeline = Pipeline([("pool", DocumentPooler()), ("clf", make_classifier(clf, random_state))])
    params = dict(params or {})
    valid = pipeline.get_params(deep=True)
    unknown = sorted(key for key in params if key not in valid)
    if unknown:
        allowed = sorted(key for key in valid if key.startswith(("pool__", "clf__")) and key.count("__") >= 1)
        raise ValueError(f"unknown parameter(s) {unknown} for clf={clf!r}; expected some of {allowed}")
    return pipeline.set_params(**params)


#: Secondary-topic threshold of hand-set rules (`TopicDecider.fixed`), when none is learned on validation.
DEFAULT_THRESHOLD = 0.35


@dataclass
class TopicDecider:
    """Turns class probabilities into a primary topic and a multi-label topic list.

    `min_confidence`: below it the best topic is not trusted and the article is `other`.
    `thresholds[t]`: a non-primary topic with at least this probability is listed as secondary.
    Both are learned on the validation split by `fit`, or set by hand.
    """

    labels: list[str]
    min_confidence: float = 0.0
    thresholds: dict[str, float] = field(default_factory=dict)

    @classmethod
    def fixed(
        cls, labels: Sequence[str], threshold: float = DEFAULT_THRESHOLD, min_confidence: float = 0.0
    ) -> TopicDecider:
        """Hand-set rules (config `thresholds: <number>`): one secondary threshold for every topic but `other`."""
        return cls(list(labels), float(min_confidence), {label: float(threshold) for label in labels if label != OTHER})

    def fit(self, proba: np.ndarray, primary: list[str], topic_sets: list[list[str]]) -> TopicDecider:
        """Pick each threshold that maximises F1 of its decision on held-out data."""
        self.min_confidence = _best_confidence(self, proba, primary)
        for column, label in enumerate(self.labels):
            if label != OTHER:
                others = np.array([topics[0] != label for topics in topic_sets])
                truth = np.array([label in topics[1:] for topics in topic_sets])
                self.thresholds[label] = _best_threshold(proba[others, column], truth[others])
        return self

    def decide(self, scores: np.ndarray) -> tuple[str, list[str]]:
        """(primary, topics) for one row of probabilities in `labels` order."""
        order = np.argsort(-scores)
        best = self.labels[int(order[0])]
        if best == OTHER or scores[order[0]] < self.min_confidence:
            return OTHER, [OTHER]
        topics = [best] + [
            self.labels[int(i)]
            for i in order[1:]
            if self.labels[int(i)] != OTHER and scores[i] >= self.thresholds.get(self.labels[int(i)], 1.01)
        ]
        return best, topics

    def primary(self, proba: np.ndarray) -> list[str]:
        return [self.decide(row)[0] for row in proba]

    def to_dict(self) -> dict:
        return {"labels": list(self.labels), "min_confidence": self.min_confidence, "thresholds": dict(self.thresholds)}

    @classmethod
    def from_dict(cls, data: dict) -> TopicDecider:
        return cls(
            list(data["labels"]), float(data["min_confidence"]), {k: float(v) for k, v in data["thresholds"].items()}
        )


def _best_confidence(decider: TopicDecider, proba: np.ndarray, primary: list[str]) -> float:
    from sklearn.metrics import f1_score

    best_value, best_score = 0.0, -1.0
    for value in np.linspace(0.0, 0.6, 25):
        trial = TopicDecider(decider.labels, float(value))
        score = f1_score(primary, trial.primary(proba), average="macro", zero_division=0)
        if score > best_score + 1e-9:
            best_value, best_score = float(value), score
    return best_value


def _best_threshold(column: np.ndarray, truth: np.ndarray) -> float:
    if not truth.any():
        return 0.5
    best_value, best_f1 = 0.5, -1.0
    for value in np.linspace(0.05, 0.8, 31):
        predicted = column >= value
        tp = float((predicted & truth).sum())
        f1 = 2 * tp / max(float(predicted.sum() + truth.sum()), 1.0)
        if f1 > best_f1 + 1e-9:
            best_value, best_f1 = float(value), f1
    return best_value
