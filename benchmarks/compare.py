"""`python -m benchmarks compare`: nlpkit against the anchors people would pick instead, on real news, in one run.

    python -m benchmarks compare                        # every article (slow the first time, then cached)
    python -m benchmarks compare --limit 300            # first 300 articles of each summary set, full topic dev sets
    python -m benchmarks compare --topics-only --cache-dir /work/cache/embeddings   # the topic table alone
    python -m benchmarks compare --model models/latest --out benchmarks/results --shared ../shared

Every system reads the same articles, parsed once by `nlpkit.text.document.parse_article`, so they differ only
in how they choose sentences or topics. Topics: nlpkit (trained in this run from --config on the seeds, or a
--model bundle) and every seeds-trained baseline of issue 10 on both dev sets (Western `dev.jsonl`,
`regional-dev.jsonl`) and the regional headline-only items. The runner writes `compare.md` and `compare.json`
to --out and records an MLflow run in the experiment "nlpkit-benchmarks". The benchmark data is only read here; nothing
is trained on it.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from sklearn.linear_model import LogisticRegression

from benchmarks import topic_baselines as baselines
from benchmarks.anchors import (
    SUMY_ANCHORS,
    TOPIC_DESCRIPTIONS,
    ZeroShotClassifier,
    article_text,
    lead_summary,
    make_sumy,
    sumy_summary,
)
from benchmarks.common import (
    DEFAULT_CACHE,
    DEFAULT_SHARED,
    REPO,
    BenchmarkError,
    TargetResult,
    TopicScore,
    TopicSet,
    check,
    encode,
    load_average,
    load_seeds,
    machine_info,
    read_records,
    to_article,
    topic_score_table,
    topic_sets,
    utc_now,
    whole_text_vectors,
)
from benchmarks.report import BenchmarkSkipped, Report, flat_metrics, git_commit
from nlpkit.embedding.encoder import SentenceEncoder
from nlpkit.evaluation import robustness
from nlpkit.evaluation.metrics import rouge, topic_metrics
from nlpkit.labels import LABELS
from nlpkit.model import EmbeddedBatch, NewsModel
from nlpkit.text.document import Article, EmbeddedArticle
from nlpkit.text.splitter import split_sentences

__all__ = [
    "SUMMARY_SETS",
    "NLPKIT",
    "compare_summaries",
    "compare_topics",
    "style_cross_validation",
    "render_markdown",
    "run",
    "TOPIC_DESCRIPTIONS",
]

log = logging.getLogger("benchmarks.compare")

NLPKIT = "nlpkit"
NLPKIT_FAST = "nlpkit fast mode"
ZERO_SHOT = "Zero-shot (MiniLM + topic descriptions)"
MINILM_LR = "MiniLM first 256 tokens + LogisticRegression"
#: Summary sets: key -> (display name, path under benchmarks/, fixed summary length or None for the reference's).
SUMMARY_SETS = {
    "bbc": ("BBC News Summary", "summaries/bbc_news_summary.jsonl", None),
    "cnn": ("CNN/DailyMail", "summaries/cnn_dailymail.jsonl", 3),
}
_SLUGS = {NLPKIT: "nlpkit", **{name: name.split()[0].lower() for name in SUMY_ANCHORS}}


@dataclass
class SummaryItem:
    article: Article
    reference: list[str] | str
    n_sentences: int


@dataclass
class SystemScore:
    """One row of a table: a system's metrics and its speed on the same articles."""

    system: str
    metrics: dict[str, float]
    seconds: float
    n_articles: int

    @property
    def articles_per_s(self) -> float:
        return self.n_articles / self.seconds if self.seconds > 0 else float("inf")

    def row(self) -> dict[str, Any]:
        return {"system": self.system, **self.metrics, "articles_per_s": self.articles_per_s}


@dataclass
class EncoderCost:
    """Cold encoder time (no cache) per title/sentence, measured on a sample of one set."""

    seconds_per_text: float
    sample_texts: int

    def seconds_for(self, articles: Sequence[Article]) -> float:
        return self.seconds_per_text * count_texts(articles)


# --------------------------------------------------------------------------- data


def load_summary_set(path: Path, n_fixed: int | None, limit: int | None = None) -> list[SummaryItem]:
    """Articles with references; summary length is `n_fixed`, or the reference's sentence count."""
    items = []
    for number, record in enumerate(read_records(path, limit), start=1):
        reference = record.get("reference_sentences") or record.get("reference")
        if not reference:
            raise BenchmarkError(f"{path}: record {number} ({record.get('id')}) has no reference")
        n_reference = len(reference) if isinstance(reference, list) else len(split_sentences(reference))
        items.append(SummaryItem(to_article(record), reference, n_fixed or max(n_reference, 1)))
    return items


# --------------------------------------------------------------------------- encoder


def count_texts(articles: Sequence[Article]) -> int:
    """Texts the encoder reads per article: the title (if any) and every sentence."""
    return sum(len(a.sentences) + bool(a.title) for a in articles)


def measure_encoder(encoder: SentenceEncoder, articles: Sequence[Article], sample: int) -> EncoderCost:
    """Time the encoder cold on the first `sample` articles, so speed figures do not depend on the cache."""
    texts = [t for a in articles[:sample] for t in ([a.title] if a.title else []) + a.texts]
    if not texts:
        return EncoderCost(0.0, 0)
    encoder.encode_texts(texts[:16])  # warm-up: the first batch pays for thread pools and allocations
    started = time.perf_counter()
    encoder.encode_texts(texts)
    return EncoderCost((time.perf_counter() - started) / len(texts), len(texts))


# --------------------------------------------------------------------------- summarization


def nlpkit_summary(model: NewsModel, article: Article, vectors: EmbeddedArticle, n_sentences: int) -> list[str]:
    """nlpkit's summary at a given length, exactly as `nlpkit.predict` and `nlpkit.evaluation.evaluators` make it."""
    if not article.sentences:
        return []
    return model.summarizer.summarize(article, vectors, n_sentences)


def _timed_summaries(
    items: Sequence[SummaryItem], summarize: Callable[[int, SummaryItem], list[str]], label: str
) -> tuple[list[list[str]], float]:
    from tqdm import tqdm

    started = time.perf_counter()
    summaries = [summarize(i, item) for i, item in enumerate(tqdm(items, desc=label, unit="article", leave=False))]
    return summaries, time.perf_counter() - started


def compare_summaries(
    items: Sequence[SummaryItem], model: NewsModel, vectors: Sequence[EmbeddedArticle], encode_seconds: float
) -> list[SystemScore]:
    """ROUGE-1/2/L and articles/s of Lead-k, the sumy anchors and nlpkit on the same sentences."""
    fixed = {item.n_sentences for item in items}
    lead_name = f"Lead-{fixed.pop()}" if len(fixed) == 1 else "Lead-k"
    systems: list[tuple[str, Callable[[int, SummaryItem], list[str]], float]] = [
        (lead_name, lambda i, item: lead_summary(item.article, item.n_sentences), 0.0)
    ]
    for name in SUMY_ANCHORS:
        summarizer = make_sumy(name)
        systems.append((name, partial(_sumy_system, summarizer), 0.0))
    systems.append(
        (NLPKIT, lambda i, item: nlpkit_summary(model, item.article, vectors[i], item.n_sentences), encode_seconds)
    )
    references = [item.reference for item in items]
    scores = []
    for name, summarize, extra_seconds in systems:
        summaries, seconds = _timed_summaries(items, summarize, name)
        metrics = {**rouge(summaries, references), "words": mean_words(summaries)}
        scores.append(SystemScore(name, metrics, seconds + extra_seconds, len(items)))
    return scores


def _sumy_system(summarizer: Any, index: int, item: SummaryItem) -> list[str]:
    return sumy_summary(summarizer, item.article, item.n_sentences)


def mean_words(summaries: Sequence[Sequence[str] | str]) -> float:
    """Mean summary length in words: ROUGE F1 also rewards matching the reference's length."""
    texts = [s if isinstance(s, str) else " ".join(s) for s in summaries]
    return sum(len(t.split()) for t in texts) / max(len(texts), 1)


# --------------------------------------------------------------------------- classification


@dataclass
class TopicRun:
    """nlpkit's models and the seeds, with the dev sets encoded by each model (one encoder pass each)."""

    model: NewsModel
    seeds: baselines.SeedData
    sets: dict[str, TopicSet]
    batches: dict[str, EmbeddedBatch]
    fast: NewsModel | None = None
    fast_batches: dict[str, EmbeddedBatch] | None = None


def labelled_views(
    sets: dict[str, TopicSet], predicted: Mapping[str, Sequence[str]]
) -> dict[str, tuple[list[str], list[str]]]:
    """(truth, predicted) on each dev set and on the regional headline-only items, the units every figure reads."""
    views = {name: (list(data.truth), [str(p) for p in predicted[name]]) for name, data in sets.items()}
    regional, picks = views["regional"], sets["regional"].headline
    views["headline"] = ([regional[0][i] for i in picks], [regional[1][i] for i in picks])
    return views


def score_predictions(sets: dict[str, TopicSet], predicted: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """Macro-F1 on each dev set, and on the regional headline-only items."""
    return {
        name: topic_metrics(truth, guessed, LABELS)["macro_f1"]
        for name, (truth, guessed) in labelled_views(sets, predicted).items()
    }


def _nlpkit_score(
    name: str, model: NewsModel, sets: dict[str, TopicSet], batches: dict[str, EmbeddedBatch]
) -> tuple[TopicScore, dict[str, list[str]]]:
    started = time.perf_counter()
    assert model.decider is not None, "nlpkit is fitted before it is scored"
    predicted = {key: [str(p) for p in model.decider.primary(model.predict_proba(batches[key]))] for key in sets}
    score = TopicScore(
        name,
        score_predictions(sets, predicted),
        "seed train; thresholds on seed validation",
        time.perf_counter() - started,
        {"encoder": str(model.config.get("embed__model"))},
    )
    return score, predicted


def _baseline_score(baseline: baselines.Baseline, sets: dict[str, TopicSet]) -> tuple[TopicScore, dict[str, list[str]]]:
    started = time.perf_counter()
    predicted = {key: baseline.predict(data.articles) for key, data in sets.items()}
    score = TopicScore(
        baseline.name,
        score_predictions(sets, predicted),
        baseline.trained_on,
        baseline.seconds + time.perf_counter() - started,
        dict(baseline.info),
    )
    return score, predicted


def add_intervals(
    scored: Sequence[tuple[TopicScore, dict[str, list[str]]]], sets: dict[str, TopicSet], rounds: int = 1000
) -> None:
    """Every figure's bootstrap 95% interval, and nlpkit minus each baseline as a paired bootstrap difference.

    Stored in each score's details as `interval` ({set: [low, high]}) and, for every other system,
    `nlpkit_gap` ({set: [difference, low, high]}): a margin whose interval reaches 0 is within the noise.
    """
    ours = labelled_views(sets, scored[0][1])
    for score, predicted in scored:
        views = labelled_views(sets, predicted)
        score.details["interval"] = {
            key: _bounds(robustness.bootstrap_interval(truth, guessed, rounds=rounds))
            for key, (truth, guessed) in views.items()
        }
        if score.system not in (NLPKIT, NLPKIT_FAST):
            score.details["nlpkit_gap"] = {
                key: _triple(robustness.paired_difference(truth, ours[key][1], guessed, rounds=rounds))
                for key, (truth, guessed) in views.items()
            }


def _bounds(interval: robustness.Interval) -> list[float]:
    return [interval.low, interval.high]


def _triple(interval: robustness.Interval) -> list[float]:
    return [interval.value, interval.low, interval.high]


def zero_shot(run: TopicRun, validation_vectors: list[EmbeddedArticle]) -> baselines.Baseline:
    """Nearest topic description on nlpkit's own sentence vectors; `other` threshold on seed validation."""
    started = time.perf_counter()
    classifier = ZeroShotClassifier(run.model.encoder).fit(validation_vectors, run.seeds.validation_labels)
    lookup = {id(a): v for key in run.sets for a, v in zip(run.sets[key].articles, run.batches[key].vectors)}

    def predict(articles: Sequence[Article]) -> list[str]:
        return [str(label) for label in classifier.predict([lookup[id(a)] for a in articles])]

    return baselines.Baseline(
        ZERO_SHOT,
        predict,
        "no examples; threshold on seed validation",
        time.perf_counter() - started,
        {"threshold": classifier.threshold_},
    )


def compare_topics(run: TopicRun, setfit: bool = True, rounds: int = 1000) -> list[TopicScore]:
    """nlpkit (and its fast mode) and every seeds-trained baseline, scored on the same dev articles."""
    scored = [_nlpkit_score(NLPKIT, run.model, run.sets, run.batches)]
    if run.fast is not None and run.fast_batches is not None:
        scored.append(_nlpkit_score(NLPKIT_FAST, run.fast, run.sets, run.fast_batches))
    encoder = run.model.encoder
    validation_vectors = encode(run.model, [r.article for r in run.seeds.validation], "seed validation").vectors
    fitted = [
        baselines.tfidf_logreg(run.seeds),
        baselines.tfidf_svc(run.seeds),
        baselines.minilm_logreg(run.seeds, encoder),
        zero_shot(run, validation_vectors),
    ]
    if setfit:
        fitted.append(baselines.setfit(run.seeds, encoder))
    scored += [_baseline_score(baseline, run.sets) for baseline in fitted]
    add_intervals(scored, run.sets, rounds)
    return [score for score, _ in scored]


def style_cross_validation(run: TopicRun, minilm_C: float, rounds: int = 1000) -> dict[str, dict[str, list[float]]]:
    """Issue 21's house-style folds on the seed train + validation articles, for nlpkit and MiniLM + LR.

    Train on the international style and test on the regional ones, and the reverse; both systems read the
    same seed articles, encoded once (the cache makes it free after training). No benchmark item is read.
    MiniLM + LR keeps the C it picked on seed validation. Values are [macro-F1, low, high].
    """
    records = run.seeds.train + run.seeds.validation
    styles = [str(r.article.meta.get("style") or "") for r in records]
    topics = [r.topics for r in records]
    batch = encode(run.model, [r.article for r in records], "seeds for style folds")
    config = dict(run.model.config)
    ours = robustness.style_cross_validation(lambda: NewsModel.from_config(config), batch, topics, styles, rounds)
    vectors = whole_text_vectors(run.model.encoder, [article_text(r.article) for r in records], "seeds (whole)")
    primary = [r.primary for r in records]
    minilm: dict[str, list[float]] = {}
    for fold, (train, test) in robustness.style_folds(styles).items():
        head = LogisticRegression(C=minilm_C, max_iter=3000, class_weight="balanced")
        predicted = head.fit(vectors[train], [primary[i] for i in train]).predict(vectors[test])
        interval = robustness.bootstrap_interval([primary[i] for i in test], [str(p) for p in predicted], rounds=rounds)
        minilm[fold] = _triple(interval)
    return {NLPKIT: {fold: _triple(value) for fold, value in ours.items()}, MINILM_LR: minilm}


def predict_counts(model: NewsModel, batch: EmbeddedBatch) -> dict[str, int]:
    """nlpkit's full prediction (topics + summary) on unlabelled articles: how many per predicted topic."""
    counts = Counter(p.topic for p in model.predict(batch))
    return {label: counts.get(label, 0) for label in LABELS}


# --------------------------------------------------------------------------- report


def _speed(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def summary_table(scores: Sequence[SystemScore]) -> list[str]:
    lines = ["| system | ROUGE-1 | ROUGE-2 | ROUGE-L | words | articles/s |", "|---|---:|---:|---:|---:|---:|"]
    for s in scores:
        m = s.metrics
        name = f"**{s.system}**" if s.system == NLPKIT else s.system
        lines.append(
            f"| {name} | {m['rouge1']:.2f} | {m['rouge2']:.2f} | {m['rougeL']:.2f} | {m['words']:.0f} "
            f"| {_speed(s.articles_per_s)} |"
        )
    return lines


def _with_interval(value: float, bounds: Sequence[float] | None) -> str:
    return f"{value:.3f} [{bounds[0]:.3f}, {bounds[1]:.3f}]" if bounds else f"{value:.3f}"


_VIEWS = (("western", "Western dev"), ("regional", "regional dev"), ("headline", "regional headline-only"))


def interval_table(scores: Sequence[TopicScore]) -> list[str]:
    """Macro-F1 with bootstrap 95% intervals on each dev set, and the worse of the two dev sets."""
    lines = [
        "| system | " + " | ".join(title for _, title in _VIEWS) + " | worse of two |",
        "|---|" + "---:|" * (len(_VIEWS) + 1),
    ]
    for s in scores:
        bounds = s.details.get("interval", {})
        cells = [_with_interval(s.macro_f1[key], bounds.get(key)) for key, _ in _VIEWS]
        name = f"**{s.system}**" if s.system == NLPKIT else s.system
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {s.worse_of_two:.3f} |")
    return lines


def margin_table(scores: Sequence[TopicScore]) -> list[str]:
    """nlpkit minus each baseline, paired bootstrap 95% interval; an interval reaching 0 is within the noise."""
    lines = [
        "| nlpkit minus | " + " | ".join(title for _, title in _VIEWS) + " |",
        "|---|" + "---:|" * len(_VIEWS),
    ]
    for s in scores:
        gaps = s.details.get("nlpkit_gap")
        if gaps:
            cells = [f"{gaps[key][0]:+.3f} [{gaps[key][1]:+.3f}, {gaps[key][2]:+.3f}]" for key, _ in _VIEWS]
            lines.append(f"| {s.system} | " + " | ".join(cells) + " |")
    return lines


def style_table(style_cv: Mapping[str, Mapping[str, Sequence[float]]]) -> list[str]:
    """Macro-F1 [95% interval] on the seed house-style folds."""
    lines = [
        "| system | train international -> test regional styles | train regional -> test international |",
        "|---|---:|---:|",
    ]
    for system, folds in style_cv.items():
        cells = [
            _with_interval(folds[f][0], folds[f][1:])
            for f in ("international_to_regional", "regional_to_international")
        ]
        lines.append(f"| {system} | " + " | ".join(cells) + " |")
    return lines


def topic_targets(scores: Sequence[TopicScore]) -> list[TargetResult]:
    """Issue 10's targets on this run's dev figures."""
    ours = next(s for s in scores if s.system == NLPKIT)
    rivals = [s for s in scores if s.system not in (NLPKIT, NLPKIT_FAST)]
    margin = min(ours.macro_f1[key] - max(r.macro_f1[key] for r in rivals) for key in ("western", "regional"))
    results = [
        check("western_macro_f1", ours.macro_f1["western"]),
        check("regional_macro_f1", ours.macro_f1["regional"]),
        check("headline_macro_f1", ours.macro_f1["headline"]),
        check("baseline_margin", margin, "per set against that set's best baseline"),
    ]
    fast = next((s for s in scores if s.system == NLPKIT_FAST), None)
    if fast is not None:
        results.append(check("fast_gap", fast.worse_of_two - ours.worse_of_two))
    return results


def summary_targets(summaries: dict[str, list[SystemScore]]) -> list[TargetResult]:
    """Issue 5's targets: BBC ahead of the best sumy anchor, CNN/DailyMail ahead of Lead-3."""
    results = []
    if "bbc" in summaries:
        ours, anchors = _split(summaries["bbc"])
        best = max(anchors, key=lambda s: s.metrics["rouge1"])
        results.append(check("bbc_rouge_margin", ours.metrics["rouge1"] - best.metrics["rouge1"], f"vs {best.system}"))
    if "cnn" in summaries:
        ours, anchors = _split(summaries["cnn"])
        lead = next(s for s in anchors if s.system.startswith("Lead"))
        results.append(check("cnn_rouge_margin", ours.metrics["rouge1"] - lead.metrics["rouge1"], f"vs {lead.system}"))
    return results


def _split(scores: Sequence[SystemScore]) -> tuple[SystemScore, list[SystemScore]]:
    return next(s for s in scores if s.system == NLPKIT), [s for s in scores if s.system != NLPKIT]


def render_markdown(
    report: dict[str, Any], summaries: dict[str, list[SystemScore]], topics: Sequence[TopicScore] | None
) -> str:
    """The whole comparison as one Markdown page: header, one table per task, targets, method notes."""
    machine = report["machine"]
    lines = [
        "# nlpkit vs anchors and baselines",
        "",
        f"Date: {report['date']} · machine: {machine['cores']} cores, {machine['cpu']}, {machine['platform']}, "
        f"Python {machine['python']} · commit `{report.get('commit', 'unknown')[:10]}`",
        f"Model: `{report['model']}` · limit per summary set: {report['limit'] or 'none (all articles)'} · "
        f"load average at start {machine.get('load_average')}, at end {report.get('load_average_end')}",
        "",
        *_staleness_warning(report),
    ]
    for key, scores in summaries.items():
        info = report["summaries"][key]
        lines += [
            f"## Summarization: {info['name']} (first {info['n']} articles; {info['length_rule']}; "
            f"references average {info['reference_words']:.0f} words)",
            "",
            *summary_table(scores),
            "",
        ]
    targets = summary_targets(summaries)
    if topics:
        info = report["topics"]
        lines += [
            f"## Topic classification: macro-F1 on both dev sets ({info['n']}), trained on the seeds only",
            "",
            *topic_score_table(topics, bold=NLPKIT),
            "",
            "Bootstrap 95% intervals (1,000 resamples of the articles, `nlpkit.evaluation.robustness`):",
            "",
            *interval_table(topics),
            "",
            "nlpkit's margin to each baseline (paired bootstrap: both systems on the same resamples):",
            "",
            *margin_table(topics),
            "",
        ]
        if info.get("style_cv"):
            lines += [
                "## House-style cross-validation on the seeds (train + validation articles; no benchmark item)",
                "",
                *style_table(info["style_cv"]),
                "",
            ]
        targets += topic_targets(topics)
    for name, counts in report.get("test_counts", {}).items():
        lines += [
            f"## {name} (labels held out): nlpkit's predicted topics over {sum(counts.values())} articles",
            "",
            "| " + " | ".join(counts) + " |",
            "|" + "---:|" * len(counts),
            "| " + " | ".join(str(v) for v in counts.values()) + " |",
            "",
        ]
    lines += [
        "## Targets (issues 5 and 10; topic figures are dev figures)",
        "",
        *(t.line() for t in targets),
        "",
        *_method_notes(report),
    ]
    report["targets"] = [t.to_dict() for t in targets]
    return "\n".join(lines) + "\n"


def _staleness_warning(report: dict[str, Any]) -> list[str]:
    """A --model bundle trained on older seeds than the baselines is not like for like."""
    bundle, seeds = report.get("bundle_written"), report.get("seeds_modified")
    if not bundle or not seeds or seeds <= bundle:
        return []
    return [
        f"> Warning: the seed corpus changed ({seeds}) after this bundle was trained ({bundle}); the baselines "
        "are trained on the current seeds. Drop --model to train nlpkit in this run.",
        "",
    ]


def _method_notes(report: dict[str, Any]) -> list[str]:
    cost = report.get("encoder", {})
    rates = ", ".join(f"{k} {v:.0f}" for k, v in cost.get("texts_per_s", {}).items())
    return [
        "## How this was measured",
        "",
        "- One process; every system reads the same articles, parsed once by `nlpkit.text.document.parse_article` "
        "(furniture removal + news sentence splitter). sumy gets those sentences through its object document "
        "model (its own tokenizer needs NLTK data), with its English stemmer and stop words.",
        "- ROUGE: `rouge-score` F1 x100 with stemming, via `nlpkit.evaluation.metrics.rouge`; ROUGE-L is ROUGE-Lsum.",
        "- Summary speed: articles/s of each system's own step; nlpkit also pays for the encoder, timed cold on a "
        f"sample and charged per title/sentence: {rates or 'n/a'} texts/s.",
        "- Topics: nlpkit is trained in this run from the config on the seed train split (thresholds on seed "
        "validation), unless --model names a bundle. Every baseline learns from the same seeds (its one setting "
        "picked on seed validation, then refitted on train + validation; SetFit from 8 train articles per class). "
        "Headline-only = the regional items whose `kind` is `headline`. Benchmark items are never trained on.",
    ]


# --------------------------------------------------------------------------- MLflow


def run_metrics(summaries: dict[str, list[SystemScore]], topics: Sequence[TopicScore] | None) -> dict[str, float]:
    """Every figure as `<set>_<system>_<metric>` (summaries) and `topics_<system>_<set>_macro_f1`."""
    metrics: dict[str, float] = {}
    for key, scores in summaries.items():
        for score in scores:
            slug = _SLUGS.get(score.system, "lead" if score.system.startswith("Lead") else score.system)
            metrics.update({f"{key}_{slug}_{name}": value for name, value in score.row().items() if name != "system"})
    for topic in topics or []:
        slug = "".join(c if c.isalnum() else "_" for c in topic.system.lower()).strip("_")
        metrics.update(flat_metrics({f"topics_{slug}": {**topic.macro_f1, "worst": topic.worse_of_two}}))
    return metrics


# --------------------------------------------------------------------------- CLI


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=REPO / "configs" / "default.yaml",
        help="train nlpkit from this config on the seeds in this run (default configs/default.yaml)",
    )
    parser.add_argument(
        "--fast-config",
        type=Path,
        default=REPO / "configs" / "fast.yaml",
        help="also train fast mode from this config (skipped when its encoder folder is missing)",
    )
    parser.add_argument("--model", type=Path, help="score this bundle instead of training from --config")
    parser.add_argument("--limit", type=int, help="first N articles of each summary set (default: all)")
    parser.add_argument("--topics-only", action="store_true", help="skip the summary comparison")
    parser.add_argument(
        "--no-setfit", action="store_true", help="skip the SetFit baseline (it fine-tunes MiniLM: minutes)"
    )
    parser.add_argument(
        "--skip-test", action="store_true", help="do not predict the held-out test files (saves encoding them)"
    )
    parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help="folder holding benchmarks/ (default: ../shared)"
    )
    parser.add_argument(
        "--seeds", type=Path, default=REPO / "seeds", help="seed corpus folder (articles.jsonl, splits.json)"
    )
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="embedding cache")
    parser.add_argument("--speed-sample", type=int, default=40, help="articles per set timed cold for the encoder cost")


def run(args: argparse.Namespace) -> Report:
    """Both comparisons on the shared benchmarks, as one report."""
    benchmarks = args.shared / "benchmarks"
    if not benchmarks.is_dir():
        raise BenchmarkSkipped(f"benchmark data not found at {benchmarks} (pass --shared); nothing to compare")
    if args.limit is not None and args.limit < 1:
        raise BenchmarkError("--limit must be a positive number of articles")
    report, summaries, topics = run_comparison(args, benchmarks)
    markdown = render_markdown(report, summaries, topics)
    targets = summary_targets(summaries) + (topic_targets(topics) if topics else [])
    name = "compare-topics" if args.topics_only else (f"compare-limit{args.limit}" if args.limit else "compare-all")
    return Report(
        "compare",
        "nlpkit vs anchors and baselines on real news (python -m benchmarks compare)",
        markdown,
        report,
        params={"model": report["model"], "limit": args.limit, "setfit": not args.no_setfit},
        metrics=run_metrics(summaries, topics),
        targets=targets,
        run_name=name,
    )


def train_nlpkit(config_path: Path, cache_dir: Path, seeds: Path, overrides: Sequence[str] = ()) -> NewsModel:
    """nlpkit trained in this run on the current seeds, exactly as `python -m nlpkit.train` trains it
    (with `key=value` `overrides` of the config, as `--set` gives them)."""
    from nlpkit.training.config import load_config
    from nlpkit.training.trainer import train

    config = load_config(
        config_path,
        [f"cache_dir={cache_dir}", f"data={seeds / 'articles.jsonl'}", f"splits={seeds / 'splits.json'}", *overrides],
    )
    model_path = str(config["embed__model"])
    if model_path != "default" and not Path(model_path).is_absolute():
        config["embed__model"] = str(REPO / model_path)
    return train(config).model


def load_model(path: Path, cache_dir: Path) -> NewsModel:
    """The bundle, with its encoder pointed at the embedding cache so reruns skip encoding."""
    model = NewsModel.load(path)
    model.encoder.set_params(cache_dir=str(cache_dir)).fit()
    return model


def run_comparison(
    args: argparse.Namespace, benchmarks: Path
) -> tuple[dict, dict[str, list[SystemScore]], list[TopicScore]]:
    """Load everything, embed once (cached), run both comparisons and collect the report."""
    model = (
        load_model(args.model, args.cache_dir) if args.model else train_nlpkit(args.config, args.cache_dir, args.seeds)
    )
    report: dict[str, Any] = {
        "date": utc_now(),
        "machine": machine_info(),
        "commit": git_commit(),
        "model": _display_path(args.model) if args.model else f"trained in this run from {_display_path(args.config)}",
        "limit": args.limit,
        "summaries": {},
        "encoder": {"texts_per_s": {}, "sample_texts": {}},
    }
    if args.model:
        seeds = [m for m in (_modified(args.seeds / "articles.jsonl"), _modified(args.seeds / "splits.json")) if m]
        report.update(bundle_written=_modified(args.model / "nlpkit.json"), seeds_modified=max(seeds, default=None))
    summaries = (
        {}
        if args.topics_only
        else {key: _run_summary_set(key, benchmarks, args, model, report) for key in SUMMARY_SETS}
    )
    topics = _run_topics(benchmarks, args, model, report)
    report["load_average_end"] = load_average()
    return report, summaries, topics


def _modified(path: Path) -> str | None:
    """A file's modification time in UTC, sortable as text."""
    if not path.is_file():
        return None
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _display_path(path: Path) -> str:
    resolved = path.resolve()
    try:
        shown = str(path.relative_to(REPO)) if path.is_absolute() else str(path)
    except ValueError:
        shown = str(path)
    return f"{shown} -> {resolved.name}" if resolved.name != path.name else shown


def _record_cost(report: dict, key: str, cost: EncoderCost) -> None:
    if cost.seconds_per_text > 0:
        report["encoder"]["texts_per_s"][key] = 1.0 / cost.seconds_per_text
        report["encoder"]["sample_texts"][key] = cost.sample_texts


def _run_summary_set(
    key: str, benchmarks: Path, args: argparse.Namespace, model: NewsModel, report: dict
) -> list[SystemScore]:
    name, relative, n_fixed = SUMMARY_SETS[key]
    items = load_summary_set(benchmarks / relative, n_fixed, args.limit)
    articles = [item.article for item in items]
    log.info("%s: %d articles, %d sentences", name, len(items), count_texts(articles))
    vectors = encode(model, articles, key).vectors
    cost = measure_encoder(model.encoder, articles, args.speed_sample)
    _record_cost(report, key, cost)
    scores = compare_summaries(items, model, vectors, cost.seconds_for(articles))
    rule = f"{n_fixed} sentences" if n_fixed else "k = the reference's sentence count"
    report["summaries"][key] = {
        "name": name,
        "n": len(items),
        "length_rule": rule,
        "reference_words": mean_words([item.reference for item in items]),
        "systems": [s.row() for s in scores],
    }
    return scores


def _fast_model(args: argparse.Namespace) -> NewsModel | None:
    """Fast mode trained in this run, when its static encoder folder exists (`python -m nlpkit.distill`)."""
    from nlpkit.training.config import load_config

    if args.model or not args.fast_config or not args.fast_config.is_file():
        return None
    encoder = Path(str(load_config(args.fast_config)["embed__model"]))
    if not (encoder if encoder.is_absolute() else REPO / encoder).is_dir():
        log.warning("fast mode skipped: %s missing (run python -m nlpkit.distill)", encoder)
        return None
    return train_nlpkit(args.fast_config, args.cache_dir, args.seeds)


def _run_topics(benchmarks: Path, args: argparse.Namespace, model: NewsModel, report: dict) -> list[TopicScore]:
    seeds = load_seeds(args.seeds)
    sets = topic_sets(args.shared)
    batches = {name: encode(model, data.articles, name) for name, data in sets.items()}
    fast = _fast_model(args)
    fast_batches = {name: encode(fast, data.articles, name) for name, data in sets.items()} if fast else None
    topic_run = TopicRun(
        model, baselines.SeedData(seeds["train"], seeds["validation"]), sets, batches, fast, fast_batches
    )
    scores = compare_topics(topic_run, setfit=not args.no_setfit)
    minilm = next(s for s in scores if s.system == MINILM_LR)
    report["topics"] = {
        "n": {name: len(data) for name, data in sets.items()} | {"headline": len(sets["regional"].headline)},
        "systems": [s.row() for s in scores],
        "style_cv": style_cross_validation(topic_run, float(minilm.details["C"])),
    }
    report["test_counts"] = {}
    for file in () if args.skip_test else ("test.jsonl", "regional-test.jsonl"):
        path = benchmarks / "topics" / file
        if path.is_file():
            articles = [to_article(r) for r in read_records(path)]
            report["test_counts"][file] = predict_counts(model, encode(model, articles, file))
    return scores
