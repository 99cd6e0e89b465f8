"""`python -m nlpkit.evaluate [NAME=]DATA ...`: score a model on labelled files, logged as one evaluation run.

    python -m nlpkit.evaluate ../shared/benchmarks/topics/dev.jsonl
    python -m nlpkit.evaluate western_dev=../shared/benchmarks/topics/dev.jsonl \\
                              regional_dev=../shared/benchmarks/topics/regional-dev.jsonl
    python -m nlpkit.evaluate ../shared/benchmarks/summaries/bbc_news_summary.jsonl --limit 300

Lines with a `topic` field (or `topics`, primary first) are scored for topics: per-topic precision/recall/F1,
macro-F1, accuracy, and a headline-only macro-F1 for lines of `kind` "headline". Lines with
`reference_sentences`, `reference` or `summary` are scored with ROUGE-1/2/L at the reference's sentence count
(`--summary-sentences N` fixes it), next to Lead-k. Each file's metrics are logged under its NAME (default:
the file stem); with several topic files, `worst_macro_f1` is the lowest of them.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from nlpkit.cli.common import command_parser, configure_logging, fail, load_model
from nlpkit.errors import NlpkitError

__all__ = ["build_parser", "main", "parse_named", "format_report"]


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "evaluate", __doc__, formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n", 2)[2]
    )
    parser.add_argument(
        "data", nargs="+", metavar="[NAME=]DATA", help="JSONL file(s) with title/text and a topic and/or reference"
    )
    parser.add_argument(
        "--model", default="models/latest", help="bundle folder or MLflow model URI (default: models/latest)"
    )
    parser.add_argument("--limit", type=int, help="only the first N lines of each file")
    parser.add_argument(
        "--summary-sentences", type=int, metavar="N", help="fixed summary length (default: the reference's)"
    )
    parser.add_argument("--experiment", default="nlpkit-evaluations", help="MLflow experiment for the evaluation run")
    parser.add_argument("--no-log", action="store_true", help="print the figures without logging an MLflow run")
    parser.add_argument("--quiet", action="store_true", help="only warnings and errors")
    return parser


def parse_named(specs: list[str]) -> dict[str, Path]:
    """`name=path` or a bare path (named by its stem, made metric-safe); names must be distinct."""
    named: dict[str, Path] = {}
    for spec in specs:
        name, _, path = spec.rpartition("=") if "=" in spec else ("", "", spec)
        name = re.sub(r"[^A-Za-z0-9_]+", "_", name or Path(path).stem).strip("_") or "data"
        if name in named:
            raise NlpkitError(f"two evaluation files are named {name!r}; give each a NAME=PATH")
        named[name] = Path(path)
    return named


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.quiet)
    from nlpkit.evaluation.evaluators import evaluate_items, read_eval_file

    try:
        files = parse_named(args.data)
        items = {name: read_eval_file(path, args.limit) for name, path in files.items()}
        model = load_model(args.model)
    except NlpkitError as error:
        return fail(str(error))
    results = {name: evaluate_items(model, batch, args.summary_sentences) for name, batch in items.items()}
    metrics = combined_metrics(results)
    for name, result in results.items():
        print(format_report(name, files[name], result))
    if "worst_macro_f1" in metrics:
        print(
            f"worst macro-F1 over {sum(1 for r in results.values() if 'macro_f1' in r.metrics)} files: "
            f"{metrics['worst_macro_f1']:.3f}"
        )
    if not args.no_log:
        from nlpkit.tracking import store as tracking_store
        from nlpkit.tracking.evaluation import record_evaluation

        tracker = tracking_store.Tracker.from_environment()
        with tracker.active():
            run_id = record_evaluation(model, files, results, metrics, args.experiment, str(args.model), args.limit)
        print(
            f"logged evaluation run {run_id} "
            f"(linked to training run {model.provenance.get('mlflow_run_id') or 'unknown'})",
            file=sys.stderr,
        )
        print(tracking_store.export_line(tracker.uri), file=sys.stderr)
    return 0


def combined_metrics(results: dict[str, Any]) -> dict[str, float]:
    """Every file's metrics under `<name>_`, plus the worst macro-F1 over the topic files."""
    metrics = {f"{name}_{key}": value for name, result in results.items() for key, value in result.metrics.items()}
    scores = [result.metrics["macro_f1"] for result in results.values() if "macro_f1" in result.metrics]
    if scores:
        metrics["worst_macro_f1"] = min(scores)
    return metrics


def format_report(name: str, path: Path, result: Any) -> str:
    """The printed figures for one file."""
    metrics = result.metrics
    lines = [f"== {name} ({path})"]
    if result.report:
        lines += [result.report, f"macro-F1 {metrics['macro_f1']:.3f}  accuracy {metrics['accuracy']:.3f}"]
        if "headline_macro_f1" in metrics:
            lines.append(f"headline-only macro-F1 {metrics['headline_macro_f1']:.3f}")
    if "summary_rouge1" in metrics:
        for system, label in (("summary", "nlpkit"), ("lead", "Lead-k")):
            lines.append(
                f"{label:<8} ROUGE-1 {metrics[f'{system}_rouge1']:.2f}  ROUGE-2 {metrics[f'{system}_rouge2']:.2f}  "
                f"ROUGE-L {metrics[f'{system}_rougeL']:.2f}"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
