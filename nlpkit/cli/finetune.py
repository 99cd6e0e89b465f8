"""`python -m nlpkit.finetune`: fine-tune the MiniLM body on the seed train split, offline.

    python -m nlpkit.finetune --output models/encoders/minilm-ft
    python -m nlpkit.train --set embed__model=models/encoders/minilm-ft

The folder is a plain sentence-transformers model that any config can name as its encoder; a bundle
trained on it records its sha256 like any local encoder. How it works: nlpkit.embedding.finetune.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nlpkit.cli.common import command_parser, configure_logging, fail
from nlpkit.embedding.encoder import DEFAULT_ENCODER
from nlpkit.errors import NlpkitError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    from nlpkit.embedding.finetune import LOSSES, FinetuneSettings

    defaults = FinetuneSettings()
    parser = command_parser("finetune", __doc__)
    parser.add_argument("--output", type=Path, required=True, help="folder to write the fine-tuned encoder to")
    parser.add_argument(
        "--epochs", type=int, default=defaults.epochs, help=f"passes over the data (default: {defaults.epochs})"
    )
    parser.add_argument(
        "--loss",
        choices=LOSSES,
        default=defaults.loss,
        help=f"batch-hard triplets over topic labels, or contrastive pairs (default: {defaults.loss})",
    )
    parser.add_argument(
        "--max-articles",
        type=int,
        default=None,
        help="train on a seeded random subset of this many train articles (default: all)",
    )
    parser.add_argument(
        "--lead-sentences",
        type=int,
        default=defaults.lead_sentences,
        help=f"sentences after the title taken from each article (default: {defaults.lead_sentences})",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=defaults.batch_size,
        help=f"texts per optimiser step, even, at least 4 (default: {defaults.batch_size})",
    )
    parser.add_argument(
        "--random-state", type=int, default=defaults.random_state, help="seed for sampling and training"
    )
    parser.add_argument(
        "--encoder",
        default=DEFAULT_ENCODER,
        help="'default' (bundled all-MiniLM-L6-v2) or a local sentence-transformers folder",
    )
    parser.add_argument("--data", type=Path, default=Path("seeds/articles.jsonl"), help="labelled corpus (JSONL)")
    parser.add_argument("--splits", type=Path, default=Path("seeds/splits.json"), help="split file; only train is used")
    parser.add_argument("--quiet", action="store_true", help="only warnings and errors")
    return parser


def main(argv: list[str] | None = None) -> int:
    from nlpkit.embedding.finetune import FinetuneSettings, finetune_encoder

    args = build_parser().parse_args(argv)
    configure_logging(args.quiet)
    settings = FinetuneSettings(
        epochs=args.epochs,
        loss=args.loss,
        lead_sentences=args.lead_sentences,
        batch_size=args.batch_size,
        max_articles=args.max_articles,
        random_state=args.random_state,
    )
    try:
        folder = finetune_encoder(args.output, args.data, args.splits, args.encoder, settings)
    except NlpkitError as error:
        return fail(str(error))
    print(folder)
    return 0
