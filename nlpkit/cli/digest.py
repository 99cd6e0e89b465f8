"""`python -m nlpkit.digest INPUT`: a day's news as stories, with topic charts, as JSON and one HTML page.

    python -m nlpkit.digest seeds/inbox --html digest.html                 # predict the folder, then group
    python -m nlpkit.digest today.jsonl --output digest.json --html digest.html   # a predict output file
    python -m nlpkit.digest feed/ --set threshold=0.7 --set window_days=1  # stricter grouping
    python -m nlpkit.digest seeds/pairs/articles.jsonl --html pairs.html  # JSONL with date/source fields

INPUT is a folder or file of articles (as for nlpkit.predict; `date`, `source`, `url` fields of JSON
objects are used; dates may be ISO, RSS (Fri, 14 Mar 2025), March 14, 2025 or 14.03.2025, also in a file
name; a sub-folder name is taken as the outlet), or a JSONL written by nlpkit.predict (detected by its
fields). Stories are printed on stdout, newest first.
Exit code: 0 every article in, 1 some inputs failed (listed in the digest), 2 usage or model error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any, Iterator

from nlpkit.cli.common import command_parser, configure_logging, fail, load_model
from nlpkit.errors import NlpkitError

log = logging.getLogger("nlpkit.cli.digest")
DEFAULT_CONFIG = Path("configs/digest.yaml")


def build_parser() -> argparse.ArgumentParser:
    from nlpkit.data.inbox import DEFAULT_MAX_BYTES

    parser = command_parser(
        "digest",
        __doc__,
        epilog="\n".join(__doc__.splitlines()[2:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "input", type=Path, help="a folder or file of articles, or a predictions .jsonl from nlpkit.predict"
    )
    parser.add_argument(
        "--model", default="models/latest", help="bundle folder or MLflow model URI (default: models/latest)"
    )
    parser.add_argument("--output", type=Path, help="write the digest as JSON here")
    parser.add_argument("--html", type=Path, help="write the self-contained HTML page here")
    parser.add_argument("--title", default="nlpkit digest", help="page title")
    parser.add_argument(
        "--config", type=Path, help=f"grouping settings YAML (default: {DEFAULT_CONFIG} when it exists)"
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a grouping setting: threshold, window_days, lead_sentences, neighbours",
    )
    parser.add_argument("--batch-size", type=int, default=64, help="articles per encoder batch (default 64)")
    parser.add_argument(
        "--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="skip files larger than this (default 5 MB)"
    )
    parser.add_argument("--top", type=int, default=20, help="stories printed on stdout (default 20; 0 for none)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or info messages")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.quiet)
    if not args.input.exists():
        return fail(f"input {args.input} does not exist")
    if args.batch_size < 1:
        return fail("--batch-size must be at least 1")
    try:
        from nlpkit.analysis.digest import load_settings
        from nlpkit.training.config import parse_overrides

        config = args.config or (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
        settings = load_settings(config, parse_overrides(args.overrides))
    except NlpkitError as error:
        return fail(str(error))
    try:
        model = load_model(args.model, args.batch_size)
    except (NlpkitError, OSError) as error:
        return fail(f"model {args.model}: {error}")
    return run(model, args, settings)


def run(model: Any, args: argparse.Namespace, settings: Any) -> int:
    from tqdm import tqdm

    from nlpkit.analysis.digest import build_digest, is_predictions_file, items_from_predictions, items_from_records
    from nlpkit.analysis.page import render_html

    bar = tqdm(
        unit=" articles",
        desc="digest",
        disable=args.quiet or not sys.stderr.isatty(),
        file=sys.stderr,
        dynamic_ncols=True,
    )
    try:
        if is_predictions_file(args.input):
            items = items_from_predictions(model, args.input, settings, progress=bar.update)
        else:
            items = items_from_records(
                model, _records(args), args.input, settings, args.batch_size, progress=bar.update
            )
        digest = build_digest(items, settings, {"input": str(args.input), "model": str(args.model)})
    finally:
        bar.close()
    for target, content in (
        (args.output, digest.to_json),
        (args.html, lambda: render_html(digest.data, args.html.parent, args.title)),
    ):
        try:
            if target:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content() + "\n", encoding="utf-8")
        except OSError as problem:
            return fail(f"cannot write {target}: {problem.strerror or problem}")
    data = digest.data
    for story in data["stories"][: max(args.top, 0)]:
        sources = ", ".join(story["sources"]) or "-"
        print(
            f"[{story['topic']}] {story['title']}  "
            f"({story['size']} article{'s' if story['size'] != 1 else ''}; {sources})"
        )
    for error in data["errors"]:
        print(f"error: {error['path']} [{error['id']}]: {error['error']}", file=sys.stderr)
    grouped = sum(1 for s in data["stories"] if s["size"] > 1)
    print(
        f"{data['articles']} articles, {len(data['stories'])} stories ({grouped} with more than one article), "
        f"{data['failed']} failed" + "".join(f"; wrote {p}" for p in (args.output, args.html) if p),
        file=sys.stderr,
    )
    return 1 if data["failed"] else 0


def _records(args: argparse.Namespace) -> Iterator[Any]:
    from nlpkit.data.inbox import ReadLimits, iter_inputs

    return iter_inputs(args.input, ReadLimits(max_bytes=args.max_bytes), exclude=[args.output, args.html])


if __name__ == "__main__":
    sys.exit(main())
