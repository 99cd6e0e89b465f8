"""`nlpkit <command> [options]`: topics and summaries for news articles, every training run tracked in MLflow.

nlpkit train --set clf__C=2
nlpkit predict seeds/inbox --output predictions.jsonl
nlpkit evaluate western_dev=dev.jsonl regional_dev=regional-dev.jsonl
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import sys

import nlpkit.cli
from nlpkit import __version__
from nlpkit.cli.common import purpose

__all__ = ["commands", "main", "usage"]

_NOT_COMMANDS = {"common", "main"}


def commands() -> list[str]:
    """Every command module under nlpkit.cli (each has a `main(argv)`)."""
    names = (module.name for module in pkgutil.iter_modules(nlpkit.cli.__path__))
    return sorted(name for name in names if name not in _NOT_COMMANDS and not name.startswith("_"))


def command_purpose(command: str) -> str:
    """The command's one-line purpose, read from its module's docstring without importing it (imports are slow)."""
    spec = importlib.util.find_spec(f"nlpkit.cli.{command}")
    if spec is None or spec.origin is None:
        return ""
    with open(spec.origin, encoding="utf-8") as source:
        return purpose(ast.get_docstring(ast.parse(source.read())))


def usage() -> str:
    """The console script's help: every command with its purpose."""
    available = commands()
    width = max(len(name) for name in available)
    rows = "\n".join(f"  {name.ljust(width)}  {command_purpose(name)}" for name in available)
    return (
        f"usage: nlpkit <command> [options]\n\n{purpose(__doc__)}\n\ncommands:\n{rows}\n\n"
        "Run `nlpkit <command> --help` for a command's options; `nlpkit --version` for the version."
    )


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print(usage(), file=sys.stderr)
        return 2
    if args[0] in ("-h", "--help"):
        print(usage())
        return 0
    if args[0] == "--version":
        print(f"nlpkit {__version__}")
        return 0
    available = commands()
    if args[0] not in available:
        print(f"error: unknown command {args[0]!r}; expected one of {', '.join(available)}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"nlpkit.cli.{args[0]}")
    return int(module.main(args[1:]))


if __name__ == "__main__":
    sys.exit(main())
