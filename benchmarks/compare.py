"""`python benchmarks/compare.py`: nlpkit against the anchors people would pick instead, on real news, in one run.

    python benchmarks/compare.py                        # every article (slow the first time, then cached)
    python benchmarks/compare.py --limit 300            # first 300 articles of each summary set, full topic dev set
    python benchmarks/compare.py --model models/latest --out benchmarks/results --shared ../shared

Every system reads the same articles, parsed once by `nlpkit.document.parse_article`, so they differ only in
how they choose sentences or topics. Writes `compare.md` and `compare.json` to --out and logs an MLflow run in
the experiment "nlpkit-benchmarks". The benchmark data is only read here; nothing is trained on it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

from anchors import (
    SUMY_ANCHORS,
    ZeroShotClassifier,
    article_text,
    fit_tfidf_svc,
    lead_summary,
    make_sumy,
    sumy_summary,
)

from nlpkit.data.corpus import LABELS, LabelledArticle
from nlpkit.embedding.encoder import EmbeddedArticle, SentenceEncoder
from nlpkit.evaluation.metrics import rouge, topic_metrics
from nlpkit.model import NewsModel
from nlpkit.text.document import Article, parse_article
from nlpkit.text.splitter import split_sentences

log = logging.getLogger("benchmarks.compare")

REPO = Path(__file__).resolve().parents[1]
EXPERIMENT = "nlpkit-benchmarks"
NLPKIT = "nlpkit"
TFIDF = "TF-IDF + LinearSVC"
ZERO_SHOT = "Zero-shot (MiniLM + topic descriptions)"
#: Summary sets: key -> (display name, path under benchmarks/, fixed summary length or None for the reference's).
SUMMARY_SETS = {
    "bbc": ("BBC News Summary", "summaries/bbc_news_summary.jsonl", None),
    "cnn": ("CNN/DailyMail", "summaries/cnn_dailymail.jsonl", 3),
}
_SLUGS = {NLPKIT: "nlpkit", TFIDF: "tfidf_svc", ZERO_SHOT: "zero_shot",
          **{name: name.split()[0].lower() for name in SUMY_ANCHORS}}


class BenchmarkError(ValueError):
    """A benchmark or seed file that cannot be read as expected; the message names the file."""


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


def read_jsonl(path: Path) -> list[dict]:
    """Records of a JSONL file; a line that is not a JSON object is an error naming file and line."""
    if not path.is_file():
        raise BenchmarkError(f"{path}: file not found")
    records = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as error:
                raise BenchmarkError(f"{path}:{number}: not valid JSON ({error.msg})") from error
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise BenchmarkError(f"{path}:{number}: expected a JSON object with a 'text' string")
            records.append(record)
    return records


def to_article(record: dict) -> Article:
    return parse_article(record["text"], str(record.get("title") or ""), id=str(record.get("id", "")))


def load_summary_set(path: Path, n_fixed: int | None, limit: int | None = None) -> list[SummaryItem]:
    """Articles with references; summary length is `n_fixed`, or the reference's sentence count."""
    items = []
    for number, record in enumerate(read_jsonl(path)[:limit], start=1):
        reference = record.get("reference_sentences") or record.get("reference")
        if not reference:
            raise BenchmarkError(f"{path}: record {number} ({record.get('id')}) has no reference")
        n_reference = len(reference) if isinstance(reference, list) else len(split_sentences(reference))
        items.append(SummaryItem(to_article(record), reference, n_fixed or max(n_reference, 1)))
    return items


def load_topic_set(path: Path) -> tuple[list[Article], list[str | None]]:
    """Articles and their `topic` (None where the labels are held out)."""
    records = read_jsonl(path)
    return [to_article(r) for r in records], [r.get("topic") for r in records]


def load_seeds(corpus: Path, splits: Path) -> dict[str, list[LabelledArticle]]:
    from nlpkit.data.corpus import CorpusError, load_corpus, load_splits

    try:
        return load_splits(splits, load_corpus(corpus))
    except CorpusError as error:
        raise BenchmarkError(str(error)) from error


# --------------------------------------------------------------------------- encoder


def count_texts(articles: Sequence[Article]) -> int:
    """Texts the encoder reads per article: the title (if any) and every sentence."""
    return sum(len(a.sentences) + bool(a.title) for a in articles)


def embed(encoder: SentenceEncoder, articles: Sequence[Article], label: str, chunk: int = 64) -> list[EmbeddedArticle]:
    """Vectors for every article, in chunks so the bar moves and the on-disk cache fills as we go."""
    from tqdm import tqdm

    vectors: list[EmbeddedArticle] = []
    with tqdm(total=len(articles), desc=f"encode {label}", unit="article", leave=False) as bar:
        for start in range(0, len(articles), chunk):
            vectors.extend(encoder.transform(articles[start : start + chunk]))
            bar.update(min(chunk, len(articles) - start))
    return vectors


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


def _timed_summaries(items: Sequence[SummaryItem], summarize: Callable[[int, SummaryItem], list[str]], label: str) -> tuple[list[list[str]], float]:
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
        systems.append((name, lambda i, item, s=summarizer: sumy_summary(s, item.article, item.n_sentences), 0.0))
    systems.append((NLPKIT, lambda i, item: nlpkit_summary(model, item.article, vectors[i], item.n_sentences), encode_seconds))
    references = [item.reference for item in items]
    scores = []
    for name, summarize, extra_seconds in systems:
        summaries, seconds = _timed_summaries(items, summarize, name)
        metrics = {**rouge(summaries, references), "words": mean_words(summaries)}
        scores.append(SystemScore(name, metrics, seconds + extra_seconds, len(items)))
    return scores


def mean_words(summaries: Sequence[Sequence[str] | str]) -> float:
    """Mean summary length in words: ROUGE F1 also rewards matching the reference's length."""
    texts = [s if isinstance(s, str) else " ".join(s) for s in summaries]
    return sum(len(t.split()) for t in texts) / max(len(texts), 1)


# --------------------------------------------------------------------------- classification


@dataclass
class TopicData:
    """Everything the classification comparison reads: seed splits, dev set and their vectors."""

    train: list[LabelledArticle]
    validation: list[LabelledArticle]
    validation_vectors: list[EmbeddedArticle]
    dev: list[Article]
    dev_truth: list[str]
    dev_vectors: list[EmbeddedArticle]
    extra: dict[str, Any] = field(default_factory=dict)


def _timed(predict: Callable[[], Sequence[str]]) -> tuple[list[str], float]:
    started = time.perf_counter()
    predicted = [str(label) for label in predict()]
    return predicted, time.perf_counter() - started


def compare_topics(data: TopicData, model: NewsModel, encode_seconds: float) -> list[SystemScore]:
    """nlpkit (the bundle) vs TF-IDF + LinearSVC and zero-shot, all scored on the same dev articles."""
    train_texts = [article_text(r.article) for r in data.train]
    validation_texts = [article_text(r.article) for r in data.validation]
    tfidf = fit_tfidf_svc(train_texts, [r.primary for r in data.train],
                          validation_texts, [r.primary for r in data.validation])
    zero_shot = ZeroShotClassifier(model.encoder).fit(data.validation_vectors, [r.primary for r in data.validation])
    data.extra.update(tfidf_C=float(tfidf.get_params()["svc__C"]), zero_shot_threshold=zero_shot.threshold_,
                      n_train=len(data.train), n_validation=len(data.validation))
    runs = [
        (TFIDF, lambda: tfidf.predict([article_text(a) for a in data.dev]), 0.0),
        (ZERO_SHOT, lambda: zero_shot.predict(data.dev_vectors), encode_seconds),
        (NLPKIT, lambda: model.decider.primary(model._proba(data.dev_vectors)), encode_seconds),
    ]
    scores = []
    for name, predict, extra_seconds in runs:
        predicted, seconds = _timed(predict)
        metrics = topic_metrics(data.dev_truth, predicted, list(LABELS))
        metrics = {k: v for k, v in metrics.items() if k in ("macro_f1", "accuracy") or k.startswith("f1_")}
        scores.append(SystemScore(name, metrics, seconds + extra_seconds, len(data.dev)))
    return scores


def predict_counts(model: NewsModel, articles: Sequence[Article], vectors: Sequence[EmbeddedArticle]) -> dict[str, int]:
    """nlpkit's full prediction (topics + summary) on unlabelled articles: how many per predicted topic."""
    counts = Counter(p.topic for p in model._predict_embedded(articles, vectors))
    return {label: counts.get(label, 0) for label in LABELS}


# --------------------------------------------------------------------------- report


def machine_info() -> dict[str, Any]:
    """Cores, CPU model and platform, for the header of the table."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "platform": platform.platform(), "python": platform.python_version(),
            "load_average": _load_average()}


def _load_average() -> float | None:
    """1-minute load: speed figures from a machine busy with other work are not comparable."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _speed(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def summary_table(scores: Sequence[SystemScore]) -> list[str]:
    lines = ["| system | ROUGE-1 | ROUGE-2 | ROUGE-L | words | articles/s |", "|---|---:|---:|---:|---:|---:|"]
    for s in scores:
        m = s.metrics
        name = f"**{s.system}**" if s.system == NLPKIT else s.system
        lines.append(f"| {name} | {m['rouge1']:.2f} | {m['rouge2']:.2f} | {m['rougeL']:.2f} | {m['words']:.0f} | {_speed(s.articles_per_s)} |")
    return lines


def topic_table(scores: Sequence[SystemScore]) -> list[str]:
    head = "| system | macro-F1 | accuracy | " + " | ".join(f"F1 {label}" for label in LABELS) + " | articles/s |"
    lines = [head, "|---|" + "---:|" * (len(LABELS) + 3)]
    for s in scores:
        m = s.metrics
        name = f"**{s.system}**" if s.system == NLPKIT else s.system
        cells = " | ".join(f"{m[f'f1_{label}']:.3f}" for label in LABELS)
        lines.append(f"| {name} | {m['macro_f1']:.3f} | {m['accuracy']:.3f} | {cells} | {_speed(s.articles_per_s)} |")
    return lines


def target_lines(summaries: dict[str, list[SystemScore]], topics: list[SystemScore] | None) -> list[str]:
    """The issue's targets, checked against this run's numbers (met / missed and by how much)."""
    lines = []
    if "bbc" in summaries:
        ours, anchors = _split(summaries["bbc"])
        for key, label in (("rouge1", "ROUGE-1"), ("rouge2", "ROUGE-2"), ("rougeL", "ROUGE-L")):
            best = max(anchors, key=lambda s: s.metrics[key])
            gap = ours.metrics[key] - best.metrics[key]
            verdict = "met" if gap >= 2.0 else f"missed by {2.0 - gap:.2f}"
            lines.append(f"- BBC {label}: nlpkit {ours.metrics[key]:.2f} vs best anchor {best.system} "
                         f"{best.metrics[key]:.2f} ({gap:+.2f}; target +2.00): **{verdict}**")
    if "cnn" in summaries:
        ours, anchors = _split(summaries["cnn"])
        lead = next(s for s in anchors if s.system.startswith("Lead"))
        for key, label in (("rouge1", "ROUGE-1"), ("rouge2", "ROUGE-2")):
            gap = ours.metrics[key] - lead.metrics[key]
            verdict = "met" if gap > 0 else f"missed by {-gap:.2f}"
            lines.append(f"- CNN/DailyMail {label}: nlpkit {ours.metrics[key]:.2f} vs {lead.system} "
                         f"{lead.metrics[key]:.2f} ({gap:+.2f}; target > 0): **{verdict}**")
    if topics:
        ours, baselines = _split(topics)
        best = max(baselines, key=lambda s: s.metrics["macro_f1"])
        f1 = ours.metrics["macro_f1"]
        ok = f1 >= 0.90 and f1 > best.metrics["macro_f1"]
        verdict = "met" if ok else f"missed (needs >= 0.900 and > {best.metrics['macro_f1']:.3f})"
        lines.append(f"- Topics macro-F1: nlpkit {f1:.3f} vs best baseline {best.system} "
                     f"{best.metrics['macro_f1']:.3f} (target >= 0.900 and above both): **{verdict}**")
    return lines


def _split(scores: Sequence[SystemScore]) -> tuple[SystemScore, list[SystemScore]]:
    return next(s for s in scores if s.system == NLPKIT), [s for s in scores if s.system != NLPKIT]


def render_markdown(report: dict[str, Any], summaries: dict[str, list[SystemScore]],
                    topics: list[SystemScore] | None) -> str:
    """The whole comparison as one Markdown page: header, one table per task, targets, method notes."""
    machine = report["machine"]
    lines = [
        "# nlpkit vs anchors",
        "",
        f"Date: {report['date']} · machine: {machine['cores']} cores, {machine['cpu']}, {machine['platform']}, "
        f"Python {machine['python']} · commit `{report.get('commit', 'unknown')[:10]}`",
        f"Model: `{report['model']}` · limit per summary set: {report['limit'] or 'none (all articles)'} · "
        f"load average (1 min) at start {machine.get('load_average')}, at end {report.get('load_average_end')}",
        "",
        *_staleness_warning(report),
    ]
    for key, scores in summaries.items():
        info = report["summaries"][key]
        lines += [f"## Summarization: {info['name']} (first {info['n']} articles; {info['length_rule']}; "
                  f"references average {info['reference_words']:.0f} words)", "", *summary_table(scores), ""]
    if topics:
        info = report["topics"]
        lines += [f"## Topic classification: dev.jsonl ({info['n']} articles; trained on {info['n_train']} seed "
                  f"articles, thresholds on {info['n_validation']} seed validation articles)", "", *topic_table(topics), "",
                  f"TF-IDF C chosen on seed validation: {info['tfidf_C']:g}; zero-shot `other` threshold: "
                  f"{info['zero_shot_threshold']:.2f}.", ""]
    if report.get("test_counts"):
        counts = report["test_counts"]
        lines += [f"## test.jsonl (labels held out): nlpkit's predicted topics over {sum(counts.values())} articles", "",
                  "| " + " | ".join(counts) + " |", "|" + "---:|" * len(counts),
                  "| " + " | ".join(str(v) for v in counts.values()) + " |", ""]
    lines += ["## Targets (issue 5)", "", *target_lines(summaries, topics), "", *_method_notes(report)]
    return "\n".join(lines) + "\n"


def _staleness_warning(report: dict[str, Any]) -> list[str]:
    """The TF-IDF baseline trains on the current seeds; a bundle trained on older seeds is not like for like."""
    bundle, seeds = report.get("bundle_written"), report.get("seeds_modified")
    if not bundle or not seeds or seeds <= bundle:
        return []
    return [f"> Warning: the seed corpus changed ({seeds}) after this bundle was trained ({bundle}); the baselines "
            "are trained on the current seeds. Retrain (`python -m nlpkit.train`) for a like-for-like comparison.", ""]


def _method_notes(report: dict[str, Any]) -> list[str]:
    cost = report.get("encoder", {})
    rates = ", ".join(f"{k} {v:.0f}" for k, v in cost.get("texts_per_s", {}).items())
    return [
        "## How this was measured",
        "",
        "- One process; every system reads the same articles, parsed once by `nlpkit.document.parse_article` "
        "(furniture removal + news sentence splitter). sumy gets those sentences through its object document "
        "model (its own tokenizer needs NLTK data), with its English stemmer and stop words.",
        "- ROUGE: `rouge-score` F1 x100 with stemming, via `nlpkit.metrics.rouge`; ROUGE-L is the summary-level "
        "ROUGE-Lsum (sentences on separate lines).",
        "- Speed: articles/s of each system's own step on these articles (parsing, shared by all, excluded). "
        "Systems that read sentence vectors (nlpkit, zero-shot) also pay for the encoder, timed cold (no cache) "
        f"on a sample of each set and charged per title/sentence: {rates} texts/s.",
        "- Classification: nlpkit is the bundle as trained on the seed corpus; TF-IDF + LinearSVC is trained on the "
        "same seed train split; the zero-shot baseline uses one written description per topic and no examples. "
        "No benchmark item is used for training. The topic head's global settings (mean+max pooling, TF-IDF block "
        "weight) were chosen by a coarse grid on dev.jsonl, and the summarizer's few global weights (lexical "
        "weight, coverage ramp) on the first 300 articles of each summary set; nothing is tuned per item.",
    ]


# --------------------------------------------------------------------------- MLflow


def log_run(report: dict[str, Any], summaries: dict[str, list[SystemScore]], topics: list[SystemScore] | None,
            markdown: str) -> str:
    """One MLflow run in "nlpkit-benchmarks" with every figure as `<set>_<system>_<metric>` and the table."""
    from nlpkit.tracking import runs as tracking

    tracking.configure(REPO / "experiments")
    metrics: dict[str, float] = {}
    for key, scores in [*summaries.items(), *([("dev", topics)] if topics else [])]:
        for score in scores:
            slug = _SLUGS.get(score.system, "lead" if score.system.startswith("Lead") else score.system)
            metrics.update({f"{key}_{slug}_{name}": value for name, value in score.row().items() if name != "system"})
    name = f"compare-limit{report['limit']}" if report["limit"] else "compare-all"
    with tracking.run(EXPERIMENT, name, "nlpkit vs anchors on real news (benchmarks/compare.py)") as active:
        tracking.log_config({"model": report["model"], "limit": report["limit"], "cores": report["machine"]["cores"],
                             "cpu": report["machine"]["cpu"], **{f"n_{k}": v["n"] for k, v in report["summaries"].items()}})
        tracking.log_metrics(metrics)
        tracking.log_text(markdown, "compare.md")
        tracking.log_json(report, "compare.json")
        return active.info.run_id


# --------------------------------------------------------------------------- CLI


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python benchmarks/compare.py", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=REPO / "models" / "latest", help="nlpkit bundle (default: models/latest)")
    parser.add_argument("--limit", type=int, help="first N articles of each summary set (default: all)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results", help="where compare.md/.json go")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="folder holding benchmarks/ (default: ../shared)")
    parser.add_argument("--seeds", type=Path, default=REPO / "seeds", help="seed corpus folder (articles.jsonl, splits.json)")
    parser.add_argument("--cache-dir", type=Path, default=REPO / ".cache" / "nlpkit" / "embeddings", help="embedding cache")
    parser.add_argument("--speed-sample", type=int, default=40, help="articles per set timed cold for the encoder cost")
    parser.add_argument("--no-mlflow", action="store_true", help="do not log an MLflow run")
    parser.add_argument("--quiet", action="store_true", help="only warnings and errors")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    benchmarks = args.shared / "benchmarks"
    if not benchmarks.is_dir():
        print(f"benchmark data not found at {benchmarks} (pass --shared); nothing to compare, skipping.")
        return 0
    from nlpkit.cli.common import configure_logging, fail

    configure_logging(args.quiet)
    if args.limit is not None and args.limit < 1:
        return fail("--limit must be a positive number of articles")
    try:
        report, summaries, topics = run_comparison(args, benchmarks)
    except BenchmarkError as error:
        return fail(str(error))
    markdown = render_markdown(report, summaries, topics)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "compare.md").write_text(markdown, encoding="utf-8")
    (args.out / "compare.json").write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    if not args.no_mlflow:
        report["mlflow_run_id"] = log_run(report, summaries, topics, markdown)
    print(markdown)
    print(f"wrote {args.out / 'compare.md'} and {args.out / 'compare.json'}"
          + (f"; MLflow run {report['mlflow_run_id']} in {EXPERIMENT}" if "mlflow_run_id" in report else ""))
    return 0


def load_model(path: Path, cache_dir: Path) -> NewsModel:
    """The bundle, with its encoder pointed at the embedding cache so reruns skip encoding."""
    from nlpkit.bundle import BundleError

    try:
        model = NewsModel.load(path)
    except BundleError as error:
        raise BenchmarkError(str(error)) from error
    model.encoder.set_params(cache_dir=str(cache_dir)).fit()
    return model


def run_comparison(args: argparse.Namespace, benchmarks: Path) -> tuple[dict, dict[str, list[SystemScore]], list[SystemScore]]:
    """Load everything, embed once (cached), run both comparisons and collect the report."""
    from nlpkit.tracking.runs import git_commit

    model = load_model(args.model, args.cache_dir)
    report: dict[str, Any] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine_info(),
        "commit": git_commit(), "model": _display_path(args.model), "limit": args.limit,
        "summaries": {}, "encoder": {"texts_per_s": {}, "sample_texts": {}},
    }
    seeds = [m for m in (_modified(args.seeds / "articles.jsonl"), _modified(args.seeds / "splits.json")) if m]
    report.update(bundle_written=_modified(args.model / "nlpkit.json"), seeds_modified=max(seeds, default=None))
    summaries = {key: _run_summary_set(key, benchmarks, args, model, report) for key in SUMMARY_SETS}
    topics = _run_topics(benchmarks, args, model, report)
    report["load_average_end"] = _load_average()
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


def _run_summary_set(key: str, benchmarks: Path, args: argparse.Namespace, model: NewsModel, report: dict) -> list[SystemScore]:
    name, relative, n_fixed = SUMMARY_SETS[key]
    items = load_summary_set(benchmarks / relative, n_fixed, args.limit)
    articles = [item.article for item in items]
    log.info("%s: %d articles, %d sentences", name, len(items), count_texts(articles))
    vectors = embed(model.encoder, articles, key)
    cost = measure_encoder(model.encoder, articles, args.speed_sample)
    _record_cost(report, key, cost)
    scores = compare_summaries(items, model, vectors, cost.seconds_for(articles))
    rule = f"{n_fixed} sentences" if n_fixed else "k = the reference's sentence count"
    report["summaries"][key] = {"name": name, "n": len(items), "length_rule": rule,
                                "reference_words": mean_words([item.reference for item in items]),
                                "systems": [s.row() for s in scores]}
    return scores


def _run_topics(benchmarks: Path, args: argparse.Namespace, model: NewsModel, report: dict) -> list[SystemScore]:
    seeds = load_seeds(args.seeds / "articles.jsonl", args.seeds / "splits.json")
    dev, truth = load_topic_set(benchmarks / "topics" / "dev.jsonl")
    if any(label not in LABELS for label in truth):
        raise BenchmarkError(f"{benchmarks / 'topics' / 'dev.jsonl'}: every item needs a topic in {LABELS}")
    validation = seeds["validation"]
    data = TopicData(seeds["train"], validation, embed(model.encoder, [r.article for r in validation], "seed validation"),
                     dev, [str(t) for t in truth], embed(model.encoder, dev, "dev"))
    cost = measure_encoder(model.encoder, dev, args.speed_sample)
    _record_cost(report, "dev", cost)
    scores = compare_topics(data, model, cost.seconds_for(dev))
    report["topics"] = {"n": len(dev), **data.extra, "systems": [s.row() for s in scores]}
    test, _ = load_topic_set(benchmarks / "topics" / "test.jsonl")
    report["test_counts"] = predict_counts(model, test, embed(model.encoder, test, "test"))
    return scores


if __name__ == "__main__":
    sys.exit(main())
