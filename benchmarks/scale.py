"""Time and peak memory of predict, digest and label on 10,000 articles (fast static encoder).

The 10,000 articles are the seed corpus repeated with new ids, spread over 30 days and 12 outlets, in
100 JSONL files of 100 (a folder as a scraper leaves it). Each command runs as its own process with the
embedding cache off, so every article is encoded; peak memory is that process's maximum resident set.

    python -m nlpkit.distill && python -m nlpkit.train --config configs/fast.yaml --no-track
    python -m benchmarks scale --model models/latest              # 10,000 articles
    python -m benchmarks scale --model models/latest --articles 2000 --commands digest
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, BenchmarkError
from benchmarks.report import Report

COMMANDS = ("predict", "digest", "label")

log = logging.getLogger("benchmarks.scale")


def make_folder(folder: Path, count: int, per_file: int = 100) -> Path:
    """`count` articles from the seed corpus, cycled with fresh ids, dates and outlets."""
    lines = (REPO / "seeds" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    seeds = [json.loads(line) for line in lines if line.strip()]
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, count, per_file):
        lines = []
        for i in range(start, min(start + per_file, count)):
            seed = seeds[i % len(seeds)]
            lines.append(
                json.dumps(
                    {
                        "id": f"a{i:05d}",
                        "title": seed.get("title", ""),
                        "text": seed["text"],
                        "date": f"2025-03-{1 + i % 30:02d}",
                        "source": f"outlet-{i % 12:02d}",
                    }
                )
            )
        (folder / f"feed-{start // per_file:03d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def measure(command: list[str]) -> dict[str, float]:
    """Wall and CPU seconds and peak resident memory (MB) of one child process.

    CPU seconds (user + system) are the steadier figure on a shared machine; wall time depends on the load.
    """
    started = time.perf_counter()
    with open(os.devnull, "w") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.PIPE, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}
        )
        _, status, usage = os.wait4(process.pid, 0)
        stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise BenchmarkError(f"{' '.join(command[:3])} failed ({code}): {stderr[-500:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),
        "exit": float(code),
        "load_average": round(os.getloadavg()[0], 1),
    }


def commands(folder: Path, out: Path, model: str) -> dict[str, list[str]]:
    """Each command as a user types it, with every output in `out`."""
    common = [str(folder), "--model", model, "--quiet"]
    return {
        "predict": [sys.executable, "-m", "nlpkit.predict", *common, "--output", str(out / "p.jsonl")],
        "digest": [
            sys.executable,
            "-m",
            "nlpkit.digest",
            *common,
            "--output",
            str(out / "d.json"),
            "--html",
            str(out / "d.html"),
            "--top",
            "0",
        ],
        "label": [sys.executable, "-m", "nlpkit.label", *common, "--n", "50", "--output", str(out / "l.jsonl")],
    }


def measure_all(model: str, articles: int, names: list[str]) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        folder = make_folder(out / "feed", articles)
        for name in names:
            results[name] = measure(commands(folder, out, model)[name])
            if name == "digest":
                data = json.loads((out / "d.json").read_text(encoding="utf-8"))
                results[name]["stories"] = float(len(data["stories"]))
                results[name]["html_mb"] = round((out / "d.html").stat().st_size / 1e6, 1)
            log.info("%s: %s", name, results[name])
    return results


def render(report: dict[str, Any]) -> str:
    lines = [
        f"{report['articles']} articles, model `{report['model']}`",
        "",
        "| command | wall s | articles/s | CPU s | peak MB | load average | notes |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name in COMMANDS:
        row = report.get(name)
        if row is None:
            continue
        rate = report["articles"] / max(row["seconds"], 1e-9)
        notes = f"{int(row['stories'])} stories, page {row['html_mb']} MB" if "stories" in row else ""
        lines.append(
            f"| {name} | {row['seconds']:.1f} | {rate:.0f} | {row['cpu_seconds']:.1f} | {row['peak_mb']:.0f} | "
            f"{row['load_average']} | {notes} |"
        )
    return "\n".join(lines) + "\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default="models/latest", help="bundle (the fast one: configs/fast.yaml)")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--commands", nargs="+", choices=COMMANDS, default=list(COMMANDS))


def run(args: argparse.Namespace) -> Report:
    report: dict[str, Any] = {
        "articles": args.articles,
        "model": args.model,
        **measure_all(args.model, args.articles, args.commands),
    }
    return Report(
        "scale",
        "predict, digest and label at scale (python -m benchmarks scale)",
        render(report),
        report,
        params={"model": args.model, "articles": args.articles, "commands": args.commands},
    )
