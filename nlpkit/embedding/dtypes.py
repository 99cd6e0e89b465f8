"""Weight dtypes as the installed transformers spells them (shared by the PyTorch and OpenVINO runtimes)."""

from __future__ import annotations

from typing import Any

__all__ = ["dtype_kwarg"]


def dtype_kwarg(dtype: Any) -> dict[str, Any]:
    """`from_pretrained`'s weight dtype argument: `dtype` from transformers 4.56 on, `torch_dtype` before it."""
    import transformers

    major, minor = (int(part) for part in transformers.__version__.split(".")[:2])
    return {"dtype": dtype} if (major, minor) >= (4, 56) else {"torch_dtype": dtype}
