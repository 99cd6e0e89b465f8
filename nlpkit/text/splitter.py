"""News-aware sentence splitting.

Generic splitters break news text at "U.S.", "Gen.", initials and list items, and glue headline lines onto
the next sentence. This one knows those cases and keeps a line break as a boundary where the line is complete.
"""

from __future__ import annotations

import re

__all__ = ["split_paragraphs", "split_sentences", "ABBREVIATIONS"]

#: Tokens that end with a full stop but rarely end a sentence (compared lower-cased, without the stop).
ABBREVIATIONS: frozenset[str] = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "cpl",
        "adm",
        "cmdr",
        "gov",
        "sen",
        "rep",
        "pres",
        "rev",
        "fr",
        "sr",
        "jr",
        "st",
        "mt",
        "ft",
        "hon",
        "amb",
        "sec",
        "dept",
        "est",
        "approx",
        "ca",
        "cf",
        "vs",
        "v",
        "etc",
        "al",
        "inc",
        "corp",
        "co",
        "ltd",
        "plc",
        "llc",
        "bros",
        "no",
        "nos",
        "vol",
        "op",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "u.s.a",
        "u.a.e",
        "p.m",
        "a.m",
        "e.g",
        "i.e",
        "d.c",
        "n.y",
        "ph.d",
        "b.a",
        "m.a",
        "a.d",
        "b.c",
        "gov't",
        "ave",
        "blvd",
        "rd",
        "fig",
        "p",
        "pp",
        "para",
        "art",
        "arts",
        "ch",
        "ed",
        "eds",
    ]
)

_LIST_MARKER = re.compile(r"^\s*(?:[-•*–—▪►]|\d{1,2}[.)])\s+")
_TERMINAL = re.compile(r"""[.!?…]["'”’»)\]]*$""")
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, whitespace, then a
# character that can open a sentence.
_BOUNDARY = re.compile(r"""([.!?…]+)(["'”’»)\]]*)(\s+)(?=["'“‘«(\[]?[A-Z0-9ЁА-Я])""")
_WORD_BEFORE = re.compile(r"([\w.'’-]+)$")


def split_paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; surrounding whitespace is dropped and empty blocks skipped."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return [block.strip() for block in blocks if block.strip()]


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences, keeping each sentence's text exactly as written."""
    sentences: list[str] = []
    for line in _logical_lines(paragraph):
        sentences.extend(_split_line(line))
    return [s for s in sentences if _has_words(s)]


def _logical_lines(paragraph: str) -> list[str]:
    """Join hard-wrapped lines; keep a break where a line is complete, a list item or a headline.

    Lines are collected per group and joined once, and only the last line of a group is inspected, so a
    paragraph of 100,000 wrapped lines costs linear time, not a quadratic string rebuild.
    """
    groups: list[list[str]] = []
    for raw in paragraph.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if groups and _continues(groups[-1][-1], line):
            groups[-1].append(line)
        else:
            groups.append([line])
    merged = [" ".join(group) for group in groups]
    return [_LIST_MARKER.sub("", line) if _LIST_MARKER.match(line) else line for line in merged]


def _continues(previous: str, line: str) -> bool:
    """A wrapped line goes on mid-sentence: the previous one is unfinished and this one starts lower-case."""
    tail = previous[-32:]  # the terminal pattern only looks at the end; a bounded tail keeps this O(1)
    if _LIST_MARKER.match(line) or _TERMINAL.search(tail) or previous.endswith(":"):
        return False
    return line[0].islower() or previous.endswith(",")


def _split_line(line: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(line):
        if _is_abbreviation(line[max(start, match.start(1) - 40) : match.start(1)], match.group(1)):
            continue
        end = match.end(2)
        pieces.append(line[start:end].strip())
        start = match.end(3)
    pieces.append(line[start:].strip())
    return [p for p in pieces if p]


def _is_abbreviation(before: str, punctuation: str) -> bool:
    """True when a full stop ends a known abbreviation or an initial rather than a sentence."""
    if punctuation != ".":
        return False
    found = _WORD_BEFORE.search(before[-40:])  # the token before the stop; callers pass at most 40 characters
    if not found:
        return False
    word = found.group(1).lstrip("'’-").lower()
    if word in ABBREVIATIONS:
        return True
    # Initials ("J. K. Rowling") and dotted acronyms ("U.S", "S.A") that are not in the list.
    return bool(re.fullmatch(r"[a-zа-я]|(?:[a-z]\.)+[a-z]", word)) and not before.rstrip().endswith(" I")


def _has_words(sentence: str) -> bool:
    return any(ch.isalnum() for ch in sentence)
