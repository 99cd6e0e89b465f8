"""Reading a folder of scraped articles: every file becomes article records or an error record.

Whatever a scraper, a colleague or an attacker leaves in a folder (empty files, binaries, broken or
deeply nested JSON, huge integers, lone surrogates, file names that are not UTF-8, pages with unclosed
tags, files in another encoding or language) must not stop a batch: each problem becomes one record with
`error` set, and the rest of the folder goes on. Parsing is linear in the file size and bounded by
`ReadLimits`, so no single file can take minutes.

`iter_inputs` is the one folder walk: `nlpkit.predict`, the digest, `label`, self-training and the Spark
listing all see the same files, skipped for the same reasons.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from pathlib import Path, PurePath, PurePosixPath
from typing import Callable, Iterable, Iterator

from nlpkit.data.inbox.decode import decode
from nlpkit.data.inbox.formats import SUPPORTED_SUFFIXES, check_content, parse
from nlpkit.data.inbox.record import (
    DEFAULT_MAX_BYTES,
    Budget,
    InputRecord,
    ParseTimeout,
    ReadLimits,
    clean_text,
    display_path,
    short_error,
)

__all__ = [
    "discover",
    "skip_reason",
    "input_files",
    "iter_inputs",
    "count_records",
    "read_path",
    "read_bytes",
    "size_problem",
]

log = logging.getLogger(__name__)

#: Called with (file, why it is skipped) for every file under the input that is not read.
SkipHandler = Callable[[Path, str], None]


def _log_skip(path: Path, reason: str) -> None:
    log.info("skipped %s: %s", display_path(path), reason)


def input_files(
    paths: Path | str | Iterable[Path | str],
    follow_symlinks: bool = False,
    exclude: Iterable[Path | None] = (),
    on_skip: SkipHandler | None = None,
) -> Iterator[Path]:
    """Every file to read under `paths` (folders walked in sorted order), the others reported to `on_skip`.

    Skipped: unsupported suffixes, `exclude` (this run's own output), nlpkit's prediction files, and
    symlinks out of the folder unless `follow_symlinks`. `on_skip` defaults to an info log line.
    """
    report = on_skip or _log_skip
    excluded = [Path(other) for other in exclude if other is not None]
    roots = [paths] if isinstance(paths, (str, Path)) else list(paths)
    for root in map(Path, roots):
        for path in discover(root):
            reason = skip_reason(path, root, follow_symlinks, excluded)
            if reason:
                report(path, reason)
            else:
                yield path


def iter_inputs(
    paths: Path | str | Iterable[Path | str],
    limits: ReadLimits | None = None,
    follow_symlinks: bool = False,
    exclude: Iterable[Path | None] = (),
    on_skip: SkipHandler | None = None,
) -> Iterator[InputRecord]:
    """The records of every input file under `paths` (see `input_files`), errors included, in file order."""
    for path in input_files(paths, follow_symlinks, exclude, on_skip):
        yield from read_path(path, limits=limits)


def count_records(
    paths: Path | str | Iterable[Path | str], follow_symlinks: bool = False, exclude: Iterable[Path | None] = ()
) -> int:
    """How many records `iter_inputs` will give: files, plus lines of JSONL files (a byte count, no parsing)."""
    total = 0
    for path in input_files(paths, follow_symlinks, exclude, on_skip=lambda path, reason: None):
        total += 1
        if path.suffix.lower() == ".jsonl" and path.is_file():
            try:
                with path.open("rb") as handle:
                    lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
                total += max(lines - 1, 0)
            except OSError:
                pass
    return total


def discover(root: Path) -> Iterator[Path]:
    """Files under `root` in sorted order (recursively), or `root` itself; hidden entries are skipped.

    Symlinked folders are listed but not walked (no loops); see `skip_reason` for symlinked files.
    """
    if not root.is_dir():
        yield root
        return
    for folder, subfolders, files in os.walk(root, onerror=None):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder) / name


def skip_reason(path: Path, root: Path, follow_symlinks: bool = False, exclude: Iterable[Path] = ()) -> str | None:
    """Why `path` is not an input (unsupported, nlpkit's own output, a symlink out of the folder), or None."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"not a supported format ({', '.join(SUPPORTED_SUFFIXES)})"
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # symlink loop
        return None  # read_path turns it into an error record
    if any(resolved == Path(other).resolve() for other in exclude):
        return "the output file of this run"
    if not follow_symlinks and path.is_symlink() and path.exists() and root.is_dir():
        base = root.resolve()
        if base not in resolved.parents:
            return f"symlink to {display_path(resolved)}, outside the input folder (use --follow-symlinks)"
    if _is_nlpkit_output(path):
        return "an nlpkit output file (prediction records), not articles"
    return None


def _is_nlpkit_output(path: Path) -> bool:
    """True for a JSONL file whose first line is a prediction record nlpkit wrote."""
    if path.suffix.lower() != ".jsonl" or not path.is_file():  # never open a FIFO or device here
        return False
    try:
        with path.open("rb") as handle:
            first = handle.readline(1 << 16)
        record = json.loads(first)
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(record, dict) and {"sha256", "topic", "scores", "summary", "error"} <= set(record)


def read_path(
    path: Path, max_bytes: int = DEFAULT_MAX_BYTES, limits: ReadLimits | None = None
) -> Iterator[InputRecord]:
    """Records from one supported file; every problem becomes an error record, never an exception."""
    limits = limits or ReadLimits(max_bytes=max_bytes)
    name, stem = display_path(path), display_path(path.stem)
    try:
        problem = _file_problem(path, limits.max_bytes)
        if problem:
            yield InputRecord(name, stem, error=problem)
            return
        raw = _read_bytes(path, limits.max_bytes)
    except OSError as error:
        yield InputRecord(name, stem, error=f"cannot read file: {error.strerror or error}")
        return
    warnings = [f"file name is not valid UTF-8; shown as {name}"] if name != str(path) else []
    yield from _records(path, name, stem, raw, limits, warnings)


def read_bytes(name: str, raw: bytes, limits: ReadLimits | None = None) -> Iterator[InputRecord]:
    """Records from the content of one file already read (e.g. by Spark's binaryFile source), as `read_path` gives.

    `name` is the path as the records show it: a local path, or a URI such as `hdfs://host/feed/a.txt`.
    """
    limits = limits or ReadLimits()
    path = PurePosixPath(name)
    problem = size_problem(len(raw), limits.max_bytes)
    if problem:
        yield InputRecord(name, path.stem, error=problem)
        return
    yield from _records(path, name, path.stem, raw, limits, [])


def size_problem(size: int, max_bytes: int) -> str | None:
    """The error for a file over the size limit, or None."""
    if size > max_bytes:
        return f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit (--max-bytes)"
    return None


def _records(
    path: PurePath, name: str, stem: str, raw: bytes, limits: ReadLimits, warnings: list[str]
) -> Iterator[InputRecord]:
    """Decode and parse one file's bytes; the parse-time budget counts only time spent in here."""
    budget = Budget(limits.parse_seconds)
    budget.resume()
    produced = 0
    try:
        text, decode_warning, decode_error = decode(raw)
        if decode_error:
            yield InputRecord(name, stem, error=decode_error)
            return
        seen: Counter[str] = Counter()
        for record in parse(path, name, stem, text, budget):
            budget.pause()  # the content checks (language) cost the same per record, whatever the file's shape
            _finish(record, seen, limits)
            record.warnings[:0] = warnings + ([decode_warning] if decode_warning else [])
            produced += 1
            yield record
            budget.resume()
    except ParseTimeout:
        yield InputRecord(
            name,
            stem if not produced else f"{stem}#rest",
            error=f"parsing took over {limits.parse_seconds:g} s (--parse-seconds); rest of the file skipped",
        )
    except Exception as error:  # noqa: BLE001 - whatever a hostile file triggers, it is that file's record
        yield InputRecord(
            name, stem if not produced else f"{stem}#rest", error=f"cannot parse file: {short_error(error)}"
        )


def _finish(record: InputRecord, seen: Counter[str], limits: ReadLimits) -> None:
    """Clean strings, make ids unique within the file, cut over-long text and check the content."""
    record.id, record.title, record.text = clean_text(record.id), clean_text(record.title), clean_text(record.text)
    seen[record.id] += 1
    if seen[record.id] > 1:
        original = record.id
        record.id = f"{original}#{seen[original]}"
        record.warnings.append(f"duplicate id {original!r} in this file; this record is {record.id!r}")
    if record.error:
        return
    if len(record.title) > 2000:
        record.title = record.title[:2000]
        record.warnings.append("title cut to 2,000 characters")
    if len(record.text) > limits.max_chars:
        record.text = record.text[: limits.max_chars]
        record.warnings.append(f"text cut to its first {limits.max_chars:,} characters (--max-chars)")
    check_content(record)


def _file_problem(path: Path, max_bytes: int) -> str | None:
    if path.is_symlink() and not path.exists():
        try:
            target = display_path(os.readlink(path))
        except OSError:
            target = "?"
        return f"broken symlink or symlink loop (points to {target})"
    if not path.is_file():
        return "not a regular file (device, FIFO or folder)"
    size_error = size_problem(path.stat().st_size, max_bytes)
    if size_error:
        return size_error
    if not os.access(path, os.R_OK):
        return "permission denied"
    return None


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes: a file that grows after the size check is still bounded."""
    with path.open("rb") as handle:
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise OSError(f"file grew over the {max_bytes / 1e6:.1f} MB limit (--max-bytes) while being read")
    return raw
