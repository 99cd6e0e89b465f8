"""Scores for topics (precision/recall/F1, macro-F1, accuracy, log-loss, calibration) and summaries (ROUGE-1/2/L)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, f1_score, log_loss

if TYPE_CHECKING:
    from nlpkit.prediction import Prediction

__all__ = ["topic_metrics", "topic_report", "rouge", "confusion", "reliability", "prediction_reliability"]


def topic_metrics(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str], proba: np.ndarray | None = None
) -> dict[str, float]:
    """Flat metric dict with MLflow-friendly names: `macro_f1`, `accuracy`, `f1_energy`, ..."""
    report = classification_report(truth, predicted, labels=list(labels), output_dict=True, zero_division=0)
    present = [label for label in labels if label in set(truth) | set(predicted)]  # absent labels would score 0
    metrics = {
        "macro_f1": float(f1_score(truth, predicted, labels=present, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(truth, predicted)),
    }
    for label in labels:
        metrics[f"precision_{label}"] = float(report[label]["precision"])
        metrics[f"recall_{label}"] = float(report[label]["recall"])
        metrics[f"f1_{label}"] = float(report[label]["f1-score"])
    if proba is not None and len(truth):
        clipped = np.clip(proba, 1e-7, 1)  # renormalised, else scikit-learn warns that rows do not sum to one
        metrics["log_loss"] = float(log_loss(truth, clipped / clipped.sum(axis=1, keepdims=True), labels=list(labels)))
    return metrics


def topic_report(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> str:
    return classification_report(truth, predicted, labels=list(labels), digits=3, zero_division=0)


def confusion(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    return confusion_matrix(truth, predicted, labels=list(labels))


#: Our metric keys -> rouge_score's names (rougeLsum: ROUGE-L over newline-split sentences).
_ROUGE_NAMES = {"rouge1": "rouge1", "rouge2": "rouge2", "rougeL": "rougeLsum"}


def rouge_per_article(
    summaries: Sequence[Sequence[str]], references: Sequence[Sequence[str] | str]
) -> list[dict[str, float]]:
    """ROUGE-1/2/L F1 (x100, stemmed) of each sentence-list summary against its reference, one scorer for all."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    rows = []
    for summary, reference in zip(summaries, references):
        ref_text = reference if isinstance(reference, str) else "\n".join(reference)
        scores = scorer.score(ref_text, "\n".join(summary))
        rows.append({key: 100.0 * scores[name].fmeasure for key, name in _ROUGE_NAMES.items()})
    return rows


def rouge(summaries: Sequence[Sequence[str]], references: Sequence[Sequence[str] | str]) -> dict[str, float]:
    """Mean ROUGE-1/2/L F1 (x100, stemmed) of sentence-list summaries against references."""
    rows = rouge_per_article(summaries, references)
    return {key: sum(row[key] for row in rows) / max(len(rows), 1) for key in _ROUGE_NAMES}


def reliability(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> dict[str, Any]:
    """Per confidence bin: mean confidence, accuracy and count; plus the expected calibration error (ECE)."""
    confidence_arr = np.asarray(confidence, dtype=float)
    correct_arr = np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence_arr, edges[1:-1], right=True), 0, bins - 1)
    rows = []
    ece = 0.0
    for b in range(bins):
        mask = which == b
        count = int(mask.sum())
        if count:
            mean_conf, accuracy = float(confidence_arr[mask].mean()), float(correct_arr[mask].mean())
            ece += count / max(len(confidence_arr), 1) * abs(accuracy - mean_conf)
            rows.append(
                {
                    "low": float(edges[b]),
                    "high": float(edges[b + 1]),
                    "confidence": mean_conf,
                    "accuracy": accuracy,
                    "count": count,
                }
            )
    return {"bins": rows, "ece": float(ece), "n": int(len(confidence_arr))}


def prediction_reliability(predictions: Sequence[Prediction], truth: Sequence[str], bins: int = 10) -> dict[str, Any]:
    """`reliability` of predictions against the gold topics: confidence is the top score a record shows."""
    confidence = [max(p.scores.values()) if p.scores else 0.0 for p in predictions]
    correct = [p.topic == gold for p, gold in zip(predictions, truth)]
    return reliability(confidence, correct, bins)
