"""The one report every benchmark returns, and the one JSON (+ Markdown) format the runner writes from it."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import TargetResult, machine_info, utc_now

#: Bumped when the envelope below changes shape, so readers of old result files can tell.
FORMAT_VERSION = 1


class BenchmarkSkipped(Exception):
    """The benchmark cannot run here (its data is absent); the runner says why and exits 0."""


@dataclass
class Report:
    """What one benchmark run measured: a Markdown page, its full figures, and what MLflow should record.

    `metrics` defaults to every number in `payload`; `stem` names the result files (default: the benchmark).
    """

    name: str
    title: str
    markdown: str
    payload: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] | None = None
    targets: list[TargetResult] = field(default_factory=list)
    run_name: str = ""
    stem: str = ""

    def run_metrics(self) -> dict[str, float]:
        return flat_metrics(self.payload) if self.metrics is None else self.metrics

    def envelope(self, run_id: str | None = None) -> dict[str, Any]:
        """The one JSON format: who ran what, where, and the benchmark's own figures under `report`."""
        return {
            "format": FORMAT_VERSION,
            "benchmark": self.name,
            "title": self.title,
            "date": utc_now(),
            "commit": git_commit(),
            "machine": machine_info(),
            "params": self.params,
            "targets": [t.to_dict() for t in self.targets],
            "mlflow_run_id": run_id,
            "report": self.payload,
        }


def write_report(report: Report, out: Path, run_id: str | None = None) -> tuple[Path, Path]:
    """`<out>/<stem>.md` and `<out>/<stem>.json`."""
    out.mkdir(parents=True, exist_ok=True)
    stem = report.stem or report.name
    md, js = out / f"{stem}.md", out / f"{stem}.json"
    md.write_text(report.markdown if report.markdown.endswith("\n") else report.markdown + "\n", encoding="utf-8")
    js.write_text(json.dumps(report.envelope(run_id), indent=2, default=str, ensure_ascii=False), encoding="utf-8")
    return md, js


def flat_metrics(payload: Any, prefix: str = "") -> dict[str, float]:
    """Every number in a nested report as `a_b_c` MLflow metrics (lists and text are left out)."""
    metrics: dict[str, float] = {}
    if isinstance(payload, dict):
        for key, value in payload.items():
            metrics.update(flat_metrics(value, f"{prefix}{key}_" if prefix or key else ""))
    elif isinstance(payload, (int, float)) and not isinstance(payload, bool) and np.isfinite(payload):
        metrics[prefix.rstrip("_")] = float(payload)
    return metrics


def git_commit() -> str:
    """The commit measured, so a result file says which code it describes."""
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() or "unknown"
