"""The OpenVINO runtime for a sentence-transformers encoder (`embed__backend: openvino`).

sentence-transformers' own `backend="openvino"` goes through optimum, which does not install next to
transformers 5; so the transformer body is converted once by OpenVINO's own `convert_model` (straight from
the PyTorch module: `torch.onnx.export` would need the `onnx` package as well), compiled by OpenVINO, and the
pooling the model folder declares (mean over tokens, then L2 normalising) is done in numpy.
The export is cached in a folder keyed by the weights' sha256 (the encoder passes it), paid once per set of weights.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from nlpkit.errors import EncoderError

__all__ = ["OpenVinoEncoder", "require_openvino", "export_model"]

log = logging.getLogger(__name__)

#: Bumped when the export recipe changes, so an old export is never reused for a new recipe.
_EXPORT_VERSION = "1"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_PRECISION_HINTS = {"fp32": "f32", "bf16": "bf16"}


def require_openvino() -> None:
    """Raise EncoderError with the install command when the openvino package is missing."""
    if importlib.util.find_spec("openvino") is None:
        raise EncoderError(
            "embed__backend=openvino needs the openvino package: pip install 'nlpkit[openvino]' "
            "(or pip install openvino), or set embed__backend: torch"
        )


class OpenVinoEncoder:
    """Tokenizer + compiled OpenVINO body + mean pooling; `encode` returns float32 unit vectors."""

    def __init__(self, path: Path, precision: str, export_folder: Path) -> None:
        require_openvino()
        import openvino as ov
        import torch
        from transformers import AutoTokenizer

        self.max_length, self.lowercase = _read_transformer_settings(path)
        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        ir_path = export_model(path, export_folder / f"openvino-v{_EXPORT_VERSION}")
        config = {
            "INFERENCE_NUM_THREADS": max(torch.get_num_threads(), 1),
            "INFERENCE_PRECISION_HINT": _PRECISION_HINTS[precision],
        }
        core = ov.Core()
        self.model = core.compile_model(core.read_model(str(ir_path)), "CPU", config)
        self.input_names = {port.get_any_name() for port in self.model.inputs}
        log.info(
            "OpenVINO compiled %s with inference precision %s (asked: %s)",
            path.name,
            self.model.get_property("INFERENCE_PRECISION_HINT"),
            precision,
        )

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Vectors in the order of `texts`; batches are built from texts of similar length (less padding)."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors = np.zeros((len(texts), 0), dtype=np.float32)
        for start in range(0, len(order), max(batch_size, 1)):
            rows = order[start : start + batch_size]
            pooled = self._encode_batch([texts[i] for i in rows])
            if vectors.shape[1] == 0:
                vectors = np.zeros((len(texts), pooled.shape[1]), dtype=np.float32)
            vectors[rows] = pooled
        return vectors

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        if self.lowercase:
            texts = [text.lower() for text in texts]
        tokens = self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="np")
        feed = {name: np.asarray(tokens[name], dtype=np.int64) for name in _INPUTS if name in self.input_names}
        hidden = np.asarray(self.model(feed)[0], dtype=np.float32)
        mask = np.asarray(tokens["attention_mask"], dtype=np.float32)[:, :, None]
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norms, 1e-12)


def _read_transformer_settings(path: Path) -> tuple[int, bool]:
    """(max_seq_length, do_lower_case) of a Transformer -> mean Pooling [-> Normalize] model folder.

    Anything else (CLS or max pooling, a Dense layer, the body in a subfolder) would be encoded differently
    from sentence-transformers, so it is refused rather than approximated.
    """
    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
        types = [str(module["type"]).rsplit(".", 1)[-1] for module in modules]
        pooling = (
            json.loads((path / modules[1]["path"] / "config.json").read_text(encoding="utf-8"))
            if len(modules) > 1
            else {}
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise EncoderError(f"{path}: cannot read its sentence-transformers modules for OpenVINO ({error})") from None
    mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
        pooling.get(key) for key in pooling if key.startswith("pooling_mode_") and key != "pooling_mode_mean_tokens"
    )
    if (
        types[:2] != ["Transformer", "Pooling"]
        or set(types[2:]) - {"Normalize"}
        or modules[0].get("path")
        or not mean_only
    ):
        raise EncoderError(
            f"{path}: embed__backend=openvino supports a Transformer -> mean Pooling [-> Normalize] model, "
            f"got modules {types}; use embed__backend: torch for this encoder"
        )
    settings: dict[str, Any] = {}
    if (path / "sentence_bert_config.json").is_file():
        settings = json.loads((path / "sentence_bert_config.json").read_text(encoding="utf-8"))
    return int(settings.get("max_seq_length") or 512), bool(settings.get("do_lower_case", False))


def _HiddenStates(body: Any, names: list[str]) -> Any:
    """The body as a module of named tensors returning only the last hidden state (what OpenVINO traces)."""
    import torch

    class HiddenStates(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = body

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor | None = None
        ) -> torch.Tensor:
            given = {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids}
            return self.body(**{name: given[name] for name in names}).last_hidden_state

    return HiddenStates()


def export_model(path: Path, folder: Path) -> Path:
    """The OpenVINO IR (`model.xml` + `model.bin`) of the transformer body in `folder`, converted once.

    Written to a temp folder and renamed, so a killed run or two processes racing never leave half an export.
    """
    target = folder / "model.xml"
    if target.is_file():
        return target
    import openvino as ov
    import torch
    from transformers import AutoModel

    from nlpkit.embedding.dtypes import dtype_kwarg

    log.info("converting %s for OpenVINO into %s (once per set of weights)", path, folder)
    body = AutoModel.from_pretrained(str(path), **dtype_kwarg(torch.float32)).eval()
    names = [name for name in _INPUTS if name != "token_type_ids" or getattr(body.config, "type_vocab_size", 0) > 0]
    example = {
        name: torch.ones((2, 8), dtype=torch.long)
        if name != "token_type_ids"
        else torch.zeros((2, 8), dtype=torch.long)
        for name in names
    }
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)  # shape checks that are constant for a body
            converted = ov.convert_model(
                _HiddenStates(body, names),
                example_input=example,
                input=[(name, ov.PartialShape([-1, -1]), ov.Type.i64) for name in names],
            )
        ov.save_model(converted, str(staging / "model.xml"), compress_to_fp16=False)
        try:
            staging.rename(folder)
        except OSError:  # another process converted the same weights first: keep theirs
            if not target.is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
