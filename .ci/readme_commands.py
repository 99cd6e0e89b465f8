"""Print the README's Quick start commands, one a line, exactly as a reader would paste them.

`.ci/run` runs what this prints, so CI runs the README itself and the two cannot drift apart.
A command is every non-blank, non-comment line of the first fenced bash block under "## Quick start".
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HEADING = "## Quick start"


def quick_start_commands(readme: str) -> list[str]:
    """The commands of the Quick start block; raises ValueError when the README has no such block."""
    start = readme.find(HEADING)
    if start < 0:
        raise ValueError(f"README has no {HEADING!r} section")
    block = re.search(r"```(?:bash|sh)\n(.*?)```", readme[start:], flags=re.S)
    if block is None:
        raise ValueError(f"the {HEADING!r} section has no ```bash block")
    lines = (line.strip() for line in block.group(1).splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    commands = quick_start_commands(path.read_text(encoding="utf-8"))
    if len(commands) != 2:
        print(f"error: {path}: expected 2 Quick start commands (main job, tests), found {len(commands)}",
              file=sys.stderr)
        return 2
    print("\n".join(commands))
    return 0


if __name__ == "__main__":
    sys.exit(main())
