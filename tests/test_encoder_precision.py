"""Encoder precision (auto | fp32 | bf16) and backend (torch | openvino): same vectors, separate caches.

Fast tier: settings, CPU detection, cache keys, a few sentences through bf16 PyTorch. Slow tier: the
OpenVINO conversion of the real MiniLM, and a bundle trained in one precision predicting in the other.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from nlpkit.bundle import MANIFEST
from nlpkit.embedding.encoder import SentenceEncoder, cpu_has_native_bf16, resolve_precision
from nlpkit.errors import ConfigError, EncoderError
from nlpkit.training.config import load_config

ROOT = Path(__file__).resolve().parents[1]
SENTENCES = [
    "Kazakhstan and Uzbekistan signed a water-sharing agreement for the Syr Darya on Tuesday.",
    "The central bank held its policy rate at 14.25 percent, citing persistent food inflation.",
    "A court in Bishkek annulled the licence of the gold miner after a two-year dispute.",
    "Rain.",
    "The ministry said " + "the new gas pipeline will run through the desert and the mountains, " * 40,  # > 256 tokens
]
has_openvino = importlib.util.find_spec("openvino") is not None


def test_config_declares_precision_and_backend() -> None:
    config = load_config(ROOT / "configs" / "default.yaml")
    assert (config["embed__precision"], config["embed__backend"]) == ("auto", "torch")
    with pytest.raises(ConfigError, match=r"embed__precision must be one of 'auto', 'fp32', 'bf16', got 'fp16'"):
        load_config(None, ["embed__precision=fp16"])
    with pytest.raises(ConfigError, match=r"embed__backend must be one of 'torch', 'openvino', got 'onnx'"):
        load_config(None, ["embed__backend=onnx"])


def test_auto_takes_bf16_only_where_the_cpu_has_it() -> None:
    assert resolve_precision("auto") == ("bf16" if cpu_has_native_bf16() else "fp32")
    assert resolve_precision("fp32") == "fp32" and resolve_precision("bf16") == "bf16"
    with pytest.raises(EncoderError, match="embed__precision must be one of auto, fp32, bf16"):
        resolve_precision("half")


def test_bf16_detection_agrees_with_torchs_cpu_probe() -> None:
    """The kernel's flags (what auto reads first) and torch's own CPUID probe tell the same story."""
    import torch

    if not Path("/proc/cpuinfo").is_file() or not hasattr(torch.cpu, "get_capabilities"):
        pytest.skip("needs /proc/cpuinfo and torch.cpu.get_capabilities")
    capabilities = torch.cpu.get_capabilities()
    assert cpu_has_native_bf16() == any(
        bool(capabilities.get(name)) for name in ("avx512_bf16", "amx_bf16", "bf16", "sve_bf16")
    )


def test_cache_keeps_precisions_apart_and_fp32_keeps_its_old_key(tmp_path: Path) -> None:
    fp32 = SentenceEncoder(precision="fp32", cache_dir=str(tmp_path)).fit()
    bf16 = SentenceEncoder(precision="bf16", cache_dir=str(tmp_path)).fit()
    assert fp32.vectors_fingerprint == fp32.fingerprint_  # caches written before precision existed stay valid
    assert bf16.vectors_fingerprint != fp32.vectors_fingerprint
    assert fp32.cache_ is not None and bf16.cache_ is not None and fp32.cache_.folder != bf16.cache_.folder
    if has_openvino:
        openvino = SentenceEncoder(precision="fp32", backend="openvino", cache_dir=str(tmp_path)).fit()
        assert len({openvino.vectors_fingerprint, fp32.vectors_fingerprint, bf16.vectors_fingerprint}) == 3


def test_model2vec_ignores_precision_and_backend(tiny_encoder: Path, tmp_path: Path) -> None:
    plain = SentenceEncoder(model=str(tiny_encoder), precision="fp32").fit()
    asked = SentenceEncoder(model=str(tiny_encoder), precision="bf16", backend="openvino").fit()  # no openvino needed
    assert (asked.runtime_, asked.precision_) == ("model2vec", "fp32")
    assert asked.vectors_fingerprint == plain.vectors_fingerprint
    np.testing.assert_array_equal(asked.encode_texts(SENTENCES), plain.encode_texts(SENTENCES))


def test_missing_openvino_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "openvino" else real(name, *a))
    with pytest.raises(EncoderError, match=r"pip install 'nlpkit\[openvino\]'"):
        SentenceEncoder(backend="openvino").fit()


def test_bf16_vectors_are_fp32_vectors_to_a_thousandth() -> None:
    reference = SentenceEncoder(precision="fp32").fit().encode_texts(SENTENCES)
    vectors = SentenceEncoder(precision="bf16").fit().encode_texts(SENTENCES)
    assert vectors.dtype == np.float32 and vectors.shape == reference.shape
    cosine = (vectors * reference).sum(axis=1)
    assert cosine.min() > 0.999, cosine


@pytest.mark.slow
@pytest.mark.skipif(not has_openvino, reason="openvino not installed (pip install 'nlpkit[openvino]')")
def test_openvino_vectors_match_pytorch_and_the_export_is_cached(tmp_path: Path) -> None:
    reference = SentenceEncoder(precision="fp32").fit().encode_texts(SENTENCES)
    encoder = SentenceEncoder(precision="fp32", backend="openvino", cache_dir=str(tmp_path), batch_size=2).fit()
    vectors = encoder.encode_texts(SENTENCES)  # batches of 2 in length order: the original order must come back
    assert (vectors * reference).sum(axis=1).min() > 0.9999
    exports = list((tmp_path / "exports" / encoder.fingerprint_[:16]).glob("*/model.xml"))
    assert len(exports) == 1, exports


@pytest.mark.slow
def test_a_bundle_trained_in_fp32_predicts_the_same_topics_in_bf16(trained) -> None:
    from nlpkit.model import NewsModel

    from pins.make_pins import inbox_predictions

    manifest = json.loads((Path(trained.bundle) / MANIFEST).read_text(encoding="utf-8"))
    assert (manifest["encoder"]["precision"], manifest["encoder"]["backend"]) == ("auto", "torch")
    assert manifest["encoder"]["trained_with"] == {"runtime": "torch", "precision": resolve_precision("auto")}
    fp32 = inbox_predictions(NewsModel.load(trained.bundle, precision="fp32"))
    bf16_model = NewsModel.load(trained.bundle, precision="bf16")
    assert bf16_model.encoder.precision_ == "bf16"
    bf16 = inbox_predictions(bf16_model)
    assert {name: (p["topic"], p["topics"]) for name, p in bf16.items()} == {
        name: (p["topic"], p["topics"]) for name, p in fp32.items()
    }
