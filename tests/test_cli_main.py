"""The `nlpkit` console script dispatches to the same command modules as `python -m nlpkit.<command>`."""

import pytest

from nlpkit.cli import main as cli_main


def test_every_python_m_alias_is_a_console_command():
    from pathlib import Path

    aliases = {
        p.stem
        for p in (Path(cli_main.__file__).parents[1]).glob("*.py")
        if "from nlpkit.cli." in p.read_text() and "import main" in p.read_text()
    }
    assert aliases and aliases <= set(cli_main.commands())


def test_unknown_command_is_one_line_and_exit_2(capsys):
    assert cli_main.main(["trian"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown command 'trian'") and "train" in err and err.count("\n") == 1


def test_dispatch_runs_the_command(capsys):
    with pytest.raises(SystemExit) as stop:
        cli_main.main(["evaluate", "--help"])
    assert stop.value.code == 0 and "python -m nlpkit.evaluate" in capsys.readouterr().out


# --- the command line as people expect it (issue 19) -----------------------------------------------------

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("nlpkit")
needs_script = pytest.mark.skipif(
    not SCRIPT.exists(), reason="the nlpkit console script is not installed beside this Python"
)


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(list(argv), capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


@needs_script
def test_help_lists_every_command_with_its_purpose():
    result = run(str(SCRIPT), "--help")
    assert result.returncode == 0
    for command in cli_main.commands():
        line = next(row for row in result.stdout.splitlines() if row.strip().startswith(command + " "))
        assert len(line.split(None, 1)[1]) > 10, line  # a purpose, not just the name


@needs_script
def test_bare_nlpkit_prints_help_to_stderr_and_exits_2():
    result = run(str(SCRIPT))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("usage: nlpkit") and "predict" in result.stderr


@needs_script
@pytest.mark.parametrize("argv", [["--version"], ["predict", "--version"]])
def test_console_script_version(argv):
    from nlpkit import __version__

    result = run(str(SCRIPT), *argv)
    assert result.returncode == 0 and result.stdout.strip() == f"nlpkit {__version__}"


def test_python_m_version():
    from nlpkit import __version__

    result = run(sys.executable, "-m", "nlpkit.train", "--version")
    assert result.returncode == 0 and result.stdout.strip() == f"nlpkit {__version__}"


@needs_script
def test_usage_names_the_command_as_invoked():
    assert run(str(SCRIPT), "predict", "--help").stdout.startswith("usage: nlpkit predict ")
    assert run(sys.executable, "-m", "nlpkit.predict", "--help").stdout.startswith("usage: python -m nlpkit.predict ")


@pytest.mark.parametrize(
    "argv",
    [
        ["nlpkit.predict", "/nonexistent/inbox"],
        ["nlpkit.train", "--set", "clf__C=abc"],
        ["nlpkit.digest", "/nonexistent/inbox"],
        ["nlpkit.label", "/nonexistent/inbox"],
    ],
)
def test_usage_errors_answer_before_torch_or_mlflow_is_imported(argv):
    result = run(sys.executable, "-X", "importtime", "-m", *argv)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if not line.startswith("import time:")]
    assert len(errors) == 1 and errors[0].startswith("error: "), errors
    imported = {
        line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")
    }
    assert not imported & {"torch", "mlflow", "transformers", "sentence_transformers"}
