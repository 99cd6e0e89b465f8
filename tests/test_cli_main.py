"""The `nlpkit` console script dispatches to the same command modules as `python -m nlpkit.<command>`."""

import pytest

from nlpkit.cli import main as cli_main


def test_every_python_m_alias_is_a_console_command():
    from pathlib import Path

    aliases = {p.stem for p in (Path(cli_main.__file__).parents[1]).glob("*.py")
               if "from nlpkit.cli." in p.read_text() and "import main" in p.read_text()}
    assert aliases and aliases <= set(cli_main.commands())


def test_unknown_command_is_one_line_and_exit_2(capsys):
    assert cli_main.main(["trian"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown command 'trian'") and "train" in err and err.count("\n") == 1


def test_dispatch_runs_the_command(capsys):
    with pytest.raises(SystemExit) as stop:
        cli_main.main(["evaluate", "--help"])
    assert stop.value.code == 0 and "python -m nlpkit.evaluate" in capsys.readouterr().out
