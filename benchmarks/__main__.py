"""`python -m benchmarks NAME [options]`: run one benchmark, write its JSON + Markdown and one MLflow run.

python -m benchmarks --help              # the benchmarks
python -m benchmarks speed --help        # one benchmark's options
python -m benchmarks compare --topics-only --no-mlflow
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path

from benchmarks.common import REPO
from benchmarks.report import BenchmarkSkipped, write_report

#: name -> what it measures. Each is the module `benchmarks.<name>`,
#: with `add_arguments(parser)` and `run(args) -> Report`.
BENCHMARKS = {
    "active_learning": "does nlpkit.label pick better articles to label than chance (regional dev)",
    "compare": "nlpkit against the summary anchors and the seeds-trained topic baselines",
    "extraction": "HTML article extraction: clean-text precision/recall, dates, titles on CMS-shaped pages",
    "heads": "topic heads on the same vectors, ranked by the worse of the two dev sets",
    "reliability": "what bad inputs, kills and unreachable servers do to nlpkit.predict",
    "scale": "time and peak memory of predict, digest and label on 10,000 articles",
    "serving": "first-request latency of `mlflow models serve` against the median request (issue 24)",
    "spark_throughput": "nlpkit.predict against Spark local[2], and the team server's cost",
    "speed": "default and fast mode against the encoder's limit",
    "story_pairs": "same-story grouping: pairwise precision and recall by threshold",
    "summaries": "every summarizer on held-out articles (issue 16)",
}


def usage() -> str:
    width = max(map(len, BENCHMARKS))
    lines = [(__doc__ or "").strip(), "", "benchmarks:"]
    lines += [f"  {name:<{width}}  {text}" for name, text in BENCHMARKS.items()]
    return "\n".join(lines)


def build_parser(name: str) -> argparse.ArgumentParser:
    """The benchmark's own options plus the runner's (where results go, MLflow, logging)."""
    module = importlib.import_module(f"benchmarks.{name}")
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks {name}", description=BENCHMARKS[name])
    module.add_arguments(parser)
    runner = parser.add_argument_group("runner")
    runner.add_argument(
        "--out",
        type=Path,
        default=REPO / "benchmarks" / "results",
        help="folder for <name>.json and <name>.md (default benchmarks/results)",
    )
    runner.add_argument("--no-mlflow", action="store_true", help="do not record an MLflow run")
    runner.add_argument(
        "--tracking-uri", help="MLflow store (default: MLFLOW_TRACKING_URI, else experiments/mlflow.db)"
    )
    runner.add_argument("--quiet", action="store_true", help="only warnings and errors")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0 if argv else 2
    name = argv[0]
    if name not in BENCHMARKS:
        print(f"error: unknown benchmark {name!r}; expected one of {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    args = build_parser(name).parse_args(argv[1:])
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    from nlpkit.errors import NlpkitError

    module = importlib.import_module(f"benchmarks.{name}")
    try:
        report = module.run(args)
    except BenchmarkSkipped as skipped:
        print(f"{name}: skipped: {skipped}")
        return 0
    except NlpkitError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    run_id = None
    if not args.no_mlflow:
        from benchmarks.tracking import log_run

        run_id = log_run(report, args.tracking_uri)
    md, js = write_report(report, args.out, run_id)
    print(report.markdown)
    print(f"wrote {md} and {js}" + (f"; MLflow run {run_id}" if run_id else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
