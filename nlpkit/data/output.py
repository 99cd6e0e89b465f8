"""Writing prediction records as JSON Lines or CSV, safely across interruptions, resumes and rivals.

Each record is written as one line with one write call and flushed, so a killed run leaves whole records
plus at most one partial last line; on resume that partial line is cut off, every other line is checked,
finished records are skipped and an input predicted twice keeps only its newest record. An exclusive lock
(a hidden `.NAME.lock` beside the file, removed when the writer closes) makes a second writer fail at once
instead of interleaving lines.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from nlpkit.errors import DataError

__all__ = [
    "OUTPUT_SUFFIXES",
    "RecordWriter",
    "ResumeState",
    "check_output_path",
    "lock_path",
    "open_writer",
    "read_resume_state",
    "compact",
    "csv_cell",
    "done_keys",
]

log = logging.getLogger(__name__)

OUTPUT_SUFFIXES = (".jsonl", ".csv")
LIST_SEPARATOR = "; "
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def check_output_path(path: Path) -> None:
    """Refuse an --output whose format we would have to guess, or that cannot be a file."""
    if path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise DataError(
            f"--output {path}: unknown format {path.suffix or '(no suffix)'!r}, expected a .jsonl or .csv file"
        )
    if path.is_dir():
        raise DataError(f"--output {path} is a folder, expected a .jsonl or .csv file")


def lock_path(path: Path) -> Path:
    """The hidden sidecar that holds the exclusive lock for `path` (hidden, so never read as input).

    It sits beside the real file (symlinks resolved), so two names for one file share one lock.
    """
    real = Path(os.path.realpath(path))
    return real.with_name(f".{real.name}.lock")


class _Lock:
    """An exclusive, non-blocking flock on the sidecar file; released by close() or by the process dying.

    The sidecar is opened without following a symlink: a link planted in its place is refused, never written.
    """

    def __init__(self, path: Path) -> None:
        self.path = lock_path(path)
        for _ in range(3):  # the sidecar can be removed by its previous holder between our open and our flock
            self._acquire(path)
            if self._is_current():
                break
            self.handle.close()
        else:
            raise DataError(
                f"--output {path}: its lock file {self.path} keeps being replaced; is another nlpkit.predict "
                "starting on it? Try again"
            )
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(str(os.getpid()))
        self.handle.flush()

    def _acquire(self, path: Path) -> None:
        import fcntl

        try:
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            self.handle = os.fdopen(descriptor, "r+", encoding="utf-8")
        except OSError as error:
            why = (
                "it is a symlink, not a lock nlpkit made; remove it"
                if self.path.is_symlink()
                else error.strerror or error
            )
            raise DataError(f"--output {path}: cannot open lock file {self.path}: {why}") from error
        try:
            fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            self.handle.seek(0)
            owner = self.handle.read().strip() or "?"
            self.handle.close()
            raise DataError(
                f"--output {path} is being written by another nlpkit.predict (pid {owner}); "
                "wait for it to finish or choose another --output"
            ) from error

    def _is_current(self) -> bool:
        """Whether the locked file is still the one at `self.path` (not one a finished writer just removed)."""
        try:
            on_disk = os.lstat(self.path)
        except OSError:
            return False
        held = os.fstat(self.handle.fileno())
        return (on_disk.st_dev, on_disk.st_ino) == (held.st_dev, held.st_ino)

    def close(self) -> None:
        """Remove the sidecar while still holding it, then release the flock: no `.lock` is left beside the output."""
        if self.handle.closed:
            return
        if self._is_current():
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        self.handle.close()  # closing the descriptor releases the flock


def csv_cell(value: Any) -> str:
    """Plain text for a spreadsheet: lists `; `-joined, scores as `label=p`, evidence as `topic: sentence / sentence`,
    no line breaks, no formulas."""
    if value is None:
        return ""
    if isinstance(value, dict) and all(isinstance(item, list) for item in value.values()):
        text = LIST_SEPARATOR.join(f"{key}: {' / '.join(map(str, item))}" for key, item in value.items())
    elif isinstance(value, dict):
        text = LIST_SEPARATOR.join(f"{key}={item}" for key, item in value.items())
    elif isinstance(value, list):
        text = LIST_SEPARATOR.join(str(item) for item in value)
    else:
        text = str(value)
    text = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def _clean(value: Any) -> Any:
    """Strings that UTF-8 can encode (lone surrogates replaced), recursively."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {_clean(key): _clean(item) for key, item in value.items()}
    return value


class RecordWriter:
    """Appends records to a stream as JSONL or CSV; write failures (disk full, read-only) are DataErrors."""

    def __init__(
        self,
        stream: TextIO,
        fields: list[str],
        csv_format: bool,
        write_header: bool,
        path: Path | None = None,
        lock: _Lock | None = None,
    ) -> None:
        self.stream = stream
        self.fields = fields
        self.csv_format = csv_format
        self.path = path
        self.lock = lock
        self.resume = ResumeState()
        if csv_format and write_header:
            self._write_line(_csv_line(fields))

    def write(self, record: dict[str, Any]) -> None:
        record = _clean(record)
        if self.csv_format:
            self._write_line(_csv_line([csv_cell(record.get(name)) for name in self.fields]))
        else:
            self._write_line(json.dumps(record, ensure_ascii=False) + "\n")

    def _write_line(self, line: str) -> None:
        try:
            self.stream.write(line)
            self.stream.flush()
        except OSError as error:
            if isinstance(error, BrokenPipeError):
                raise
            where = self.path or "stdout"
            raise DataError(f"cannot write to {where}: {error.strerror or error}") from error

    def close(self, compact_file: bool = False) -> int:
        """Close the stream; with `compact_file`, drop superseded records while still holding the lock."""
        dropped = 0
        try:
            if self.stream not in (sys.stdout, sys.stderr):
                self.stream.close()
            if compact_file and self.path is not None:
                dropped = compact(self.path)
        except (OSError, DataError) as error:
            log.warning("could not compact %s: %s", self.path, error)
        finally:
            if self.lock:
                self.lock.close()
        return dropped


@dataclass
class ResumeState:
    """What an existing output file already holds: per (path, id) the content hash of its newest record."""

    done: dict[tuple[str, str], str] = field(default_factory=dict)
    models: set[str] = field(default_factory=set)
    lines: int = 0
    superseded: int = 0

    def is_done(self, path: str, record_id: str, sha256: str) -> bool:
        return self.done.get(_record_key(path, record_id)) == sha256


def _record_key(path: str, record_id: str) -> tuple[str, str]:
    """One input however it was named: the folder given by absolute or relative path, or through a symlink."""
    return _key_text(os.path.realpath(_key_text(path))), _key_text(record_id)


def _key_text(path: str) -> str:
    """A path or id as a CSV cell holds it (line breaks flattened), so a resume matches both formats alike."""
    return path.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def _parse_lines(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """(raw whole lines, their records); a partial last line is ignored; any other bad line is a DataError."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_number = data[: error.start].count(b"\n") + 1
        raise DataError(
            f"--resume {path}: line {line_number} is not UTF-8, so this is not a file nlpkit wrote; "
            "choose another --output or repair it"
        ) from error
    lines = text.split("\n")[:-1]  # the part after the last newline is empty or a partial record
    is_csv = path.suffix.lower() == ".csv"
    if is_csv:
        if not lines:
            return [], []
        header, lines = lines[0], lines[1:]
        fields = next(csv.reader([header]))
        if not {"path", "id", "sha256"} <= set(fields):
            raise DataError(
                f"--resume {path}: the CSV header has no path, id and sha256 columns; not a file nlpkit wrote"
            )
    records = []
    for number, line in enumerate(lines, start=2 if is_csv else 1):
        if not line.strip():
            continue
        try:
            record = dict(zip(fields, next(csv.reader([line])))) if is_csv else json.loads(line)
        except (ValueError, RecursionError, StopIteration, csv.Error) as error:
            raise DataError(
                f"--resume {path}: line {number} is not a record ({str(error)[:80]}); "
                "choose another --output or remove that line"
            ) from error
        if not isinstance(record, dict) or not all(
            isinstance(record.get(key), str) for key in ("path", "id", "sha256")
        ):
            raise DataError(
                f"--resume {path}: line {number} is not an nlpkit record (expected an object with "
                "string path, id and sha256); choose another --output or remove that line"
            )
        records.append(record)
    return ([header] if is_csv else []) + [line for line in lines if line.strip()], records


def read_resume_state(path: Path) -> ResumeState:
    """Validate an output file for --resume and index its records (newest per input wins)."""
    state = ResumeState()
    if not path.is_file() or path.stat().st_size == 0:
        return state
    _, records = _parse_lines(path)
    for record in records:
        key = _record_key(record["path"], record["id"])
        if key in state.done:
            state.superseded += 1
        state.done[key] = record["sha256"]
        state.models.add(str(record.get("model") or ""))
    state.lines = len(records)
    return state


def compact(path: Path) -> int:
    """Rewrite the file keeping only the newest record per (path, id); returns how many were dropped.

    The new file replaces the old one atomically (write beside it, fsync, rename), so a kill during
    compaction leaves either the old or the new file, never a mix.
    """
    if not path.is_file():
        return 0
    _truncate_partial_line(path)
    raw, records = _parse_lines(path)
    header = raw[:1] if path.suffix.lower() == ".csv" else []
    body = raw[len(header) :]
    newest = {_record_key(r["path"], r["id"]): index for index, r in enumerate(records)}
    keep = sorted(newest.values())
    if len(keep) == len(records):
        return 0
    temp = path.with_name(f".{path.name}.compact-{os.getpid()}")
    with temp.open("w", encoding="utf-8", newline="") as handle:
        handle.write("".join(line + "\n" for line in header + [body[i] for i in keep]))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    return len(records) - len(keep)


def open_writer(path: Path | None, fields: list[str], resume: bool, model: str = "") -> RecordWriter:
    """A writer on stdout, on a new file, or (resume) appending to a validated file cut back to its last whole line.

    The file is locked first: a second nlpkit.predict on the same --output fails at once. On resume the
    file is checked line by line, compacted to the newest record per input, and refused when its records
    come from another model than `model` (a fingerprint); `writer.resume` says what is already done.
    """
    if path is None:
        return RecordWriter(sys.stdout, fields, csv_format=False, write_header=False)
    check_output_path(path)
    path = Path(os.path.realpath(path))  # a symlinked name: lock, resume and compact the real file
    csv_format = path.suffix.lower() == ".csv"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataError(f"--output {path}: cannot create folder {path.parent}: {error.strerror or error}") from error
    lock = _Lock(path)
    try:
        existing = resume and path.is_file() and path.stat().st_size > 0
        state = ResumeState()
        if existing:
            _truncate_partial_line(path)
            state = read_resume_state(path)
            others = sorted(state.models - {model})
            if model and others:
                shown = ", ".join(m or "(none recorded)" for m in others)
                raise DataError(
                    f"--resume {path}: its records come from model {shown}, this run uses model {model}; "
                    "resume with the same --model or choose another --output"
                )
            if state.superseded:
                compact(path)
        stream = path.open("a" if existing else "w", encoding="utf-8", newline="")
        writer = RecordWriter(
            stream, fields, csv_format, write_header=not existing or path.stat().st_size == 0, path=path, lock=lock
        )
        writer.resume = state
        return writer
    except OSError as error:
        lock.close()
        raise DataError(f"--output {path}: cannot write: {error.strerror or error}") from error
    except BaseException:
        lock.close()
        raise


def _truncate_partial_line(path: Path) -> None:
    data = path.read_bytes()
    if not data or data.endswith(b"\n"):
        return
    keep = data.rfind(b"\n") + 1
    with path.open("r+b") as handle:
        handle.truncate(keep)
        os.fsync(handle.fileno())


def done_keys(path: Path) -> set[tuple[str, str]]:
    """(path, sha256) of the whole records already in an output file (kept for callers of the old API)."""
    if not path.is_file():
        return set()
    _, records = _parse_lines(path)
    return {(r["path"], r["sha256"]) for r in records}
