"""The one JSONL reader: objects per line, with errors that name the file and the line."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Iterator

from nlpkit.errors import DataError

__all__ = ["read_jsonl", "json_depth_problem"]


def read_jsonl(path: str | Path, limit: int | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; a line that is not a JSON object is a DataError."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    count = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise DataError(
                    f"{path}:{number}: not UTF-8 text (byte 0x{raw[error.start]:02X} at column {error.start + 1})"
                ) from None
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except (ValueError, RecursionError) as error:
                raise DataError(f"{path}:{number}: malformed JSON ({str(error)[:80]})") from error
            if not isinstance(data, dict):
                raise DataError(f"{path}:{number}: expected a JSON object, got {type(data).__name__}")
            yield number, data
            count += 1
            if limit and count >= limit:
                return


#: An escape pair, a quote or a bracket: everything the depth scan needs, each matched in constant time.
_JSON_TOKENS = re.compile(r'\\.|["\[\]{}]', re.DOTALL)


def json_depth_problem(text: str, max_depth: int, check: Callable[[], None] | None = None) -> str | None:
    """Why `text` is nested too deeply for `json.loads` to recurse through, or None; linear in its length.

    Brackets inside strings do not count. A string that never closes (`"\\"\\"\\"...`) costs one pass, not
    one pass per quote as a backtracking pattern would; `check` (a parse-time budget) is called as it goes.
    """
    depth = 0
    in_string = False
    for count, token in enumerate(_JSON_TOKENS.finditer(text)):
        if check is not None and count % 65536 == 65535:
            check()
        char = token.group()
        if char == '"':
            in_string = not in_string
        elif in_string or len(char) == 2:
            continue
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return f"JSON nested deeper than {max_depth} levels"
        else:
            depth -= 1
    return None
