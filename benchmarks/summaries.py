"""`python -m benchmarks summaries`: every summarizer on held-out news, apart from what was tuned on, in one run.

    python -m benchmarks summaries --model models/latest --cache-dir /work/cache/embeddings
    python -m benchmarks summaries --bbc-held-out 301-900 --cnn-held-out 301-1000   # a stated contiguous slice

Parts (1-based, inclusive article numbers of each file): BBC 1-300 and CNN/DailyMail 1-300, on which the
centrality summarizer's hand-set weights were tuned before issue 16, reported apart from the held-out rest
(BBC 301-2121, CNN/DailyMail 301-1000), and the seed corpus' test split (articles with a body; k = the
editor's count). Systems: Lead-k, sumy TextRank/LexRank/LSA/Luhn, nlpkit's centrality summarizer and its
learned scorer (the bundle's; also without its handover to centrality past the editors' longest count),
all on the same sentences from `parse_article`. The learned scorer's weights, blend and redundancy come
from the seed train/validation splits only; nothing here is tuned on these sets. Also times the summary
step against the bare encoder on the same sentences. The runner writes `summaries.md`/`.json` to --out.
"""

from __future__ import annotations

import argparse
import copy
import logging
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Sequence

from benchmarks.anchors import SUMY_ANCHORS, lead_summary, make_sumy, sumy_summary
from benchmarks.common import (
    DEFAULT_CACHE,
    DEFAULT_SHARED,
    REPO,
    BenchmarkError,
    encode,
    load_seeds,
    machine_info,
    utc_now,
)
from benchmarks.compare import SUMMARY_SETS, load_summary_set, mean_words
from benchmarks.report import BenchmarkSkipped, Report
from nlpkit.evaluation.metrics import rouge
from nlpkit.heads.summarizers import CentralitySummarizer, LearnedSummarizer
from nlpkit.model import NewsModel
from nlpkit.text.document import Article, EmbeddedArticle

log = logging.getLogger("benchmarks.summaries")

CENTRALITY = "nlpkit centrality"
LEARNED = "nlpkit learned"
PURE = "nlpkit learned, no handover"
#: Targets of issue 16, on the held-out parts.
CNN_GAIN = {"rouge1": 1.5, "rouge2": 1.0}
BBC_ROUGE1 = 84.0
#: Articles of each set (1-based, inclusive) never used to tune a summarizer: the default held-out parts.
HELD_OUT = {"bbc": (301, 2121), "cnn": (301, 1000)}


@dataclass
class Part:
    """One scored block of articles: which set, which articles, and whether it was used for tuning before."""

    key: str
    label: str
    articles: list[Article]
    references: list[Any]
    lengths: list[int]
    vectors: list[EmbeddedArticle] = field(default_factory=list)


def parse_range(text: str) -> tuple[int, int]:
    """'301-2121' -> (301, 2121), 1-based and inclusive."""
    first, _, last = text.partition("-")
    try:
        start, end = int(first), int(last)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected a range like 301-2121, got {text!r}") from error
    if start < 1 or end < start:
        raise argparse.ArgumentTypeError(f"expected 1 <= start <= end, got {text!r}")
    return start, end


def summary_parts(args: argparse.Namespace, model: NewsModel) -> list[Part]:
    """The five parts; each is embedded (through the shared cache) just before it is scored."""
    benchmarks = args.shared / "benchmarks"
    parts = []
    for key, held_out in (("bbc", args.bbc_held_out), ("cnn", args.cnn_held_out)):
        name, relative, n_fixed = SUMMARY_SETS[key]
        items = load_summary_set(benchmarks / relative, n_fixed, held_out[1])
        for label, (start, end) in (
            (f"{name} {1}-{args.tuned}, tuned before", (1, args.tuned)),
            (f"{name} {held_out[0]}-{min(held_out[1], len(items))}, held out", held_out),
        ):
            chosen = items[start - 1 : end]
            articles = [item.article for item in chosen]
            suffix = "tuned" if start == 1 else "held_out"
            parts.append(
                Part(
                    f"{key}_{suffix}",
                    label,
                    articles,
                    [item.reference for item in chosen],
                    [item.n_sentences for item in chosen],
                )
            )
    seeds = load_seeds(args.seeds)
    test = [r for r in seeds["test"] if r.summary and r.article.meta.get("kind") != "headline" and r.article.sentences]
    articles = [r.article for r in test]
    parts.append(
        Part(
            "seed_test",
            "seed corpus test split (with a body; k = the editor's count)",
            articles,
            [list(r.summary) for r in test],
            [len(r.summary) for r in test],
        )
    )
    return parts


def centrality_of(learned: LearnedSummarizer) -> CentralitySummarizer:
    """The centrality summarizer with the same settings as the learned one (its blend partner)."""
    names = CentralitySummarizer().get_params()
    return CentralitySummarizer(**{k: v for k, v in learned.get_params().items() if k in names})


def systems_for(model: NewsModel) -> dict[str, Callable[[Article, EmbeddedArticle, int], list[str]]]:
    """Every system as (article, vectors, k) -> sentences."""
    learned = model.summarizer
    if not isinstance(learned, LearnedSummarizer):
        raise BenchmarkError("the bundle's summarizer is not learned: train with --set summary__method=learned")
    centrality = centrality_of(learned)
    systems: dict[str, Callable[[Article, EmbeddedArticle, int], list[str]]] = {
        "Lead-k": lambda a, v, k: lead_summary(a, k)
    }
    for name in SUMY_ANCHORS:
        summarizer = make_sumy(name)
        systems[name] = partial(_sumy_system, summarizer)
    systems[CENTRALITY] = lambda a, v, k: centrality.summarize(a, v, k) if a.sentences else []
    systems[LEARNED] = lambda a, v, k: learned.summarize(a, v, k) if a.sentences else []
    pure = copy.copy(learned).set_params(handover=False)  # the scorer at every length, even past max_count_
    systems[PURE] = lambda a, v, k: pure.summarize(a, v, k) if a.sentences else []
    return systems


def _sumy_system(summarizer: Any, article: Article, vectors: EmbeddedArticle, k: int) -> list[str]:
    return sumy_summary(summarizer, article, k)


def score_parts(
    parts: Sequence[Part], systems: dict[str, Callable[[Article, EmbeddedArticle, int], list[str]]], model: NewsModel
) -> dict[str, dict[str, dict[str, float]]]:
    """ROUGE-1/2/L, mean words and summary-step seconds per article, for every system on every part."""
    from tqdm import tqdm

    table: dict[str, dict[str, dict[str, float]]] = {}
    for part in parts:
        part.vectors = encode(model, part.articles, part.key).vectors
        table[part.key] = {}
        for name, summarize in systems.items():
            started = time.perf_counter()
            summaries = [
                summarize(a, v, k)
                for a, v, k in tqdm(
                    list(zip(part.articles, part.vectors, part.lengths)), desc=f"{part.key} {name}", leave=False
                )
            ]
            seconds = time.perf_counter() - started
            table[part.key][name] = {
                **rouge(summaries, part.references),
                "words": mean_words(summaries),
                "ms_per_article": 1000 * seconds / max(len(part.articles), 1),
            }
            log.info("%s | %s | %s", part.key, name, " ".join(f"{k} {v:.2f}" for k, v in table[part.key][name].items()))
    return table


def time_summary_step(model: NewsModel, part: Part, sample: int) -> dict[str, float]:
    """Bare encoder (cold, no cache) vs the summary step at the configured length, on the same `sample` articles."""
    articles, vectors = part.articles[:sample], part.vectors[:sample]
    texts = [t for a in articles for t in ([a.title] if a.title else []) + a.texts]
    model.encoder.encode_texts(texts[:16])
    started = time.perf_counter()
    model.encoder.encode_texts(texts)
    encoder = time.perf_counter() - started
    timing = {"articles": float(len(articles)), "texts": float(len(texts)), "encoder_seconds": encoder}
    assert isinstance(model.summarizer, LearnedSummarizer)
    for name, summarizer in (("centrality", centrality_of(model.summarizer)), ("learned", model.summarizer)):
        started = time.perf_counter()
        for article, embedded in zip(articles, vectors):
            summarizer.summarize(article, embedded)
        timing[f"{name}_seconds"] = time.perf_counter() - started
        timing[f"{name}_share_of_encoder"] = timing[f"{name}_seconds"] / max(encoder, 1e-9)
    return timing


def target_lines(table: dict[str, dict[str, dict[str, float]]], timing: dict[str, float]) -> list[str]:
    """Issue 16's targets on the held-out parts: met, or missed by how much."""
    lines = []
    cnn = table["cnn_held_out"]
    for key, gain in CNN_GAIN.items():
        need = cnn["Lead-k"][key] + gain
        have = cnn[LEARNED][key]
        verdict = "met" if have >= need else f"missed by {need - have:.2f}"
        lines.append(
            f"- CNN/DailyMail held out {key.upper()}: learned {have:.2f} vs Lead-3 {cnn['Lead-k'][key]:.2f} "
            f"+ {gain} = {need:.2f}: **{verdict}**"
        )
    bbc = table["bbc_held_out"]
    have = bbc[LEARNED]["rouge1"]
    rivals = {name: scores["rouge1"] for name, scores in bbc.items() if name not in (LEARNED, PURE, "Lead-k")}
    best = max(rivals, key=lambda name: rivals[name])
    ok = have >= BBC_ROUGE1 and have > rivals[best]
    verdict = (
        "met" if ok else f"missed ({BBC_ROUGE1 - have:+.2f} to {BBC_ROUGE1:.0f}; {have - rivals[best]:+.2f} vs {best})"
    )
    lines.append(
        f"- BBC held out ROUGE-1: learned {have:.2f}, best other {best} {rivals[best]:.2f} "
        f"(target >= {BBC_ROUGE1:.0f} and ahead of every sumy method and centrality): **{verdict}**"
    )
    seed = table["seed_test"]
    gap = seed[LEARNED]["rouge1"] - seed["Lead-k"]["rouge1"]
    lines.append(
        f"- Seed test ROUGE-1: learned {seed[LEARNED]['rouge1']:.2f} vs Lead-k {seed['Lead-k']['rouge1']:.2f} "
        f"({gap:+.2f}): **{'met' if gap > 0 else 'missed'}**"
    )
    share = timing.get("learned_share_of_encoder")
    if share is not None:
        lines.append(
            f"- Speed: the learned summary step costs {100 * share:.1f}% of the bare encoder's time on the same "
            f"{timing['articles']:.0f} articles ({timing['texts']:.0f} texts; target: predict within 10%): "
            f"**{'met' if share <= 0.10 else 'missed'}**"
        )
    return lines


def render(report: dict[str, Any], parts: Sequence[Part], table: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = [
        "# Summaries: held-out comparison (issue 16)",
        "",
        f"Date: {report['date']} · {report['machine']['cores']} cores, {report['machine']['cpu']} "
        f"· model `{report['model']}` · load average {report['machine'].get('load_average')}",
        "",
    ]
    for part in parts:
        lines += [
            f"## {part.label} ({len(part.articles)} articles)",
            "",
            "| system | ROUGE-1 | ROUGE-2 | ROUGE-L | words | ms/article |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, m in table[part.key].items():
            shown = f"**{name}**" if name == LEARNED else name
            lines.append(
                f"| {shown} | {m['rouge1']:.2f} | {m['rouge2']:.2f} | {m['rougeL']:.2f} | {m['words']:.0f} "
                f"| {m['ms_per_article']:.1f} |"
            )
        lines.append("")
    lines += [
        "## Targets (issue 16, held-out parts only)",
        "",
        *target_lines(table, report["timing"]),
        "",
        "Lead-k is Lead-3 on CNN/DailyMail; k is the reference's sentence count on BBC and the editor's on the seeds. "
        "ROUGE F1 x100 (rouge-score, stemmed; ROUGE-L = ROUGE-Lsum). ms/article: the system's own step, "
        "vectors from the shared cache.",
        "",
    ]
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", type=Path, default=REPO / "models" / "latest", help="bundle with summary__method=learned"
    )
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="folder holding benchmarks/")
    parser.add_argument("--seeds", type=Path, default=REPO / "seeds", help="seed corpus folder")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="embedding cache")
    parser.add_argument(
        "--tuned", type=int, default=300, help="articles at the start of each set used for tuning before"
    )
    parser.add_argument(
        "--bbc-held-out", type=parse_range, default=HELD_OUT["bbc"], help="BBC articles held out (default 301-2121)"
    )
    parser.add_argument(
        "--cnn-held-out", type=parse_range, default=HELD_OUT["cnn"], help="CNN/DailyMail held out (default 301-1000)"
    )
    parser.add_argument(
        "--timing-sample", type=int, default=40, help="CNN held-out articles for the speed check (0: skip)"
    )


def run(args: argparse.Namespace) -> Report:
    """Every system on every part, the speed check, and issue 16's targets."""
    if not (args.shared / "benchmarks").is_dir():
        raise BenchmarkSkipped(f"benchmark data not found at {args.shared / 'benchmarks'} (pass --shared)")
    try:
        model = NewsModel.load(args.model, cache_dir=str(args.cache_dir))
        systems = systems_for(model)
        parts = summary_parts(args, model)
    except (ValueError, OSError) as error:
        raise BenchmarkError(f"{args.model}: {error}") from error
    order = ["seed_test", "cnn_held_out", "bbc_held_out", "cnn_tuned", "bbc_tuned"]  # the targets' parts first
    table = score_parts(sorted(parts, key=lambda p: order.index(p.key)), systems, model)
    cnn = next(p for p in parts if p.key == "cnn_held_out")
    timing = time_summary_step(model, cnn, args.timing_sample) if args.timing_sample > 0 else {}
    learned = model.summarizer.fitted_state() if isinstance(model.summarizer, LearnedSummarizer) else None
    report = {
        "date": utc_now(),
        "machine": machine_info(),
        "model": str(args.model),
        "parts": {p.key: {"label": p.label, "n": len(p.articles)} for p in parts},
        "table": table,
        "timing": timing,
        "learned": learned,
    }
    return Report(
        "summaries",
        "every summarizer on held-out articles (python -m benchmarks summaries)",
        render(report, parts, table),
        report,
        params={"model": str(args.model), "tuned": args.tuned},
    )
