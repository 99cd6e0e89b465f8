"""`python -m nlpkit.evaluate DATA`: score a model on labelled articles and log an evaluation run.

    python -m nlpkit.evaluate ../shared/benchmarks/topics/dev.jsonl
    python -m nlpkit.evaluate ../shared/benchmarks/summaries/bbc_news_summary.jsonl --limit 300
    python -m nlpkit.evaluate my_labelled.jsonl --model models:/news@champion

Lines with a `topic` field (or `topics`, primary first) are scored for topics: per-topic precision/recall/F1,
macro-F1 and accuracy. Lines with `reference_sentences`, `reference` or `summary` are scored for summaries: ROUGE-1/2/L
at the reference's sentence count (`--summary-sentences N` fixes it), next to Lead-k.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from nlpkit.cli.common import configure_logging, fail, load_model

log = logging.getLogger("nlpkit.cli.evaluate")


@dataclass
class Item:
    """One evaluation line: the article and whatever labels it has."""

    id: str
    title: str
    text: str
    topic: str | None
    reference: list[str] | str | None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m nlpkit.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="JSONL with title/text and a topic and/or reference summary")
    parser.add_argument("--model", default="models/latest", help="bundle folder or MLflow model URI")
    parser.add_argument("--limit", type=int, help="only the first N lines")
    parser.add_argument("--summary-sentences", type=int, metavar="N", help="fixed summary length (default: the reference's)")
    parser.add_argument("--experiment", default="nlpkit-evaluations", help="MLflow experiment for the evaluation run")
    parser.add_argument("--no-log", action="store_true", help="print the figures without logging an MLflow run")
    parser.add_argument("--quiet", action="store_true")
    return parser


def read_items(path: Path, limit: int | None = None) -> list[Item]:
    """Evaluation lines; a malformed line is an error naming file and line."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: malformed JSON ({error.msg})") from error
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise ValueError(f"{path}:{number}: expected an object with a 'text' string")
        topic = data.get("topic") or (data.get("topics") or [None])[0]
        reference = data.get("reference_sentences") or data.get("reference") or data.get("summary") or None
        items.append(Item(str(data.get("id", number)), str(data.get("title") or ""), data["text"], topic, reference))
        if limit and len(items) >= limit:
            break
    return items


def evaluate(model, items: list[Item], summary_sentences: int | None = None) -> tuple[dict[str, float], dict]:
    """Topic and summary figures for the items that carry each kind of label."""
    from nlpkit.text.document import parse_article
    from nlpkit.evaluation.evaluators import evaluate_summaries, evaluate_topics
    from nlpkit.evaluation.metrics import confusion, topic_report

    articles = [parse_article(item.text, item.title, id=item.id) for item in items]
    vectors = model.embed(articles)
    metrics: dict[str, float] = {}
    extras: dict = {}
    topical = [i for i, item in enumerate(items) if item.topic]
    if topical:
        truth = [items[i].topic for i in topical]
        result = evaluate_topics(model, [articles[i] for i in topical], [vectors[i] for i in topical], truth)
        predicted = [p.topic for p in result.predictions]
        metrics.update(result.metrics)
        extras["report"] = topic_report(truth, predicted, model.labels)
        extras["confusion"] = confusion(truth, predicted, model.labels)
    summarised = [i for i, item in enumerate(items) if item.reference and articles[i].sentences]
    if summarised:
        references = [items[i].reference for i in summarised]
        lengths = [summary_sentences or _sentence_count(ref) for ref in references]
        metrics.update(evaluate_summaries(model, [articles[i] for i in summarised], [vectors[i] for i in summarised], references, lengths))
    metrics["n_topic_items"] = float(len(topical))
    metrics["n_summary_items"] = float(len(summarised))
    return metrics, extras


def _sentence_count(reference: list[str] | str) -> int:
    if isinstance(reference, list):
        return max(len(reference), 1)
    return max(len([line for line in reference.split("\n") if line.strip()]), 1)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.quiet)
    if not args.data.is_file():
        return fail(f"data file {args.data} not found")
    try:
        items = read_items(args.data, args.limit)
    except ValueError as error:
        return fail(str(error))
    if not any(item.topic or item.reference for item in items):
        return fail(f"{args.data}: no line has a 'topic', 'topics', 'reference' or 'reference_sentences' field")
    try:
        model = load_model(args.model)
    except (ValueError, OSError) as error:
        return fail(f"model {args.model}: {error}")
    metrics, extras = evaluate(model, items, args.summary_sentences)
    print(format_report(args.data, metrics, extras))
    if not args.no_log:
        _log_run(args, model, metrics, extras)
    return 0


def format_report(data: Path, metrics: dict[str, float], extras: dict) -> str:
    lines = [f"evaluation of {data}"]
    if "report" in extras:
        lines += [extras["report"], f"macro-F1 {metrics['macro_f1']:.3f}  accuracy {metrics['accuracy']:.3f}"]
    if "summary_rouge1" in metrics:
        for system in ("summary", "lead"):
            name = "nlpkit" if system == "summary" else "Lead-k"
            lines.append(f"{name:<8} ROUGE-1 {metrics[f'{system}_rouge1']:.2f}  ROUGE-2 {metrics[f'{system}_rouge2']:.2f}  "
                         f"ROUGE-L {metrics[f'{system}_rougeL']:.2f}")
    return "\n".join(lines)


def _log_run(args: argparse.Namespace, model, metrics: dict[str, float], extras: dict) -> None:
    from nlpkit.tracking import runs as tracking

    tracking.configure()
    training_run = model.provenance.get("mlflow_run_id", "")
    tags = {"training_run_id": training_run, "model": str(args.model), "data": str(args.data)}
    name = f"eval-{args.data.stem}-{model.provenance.get('run_name', 'model')}"
    with tracking.run(args.experiment, name, f"evaluation of {args.model} on {args.data}", tags=tags) as active:
        tracking.log_params({"data": str(args.data), "limit": args.limit, "model": str(args.model), "training_run_id": training_run})
        tracking.log_metrics(metrics)
        if "report" in extras:
            tracking.log_text(extras["report"], "classification_report.txt")
            tracking.log_confusion_matrix(extras["confusion"], model.labels, "confusion_matrix.png", args.data.name)
    print(f"logged evaluation run {active.info.run_id} (linked to training run {training_run or 'unknown'})", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
