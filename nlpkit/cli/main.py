"""`nlpkit <command> [options]`: the console script; the same commands as `python -m nlpkit.<command>`.

    nlpkit train --set clf__C=2
    nlpkit predict seeds/inbox --output predictions.jsonl
    nlpkit evaluate western_dev=dev.jsonl regional_dev=regional-dev.jsonl
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import nlpkit.cli

__all__ = ["commands", "main"]

_NOT_COMMANDS = {"common", "main"}


def commands() -> list[str]:
    """Every command module under nlpkit.cli (each has a `main(argv)`)."""
    names = (module.name for module in pkgutil.iter_modules(nlpkit.cli.__path__))
    return sorted(name for name in names if name not in _NOT_COMMANDS and not name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    available = commands()
    if not args or args[0] in ("-h", "--help"):
        print(f"usage: nlpkit {{{','.join(available)}}} [options]\n\n{__doc__.splitlines()[0]}\n"
              "Run `nlpkit <command> --help` for a command's options.")
        return 0 if args else 2
    if args[0] not in available:
        print(f"error: unknown command {args[0]!r}; expected one of {', '.join(available)}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"nlpkit.cli.{args[0]}")
    return int(module.main(args[1:]))


if __name__ == "__main__":
    sys.exit(main())
