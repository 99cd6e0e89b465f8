"""`python -m nlpkit.train`: train on the seed corpus (or your own), evaluate, save a bundle, log to MLflow.

python -m nlpkit.train                                   # configs/default.yaml if present, else defaults
python -m nlpkit.train --config configs/default.yaml --set clf__C=2 --set summary__n_sentences=4
python -m nlpkit.train --sweep configs/sweeps/classifiers.yaml
python -m nlpkit.train --unlabelled my-news/ --min-confidence 0.8   # self-training on your own articles
python -m nlpkit.train --data my.jsonl --with-seeds              # your labelled file (+ the seed corpus)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from nlpkit.cli.common import command_parser, configure_logging, fail
from nlpkit.errors import NlpkitError
from nlpkit.training.config import load_config

if TYPE_CHECKING:
    from nlpkit.tracking.store import Tracker
    from nlpkit.training.trainer import TrainReport

DEFAULT_CONFIG = Path("configs/default.yaml")
_TABLE_METRICS = [
    ("macro-F1", "macro_f1"),
    ("accuracy", "accuracy"),
    ("log-loss", "log_loss"),
    ("ECE", "ece"),
    ("ROUGE-1", "summary_rouge1"),
    ("ROUGE-2", "summary_rouge2"),
    ("ROUGE-L", "summary_rougeL"),
    ("Lead ROUGE-1", "lead_rouge1"),
    ("Lead ROUGE-2", "lead_rouge2"),
    ("Lead ROUGE-L", "lead_rougeL"),
]


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser("train", __doc__)
    parser.add_argument("--config", type=Path, help=f"YAML run config (default: {DEFAULT_CONFIG} when it exists)")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one setting, e.g. clf__C=2 (repeatable)",
    )
    parser.add_argument("--sweep", type=Path, help="run every variation in a sweep file as child runs")
    parser.add_argument(
        "--register",
        metavar="NAME",
        help="register the model (a sweep: its chosen child) as NAME@challenger; it becomes NAME@champion "
        "only if it beats the current champion on the same validation data",
    )
    parser.add_argument(
        "--unlabelled",
        type=Path,
        metavar="DIR",
        help="self-training: pseudo-label the confident articles in DIR and train again with them",
    )
    parser.add_argument(
        "--min-confidence",
        type=float,
        default=None,
        metavar="X",
        help="with --unlabelled: probability an article's topic needs to be used (default 0.8)",
    )
    parser.add_argument(
        "--data", type=Path, help="train on your labelled JSONL: labels from the data, split made and saved beside it"
    )
    parser.add_argument("--with-seeds", action="store_true", help="with --data: also train on the seed corpus")
    parser.add_argument(
        "--allow-small",
        action="store_true",
        help="with --data: train even with no validation split or under 10 articles per label",
    )
    parser.add_argument(
        "--no-latest",
        action="store_true",
        help="save the bundle but leave models/latest (the default model of predict, digest, label) as it is",
    )
    parser.add_argument("--no-track", action="store_true", help="train and save the bundle without an MLflow run")
    parser.add_argument("--quiet", action="store_true", help="only warnings and errors")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.quiet)
    config_path = args.config or (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
    overrides = list(args.overrides) + ([f"register={args.register}"] if args.register else [])
    overrides += ["latest=false"] if args.no_latest else []
    try:
        if args.allow_small and not args.data:
            return fail("--allow-small needs --data FILE")
        if args.data:
            from nlpkit.training.userdata import prepare_user_data

            overrides = (
                prepare_user_data(args.data, args.with_seeds, allow_small=args.allow_small).overrides() + overrides
            )
        config = load_config(config_path, overrides)
        if args.min_confidence is not None and not args.unlabelled:
            return fail("--min-confidence needs --unlabelled DIR")
        if args.sweep:
            if args.unlabelled:
                return fail("--unlabelled cannot be combined with --sweep")
            return _sweep(config, args.sweep)
        return _train(config, track=not args.no_track, unlabelled=args.unlabelled, min_confidence=args.min_confidence)
    except NlpkitError as error:
        return fail(str(error))
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the MLflow run, if any, is already marked KILLED
        print("interrupted", file=sys.stderr)
        return 130


def _train(config: dict, track: bool, unlabelled: Path | None = None, min_confidence: float | None = None) -> int:
    if not track:
        from nlpkit.training.trainer import save_bundle

        report = _fit(config, unlabelled, min_confidence)
        bundle = save_bundle(report, time.strftime("%Y%m%d-%H%M%S"))
        print(format_metrics(report.run_name, "not tracked", bundle, report.metrics))
        return 0
    tracker = _tracker()  # a store that does not answer fails now, not after the training
    from nlpkit.tracking import store as tracking_store
    from nlpkit.tracking import views as tracking_views
    from nlpkit.tracking.training import record_training, training_run

    with tracker.active(), training_run(config) as active:  # the run covers the training (duration, system metrics)
        result = record_training(_fit(config, unlabelled, min_confidence), active_run=active)
    print(format_metrics(result.run_name, result.run_id, result.bundle, result.metrics))
    if result.registration is not None:
        print(result.registration.summary())
    print(f"compare in the MLflow UI (python -m nlpkit.ui): {tracking_views.ui_link(result.view_path)}")
    print(tracking_store.export_line(tracker.uri), file=sys.stderr)
    return 0


def _fit(config: dict, unlabelled: Path | None, min_confidence: float | None) -> TrainReport:
    """Train (self-train with `unlabelled`); no MLflow here, the caller records the report."""
    if unlabelled is None:
        from nlpkit.training.trainer import train

        return train(config)
    from nlpkit.training.selftrain import DEFAULT_MIN_CONFIDENCE, read_unlabelled, self_train

    confidence = DEFAULT_MIN_CONFIDENCE if min_confidence is None else min_confidence
    report = self_train(config, read_unlabelled(unlabelled), confidence)
    print(
        f"self-training: {report.metrics['selftrain/pseudo_labelled']:.0f} of "
        f"{report.metrics['selftrain/unlabelled']:.0f} articles in {unlabelled} pseudo-labelled "
        f"at confidence >= {confidence:g}"
    )
    return report


def _tracker() -> Tracker:
    from nlpkit.tracking.store import Tracker

    return Tracker.from_environment()


def _sweep(config: dict, sweep_file: Path) -> int:
    from nlpkit.tracking import store as tracking_store
    from nlpkit.tracking.sweep import run_sweep

    tracker = _tracker()
    with tracker.active():
        result = run_sweep(config, sweep_file)
    print(result.table)
    print(tracking_store.export_line(tracker.uri), file=sys.stderr)
    return 0


def format_metrics(name: str, run_id: str, bundle: Path, metrics: dict[str, float]) -> str:
    """The closing table: validation and test side by side."""
    lines = [f"run {name} ({run_id})  bundle: {bundle}", f"{'metric':<14}{'validation':>12}{'test':>12}"]
    for label, key in _TABLE_METRICS:
        values = [metrics.get(f"{split}_{key}") for split in ("val", "test")]
        if any(v is not None for v in values):
            cells = "".join(f"{v:>12.3f}" if v is not None else f"{'-':>12}" for v in values)
            lines.append(f"{label:<14}{cells}")
    lines.append(f"encode {metrics.get('sys/encode_seconds', 0):.1f}s, fit {metrics.get('sys/fit_seconds', 0):.1f}s")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
