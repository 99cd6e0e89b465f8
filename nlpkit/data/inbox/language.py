"""Which language an article is in (py3langid), and the warning when it is not English.

The bundled encoder reads English only, so a non-English article is still predicted but flagged. py3langid's
model ships inside its wheel (nothing is downloaded). Short texts (headlines) are the hard case: an English
headline full of place names ("Uzbekistan switches on 5G in Tashkent") often ranks another language first,
so an article is flagged only when English itself is implausible (`_MAX_ENGLISH_PROBABILITY`), not merely
out-ranked. On our seeds the lowest English probability of any of the 1,280 titles is 0.08; the short
non-English texts in tests/test_inbox_issue23.py score at most 0.001.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from nlpkit.data.inbox.record import InputRecord

__all__ = ["ENGLISH", "detect_language", "language_warning", "note_language"]

log = logging.getLogger(__name__)

ENGLISH = "en"
#: Languages the identifier chooses among: our readers' region and the world's large news languages. A short
#: list keeps the probabilities of short texts on plausible languages (the full model has 97).
_LANGUAGES = [
    "en",
    "ru",
    "kk",
    "uz",
    "ky",
    "tg",
    "tk",
    "az",
    "mn",
    "tr",
    "fa",
    "ar",
    "zh",
    "ja",
    "ko",
    "vi",
    "id",
    "ms",
    "de",
    "fr",
    "es",
    "it",
    "pt",
    "nl",
    "pl",
    "uk",
    "ro",
    "cs",
    "hu",
    "sv",
    "da",
    "no",
    "fi",
]
#: Flag a text only when its probability of being English is below this (see the module docstring).
_MAX_ENGLISH_PROBABILITY = 0.01
_SAMPLE_CHARS = 1000  # plenty for a language; the cost grows with the sample
_MIN_LETTERS = 12


@functools.lru_cache(maxsize=1)
def _identifier() -> Any:
    """py3langid's identifier restricted to `_LANGUAGES`, loaded once; None when py3langid is missing."""
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
    except ImportError:
        log.warning("py3langid is not installed; the language check falls back to counting English words")
        return None
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(_LANGUAGES)
    return identifier


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the text's language: "en" unless English is implausible; "" when unknown."""
    sample = text[:_SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < _MIN_LETTERS:
        return ""
    identifier = _identifier()
    if identifier is None:
        return "" if _heuristic_warning(sample) else ENGLISH
    if sample.isupper():  # wire headlines in capitals read as noise to a character n-gram model
        sample = sample.lower()
    ranked = identifier.rank(sample)
    english = next((float(p) for code, p in ranked if code == ENGLISH), 0.0)
    return str(ranked[0][0]) if english < _MAX_ENGLISH_PROBABILITY else ENGLISH


def language_warning(text: str, language: str | None = None) -> str | None:
    """A warning when text is unlikely to be English, which the bundled encoder reads poorly."""
    language = detect_language(text) if language is None else language
    if language in (ENGLISH, ""):
        return _heuristic_warning(text) if language == "" and _identifier() is None else None
    return f"text looks non-English (language: {language}); the encoder is English-only, predictions may be poor"


def note_language(record: InputRecord) -> None:
    """Set the record's `language` from its title and text, and warn (once) when it is not English."""
    record.language = detect_language(f"{record.title}\n{record.text[:_SAMPLE_CHARS]}")
    warning = language_warning(f"{record.title} {record.text[:20000]}", record.language)
    if warning and warning not in record.warnings:
        record.warnings.append(warning)


_ENGLISH_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "that",
        "for",
        "on",
        "with",
        "as",
        "was",
        "said",
        "by",
        "at",
        "from",
        "it",
        "has",
        "have",
        "are",
        "be",
    ]
)


def _heuristic_warning(text: str) -> str | None:
    """The check used without py3langid: Latin letters and English function words."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 20:
        return None
    latin = sum(1 for ch in letters if ch.isascii()) / len(letters)
    if latin < 0.6:
        return (
            f"text looks non-English ({latin:.0%} Latin letters); the encoder is English-only, predictions may be poor"
        )
    words = re.findall(r"[a-z]+", text.lower())
    if len(words) >= 30 and sum(w in _ENGLISH_WORDS for w in words) / len(words) < 0.04:
        return (
            "text looks non-English (few English function words); the encoder is English-only, predictions may be poor"
        )
    return None
