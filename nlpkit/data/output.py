"""Writing prediction records as JSON Lines or CSV, safely across interruptions and resumes.

Each record is written as one line with one write call and flushed, so a killed run leaves whole records
plus at most one partial last line; on resume that partial line is cut off and finished records are skipped.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

__all__ = ["RecordWriter", "open_writer", "done_keys"]


class RecordWriter:
    """Appends records to a stream as JSONL or CSV (lists and dicts JSON-encoded in CSV cells)."""

    def __init__(self, stream: TextIO, fields: list[str], csv_format: bool, write_header: bool) -> None:
        self.stream = stream
        self.fields = fields
        self.csv_format = csv_format
        if csv_format and write_header:
            self._write_line(_csv_line(fields))

    def write(self, record: dict[str, Any]) -> None:
        if self.csv_format:
            cells = [_csv_cell(record.get(name)) for name in self.fields]
            self._write_line(_csv_line(cells))
        else:
            self._write_line(json.dumps(record, ensure_ascii=False) + "\n")

    def _write_line(self, line: str) -> None:
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        if self.stream not in (sys.stdout, sys.stderr):
            self.stream.close()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value).replace("\r", " ").replace("\n", " ")


def _csv_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def open_writer(path: Path | None, fields: list[str], resume: bool) -> RecordWriter:
    """A writer on stdout, on a new file, or (resume) appending to a file cut back to its last whole line."""
    csv_format = bool(path and path.suffix.lower() == ".csv")
    if path is None:
        return RecordWriter(sys.stdout, fields, csv_format=False, write_header=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = resume and path.is_file() and path.stat().st_size > 0
    if existing:
        _truncate_partial_line(path)
    stream = path.open("a" if existing else "w", encoding="utf-8", newline="")
    return RecordWriter(stream, fields, csv_format, write_header=not existing or path.stat().st_size == 0)


def _truncate_partial_line(path: Path) -> None:
    data = path.read_bytes()
    if data.endswith(b"\n"):
        return
    keep = data.rfind(b"\n") + 1
    with path.open("r+b") as handle:
        handle.truncate(keep)
        os.fsync(handle.fileno())


def done_keys(path: Path) -> set[tuple[str, str]]:
    """(path, sha256) of the whole records already in an output file, to skip them on resume."""
    if not path.is_file():
        return set()
    lines = path.read_text(encoding="utf-8").split("\n")
    complete = lines[:-1]  # the part after the last newline is empty or a partial record
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(complete))
        return {(row.get("path", ""), row.get("sha256", "")) for row in rows}
    keys = set()
    for line in complete:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        keys.add((record.get("path", ""), record.get("sha256", "")))
    return keys
