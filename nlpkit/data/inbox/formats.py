"""The five article formats (.txt, .md, .html/.htm, .json, .jsonl): decoded text to records, and the content checks."""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePath
from typing import Callable, Iterator

from nlpkit.data.inbox.html import read_html
from nlpkit.data.inbox.language import language_warning, note_language
from nlpkit.data.inbox.record import Budget, InputRecord, short_error, use_headline
from nlpkit.data.jsonl import json_depth_problem

__all__ = ["SUPPORTED_SUFFIXES", "parse", "check_content", "language_warning"]

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")
# JSON deeper than this is refused before the parser sees it (json recurses per level).
_MAX_JSON_DEPTH = 200


def parse(path: PurePath, name: str, stem: str, text: str, budget: Budget) -> Iterator[InputRecord]:
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        yield _plain_text(name, stem, text, markdown=suffix == ".md")
    elif suffix in (".html", ".htm"):
        yield _html(name, stem, text, budget)
    elif suffix == ".json":
        yield from _json(name, stem, text, budget)
    else:
        yield from _jsonl(name, text, budget)


def _plain_text(name: str, stem: str, text: str, markdown: bool) -> InputRecord:
    """First non-empty line (or `#` heading) is the title; the rest is the body."""
    if markdown:
        text = _strip_markdown(text)
    lines = text.strip().split("\n")
    title = lines[0].strip().lstrip("#").strip() if lines else ""
    body = "\n".join(lines[1:]).strip()
    if not body and len(title.split()) > _HEADLINE_WORDS:  # one long line is the story, not its headline
        title, body = "", title
    return InputRecord(name, stem, title=title, text=body)


#: A lone line of at most this many words is a headline (predicted as headline only); a longer one is the text.
_HEADLINE_WORDS = 30

_MD_IMAGE = re.compile(r"!\[[^\]\n]{0,500}\]\([^)\n]{0,2000}\)")
_MD_LINK = re.compile(r"\[([^\]\n]{1,500})\]\([^)\n]{0,2000}\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(\S(?:[^\n]{0,300}?\S)?)\1")


def _strip_markdown(text: str) -> str:
    # Bounded repetitions and no newlines inside a match keep every pattern linear in the text length.
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    return re.sub(r"^#{2,6}[ \t]+", "", text, flags=re.MULTILINE)


def _json_depth_problem(text: str, check: Callable[[], None] | None = None) -> str | None:
    """A linear scan for nesting depth (ignoring brackets inside strings), before json recurses."""
    return json_depth_problem(text, _MAX_JSON_DEPTH, check)


def _loads(text: str, check: Callable[[], None] | None = None) -> object:
    """`check` (the file's parse budget) runs during the depth scan and once more before the parse."""
    problem = _json_depth_problem(text, check) if text.count("[") + text.count("{") > _MAX_JSON_DEPTH else None
    if problem:
        raise ValueError(problem)
    if check is not None:
        check()
    return json.loads(text)


def _json_error(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}"
    return f"malformed JSON: {short_error(error)}"


def _json(name: str, stem: str, text: str, budget: Budget) -> Iterator[InputRecord]:
    try:
        data = _loads(text, budget.check)
    except (ValueError, RecursionError) as error:
        yield InputRecord(name, stem, error=_json_error(error))
        return
    items = data if isinstance(data, list) else [data]
    if not items:
        yield InputRecord(name, stem, error="JSON file holds an empty list, expected article objects")
    for index, item in enumerate(items):
        default_id = stem if len(items) == 1 else f"{stem}#{index + 1}"
        yield _from_object(name, item, default_id, "JSON file" if len(items) == 1 else f"item {index + 1}")


def _jsonl(name: str, text: str, budget: Budget) -> Iterator[InputRecord]:
    found = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        budget.check()
        found = True
        try:
            item = _loads(line)
        except (ValueError, RecursionError) as error:
            message = error.msg if isinstance(error, json.JSONDecodeError) else short_error(error)
            yield InputRecord(name, f"line {number}", error=f"line {number}: malformed JSON ({message})")
            continue
        yield _from_object(name, item, f"line {number}", f"line {number}")
    if not found:
        yield InputRecord(name, Path(name).stem, error="empty file")


def _from_object(name: str, item: object, default_id: str, where: str) -> InputRecord:
    if not isinstance(item, dict):
        return InputRecord(
            name, default_id, error=f"{where}: expected an object with 'text', got {type(item).__name__}"
        )
    raw_id = default_id if item.get("id") is None else item["id"]  # `"id": null` falls back like a missing id
    if (
        isinstance(raw_id, bool)
        or not isinstance(raw_id, (str, int))
        or (isinstance(raw_id, int) and abs(raw_id) > 10**30)
    ):
        return InputRecord(name, default_id, error=f"{where}: 'id' must be a string or a short integer")
    record_id = str(raw_id)[:500]
    if not isinstance(item.get("text"), str):
        return InputRecord(name, record_id, error=f"{where}: expected a 'text' string field")
    title = item.get("title")
    meta = {key: str(item[key]) for key in ("date", "source", "url") if isinstance(item.get(key), (str, int, float))}
    record = InputRecord(name, record_id, title=title if isinstance(title, str) else "", text=item["text"], meta=meta)
    if title is not None and not isinstance(title, str):
        record.warnings.append(f"{where}: 'title' is {type(title).__name__}, not a string; ignored")
    return record


def _html(name: str, stem: str, text: str, budget: Budget) -> InputRecord:
    page = read_html(text, budget.check)
    if not page.text.strip() and not page.title.strip():
        return InputRecord(name, stem, error="no article text found in the HTML page")
    return InputRecord(name, stem, title=page.title, text=page.text, meta={"date": page.date} if page.date else {})


def check_content(record: InputRecord) -> None:
    use_headline(record)
    if not record.text.strip():
        record.error = "empty file"
        return
    note_language(record)
