"""The input layer: folders and files (`files`), bytes to text (`decode`), the five formats (`formats`), HTML (`html`).

`iter_inputs` is what every folder-reading command uses; `read_path` and `read_bytes` read one file.
"""

from nlpkit.data.inbox.files import (
    count_records,
    discover,
    input_files,
    iter_inputs,
    read_bytes,
    read_path,
    size_problem,
    skip_reason,
)
from nlpkit.data.inbox.formats import SUPPORTED_SUFFIXES
from nlpkit.data.inbox.html import extract_html
from nlpkit.data.inbox.language import detect_language, language_warning
from nlpkit.data.inbox.record import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_CHARS,
    DEFAULT_PARSE_SECONDS,
    InputRecord,
    ReadLimits,
    clean_text,
    display_path,
)

__all__ = [
    "InputRecord",
    "ReadLimits",
    "SUPPORTED_SUFFIXES",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CHARS",
    "DEFAULT_PARSE_SECONDS",
    "iter_inputs",
    "input_files",
    "count_records",
    "discover",
    "skip_reason",
    "read_path",
    "read_bytes",
    "size_problem",
    "language_warning",
    "detect_language",
    "clean_text",
    "display_path",
    "extract_html",
]
