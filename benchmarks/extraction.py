"""HTML article extraction on our own CMS-shaped pages: clean-text precision and recall, dates, titles, time.

The pages (benchmarks/data/pages/*.html, built by build.py there) wrap invented news articles in what real
sites put around them: WordPress and Drupal themes, div-only layouts, cookie banners, "read also" blocks,
comments, live blogs, AMP, state-agency sites. gold.jsonl keeps per page the title, the body paragraphs a
reader wants and the publication date (None when the page shows none).

Scores are token-level, over bags of words (as ROUGE-1): a token is a lower-cased run of word characters
(`\\w+`); for one page, `overlap` = sum over tokens of min(count in the extracted text, count in the gold
body).

- precision = overlap / tokens extracted: the share of the extracted text that is article body (boilerplate,
  comments, menus, related headlines count against it);
- recall = overlap / gold body tokens: the share of the article body that was recovered.

Both are given micro-averaged (summed over all pages) and as the mean of per-page values (a page with nothing
extracted has precision 0); `clean_pages` counts pages with precision >= 0.95 and recall >= 0.95. Bags of
words credit common words found in the wrong place, so boilerplate is under-penalised a little, equally
for every extractor. Dates are scored exact (ISO day) over all pages, an undated page scoring when the
extractor returns none; titles exact after whitespace and case folding. ms per page is wall time of the
body extraction after one warm-up call, indicative only on a loaded machine. Paragraph order is not scored
(a live blog shows its newest entry first); a title repeated at the top of the body counts as extracted
non-body text.

    python -m benchmarks extraction                       # every extractor that can be imported
    python -m benchmarks extraction --extractors reader --no-mlflow

Extractors: `reader` (what the inbox reads a page with: nlpkit.data.inbox.read_html, trafilatura favouring
precision with our extractor as fallback), `nlpkit` (our extractor alone, nlpkit.data.inbox.extract_html),
`trafilatura` (default options, comments and tables off), `trafilatura-precision` (favor_precision=True) and
`precision+nlpkit` (the latter, with nlpkit's extractor where trafilatura returns nothing).
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.report import BenchmarkSkipped, Report

PAGES = Path(__file__).resolve().parent / "data" / "pages"
_TOKEN = re.compile(r"\w+")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GoldPage:
    file: str
    shape: str
    title: str
    paragraphs: list[str]
    date: str | None


def load_gold(folder: Path = PAGES) -> list[GoldPage]:
    """The gold records of the page set, in file order."""
    with (folder / "gold.jsonl").open(encoding="utf-8") as lines:
        return [GoldPage(**json.loads(line)) for line in lines if line.strip()]


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.lower()))


def overlap_counts(extracted: str, gold: Iterable[str]) -> tuple[int, int, int]:
    """(overlap, extracted tokens, gold tokens) for one page, as defined in the module docstring."""
    found, wanted = tokens(extracted), tokens("\n".join(gold))
    return sum((found & wanted).values()), sum(found.values()), sum(wanted.values())


def _same_title(found: str | None, gold: str) -> bool:
    return " ".join((found or "").split()).casefold() == " ".join(gold.split()).casefold()


def measure(
    extract: Callable[[str], str | None],
    date: Callable[[str], str | None] | None = None,
    title: Callable[[str], str | None] | None = None,
    folder: Path = PAGES,
) -> dict:
    """Clean-text precision/recall (see the module docstring), ms per page and, when given, date and title accuracy."""
    pages = load_gold(folder)
    extract((folder / pages[0].file).read_text(encoding="utf-8"))  # warm-up: imports and caches stay out of the timing
    rows, seconds = [], 0.0
    for page in pages:
        html = (folder / page.file).read_text(encoding="utf-8")
        start = time.perf_counter()
        text = extract(html) or ""
        seconds += time.perf_counter() - start
        hit, n_found, n_gold = overlap_counts(text, page.paragraphs)
        row = {
            "file": page.file,
            "shape": page.shape,
            "overlap": hit,
            "extracted": n_found,
            "gold": n_gold,
            "precision": hit / n_found if n_found else 0.0,
            "recall": hit / n_gold,
        }
        if date is not None:
            row["date"] = date(html)
            row["date_ok"] = row["date"] == page.date
        if title is not None:
            row["title_ok"] = _same_title(title(html), page.title)
        rows.append(row)
    return _summary(rows, seconds)


def _summary(rows: list[dict], seconds: float) -> dict:
    hit, found, gold = (sum(row[key] for row in rows) for key in ("overlap", "extracted", "gold"))
    precision, recall = (hit / found if found else 0.0), hit / gold
    result = {
        "pages": len(rows),
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "mean_precision": sum(row["precision"] for row in rows) / len(rows),
        "mean_recall": sum(row["recall"] for row in rows) / len(rows),
        "clean_pages": sum(row["precision"] >= 0.95 and row["recall"] >= 0.95 for row in rows),
        "ms_per_page": 1000 * seconds / len(rows),
        "rows": rows,
    }
    for key in ("date_ok", "title_ok"):
        if key in rows[0]:
            result[key.replace("_ok", "_accuracy")] = sum(row[key] for row in rows) / len(rows)
    return result


# --- the extractors ---------------------------------------------------------------------------------------


def nlpkit_extractors() -> dict[str, Callable[[str], str | None]]:
    """nlpkit's own HTML reader (body and title; it finds no date)."""
    from nlpkit.data.inbox import extract_html

    return {"extract": lambda page: extract_html(page)[1], "title": lambda page: extract_html(page)[0]}


def trafilatura_extractors(favor_precision: bool = False) -> dict[str, Callable[[str], str | None]]:
    """trafilatura's body (comments and tables left out) and its metadata for date and title."""
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    logging.getLogger("htmldate").setLevel(logging.ERROR)

    def extract(page: str) -> str | None:
        return trafilatura.extract(page, include_comments=False, include_tables=False, favor_precision=favor_precision)

    def metadata(page: str, field: str) -> str | None:
        meta = trafilatura.extract_metadata(page)
        return getattr(meta, field, None) if meta is not None else None

    return {
        "extract": extract,
        "date": lambda page: metadata(page, "date"),
        "title": lambda page: metadata(page, "title"),
    }


def precision_then_nlpkit() -> dict[str, Callable[[str], str | None]]:
    """trafilatura favouring precision, nlpkit's reader where it finds nothing: the reader order issue 23 asks for."""
    first, fallback = trafilatura_extractors(favor_precision=True), nlpkit_extractors()
    return {
        "extract": lambda page: first["extract"](page) or fallback["extract"](page),
        "date": first["date"],
        "title": lambda page: first["title"](page) or fallback["title"](page),
    }


def reader_extractors() -> dict[str, Callable[[str], str | None]]:
    """The inbox's HTML reader as shipped: body, title and date from one `read_html` call per page."""
    from nlpkit.data.inbox.html import read_html as read_page

    read_html = functools.lru_cache(maxsize=2)(read_page)  # extract is timed; date and title reuse its result
    return {
        "extract": lambda page: read_html(page).text,
        "date": lambda page: read_html(page).date,
        "title": lambda page: read_html(page).title,
    }


EXTRACTORS: dict[str, Callable[[], dict[str, Callable[[str], str | None]]]] = {
    "reader": reader_extractors,
    "nlpkit": nlpkit_extractors,
    "trafilatura": trafilatura_extractors,
    "trafilatura-precision": lambda: trafilatura_extractors(favor_precision=True),
    "precision+nlpkit": precision_then_nlpkit,
}


def measure_all(names: Iterable[str] = tuple(EXTRACTORS), folder: Path = PAGES) -> dict:
    """{extractor name: measure(...) result} for each named extractor that can be imported."""
    results = {}
    for name in names:
        try:
            parts = EXTRACTORS[name]()
        except ImportError as error:
            log.warning("%s skipped: %s", name, error)
            continue
        results[name] = measure(parts["extract"], parts.get("date"), parts.get("title"), folder)
    return results


def format_table(results: dict) -> str:
    lines = [
        f"{'extractor':<22} {'precision':>9} {'recall':>7} {'F1':>6} {'mean P':>7} {'mean R':>7} {'clean':>6} "
        f"{'date':>6} {'title':>6} {'ms/page':>8}"
    ]
    for name, result in results.items():
        date = f"{result['date_accuracy']:.2f}" if "date_accuracy" in result else "-"
        lines.append(
            f"{name:<22} {result['precision']:>9.3f} {result['recall']:>7.3f} {result['f1']:>6.3f} "
            f"{result['mean_precision']:>7.3f} {result['mean_recall']:>7.3f} "
            f"{result['clean_pages']:>3}/{result['pages']:<2} {date:>6} "
            f"{result.get('title_accuracy', 0):>6.2f} "
            f"{result['ms_per_page']:>8.1f}"
        )
    return "\n".join(lines)


def format_shapes(results: dict) -> str:
    """Micro precision/recall per page shape, one column pair per extractor."""
    names = list(results)
    shapes = sorted({row["shape"] for result in results.values() for row in result["rows"]})
    lines = [f"{'shape':<10} " + " ".join(f"{name:>22}" for name in names)]
    for shape in shapes:
        cells = []
        for name in names:
            rows = [row for row in results[name]["rows"] if row["shape"] == shape]
            hit, found, gold = (sum(row[key] for row in rows) for key in ("overlap", "extracted", "gold"))
            cells.append(f"{'':>13}{(hit / found if found else 0.0):.2f}/{hit / gold:.2f}")
        lines.append(f"{shape:<10} " + " ".join(cells))
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--extractors",
        nargs="+",
        choices=list(EXTRACTORS),
        default=list(EXTRACTORS),
        help="which extractors to measure (default: all that can be imported)",
    )
    parser.add_argument("--pages", type=Path, default=PAGES, help="page folder with gold.jsonl (default: ours)")


def run(args: argparse.Namespace) -> Report:
    if not (args.pages / "gold.jsonl").is_file():
        raise BenchmarkSkipped(f"no gold.jsonl in {args.pages}")
    results = measure_all(args.extractors, args.pages)
    if not results:
        raise BenchmarkSkipped("none of the extractors can be imported")
    markdown = "\n".join(
        [
            f"# HTML article extraction ({len(load_gold(args.pages))} pages)",
            "",
            "```",
            format_table(results),
            "",
            format_shapes(results),
            "```",
        ]
    )
    keys = (
        "precision",
        "recall",
        "f1",
        "mean_precision",
        "mean_recall",
        "clean_pages",
        "ms_per_page",
        "date_accuracy",
        "title_accuracy",
    )
    metrics = {f"{name}_{key}": float(result[key]) for name, result in results.items() for key in keys if key in result}
    return Report(
        "extraction",
        "HTML article extraction on CMS-shaped pages (python -m benchmarks extraction)",
        markdown,
        results,
        params={"pages": str(args.pages), "extractors": list(results)},
        metrics=metrics,
    )
