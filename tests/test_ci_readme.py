"""CI runs the README's Quick start commands word for word: the README and .ci/run cannot drift apart."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def quick_start_commands(readme: str) -> list[str]:
    spec = importlib.util.spec_from_file_location("readme_commands", ROOT / ".ci" / "readme_commands.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.quick_start_commands(readme))


def test_readme_quick_start_is_two_commands_main_job_then_tests():
    main_job, tests = quick_start_commands(README)
    assert main_job.startswith("pip install -e . ") and "python -m nlpkit.train" in main_job
    assert tests.startswith("pip install -e '.[dev]'") and tests.endswith("python -m pytest")


def test_ci_runs_the_readme_commands_in_a_fresh_venv_and_nothing_of_its_own():
    assert "python3 -m venv" in CI_RUN and "mktemp -d" in CI_RUN
    assert "python .ci/readme_commands.py README.md" in CI_RUN
    own_lines = [line for line in CI_RUN.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in own_lines if re.search(r"pip install|-m pytest", line)], "CI paraphrases the README"
    for check in ("pip check", "ruff check", "mypy"):
        assert check in CI_RUN


def test_extraction_ignores_comments_and_takes_only_the_quick_start_block():
    readme = (
        "# x\n```bash\nnot this\n```\n## Quick start\ntext\n"
        "```bash\n# a comment\none\n\ntwo\n```\n```bash\nthree\n```\n"
    )
    assert quick_start_commands(readme) == ["one", "two"]


def test_readme_documents_the_fast_tier():
    assert 'python -m pytest -m "not slow"' in README
