"""The benchmark runner: every benchmark plugs in the same way and keeps to the model's public API (fast tier)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks.__main__ import BENCHMARKS, build_parser

PACKAGE = Path(__file__).resolve().parents[1] / "benchmarks"
PRIVATE_MODEL_API = re.compile(r"\._(embed|proba|fit_embedded|predict_embedded|fit_summarizer)\(")


@pytest.mark.parametrize("name", sorted(BENCHMARKS))
def test_every_benchmark_has_its_own_options_and_the_runners(name: str) -> None:
    parser = build_parser(name)
    options = {option for action in parser._actions for option in action.option_strings}
    assert {"--out", "--no-mlflow", "--tracking-uri", "--quiet"} <= options
    assert len(options) > 5, f"{name} adds no options of its own"


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_benchmark_edits_sys_path_embeds_a_program_or_calls_private_model_api(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert "sys.path" not in source
    assert '"-c"' not in source and 'r"""\nimport' not in source
    assert not PRIVATE_MODEL_API.search(source), PRIVATE_MODEL_API.search(source)
