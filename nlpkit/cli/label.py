"""`python -m nlpkit.label INPUT`: pick the articles worth labelling next, with the model's guess filled in.

    python -m nlpkit.label feed/ --n 50 --output to_label.jsonl      # 50 articles to label
    python -m nlpkit.label archive.jsonl --n 20 --model models/latest --output batch2.jsonl
    # correct the `topics` field of each line (primary first), then:
    python -m nlpkit.train --data to_label.jsonl --with-seeds

Chosen by uncertainty with diversity: the most uncertain articles (margin between the two best topics)
are clustered and the one nearest each cluster centre is taken, so the batch covers different kinds of
doubt. Each output line is a labelling record: id, title, text, topics (the model's guess, to correct),
model_topic, scores, uncertainty, evidence, path (and date/source/url when the input had them).
Exit code: 0 every input read, 1 some inputs could not be read (reported on stderr, skipped), 2 usage or model error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Iterator

from nlpkit.cli.common import command_parser, configure_logging, fail, load_model
from nlpkit.errors import NlpkitError


def build_parser() -> argparse.ArgumentParser:
    from nlpkit.data.inbox import DEFAULT_MAX_BYTES

    parser = command_parser(
        "label",
        __doc__,
        epilog="\n".join(__doc__.splitlines()[2:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", type=Path, help="a folder or file of unlabelled articles (as for nlpkit.predict)")
    parser.add_argument("--n", type=int, default=50, help="how many articles to pick (default 50)")
    parser.add_argument("--output", type=Path, help="labelling JSONL to write (default: stdout)")
    parser.add_argument(
        "--model", default="models/latest", help="bundle folder or MLflow model URI (default: models/latest)"
    )
    parser.add_argument(
        "--pool-factor", type=int, default=10, help="shortlist this many times n by uncertainty (default 10)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random state of the clustering (default 0)")
    parser.add_argument("--batch-size", type=int, default=64, help="articles per encoder batch (default 64)")
    parser.add_argument(
        "--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="skip files larger than this (default 5 MB)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar or info messages")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.quiet)
    if not args.input.exists():
        return fail(f"input {args.input} does not exist")
    if args.n < 1 or args.pool_factor < 1 or args.batch_size < 1:
        return fail("--n, --pool-factor and --batch-size must be at least 1")
    try:
        model = load_model(args.model, args.batch_size)
    except (NlpkitError, OSError) as error:
        return fail(f"model {args.model}: {error}")
    return run(model, args)


def run(model: Any, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from nlpkit.analysis.labelling import CandidatePool, candidates_from_records

    pool = CandidatePool(args.n * args.pool_factor)
    failed: list[Any] = []
    bar = tqdm(
        unit=" articles",
        desc="scoring",
        disable=args.quiet or not sys.stderr.isatty(),
        file=sys.stderr,
        dynamic_ncols=True,
    )
    try:
        for candidate in candidates_from_records(model, _records(args), args.batch_size, bar.update, failed.append):
            pool.add(candidate)
    finally:
        bar.close()
    chosen = _unique_ids(pool.select(args.n, args.pool_factor, args.seed))
    lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in chosen)
    if args.output:
        try:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(lines, encoding="utf-8")
        except OSError as error:
            return fail(f"cannot write {args.output}: {error.strerror or error}")
    else:
        sys.stdout.write(lines)
    for record in failed:
        print(f"error: {record.path} [{record.id}]: {record.error}", file=sys.stderr)
    print(
        f"scored {pool.seen} articles, picked {len(chosen)}"
        + (f", {len(failed)} unreadable" if failed else "")
        + (
            f"; wrote {args.output}: correct each `topics`, "
            f"then python -m nlpkit.train --data {args.output} --with-seeds"
            if args.output
            else ""
        ),
        file=sys.stderr,
    )
    return 1 if failed else 0


def _unique_ids(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ids that `train --data` accepts: `line 3` of two files, or a name repeated, gets its file's name."""
    counts: dict[str, int] = {}
    for record in records:
        counts[record["id"]] = counts.get(record["id"], 0) + 1
    seen: set[str] = set()
    for record in records:
        if counts[record["id"]] > 1 or record["id"].startswith("line "):
            where = Path(record["path"])
            record["id"] = f"{where.parent.name}/{where.stem}:{record['id'].replace('line ', 'L')}"
        base, number = record["id"], 1
        while record["id"] in seen:
            number += 1
            record["id"] = f"{base}#{number}"
        seen.add(record["id"])
    return records


def _records(args: argparse.Namespace) -> Iterator[Any]:
    from nlpkit.data.inbox import ReadLimits, iter_inputs

    return iter_inputs(args.input, ReadLimits(max_bytes=args.max_bytes), exclude=[args.output])


if __name__ == "__main__":
    sys.exit(main())
