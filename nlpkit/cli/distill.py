"""`python -m nlpkit.distill`: build the fast-mode encoder, offline, from the transformer we ship.

    python -m nlpkit.distill                                   # models/encoders/minilm-m2v-256
    python -m nlpkit.distill --pca-dims 128 --out models/encoders/minilm-m2v-128

Then point a config at the printed folder (configs/fast.yaml does). How it works: nlpkit.embedding.distill.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from nlpkit.cli.common import command_parser, configure_logging, fail
from nlpkit.embedding.distill import DEFAULT_OUT, DistillError, distill_encoder
from nlpkit.embedding.encoder import DEFAULT_ENCODER, EncoderError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser("distill", __doc__)
    parser.add_argument(
        "--encoder",
        default=DEFAULT_ENCODER,
        help="'default' (bundled all-MiniLM-L6-v2) or a local sentence-transformers folder",
    )
    parser.add_argument("--pca-dims", type=int, default=256, help="dimensions kept by PCA (default: 256)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    parser.add_argument("--quiet", action="store_true", help="only warnings and errors")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.quiet)
    for chatty in ("skeletoken", "model2vec"):  # a dozen INFO lines per run about tokenizer internals
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        folder = distill_encoder(args.encoder, args.pca_dims, args.out)
    except (EncoderError, DistillError) as error:
        return fail(str(error))
    print(folder)
    return 0
