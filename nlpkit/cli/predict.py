"""`python -m nlpkit.predict INPUT`: topics and summaries for a folder (or file) of articles.

    python -m nlpkit.predict seeds/inbox                          # JSON Lines on stdout
    python -m nlpkit.predict feed/ --output out/today.csv         # CSV
    python -m nlpkit.predict feed/ --output today.jsonl --resume  # continue an interrupted run
    python -m nlpkit.predict feed/ --model models:/news@champion  # a registered MLflow model
    python -m nlpkit.predict feed/ --focus energy                 # summaries about energy

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
    parser.add_argument("input", type=Path, help="a folder (walked recursively) or one .txt/.md/.html/.json/.jsonl file")
    parser.add_argument("--model", default="models/latest", help="bundle folder or MLflow model URI (default: models/latest)")
    parser.add_argument("--output", type=Path, help="output file: .jsonl (default format) or .csv; stdout when absent")
    parser.add_argument("--summary-sentences", type=int, metavar="N", help="sentences per summary (default: the model's)")
    parser.add_argument("--focus", metavar="TOPIC", help="make each summary about TOPIC (e.g. energy), in document order")
    parser.add_argument("--batch-size", type=int, default=64, help="articles per encoder batch (default 64)")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="skip files larger than this (default 5 MB)")
    parser.add_argument("--resume", action="store_true", help="skip articles already in --output and append")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or info messages")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.quiet)
    problem = _usage_problem(args)
    if problem:
        return fail(problem)
    try:
        model = load_model(args.model, args.batch_size)
    except (NlpkitError, OSError) as error:
        return fail(f"model {args.model}: {error}")
    if args.focus is not None and args.focus not in model.labels:
        return fail(f"--focus {args.focus}: expected one of the model's topics {model.labels}")
    return run(model, args)


def _usage_problem(args: argparse.Namespace) -> str | None:
    if not args.input.exists():
        return f"input {args.input} does not exist"
    if args.resume and not args.output:
        return "--resume needs --output (the file to continue)"
    if args.summary_sentences is not None and args.summary_sentences < 1:
        return "--summary-sentences must be at least 1"
    if args.batch_size < 1:
        return "--batch-size must be at least 1"
    return None


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
        for record in predict_stream(model, records, stats, args.batch_size, args.summary_sentences, args.focus):
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
