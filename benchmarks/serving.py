"""First-request latency of `mlflow models serve` (issue 24, item 3 "Warm start").

The pyfunc model loads its encoder in `load_context`, so the first request should cost what the others do.
Target: the first served request within 2x the median of the rest. The bundle is saved as a pyfunc model
with nlpkit's own flavor code (`nlpkit.tracking.flavor.save_news_model`, the model `nlpkit.train` logs) and
served as a user serves it (`nlpkit.tracking.scoring.serve_model`: `--env-manager local`, one worker, on
loopback). Each series gets a NEW server, so its first request is the server's first: one article, then a
batch. Every request is the same body; wall time is timed by the client, CPU time is the server's.

    python -m nlpkit.train --set cache_dir=/work/cache/emb --no-track --quiet     # models/latest
    python -m benchmarks serving --no-mlflow --out /tmp/serving
    python -m benchmarks serving --model models/<bundle> --requests 41 --batch 10
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

from benchmarks.common import REPO, BenchmarkError, TargetResult, check, load_average, utc_now
from benchmarks.report import Report
from nlpkit.bundle import MANIFEST

#: The first request may take this many times the median of the rest (issue 24).
FIRST_REQUEST_LIMIT = 2.0
SEEDS = REPO / "seeds"

log = logging.getLogger("benchmarks.serving")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", type=Path, default=REPO / "models" / "latest", help="bundle to serve (default models/latest)"
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="with no bundle at --model: train the default config on the seed corpus in a temporary folder, "
        "reading sentence vectors from this embedding cache",
    )
    parser.add_argument("--requests", type=int, default=21, help="requests per series, the first included (21)")
    parser.add_argument("--batch", type=int, default=10, help="articles in the batch series' request (10)")


# --------------------------------------------------------------------------- pure helpers


def request_articles(count: int, corpus: Path = SEEDS / "articles.jsonl") -> list[dict[str, str]]:
    """The first `count` seed articles with a body, as users send them (pyfunc contract: `text`, optional `title`)."""
    articles = []
    for line in corpus.read_text(encoding="utf-8").splitlines():
        row = json.loads(line) if line.strip() else {}
        if str(row.get("text") or "").strip():
            articles.append({"title": str(row.get("title") or ""), "text": str(row["text"])})
        if len(articles) == count:
            return articles
    raise BenchmarkError(f"{corpus}: {len(articles)} articles with text, {count} wanted")


def request_body(articles: Sequence[dict[str, str]]) -> dict[str, Any]:
    """The JSON `mlflow models serve` takes at `/invocations`: one record per article."""
    return {"dataframe_records": [dict(article) for article in articles]}


def latency_summary(seconds: Sequence[float], limit: float = FIRST_REQUEST_LIMIT) -> dict[str, Any]:
    """The first request against the median of the rest: their ratio and whether it is within `limit`.

    A median of zero (a CPU clock too coarse for the requests) gives no ratio and no verdict.
    """
    if len(seconds) < 2:
        raise ValueError(f"need the first request and at least one more, got {len(seconds)}")
    first, median = float(seconds[0]), float(statistics.median(seconds[1:]))
    ratio = first / median if median > 0 else None
    return {
        "first": first,
        "median_rest": median,
        "min_rest": float(min(seconds[1:])),
        "max_rest": float(max(seconds[1:])),
        "ratio": ratio,
        "met": None if ratio is None else ratio <= limit,
    }


def check_answer(status: int, answer: dict[str, Any], expected: int) -> None:
    """A timed request only counts if the server predicted every article."""
    predictions = answer.get("predictions") if isinstance(answer, dict) else None
    if status != 200 or not isinstance(predictions, list) or len(predictions) != expected:
        raise BenchmarkError(f"the server answered {status}: {json.dumps(answer)[:500]}")
    failed = [p for p in predictions if p.get("error") or not p.get("topic")]
    if failed:
        raise BenchmarkError(f"{len(failed)} of {expected} articles not predicted: {failed[0]}")


# --------------------------------------------------------------------------- measuring


def resolve_bundle(model: Path, cache_dir: Path | None, work: Path) -> tuple[Path, str]:
    """The bundle to serve and how it is described; trained here (default config, seeds) when absent."""
    if (model / MANIFEST).is_file():
        return model.resolve(), _shown(model)
    if cache_dir is None:
        raise BenchmarkError(
            f"no bundle at {_shown(model)}: train one with `python -m nlpkit.train --set cache_dir=DIR --no-track` "
            "or pass --cache-dir DIR to train the default config here"
        )
    from nlpkit.training.config import load_config
    from nlpkit.training.trainer import save_bundle, train

    log.info("no bundle at %s: training configs/default.yaml on the seed corpus", _shown(model))
    overrides = [
        f"cache_dir={cache_dir}",
        f"models_dir={work / 'models'}",
        f"data={SEEDS / 'articles.jsonl'}",
        f"splits={SEEDS / 'splits.json'}",
    ]
    bundle = save_bundle(train(load_config(REPO / "configs" / "default.yaml", overrides)), "serving")
    return bundle, "configs/default.yaml trained in this run"


def _shown(path: Path) -> str:
    try:
        return str(path.absolute().relative_to(REPO))
    except ValueError:
        return str(path)


def measure_series(model_dir: Path, work: Path, articles: list[dict[str, str]], requests: int) -> dict[str, Any]:
    """A new server, then the same request `requests` times: each one's wall time and the server's CPU time."""
    from nlpkit.tracking.scoring import serve_model

    body = request_body(articles)
    work.mkdir(parents=True)
    walls, cpus = [], []
    with serve_model(str(model_dir), work) as server:
        ready_cpu = server.cpu_seconds()
        for _ in range(requests):
            cpu_before, started = server.cpu_seconds(), time.perf_counter()
            status, answer = server.invoke(body)
            walls.append(time.perf_counter() - started)
            cpus.append(server.cpu_seconds() - cpu_before)
            check_answer(status, answer, len(articles))
    log.info("%d article(s): ready after %.1f s; first %.3f s", len(articles), server.ready_seconds, walls[0])
    return {
        "articles": len(articles),
        "ready_seconds": server.ready_seconds,
        "ready_cpu_seconds": ready_cpu,
        "wall": latency_summary(walls),
        "cpu": latency_summary(cpus),
        "wall_seconds": walls,
        "cpu_seconds": cpus,
    }


def run(args: argparse.Namespace) -> Report:
    if args.requests < 2 or args.batch < 1:
        raise BenchmarkError("--requests must be at least 2 and --batch at least 1")
    import pandas as pd

    from nlpkit.tracking.flavor import save_news_model

    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="nlpkit-serving-") as temp:
        work = Path(temp)
        bundle, shown = resolve_bundle(args.model, args.cache_dir, work)
        single, batch = request_articles(1), request_articles(args.batch)
        started = time.perf_counter()
        model_dir = save_news_model(bundle, work / "model", pd.DataFrame(single))
        save_seconds = time.perf_counter() - started
        series = {
            "single": measure_series(model_dir, work / "single", single, args.requests),
            "batch": measure_series(model_dir, work / "batch", batch, args.requests),
        }
    payload = {
        "date": utc_now(),
        "model": shown,
        "requests": args.requests,
        "save_seconds": save_seconds,
        "load_average": {"start": load_before, "end": load_average()},
        "series": series,
    }
    targets = [_target(name, result) for name, result in series.items()]
    return Report(
        "serving",
        "first-request latency of mlflow models serve (python -m benchmarks serving)",
        render_markdown(payload, targets),
        payload,
        params={"model": shown, "requests": args.requests, "batch": args.batch},
        targets=targets,
        run_name=f"serving-{args.requests}x",
    )


def _target(name: str, result: dict[str, Any]) -> TargetResult:
    wall = result["wall"]
    note = f"{result['articles']} article(s): {wall['first'] * 1000:.0f} ms vs {wall['median_rest'] * 1000:.0f} ms"
    return check("first_request_ratio", wall["ratio"], note)


def render_markdown(payload: dict[str, Any], targets: Sequence[TargetResult]) -> str:
    loads = payload["load_average"]
    lines = [
        f"### serving: first-request latency, {payload['date']}",
        "",
        f"Model `{payload['model']}` saved as an nlpkit pyfunc model ({payload['save_seconds']:.1f} s) and served by "
        f"`mlflow models serve --env-manager local --workers 1`, a new server per series; {payload['requests']} "
        f"identical requests each. Load average (1/5/15 min) {loads['start']} at the start, {loads['end']} at the end.",
        "",
        "| request | ready after (server CPU) | first request wall (server CPU) | median of the rest wall "
        "(server CPU) | rest min-max wall | first / median wall (CPU) | within 2x |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for result in payload["series"].values():
        wall, cpu = result["wall"], result["cpu"]
        ratio = f"{_ratio(wall['ratio'])} ({_ratio(cpu['ratio'])})"
        met = {True: "yes", False: "**no**", None: "n/a"}[wall["met"]]
        lines.append(
            f"| {result['articles']} article(s) | {result['ready_seconds']:.1f} s ({result['ready_cpu_seconds']:.1f} s)"
            f" | {wall['first'] * 1000:.0f} ms ({cpu['first'] * 1000:.0f} ms)"
            f" | {wall['median_rest'] * 1000:.0f} ms ({cpu['median_rest'] * 1000:.0f} ms)"
            f" | {wall['min_rest'] * 1000:.0f}-{wall['max_rest'] * 1000:.0f} ms | {ratio} | {met} |"
        )
    lines += ["", "#### Targets (issue 24)", "", *(target.line() for target in targets)]
    return "\n".join(lines)


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"
