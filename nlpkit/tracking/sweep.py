"""Sweeps: many training runs as child runs of one MLflow parent, so the MLflow UI compares them side by side.

A sweep file names a metric and either a `grid:` (every combination) or a list of `variants:`; every key is
a config key (`clf__C`, `pool__method`, `summary__n_sentences`, ...), so a sweep speaks the same vocabulary
as `--set` and the MLflow params. All children are validated before the first one trains, and the
embedding cache means only the first child runs the encoder.

    name: classifiers
    metric: val_macro_f1
    mode: max
    margin: 0.005            # optional: children within this of the best are tied ...
    tie_break: val_log_loss  # ... and the tie goes to the lower of this (optional, the default)
    base: {summary__n_sentences: 3}
    variants:
      - {clf: logreg, clf__C: 1.0}
      - {clf: knn, clf__n_neighbors: 15}
"""

from __future__ import annotations

import copy
import csv
import io
import itertools
import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from tqdm.auto import tqdm

from nlpkit.bundle import point_latest
from nlpkit.tracking import runs as tracking
from nlpkit.tracking import views
from nlpkit.tracking.training import TrainResult, record_training, register, training_run
from nlpkit.training.config import ConfigError, read_yaml, validate_config
from nlpkit.training.naming import compact, encoder_short_name, run_name_for
from nlpkit.training.selection import DEFAULT_MARGIN, SelectionRule
from nlpkit.training.trainer import train

__all__ = ["SweepSpec", "Child", "SweepResult", "load_sweep", "plan_children", "run_sweep", "sweep_view_path"]

log = logging.getLogger(__name__)

_FILE_KEYS = {"name", "description", "metric", "mode", "margin", "tie_break", "base", "grid", "variants"}
#: Settings a sweep may not vary: children share one experiment, and only the best child is registered.
_FIXED_KEYS = ("experiment", "register")
#: Columns of the sweep table after the sweep's own metric (those a child did not log are left out).
_TABLE_METRICS = [
    "val_macro_f1",
    "val_accuracy",
    "val_log_loss",
    "val_summary_rouge1",
    "test_macro_f1",
    "sys/encode_seconds",
    "sys/cache_hits",
    "sys/cache_misses",
    "sys/fit_seconds",
]


@dataclass
class SweepSpec:
    """A parsed sweep file; `variants` holds one override mapping per child (a grid already expanded)."""

    path: Path
    name: str
    metric: str
    mode: str
    variants: list[dict[str, Any]]
    base: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    text: str = ""
    margin: float = DEFAULT_MARGIN
    tie_break: str = "val_log_loss"

    @property
    def rule(self) -> SelectionRule:
        """How the best child is chosen, and how it must beat the registered champion."""
        return SelectionRule(self.metric, self.mode, self.margin, self.tie_break)


@dataclass
class Child:
    """One planned child run: its full config and the settings that make it differ from its siblings."""

    name: str
    config: dict[str, Any]
    varied: dict[str, Any]


@dataclass
class SweepResult:
    """`table` is the Markdown table printed by the CLI and logged on the parent run."""

    table: str
    best: TrainResult
    children: list[TrainResult]
    parent_run_id: str = ""
    failed: dict[str, str] = field(default_factory=dict)
    registered_version: int | None = None
    ui_path: str = ""
    registration: Any = None


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and check a sweep file; every problem is a ConfigError that names the file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"sweep file {path} not found")
    data = read_yaml(path, "sweep file") or {}
    text = path.read_text(encoding="utf-8")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with name, metric, mode and grid or variants")
    unknown = sorted(set(data) - _FILE_KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {unknown}; expected some of {sorted(_FILE_KEYS)}")
    metric, mode = data.get("metric"), data.get("mode", "max")
    if not isinstance(metric, str) or not metric:
        raise ConfigError(f"{path}: 'metric' must name the metric that picks the best child, e.g. val_macro_f1")
    if mode not in ("max", "min"):
        raise ConfigError(f"{path}: 'mode' must be max or min, got {mode!r}")
    if metric.startswith("test_"):
        log.warning(
            "%s: choosing the best child by a test metric (%s) tunes on the test split; prefer val_*", path, metric
        )
    base = _mapping(data.get("base") or {}, path, "base")
    variants = _variants(data, path)
    for index, variant in enumerate(variants, start=1):
        fixed = sorted(key for key in variant if key in _FIXED_KEYS)
        if fixed:
            raise ConfigError(
                f"{path}: variant {index} sets {fixed}; "
                "a sweep cannot vary these (set them in base: or on the command line)"
            )
    margin, tie_break = data.get("margin", DEFAULT_MARGIN), data.get("tie_break", "val_log_loss")
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not 0 <= margin < 1:
        raise ConfigError(f"{path}: 'margin' must be a number in [0, 1), got {margin!r}")
    if not isinstance(tie_break, str) or not tie_break:
        raise ConfigError(f"{path}: 'tie_break' must name a metric to minimise, e.g. val_log_loss")
    name = str(data.get("name") or path.stem)
    return SweepSpec(
        path, name, metric, mode, variants, base, str(data.get("description") or ""), text, float(margin), tie_break
    )


def _mapping(value: Any, path: Path, what: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise ConfigError(f"{path}: {what} must be a mapping of config keys to values, got {value!r}")
    return dict(value)


def _variants(data: dict[str, Any], path: Path) -> list[dict[str, Any]]:
    """The grid's cartesian product, or the variants list as given."""
    if ("grid" in data) == ("variants" in data):
        raise ConfigError(
            f"{path}: give exactly one of 'grid' (key -> list of values) or 'variants' (list of mappings)"
        )
    if "grid" in data:
        grid = _mapping(data["grid"], path, "grid")
        if not grid:
            raise ConfigError(f"{path}: grid is empty")
        for key, values in grid.items():
            if not isinstance(values, list) or not values:
                raise ConfigError(f"{path}: grid values must be non-empty lists, got {key}: {values!r}")
        return [dict(zip(grid, combination)) for combination in itertools.product(*grid.values())]
    variants = data["variants"]
    if not isinstance(variants, list) or not variants:
        raise ConfigError(f"{path}: variants must be a non-empty list of mappings")
    return [_mapping(variant or {}, path, f"variant {i}") for i, variant in enumerate(variants, start=1)]


def plan_children(base_config: dict[str, Any], spec: SweepSpec) -> list[Child]:
    """Every child's validated config and a distinct run name, before anything trains."""
    children: list[Child] = []
    seen: dict[str, Any] = {}
    for index, variant in enumerate(spec.variants, start=1):
        config = _child_config(base_config, spec, variant)
        where = f"{spec.path}: variant {index} ({_describe(variant) or 'no overrides'})"
        try:
            validate_config(config)
        except ConfigError as error:
            raise ConfigError(f"{where}: {error}") from error
        signature = yaml.safe_dump(config, sort_keys=True)
        if signature in seen:
            raise ConfigError(f"{where}: same settings as variant {seen[signature]}")
        seen[signature] = index
        children.append(Child(_child_name(config, variant), config, variant))
    _make_names_distinct(children)
    for index, child in enumerate(children, start=1):
        child.config["description"] = _child_description(spec, child, index, len(children))
    return children


def _child_config(base_config: dict[str, Any], spec: SweepSpec, variant: dict[str, Any]) -> dict[str, Any]:
    """Base config, then the sweep's base:, then the variant; a new classifier drops the old one's clf__ keys."""
    overrides = {**spec.base, **variant}
    config = copy.deepcopy(base_config)
    if overrides.get("clf", config.get("clf")) != config.get("clf"):
        config = {key: value for key, value in config.items() if not key.startswith("clf__")}
    config.update(copy.deepcopy(overrides))
    config["register"] = None
    config["run_name"] = variant.get("run_name")
    return config


def _child_name(config: dict[str, Any], variant: dict[str, Any]) -> str:
    """`run_name_for` (e.g. `logreg-C4-minilm`) with each varied setting it does not show before the encoder."""
    if config.get("run_name"):
        return str(config["run_name"])
    name = run_name_for({**config, "run_name": None})
    encoder = encoder_short_name(str(config["embed__model"]))
    stem = name[: -len(encoder) - 1]
    for key, value in variant.items():
        part = _name_part(key, value)
        if key not in ("clf", "embed__model", "run_name", "description") and f"-{part}-" not in f"-{stem}-":
            stem = f"{stem}-{part}"
    return f"{stem}-{encoder}"


def _name_part(key: str, value: Any) -> str:
    short = key.rsplit("__", 1)[-1]
    if isinstance(value, bool) or not isinstance(value, (int, float, list, tuple)):
        return f"{short}={value}"
    return f"{short}{compact(value)}"


def _make_names_distinct(children: list[Child]) -> None:
    counts: dict[str, int] = {}
    for child in children:
        counts[child.name] = counts.get(child.name, 0) + 1
    numbers: dict[str, int] = {}
    for child in children:
        if counts[child.name] > 1:
            numbers[child.name] = numbers.get(child.name, 0) + 1
            child.name = f"{child.name}-{numbers[child.name]}"
        child.config["run_name"] = child.name


def _child_description(spec: SweepSpec, child: Child, index: int, total: int) -> str:
    config = child.config
    what = config.get("description") or f"{config['clf']} on {config['data']}; encoder {config['embed__model']}"
    return f"Sweep '{spec.name}' child {index}/{total} ({_describe(child.varied) or 'base settings'}). {what}"


def _describe(overrides: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in overrides.items())


def run_sweep(base_config: dict[str, Any], sweep_file: str | Path) -> SweepResult:
    """Train every child as a nested run under one parent; record and (with `register`) register the best."""
    spec = load_sweep(sweep_file)
    children = plan_children(base_config, spec)
    settings = {**base_config, **spec.base}
    parent_name = base_config.get("run_name") or f"sweep-{spec.name}"
    description = (
        spec.description
        or f"Sweep '{spec.name}' from {spec.path}: {len(children)} children, best by {spec.metric} ({spec.mode})."
    )
    started = time.perf_counter()
    with tracking.run(
        str(settings["experiment"]), parent_name, description, tags={"sweep": spec.name, "sweep_role": "parent"}
    ) as parent:
        parent_id = parent.info.run_id
        tracking.log_params(
            {
                "sweep_name": spec.name,
                "sweep_file": spec.path,
                "sweep_metric": spec.metric,
                "sweep_mode": spec.mode,
                "sweep_children": len(children),
            }
        )
        tracking.log_text(spec.text, "sweep.yaml")
        tracking.set_tags({"sweep_id": parent_id})
        results, failed = _train_children(children, spec, parent_id)
        best = _best(results, spec)
        _record_best(best, spec, parent_id, bool(settings.get("latest", True)))
        table = _log_table(children, results, failed, spec, best)
        tracking.log_metrics(
            {
                "sys/sweep_seconds": time.perf_counter() - started,
                "sys/failed_children": len(failed),
                "sys/encode_seconds_total": sum(r.metrics.get("sys/encode_seconds", 0.0) for r in results.values()),
            }
        )
    registration = register(best, str(settings["register"]), spec.rule) if settings.get("register") else None
    if registration is not None:
        tracking.tag_run(
            parent_id,
            {
                "registered_model": f"{registration.name} v{registration.version}",
                "registration": registration.reason[:500],
            },
        )
    varied = [key for child in children for key in child.varied if key not in ("run_name", "description")]
    view = sweep_view_path(parent.info.experiment_id, parent_id, spec.metric, spec.mode, ["clf", *varied])
    summary = _summary(best, spec, parent_id, registration, failed, view)
    version = registration.version if registration is not None else None
    return SweepResult(
        f"{table}\n\n{summary}", best, list(results.values()), parent_id, failed, version, view, registration
    )


def sweep_view_path(
    experiment_id: str, sweep_id: str, metric: str, mode: str = "max", params: list[str] | None = None
) -> str:
    """The MLflow UI runs page of one sweep, in "Model training" mode: its children ranked by the sweep
    metric (best first), the quality metrics and varied params as columns, the parent last.

    Stored as MLflow shared view state on the experiment (see `nlpkit.tracking.views.share_runs_view`).
    """
    return views.share_runs_view(
        experiment_id,
        f"sweep-{sweep_id[:12]}",
        metric,
        mode,
        search_filter=f"tags.sweep_id = '{sweep_id}'",
        params=params or ["clf"],
    )


def _train_children(
    children: list[Child], spec: SweepSpec, sweep_id: str
) -> tuple[dict[str, TrainResult], dict[str, str]]:
    """Train each child; one that fails is reported in the table and the sweep goes on."""
    results: dict[str, TrainResult] = {}
    failed: dict[str, str] = {}
    quiet = not log.isEnabledFor(logging.INFO)  # --quiet: no bars
    for child in tqdm(children, desc=f"sweep {spec.name}", unit="run", disable=True if quiet else None):
        tags = {
            "sweep": spec.name,
            "sweep_id": sweep_id,
            "sweep_role": "child",
            "sweep_varied": _describe(child.varied) or "base settings",
        }
        try:
            with training_run(child.config, nested=True, tags=tags) as active:  # open while it trains
                results[child.name] = record_training(train(child.config), nested=True, tags=tags, active_run=active)
        except Exception as error:  # noqa: BLE001 - one broken variant must not lose the other runs
            log.exception("sweep %s: child %s failed", spec.name, child.name)
            failed[child.name] = f"{type(error).__name__}: {error}".splitlines()[0]
    if not results:
        raise RuntimeError(f"sweep {spec.name}: every child failed, e.g. {next(iter(failed.items()))}")
    return results, failed


def _best(results: dict[str, TrainResult], spec: SweepSpec) -> TrainResult:
    """The chosen child: best by the sweep metric, where children within `margin` of the best are tied and
    the tie goes to the lower `tie_break` (log-loss), then to the earlier child."""
    scored = [r for r in results.values() if math.isfinite(r.metrics.get(spec.metric, math.nan))]
    if not scored:
        logged = sorted({key for r in results.values() for key in r.metrics})
        raise ConfigError(f"{spec.path}: no child logged metric {spec.metric!r}; the children logged {logged}")
    return spec.rule.best(scored, lambda r: r.metrics)


def _record_best(best: TrainResult, spec: SweepSpec, parent_id: str, latest: bool = True) -> None:
    """Give the parent the chosen child's quality metrics (so its row in the runs table is not blank), a tag
    and a link to that child; tag the child `chosen`; point models/latest at its bundle (not the last one trained)."""
    link = views.ui_link(f"/#/experiments/{best.experiment_id}/runs/{best.run_id}")
    tracking.set_tags(
        {
            "best_run_id": best.run_id,
            "best_run_name": best.run_name,
            "chosen_run_id": best.run_id,
            "chosen_run_name": best.run_name,
            "chosen_run_link": link,
        }
    )
    quality = {key: value for key, value in best.metrics.items() if not key.startswith("sys/")}
    tracking.log_metrics({**quality, f"best_{spec.metric}": best.metrics[spec.metric]})
    tracking.tag_run(best.run_id, {"sweep_best": "true", "chosen": "true"})
    if latest:
        point_latest(best.bundle)
    log.info(
        "sweep %s (parent %s): chose %s (%s)%s",
        spec.name,
        parent_id,
        best.run_name,
        link,
        f"; models/latest points at {best.bundle}" if latest else "",
    )


def _rows(
    children: list[Child], results: dict[str, TrainResult], failed: dict[str, str], spec: SweepSpec, best: TrainResult
) -> tuple[list[str], list[list[str]]]:
    logged = {key for result in results.values() for key in result.metrics}
    metrics = [spec.metric] + [m for m in _TABLE_METRICS if m != spec.metric and m in logged]
    header = ["best", "run", "run_id", "varied"] + metrics
    rows = []
    for child in children:
        result = results.get(child.name)
        mark = "*" if result is best else ""
        run_id = result.run_id[:8] if result else "failed"
        cells = [_cell(m, result.metrics.get(m)) if result else "" for m in metrics]
        varied = _describe(child.varied) or "base settings"
        if child.name in failed:
            varied = f"{varied} -- {failed[child.name]}"
        rows.append([mark, child.name, run_id, varied] + cells)
    return header, rows


def _cell(metric: str, value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:.0f}" if metric.startswith(("sys/cache_", "n_")) else f"{value:.3f}"


def _log_table(
    children: list[Child], results: dict[str, TrainResult], failed: dict[str, str], spec: SweepSpec, best: TrainResult
) -> str:
    """Log the table of children on the parent run (Markdown and CSV); returns the Markdown."""
    table = format_table(children, results, failed, spec, best)
    tracking.log_text(table, "sweep_table.md")
    tracking.log_text(table_csv(children, results, failed, spec, best), "sweep_table.csv")
    return table


def format_table(
    children: list[Child], results: dict[str, TrainResult], failed: dict[str, str], spec: SweepSpec, best: TrainResult
) -> str:
    """A Markdown table of every child in run order; `*` marks the best."""
    header, rows = _rows(children, results, failed, spec, best)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def table_csv(
    children: list[Child], results: dict[str, TrainResult], failed: dict[str, str], spec: SweepSpec, best: TrainResult
) -> str:
    """The same table as CSV, for spreadsheets."""
    header, rows = _rows(children, results, failed, spec, best)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _summary(
    best: TrainResult, spec: SweepSpec, parent_id: str, registration: Any, failed: dict[str, str], view: str
) -> str:
    rule = spec.rule
    lines = [
        f"chosen by {spec.metric} ({spec.mode}, ties within {rule.margin} go to the lower {rule.tie_break}): "
        f"{best.run_name} = {best.metrics[spec.metric]:.4f}  "
        f"(run {best.run_id}, bundle {best.bundle}; models/latest points here)",
        f"parent run: {parent_id}",
    ]
    if registration is not None:
        lines.append(registration.summary())
    if failed:
        lines.append(f"{len(failed)} child run(s) failed: {', '.join(failed)}")
    lines.append(f"compare in the MLflow UI (python -m nlpkit.ui): {views.ui_link(view)}")
    return "\n".join(lines)
