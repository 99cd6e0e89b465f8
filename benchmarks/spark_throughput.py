"""`python -m benchmarks spark_throughput`: nlpkit.predict against Spark local[2], and the team server's cost.

    python -m benchmarks spark_throughput --model models/latest          # 2,000 BBC articles (use the fast bundle)
    python -m benchmarks spark_throughput --n 500 --no-server             # a quicker look

Writes N real articles (../shared/benchmarks/summaries/bbc_news_summary.jsonl, else the seed corpus, cycled)
as .txt files into a temporary folder, then runs, each as a fresh process in its own session:
- `python -m nlpkit.predict FOLDER --output x.jsonl` (the local engine);
- `python -m nlpkit.predict FOLDER --engine spark --master local[2] --output x.parquet`;
each on N articles and on `--small` articles, so the fixed cost (start-up, model load) and the marginal cost
per article separate: marginal CPU-s per article = (CPU(N) - CPU(small)) / (N - small). CPU is every process
of the run's session (driver, JVM, Python workers) sampled from /proc every 0.2 s. Model loads per Spark
Python worker come from NLPKIT_SPARK_LOAD_LOG. The two outputs are compared record for record.
Then the team server: `nlpkit.server` start (first start with initdb, then a restart), processes, RSS.
The runner writes spark_throughput-<time>.json/.md to benchmarks/results/ and prints a table. Figures
depend on the machine's load: the load average is recorded beside them.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from benchmarks.common import DEFAULT_SHARED, REPO, BenchmarkError, load_average, predict_command, utc_now
from benchmarks.report import Report

BBC = Path("benchmarks") / "summaries" / "bbc_news_summary.jsonl"
TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024

log = logging.getLogger("benchmarks.spark_throughput")


def articles(n: int, shared: Path) -> list[dict[str, str]]:
    """N real articles (BBC when ../shared is there, else the seed corpus), cycled with fresh ids."""
    source = shared / BBC if (shared / BBC).is_file() else REPO / "seeds" / "articles.jsonl"
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [rows[i % len(rows)] | {"id": f"{i:05d}"} for i in range(n)]


def write_folder(folder: Path, rows: list[dict[str, str]]) -> Path:
    folder.mkdir(parents=True)
    for row in rows:
        (folder / f"{row['id']}.txt").write_text(f"{row.get('title') or ''}\n\n{row['text']}", encoding="utf-8")
    return folder


def process_kind(pid: int) -> str:
    """What a process of the run is, from its command line: jvm, python_workers, driver or other."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "other"
    words = [part.decode(errors="replace") for part in argv if part]
    if words and os.path.basename(words[0]) == "java":
        return "jvm"
    if any(word.startswith("pyspark.") for word in words):  # `-m pyspark.daemon` and the workers it forks
        return "python_workers"
    if "nlpkit.predict" in words:
        return "driver"
    return "other"


class SessionSampler:
    """CPU seconds (utime + stime) and RSS of every process whose session id is `sid`, sampled from /proc.

    Each process is also classed by its command line (`process_kind`), so the CPU splits by kind.
    """

    def __init__(self, sid: int, interval: float = 0.2) -> None:
        self.sid, self.interval = sid, interval
        self.cpu: dict[int, float] = {}
        self.kind: dict[int, str] = {}
        self.peak_rss_mb = 0.0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from nlpkit.tracking.ui import process_stats

        while not self._stop.is_set():
            rss, count = 0, 0
            for pid, fields in process_stats():
                if int(fields[3]) != self.sid:
                    continue
                self.cpu[pid] = (int(fields[11]) + int(fields[12])) / TICKS
                if self.kind.get(pid, "other") == "other":  # again until known: spark-submit's shell execs java
                    self.kind[pid] = process_kind(pid)
                rss += int(fields[21]) * PAGE_KB
                count += 1
            self.peak_rss_mb = max(self.peak_rss_mb, rss / 1024)
            self.peak_processes = max(self.peak_processes, count)
            self._stop.wait(self.interval)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return sum(self.cpu.values())

    def by_kind(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for pid, seconds in self.cpu.items():
            kind = self.kind.get(pid, "other")
            totals[kind] = totals.get(kind, 0.0) + seconds
        return {kind: round(seconds, 2) for kind, seconds in sorted(totals.items())}


def run_predict(
    folder: Path, model: str, output: Path, engine: str, master: str, load_log: Path | None, profile: Path | None = None
) -> dict[str, Any]:
    command = predict_command(model, folder, output)
    if engine == "spark":
        command += ["--engine", "spark", "--master", master]
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    if load_log:
        env["NLPKIT_SPARK_LOAD_LOG"] = str(load_log)
    if profile:
        env["NLPKIT_SPARK_PROFILE"] = str(profile)
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    sampler = SessionSampler(process.pid)
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    cpu = sampler.stop()
    if process.returncode not in (0, 1):
        raise BenchmarkError(f"{' '.join(command[:4])} failed ({process.returncode}): {stderr[-2000:]}")
    result = {
        "engine": engine,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "cpu_seconds_by_kind": sampler.by_kind(),
        "processes_peak": sampler.peak_processes,
        "rss_peak_mb": round(sampler.peak_rss_mb),
        "processes_seen": len(sampler.cpu),
    }
    if load_log and load_log.exists():
        loads = [line.split() for line in load_log.read_text().splitlines() if line.strip()]
        per_pid = Counter(pid for pid, _ in loads)
        result.update(
            model_loads=len(loads),
            workers_that_loaded=len(per_pid),
            max_loads_per_worker=max(per_pid.values()),
            load_seconds=[float(s) for _, s in loads],
        )
    return result


def read_records(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".parquet":
        import pandas as pd

        return list(pd.read_parquet(path).to_dict(orient="records"))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _normal(record: dict[str, Any]) -> tuple:
    def value(key: str) -> Any:
        v = record[key]
        if key == "scores":
            return tuple(sorted((k, round(float(x), 9)) for k, x in dict(v or {}).items()))
        if key in ("topics", "summary", "warnings"):
            return tuple(v) if v is not None else ()
        return None if isinstance(v, float) and math.isnan(v) else v

    return tuple(
        value(k) for k in ("id", "path", "title", "topic", "topics", "scores", "summary", "error", "warnings", "sha256")
    )


def load_profile(folder: Path) -> dict[str, tuple[float, float]]:
    """(cumulative, own) CPU seconds per function over every worker's pstats file in `folder`."""
    import pstats

    files = sorted(folder.glob("*.pstats")) if folder.is_dir() else []
    if not files:
        return {}
    stats: Any = pstats.Stats(*map(str, files))
    out = {"(all profiled)": (float(stats.total_tt), float(stats.total_tt))}
    for (file, line, name), (_, _, own, cumulative, _) in stats.stats.items():
        where = f"{Path(file).parent.name}/{Path(file).name}:{line}" if line else file
        out[f"{where}({name})"] = (float(cumulative), float(own))
    return out


def profile_marginal(big: Path, little: Path, n: int, small: int, top: int = 25) -> list[dict[str, Any]]:
    """The functions with the most marginal cumulative CPU per article (N run minus small run, per article)."""
    a, b = load_profile(big), load_profile(little)
    rows: list[dict[str, Any]] = [
        {
            "function": name,
            "cumulative_ms_per_article": round(1000 * (cum - b.get(name, (0.0, 0.0))[0]) / (n - small), 3),
            "own_ms_per_article": round(1000 * (own - b.get(name, (0.0, 0.0))[1]) / (n - small), 3),
        }
        for name, (cum, own) in a.items()
    ]
    rows.sort(key=lambda row: -row["cumulative_ms_per_article"])
    return rows[:top]


def throughput(
    n: int, small: int, model: str, master: str, work: Path, shared: Path, profile: bool = False
) -> dict[str, Any]:
    rows = articles(n, shared)
    big, little = write_folder(work / f"n{n}", rows), write_folder(work / f"n{small}", rows[:small])
    report: dict[str, Any] = {"n": n, "small": small, "model": model, "master": master}
    for engine, suffix in (("local", ".jsonl"), ("spark", ".parquet")):
        runs = {}
        for label, folder in (("small", little), ("n", big)):
            load_log = work / f"loads-{engine}-{label}.log" if engine == "spark" else None
            profile_dir = work / f"profile-{label}" if profile and engine == "spark" else None
            output = work / f"{engine}-{label}{suffix}"
            runs[label] = run_predict(folder, model, output, engine, master, load_log, profile_dir)
            log.info("%-5s %-5s %s", engine, label, runs[label])
        marginal = (runs["n"]["cpu_seconds"] - runs["small"]["cpu_seconds"]) / (n - small)
        kinds = sorted(set(runs["n"]["cpu_seconds_by_kind"]) | set(runs["small"]["cpu_seconds_by_kind"]))
        report[engine] = {
            **runs,
            "marginal_cpu_ms_per_article_by_kind": {
                kind: round(
                    1000
                    * (
                        runs["n"]["cpu_seconds_by_kind"].get(kind, 0.0)
                        - runs["small"]["cpu_seconds_by_kind"].get(kind, 0.0)
                    )
                    / (n - small),
                    3,
                )
                for kind in kinds
            },
            "articles_per_second": round(n / runs["n"]["seconds"], 1),
            "cpu_seconds_per_article": round(runs["n"]["cpu_seconds"] / n, 4),
            "marginal_cpu_seconds_per_article": round(marginal, 4),
            "fixed_seconds": round(runs["small"]["seconds"], 1),
        }
    local = sorted(map(_normal, read_records(work / "local-n.jsonl")))
    spark = sorted(map(_normal, read_records(work / "spark-n.parquet")))
    report["identical_records"] = local == spark
    if profile:
        report["profile"] = profile_marginal(work / "profile-n", work / "profile-small", n, small)
    report["records"] = len(local)
    report["spark_marginal_overhead_vs_local"] = round(
        report["spark"]["marginal_cpu_seconds_per_article"] / report["local"]["marginal_cpu_seconds_per_article"] - 1, 3
    )
    return report


def server_cost(work: Path) -> dict[str, Any]:
    from nlpkit.tracking import server

    if server.find_pg_bin() is None:
        return {"skipped": "PostgreSQL binaries not found"}
    folder = work / "server"
    work.chmod(0o755)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result: dict[str, Any] = {}
    try:
        for label in ("first_start", "restart"):
            started = time.perf_counter()
            state = server.start(folder, port)
            seconds = time.perf_counter() - started
            time.sleep(2)
            status = server.status(folder)
            postgres = _postgres_processes(folder)
            result[label] = {
                "seconds": round(seconds, 1),
                "mlflow_processes": status["mlflow_processes"],
                "mlflow_rss_mb": status["rss_mb"],
                "postgres_processes": postgres[0],
                "postgres_rss_mb": postgres[1],
                "workers": state.workers,
                "job_execution": False,
            }
            started = time.perf_counter()
            server.stop(folder)
            result[label]["stop_seconds"] = round(time.perf_counter() - started, 1)
    finally:
        if (folder / "server.json").exists():
            server.stop(folder)
    return result


def _postgres_processes(folder: Path) -> tuple[int, float]:
    from nlpkit.tracking.ui import process_stats

    try:
        postmaster = int((folder / "postgres" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0, 0.0
    count, rss = 0, 0
    for pid, fields in process_stats():
        if pid == postmaster or int(fields[1]) == postmaster:
            count += 1
            rss += int(fields[21]) * PAGE_KB
    return count, round(rss / 1024, 1)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=2000, help="articles in the big run (default 2000)")
    parser.add_argument("--small", type=int, default=20, help="articles in the fixed-cost run (default 20)")
    parser.add_argument(
        "--model", default="models/latest", help="bundle or MLflow URI (default models/latest; the fast bundle)"
    )
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--no-server", action="store_true", help="skip the team-server measurement")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the Spark Python workers (cProfile, CPU time; NLPKIT_SPARK_PROFILE): top functions per article",
    )
    parser.add_argument("--no-spark", action="store_true", help="skip the throughput measurement")
    parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help="folder holding benchmarks/ (default ../shared)"
    )


def render(report: dict[str, Any]) -> str:
    """Per engine: articles/s, CPU per article and the fixed cost; then the server's processes and memory."""
    lines = [
        f"Spark throughput, {report['date']} · {report['cpus']} cores · load average at start "
        f"{report['load_average_start']}, at end {report['load_average_end']}",
        "",
    ]
    run = report.get("throughput")
    if run:
        lines += [
            f"{run['n']} articles (fixed cost from {run['small']}), model `{run['model']}`, master {run['master']}",
            "",
            "| engine | articles/s | CPU s/article | marginal CPU s/article | fixed s | peak processes | peak RSS MB |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for engine in ("local", "spark"):
            e = run[engine]
            lines.append(
                f"| {engine} | {e['articles_per_second']} | {e['cpu_seconds_per_article']} | "
                f"{e['marginal_cpu_seconds_per_article']} | {e['fixed_seconds']} | {e['n']['processes_peak']} | "
                f"{e['n']['rss_peak_mb']} |"
            )
        lines += [
            "",
            f"Identical records: {run['identical_records']} ({run['records']}); Spark's marginal overhead "
            f"vs local: {run['spark_marginal_overhead_vs_local']:+.1%}",
            "",
            "Marginal CPU ms per article by process: "
            + "; ".join(
                f"{engine} "
                + ", ".join(f"{k} {v}" for k, v in run[engine]["marginal_cpu_ms_per_article_by_kind"].items())
                for engine in ("local", "spark")
            ),
        ]
        if run.get("profile"):
            lines += [
                "",
                "Spark Python workers under cProfile (CPU time; figures under the profiler are inflated):",
                "",
                "| function | cumulative ms/article | own ms/article |",
                "|---|---:|---:|",
            ]
            lines += [
                f"| `{row['function']}` | {row['cumulative_ms_per_article']} | {row['own_ms_per_article']} |"
                for row in run["profile"]
            ]
    for label, row in (report.get("server") or {}).items():
        lines.append(f"- server {label}: {row}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> Report:
    report: dict[str, Any] = {"date": utc_now(), "cpus": os.cpu_count(), "load_average_start": load_average()}
    work = Path(tempfile.mkdtemp(prefix="nlpkit-spark-bench-"))
    try:
        if not args.no_spark:
            report["throughput"] = throughput(
                args.n, args.small, args.model, args.master, work, args.shared, args.profile
            )
        if not args.no_server:
            report["server"] = server_cost(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["load_average_end"] = load_average()
    return Report(
        "spark_throughput",
        "nlpkit.predict local vs Spark (python -m benchmarks spark_throughput)",
        render(report),
        report,
        params={"n": args.n, "small": args.small, "model": args.model, "master": args.master, "profile": args.profile},
        stem=f"spark_throughput-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}",
    )
