"""Distil the shipped transformer into a model2vec static encoder for fast mode, offline.

model2vec runs every token of the transformer's vocabulary through the transformer once, reduces the
vectors with PCA and saves a static lookup table: a sentence vector is then a weighted mean of token
vectors, about 100 times faster than MiniLM on a CPU. Nothing is downloaded (HF_HUB_OFFLINE=1).

The folder is written atomically with a provenance file (source encoder and its sha256), which becomes
part of the encoder's fingerprint, so a bundle trained on it refuses any other encoder.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Callable

from nlpkit.embedding.encoder import DEFAULT_ENCODER, encoder_fingerprint, encoder_kind, resolve_encoder_path
from nlpkit.errors import DistillError, EncoderError

__all__ = ["DEFAULT_OUT", "PROVENANCE_FILE", "DistillError", "distill_encoder"]

log = logging.getLogger(__name__)

DEFAULT_OUT = Path("models/encoders/minilm-m2v-256")
#: Provenance written beside the model2vec files; being JSON it is part of the encoder's sha256.
PROVENANCE_FILE = "nlpkit_distill.json"
# model2vec's own default: the BERT vocabulary's [unusedN] placeholders carry no meaning.
_UNUSED_TOKENS = r"\[unused\d+\]"


def distill_encoder(
    encoder: str = DEFAULT_ENCODER,
    pca_dims: int | None = 256,
    out: str | Path = DEFAULT_OUT,
    token_remove_pattern: str | None = _UNUSED_TOKENS,
) -> Path:
    """Distill `encoder` ("default" or a sentence-transformers folder) into a model2vec folder at `out`.

    The folder is written to a temporary sibling first and renamed into place, so an interrupted run
    never leaves a half-written encoder that a config could point at. `token_remove_pattern` drops
    vocabulary entries (tests use it to distill a small slice quickly).
    """
    source = resolve_encoder_path(str(encoder))
    out = Path(out)
    _check_out(out)
    if encoder_kind(source) != "sentence-transformers":
        raise DistillError(
            f"{source} is already a static (model2vec) encoder; distill from a sentence-transformers folder"
        )
    if pca_dims is not None and pca_dims < 2:
        raise DistillError(f"--pca-dims must be at least 2 (or omitted for no PCA), got {pca_dims}")
    distill = _import_distill()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    started = time.perf_counter()
    log.info("distilling %s (%s) to %s dimensions", encoder, source, pca_dims)
    model = distill(model_name=str(source), pca_dims=pca_dims, token_remove_pattern=token_remove_pattern)
    # model2vec records the absolute source path; a portable name keeps the folder's sha256 machine-independent.
    model.config["tokenizer_name"] = str(encoder) if encoder == DEFAULT_ENCODER else Path(source).name
    provenance = _provenance(model, str(encoder), source, pca_dims, token_remove_pattern)
    _save_atomically(model, provenance, out)
    log.info(
        "distilled %d tokens x %d dims in %.1fs; saved to %s",
        provenance["vocabulary_size"],
        provenance["dimension"],
        time.perf_counter() - started,
        out,
    )
    return out


def _check_out(out: Path) -> None:
    """Only an absent or empty folder, or an earlier static encoder, may be (re)placed: never a models folder."""
    if out.exists() and not out.is_dir():
        raise DistillError(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        try:
            kind = encoder_kind(out)
        except (EncoderError, ValueError):
            kind = None
        if kind != "model2vec":
            raise DistillError(
                f"--out {out} is a non-empty folder that is not a static encoder; refusing to replace it"
            )


def _provenance(model: Any, encoder: str, source: Path, pca_dims: int | None, pattern: str | None) -> dict[str, Any]:
    """What the folder was built from; being JSON it is part of the encoder's sha256."""
    return {
        "source_encoder": encoder,
        "source_sha256": encoder_fingerprint(source),
        "pca_dims": pca_dims,
        "token_remove_pattern": pattern,
        "vocabulary_size": int(model.embedding.shape[0]),
        "dimension": int(model.embedding.shape[1]),
        "model2vec_version": package_version("model2vec"),
    }


def _import_distill() -> Callable[..., Any]:
    try:
        from model2vec.distill import distill
    except ImportError as error:
        raise DistillError("model2vec[distill] is not installed: pip install 'nlpkit[fast]'") from error
    return distill


def _save_atomically(model: Any, provenance: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        model.save_pretrained(str(staging))
        (staging / PROVENANCE_FILE).write_text(json.dumps(provenance, indent=2, sort_keys=True), encoding="utf-8")
        if out.exists():
            log.info("replacing the existing encoder at %s", out)
            shutil.rmtree(out)
        staging.rename(out)
        out.chmod(0o755)  # mkdtemp made it private; the encoder is shared like any model folder
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def package_version(package: str) -> str:
    """The installed version of `package`, or "unknown"; recorded beside a built encoder."""
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"
