"""Time and peak memory of predict, digest and label on 10,000 articles (fast static encoder).

The 10,000 articles are the seed corpus repeated with new ids, spread over 30 days and 12 outlets, in
100 JSONL files of 100 (a folder as a scraper leaves it). Each command runs as its own process with the
embedding cache off, so every article is encoded; peak memory is that process's maximum resident set.

    python -m nlpkit.distill && python -m nlpkit.train --config configs/fast.yaml --no-track
    python benchmarks/scale.py --model models/latest              # 10,000 articles
    python benchmarks/scale.py --model models/latest --articles 2000 --commands digest
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def make_folder(folder: Path, count: int, per_file: int = 100) -> Path:
    """`count` articles from the seed corpus, cycled with fresh ids, dates and outlets."""
    seeds = [json.loads(line) for line in (ROOT / "seeds" / "articles.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, count, per_file):
        lines = []
        for i in range(start, min(start + per_file, count)):
            seed = seeds[i % len(seeds)]
            lines.append(json.dumps({"id": f"a{i:05d}", "title": seed.get("title", ""), "text": seed["text"],
                                     "date": f"2025-03-{1 + i % 30:02d}", "source": f"outlet-{i % 12:02d}"}))
        (folder / f"feed-{start // per_file:03d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def measure(command: list[str]) -> dict[str, float]:
    """Wall and CPU seconds and peak resident memory (MB) of one child process.

    CPU seconds (user + system) are the steadier figure on a shared machine; wall time depends on the load.
    """
    started = time.perf_counter()
    with open(os.devnull, "w") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        _, status, usage = os.wait4(process.pid, 0)
        stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({code}): {stderr[-500:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return {"seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1), "peak_mb": round(usage.ru_maxrss / 1024, 1),
            "exit": float(code), "load_average": round(os.getloadavg()[0], 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/latest", help="bundle (the fast one: configs/fast.yaml)")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--commands", nargs="+", default=["predict", "digest", "label"])
    args = parser.parse_args(argv)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = make_folder(Path(tmp) / "feed", args.articles)
        out = Path(tmp)
        commands = {
            "predict": [sys.executable, "-m", "nlpkit.predict", str(folder), "--model", args.model, "--output", str(out / "p.jsonl"), "--quiet"],
            "digest": [sys.executable, "-m", "nlpkit.digest", str(folder), "--model", args.model, "--output", str(out / "d.json"),
                       "--html", str(out / "d.html"), "--quiet", "--top", "0"],
            "label": [sys.executable, "-m", "nlpkit.label", str(folder), "--model", args.model, "--n", "50",
                      "--output", str(out / "l.jsonl"), "--quiet"],
        }
        for name in args.commands:
            results[name] = measure(commands[name])
            extra = ""
            if name == "digest":
                data = json.loads((out / "d.json").read_text(encoding="utf-8"))
                results[name]["stories"] = float(len(data["stories"]))
                results[name]["html_mb"] = round((out / "d.html").stat().st_size / 1e6, 1)
                extra = f", {len(data['stories'])} stories, page {results[name]['html_mb']} MB"
            rate = args.articles / max(results[name]["seconds"], 1e-9)
            print(f"{name:<8} {args.articles} articles: {results[name]['seconds']:.1f} s wall ({rate:.0f} articles/s), "
                  f"{results[name]['cpu_seconds']:.1f} CPU-s, peak {results[name]['peak_mb']:.0f} MB{extra} "
                  f"(load average {results[name]['load_average']})", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps({"articles": args.articles, "model": args.model, **results}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
