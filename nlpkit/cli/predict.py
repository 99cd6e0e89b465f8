"""`python -m nlpkit.predict INPUT`: topics and summaries for a folder (or file) of articles.

    python -m nlpkit.predict seeds/inbox                          # JSON Lines on stdout
    python -m nlpkit.predict feed/ --output out/today.csv         # CSV
    python -m nlpkit.predict feed/ --output today.jsonl --resume  # continue an interrupted run
    python -m nlpkit.predict feed/ --model models:/news@champion  # a registered MLflow model
    python -m nlpkit.predict feed/ --engine spark --master local[2] --output out.parquet   # Apache Spark

Exit code: 0 every article predicted, 1 some inputs failed (see their `error`), 2 usage or model error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Iterator

from nlpkit.cli.common import configure_logging, fail, load_model
from nlpkit.errors import NlpkitError
from nlpkit.prediction import Prediction

log = logging.getLogger("nlpkit.cli.predict")

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    from nlpkit.data.readers import DEFAULT_MAX_BYTES

    parser = argparse.ArgumentParser(prog="python -m nlpkit.predict", description=__doc__.splitlines()[0])
    parser.add_argument("input", help="a folder (walked recursively) or one .txt/.md/.html/.json/.jsonl file "
                        "(with --engine spark also an hdfs://, s3a://... URI)")
    parser.add_argument("--model", default="models/latest", help="bundle folder or MLflow model URI (default: models/latest)")
    parser.add_argument("--output", help="output file: .jsonl (default format) or .csv; stdout when absent; "
                        ".parquet (a URI works too) with --engine spark")
    parser.add_argument("--summary-sentences", type=int, metavar="N", help="sentences per summary (default: the model's)")
    parser.add_argument("--batch-size", type=int, default=64, help="articles per encoder batch (default 64)")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="skip files larger than this (default 5 MB)")
    parser.add_argument("--resume", action="store_true", help="skip articles already in --output and append")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or info messages")
    parser.add_argument("--engine", choices=["local", "spark"], default="local",
                        help="local (default: this process, JSONL/CSV) or spark (Apache Spark, Parquet; needs nlpkit[spark])")
    parser.add_argument("--master", default=None,
                        help="Spark master for --engine spark: local[2] (default), spark://host:7077; under spark-submit its own")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.quiet)
    if args.engine == "local":  # Spark takes paths as given: a URI such as hdfs://nn/feed is no local Path
        args.input = Path(args.input)
        args.output = Path(args.output) if args.output else None
    problem = _usage_problem(args)
    if problem:
        return fail(problem)
    if args.engine == "spark":
        return run_spark(args)
    try:
        model = load_model(args.model, args.batch_size)
    except (NlpkitError, OSError) as error:
        return fail(f"model {args.model}: {error}")
    return run(model, args)


def _usage_problem(args: argparse.Namespace) -> str | None:
    if _local(args.input) and not Path(args.input).exists():
        return f"input {args.input} does not exist"
    if args.resume and not args.output:
        return "--resume needs --output (the file to continue)"
    if args.summary_sentences is not None and args.summary_sentences < 1:
        return "--summary-sentences must be at least 1"
    if args.batch_size < 1:
        return "--batch-size must be at least 1"
    if args.engine == "spark":
        if not args.output or not str(args.output).lower().rstrip("/").endswith(".parquet"):
            return "--engine spark writes Parquet: give --output FILE.parquet"
        if args.resume:
            return "--resume is for the local engine; Spark rewrites the whole --output"
        if _local(args.output) and Path(args.output).exists():
            return f"{args.output} exists; remove it or choose another --output"
    elif args.master:
        return "--master is for --engine spark"
    return None


def _local(path: str | Path) -> bool:
    """A path on this machine (no URI scheme such as hdfs:// or s3a://)."""
    return "://" not in str(path)


def run(model, args: argparse.Namespace) -> int:
    """Predict every input, write records as they come, and print the closing summary to stderr."""
    from nlpkit.batch import OUTPUT_FIELDS, BatchStats, predict_stream
    from nlpkit.data.output import done_keys, open_writer

    stats = BatchStats()
    skip = done_keys(args.output) if args.resume and args.output else set()
    writer = open_writer(args.output, OUTPUT_FIELDS, args.resume)
    records = _inputs(args, stats, skip)
    progress = _progress(args.quiet)
    interrupted = False
    try:
        for record in predict_stream(model, records, stats, args.batch_size, args.summary_sentences):
            writer.write(record.to_dict())
            _report(record)
            progress.update(1)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        progress.close()
        writer.close()
    print(("interrupted: " if interrupted else "") + stats.summary(), file=sys.stderr)
    if interrupted:
        return 130
    return EXIT_SOME_FAILED if stats.failed else EXIT_OK


def run_spark(args: argparse.Namespace) -> int:
    """The same job on Apache Spark: read the folder with binaryFile, predict with mapInPandas, write Parquet."""
    try:
        from nlpkit import spark as nlpkit_spark

        spark = nlpkit_spark.session(args.master or ("local[2]" if not _under_spark_submit() else None))
    except ImportError:
        return fail("--engine spark needs pyspark: pip install 'nlpkit[spark]'")
    try:
        summary = nlpkit_spark.predict_folder(spark, str(args.input), args.model, str(args.output), batch_size=args.batch_size,
                                              n_sentences=args.summary_sentences, max_bytes=args.max_bytes)
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


def _inputs(args: argparse.Namespace, stats, skip: set) -> Iterator:
    from nlpkit.data.readers import SUPPORTED_SUFFIXES, discover, read_path

    for path in discover(args.input):
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            stats.skipped += 1
            log.info("skipped %s: not a supported format (%s)", path, ", ".join(SUPPORTED_SUFFIXES))
            continue
        for record in read_path(path, args.max_bytes):
            if (record.path, record.content_hash) in skip:
                stats.resumed += 1
                continue
            yield record


def _report(record: Prediction) -> None:
    where = record.path if record.id in record.path else f"{record.path} [{record.id}]"
    if record.error:
        print(f"error: {where}: {record.error}", file=sys.stderr)
    for warning in record.warnings:
        print(f"warning: {where}: {warning}", file=sys.stderr)


def _progress(quiet: bool):
    from tqdm import tqdm

    return tqdm(unit=" articles", disable=quiet or not sys.stderr.isatty(), file=sys.stderr, dynamic_ncols=True)


if __name__ == "__main__":
    sys.exit(main())
