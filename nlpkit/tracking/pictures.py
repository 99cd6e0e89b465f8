"""The pictures a run logs: where people would rather look than read (F1 per topic, calibration, thresholds).

Each function returns a matplotlib Figure (Agg backend, nothing shown); `nlpkit.tracking.runs.log_figure`
stores it on the run. The numbers behind a picture are returned or logged too, so nothing is only a picture.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

__all__ = ["f1_bars", "reliability_diagram", "thresholds_figure"]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def f1_bars(scores: Mapping[str, Mapping[str, float]], labels: Sequence[str], title: str) -> Any:
    """Grouped bars: F1 per topic (x) for each data set (`scores[name]["f1_<label>"]`), macro-F1 in the legend."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7, 3.8))
    names = list(scores)
    width = 0.8 / max(len(names), 1)
    positions = np.arange(len(labels))
    for index, name in enumerate(names):
        values = [float(scores[name].get(f"f1_{label}", np.nan)) for label in labels]
        macro = scores[name].get("macro_f1")
        legend = f"{name} (macro-F1 {macro:.3f})" if macro is not None else name
        bars = axes.bar(positions + (index - (len(names) - 1) / 2) * width, values, width, label=legend)
        axes.bar_label(bars, labels=[f"{v:.2f}" if np.isfinite(v) else "" for v in values], fontsize=7, padding=1)
    axes.set_xticks(positions, list(labels))
    axes.set_ylim(0, 1.1)
    axes.set_ylabel("F1")
    axes.set_title(title)
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    return figure


def reliability_diagram(table: Mapping[str, Any], title: str) -> Any:
    """`evaluation.metrics.reliability`'s table drawn: accuracy against confidence per bin
    (bar width = bin, darker = more articles), with the diagonal."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(4.8, 4.6))
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfectly calibrated")
    total = max(int(table["n"]), 1)
    for row in table["bins"]:
        shade = 0.25 + 0.75 * row["count"] / total
        axes.bar(
            row["low"],
            row["accuracy"],
            width=row["high"] - row["low"],
            align="edge",
            color=(0.16, 0.38, 0.67, shade),
            edgecolor="white",
        )
        axes.text(
            (row["low"] + row["high"]) / 2,
            min(row["accuracy"] + 0.02, 1.02),
            str(row["count"]),
            ha="center",
            fontsize=7,
        )
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.08)
    axes.set_xlabel("confidence of the predicted topic")
    axes.set_ylabel("share correct")
    axes.set_title(f"{title} (ECE {table['ece']:.3f}, n={table['n']})")
    axes.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    return figure


def thresholds_figure(decider: Mapping[str, Any]) -> Any:
    """The learned decision rules: the confidence below which an article is `other`, and each topic's
    threshold for being listed as a secondary topic."""
    plt = _pyplot()
    thresholds = dict(decider.get("thresholds", {}))
    names = ["other if best <"] + [f"secondary {label}" for label in thresholds]
    values = [float(decider.get("min_confidence", 0.0))] + [float(v) for v in thresholds.values()]
    figure, axes = plt.subplots(figsize=(6, 0.45 * len(names) + 1.2))
    colours = ["#c0504d"] + ["#4f81bd"] * len(thresholds)
    bars = axes.barh(names[::-1], values[::-1], color=colours[::-1])
    axes.bar_label(bars, labels=[f"{v:.2f}" for v in values[::-1]], padding=2, fontsize=8)
    axes.set_xlim(0, 1)
    axes.set_xlabel("probability")
    axes.set_title("decision thresholds learned on validation")
    figure.tight_layout()
    return figure
