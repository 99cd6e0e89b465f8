"""`python -m nlpkit.predict INPUT`: topics and summaries for a folder (or file) of articles.

    python -m nlpkit.predict seeds/inbox                          # JSON Lines on stdout
    python -m nlpkit.predict feed/ --output out/today.csv         # CSV
    python -m nlpkit.predict feed/ --output today.jsonl --resume  # continue an interrupted run
    python -m nlpkit.predict feed/ --model models:/news@champion  # a registered MLflow model
    python -m nlpkit.predict feed/ --engine spark --master local[2] --output out.parquet   # Apache Spark
    python -m nlpkit.predict feed/ --focus energy                 # summaries about energy

Exit code: 0 every article predicted, 1 some inputs failed (see their `error`), 2 the run itself could not
proceed (usage, model, output or resume-file error: one line), 130 interrupted (Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpkit.cli.common import command_parser, configure_logging, fail, load_model
from nlpkit.errors import NlpkitError
from nlpkit.prediction import Prediction

if TYPE_CHECKING:
    from nlpkit.model import NewsModel

log = logging.getLogger("nlpkit.cli.predict")

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    from nlpkit.batch import DEFAULT_MAX_SENTENCES
    from nlpkit.data.inbox import DEFAULT_MAX_BYTES, DEFAULT_MAX_CHARS, DEFAULT_PARSE_SECONDS

    parser = command_parser("predict", __doc__)
    parser.add_argument(
        "input",
        help="a folder (walked recursively) or one .txt/.md/.html/.json/.jsonl file "
        "(with --engine spark also an hdfs://, s3a://... URI)",
    )
    parser.add_argument(
        "--model", default="models/latest", help="bundle folder or MLflow model URI (default: models/latest)"
    )
    parser.add_argument(
        "--output",
        help="output file: .jsonl or .csv (other suffixes are refused); stdout when absent; "
        ".parquet (a URI works too) with --engine spark",
    )
    parser.add_argument(
        "--summary-sentences", type=int, metavar="N", help="sentences per summary (default: the model's)"
    )
    parser.add_argument(
        "--focus", metavar="TOPIC", help="make each summary about TOPIC (e.g. energy), in document order"
    )
    parser.add_argument("--batch-size", type=int, default=64, help="articles per encoder batch (default 64)")
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        help="files larger than this are error records (default 5 MB)",
    )
    parser.add_argument(
        "--max-chars",
        type=int,
        default=DEFAULT_MAX_CHARS,
        help=f"article text beyond this many characters is cut, with a warning (default {DEFAULT_MAX_CHARS:,})",
    )
    parser.add_argument(
        "--max-sentences",
        type=int,
        default=DEFAULT_MAX_SENTENCES,
        help=f"sentences read per article, the rest cut with a warning (default {DEFAULT_MAX_SENTENCES})",
    )
    parser.add_argument(
        "--parse-seconds",
        type=float,
        default=DEFAULT_PARSE_SECONDS,
        help=f"a file whose parsing takes longer becomes an error record (default {DEFAULT_PARSE_SECONDS:g})",
    )
    parser.add_argument(
        "--follow-symlinks", action="store_true", help="read symlinks that point outside the input folder"
    )
    parser.add_argument(
        "--trust",
        action="store_true",
        help="load an old (format 1, joblib) bundle, which can run code when loaded: only for bundles you made",
    )
    parser.add_argument("--resume", action="store_true", help="skip articles already in --output and append")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or info messages")
    parser.add_argument(
        "--engine",
        choices=["local", "spark"],
        default="local",
        help="local (default: this process, JSONL/CSV) or spark (Apache Spark, Parquet; needs nlpkit[spark])",
    )
    parser.add_argument(
        "--master",
        default=None,
        help="Spark master for --engine spark: local[2] (default), spark://host:7077; under spark-submit its own",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.quiet)
    problem = _usage_problem(args)
    if problem:
        return fail(problem)
    if args.engine == "spark":
        return run_spark(args)
    if args.trust:
        from nlpkit.bundle import trust_legacy_bundle

        trust_legacy_bundle(Path(args.model))
    try:
        model = load_model(args.model, args.batch_size)
    except (NlpkitError, OSError) as error:
        return fail(f"model {args.model}: {error}")
    if args.focus is not None and args.focus not in model.labels:
        return fail(f"--focus {args.focus}: expected one of the model's topics {model.labels}")
    try:
        return run(model, args)
    except NlpkitError as error:
        return fail(str(error))


def _usage_problem(args: argparse.Namespace) -> str | None:
    """The first usage mistake, or None; the local engine's paths become Paths here."""
    if args.engine == "local":  # Spark takes paths as given: a URI such as hdfs://nn/feed is no local Path
        args.input = Path(args.input)
        args.output = Path(args.output) if args.output else None
    if _local(args.input) and not Path(args.input).exists():
        return f"input {args.input} does not exist"
    if args.resume and not args.output:
        return "--resume needs --output (the file to continue)"
    if args.summary_sentences is not None and args.summary_sentences < 1:
        return "--summary-sentences must be at least 1"
    if args.batch_size < 1:
        return "--batch-size must be at least 1"
    for option in ("max_bytes", "max_chars", "max_sentences"):
        if getattr(args, option) < 1:
            return f"--{option.replace('_', '-')} must be at least 1"
    if not args.parse_seconds > 0:
        return "--parse-seconds must be more than 0"
    if args.engine == "spark":
        if not args.output or not str(args.output).lower().rstrip("/").endswith(".parquet"):
            return "--engine spark writes Parquet: give --output FILE.parquet"
        if args.resume:
            return "--resume is for the local engine; Spark rewrites the whole --output"
        if _local(args.output) and Path(args.output).exists():
            return f"{args.output} exists; remove it or choose another --output"
    else:
        if args.master:
            return "--master is for --engine spark"
        if args.output is not None:
            from nlpkit.data.output import OUTPUT_SUFFIXES

            if args.output.suffix.lower() not in OUTPUT_SUFFIXES:
                return (
                    f"--output {args.output}: unknown format {args.output.suffix or '(no suffix)'!r}, "
                    "expected .jsonl or .csv"
                )
            if args.output.is_dir():
                return f"--output {args.output} is a folder, expected a .jsonl or .csv file"
    return None


def _local(path: str | Path) -> bool:
    """A path on this machine (no URI scheme such as hdfs:// or s3a://)."""
    return "://" not in str(path)


def run(model: NewsModel, args: argparse.Namespace) -> int:
    """Predict every input, write records as they come, and print the closing summary to stderr."""
    from nlpkit.batch import predict_folder
    from nlpkit.data.inbox import ReadLimits, count_records
    from nlpkit.data.output import lock_path

    show_bar = not args.quiet and sys.stderr.isatty()
    exclude = [args.output, lock_path(args.output)] if args.output else []
    progress = _progress(args.quiet, count_records(args.input, args.follow_symlinks, exclude) if show_bar else None)

    def shown(record: Prediction) -> None:
        _report(record)
        progress.update(1)

    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        done = predict_folder(
            model,
            args.input,
            args.output,
            resume=args.resume,
            batch_size=args.batch_size,
            n_sentences=args.summary_sentences,
            max_sentences=args.max_sentences,
            focus=args.focus,
            limits=ReadLimits(args.max_bytes, args.max_chars, args.parse_seconds),
            follow_symlinks=args.follow_symlinks,
            on_record=shown,
        )
    except BrokenPipeError:  # stdout closed by `| head`: nothing more to say
        sys.stderr.close()
        return EXIT_OK
    finally:
        signal.signal(signal.SIGTERM, previous)
        progress.close()
    print(("interrupted: " if done.interrupted else "") + done.stats.summary(), file=sys.stderr)
    if done.interrupted:
        return 130
    return EXIT_SOME_FAILED if done.stats.failed else EXIT_OK


def run_spark(args: argparse.Namespace) -> int:
    """The same job on Apache Spark: read the folder with binaryFile, predict with mapInPandas, write Parquet."""
    try:
        from nlpkit.engines import spark as nlpkit_spark

        spark = nlpkit_spark.session(args.master or ("local[2]" if not _under_spark_submit() else None))
    except ImportError:
        return fail("--engine spark needs pyspark: pip install 'nlpkit[spark]'")
    try:
        summary = nlpkit_spark.predict_folder(
            spark,
            str(args.input),
            args.model,
            str(args.output),
            batch_size=args.batch_size,
            n_sentences=args.summary_sentences,
            max_bytes=args.max_bytes,
        )
    except NlpkitError as error:
        return fail(f"model {args.model}: {error}")
    finally:
        spark.stop()
    print(summary.summary(), file=sys.stderr)
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK


def _under_spark_submit() -> bool:
    """spark-submit sets the master itself (SPARK_SUBMIT_OPTS / spark.master in the launcher's conf)."""
    import os

    return "SPARK_ENV_LOADED" in os.environ or bool(os.environ.get("PYSPARK_GATEWAY_PORT"))


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _report(record: Prediction) -> None:
    where = record.path if record.id in record.path else f"{record.path} [{record.id}]"
    if record.error:
        print(f"error: {where}: {record.error}", file=sys.stderr)
    for warning in record.warnings:
        print(f"warning: {where}: {warning}", file=sys.stderr)


def _progress(quiet: bool, total: int | None = None) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total, unit=" articles", disable=quiet or not sys.stderr.isatty(), file=sys.stderr, dynamic_ncols=True
    )


if __name__ == "__main__":
    sys.exit(main())
