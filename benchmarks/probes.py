"""Measurements that need a fresh process of their own: `python -m benchmarks.probes KIND ARGS...`.

A new process starts with nothing loaded, so its peak memory is the bundle's and the articles', never the
parent's. Each probe prints one JSON line; `child_result` runs a probe and reads that line.

    python -m benchmarks.probes memory BUNDLE N_ARTICLES DATA.jsonl   # stream N articles through predict
    python -m benchmarks.probes worst BUNDLE FILE                     # one pathological file, default limits
"""

from __future__ import annotations

import contextlib
import itertools
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from benchmarks.common import REPO, BenchmarkError, raw_items

BATCH_ARTICLES = 64


def child_result(arguments: list[str], timeout: float | None = None) -> dict[str, Any]:
    """Run one probe as a new process from the repository root and return what it measured."""
    command = [sys.executable, "-m", "benchmarks.probes", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=timeout)
    if done.returncode != 0:
        raise BenchmarkError(
            f"probe {arguments[0]} failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}"
        )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def peak_rss_mb() -> float:
    """This process's peak resident set size so far.

    Linux's VmHWM first: ru_maxrss survives fork + exec, so a child started by a big parent would report
    the parent's size. ru_maxrss (KiB on Linux, bytes on macOS) where /proc is unavailable.
    """
    high_water = _proc_status_mb("VmHWM")
    if high_water is not None:
        return high_water
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float | None:
    return _proc_status_mb("VmRSS")


def _proc_status_mb(field: str) -> float | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return None


def memory(bundle: str, n_articles: str, data: str) -> dict[str, Any]:
    """Stream `n_articles` (cycling the file) through predict in batches, keeping no results."""
    from nlpkit.model import NewsModel

    count = max(int(n_articles), 1)
    items = raw_items(Path(data))
    model = NewsModel.load(bundle)
    after_load = current_rss_mb()
    stream = ({**item, "id": f"{n}"} for n, item in enumerate(itertools.islice(itertools.cycle(items), count)))
    started = time.perf_counter()
    after_batch: list[float | None] = []
    while chunk := list(itertools.islice(stream, BATCH_ARTICLES)):
        model.predict(chunk)
        after_batch.append(current_rss_mb())
    seconds = time.perf_counter() - started
    # RSS after each batch (every 10th kept): a flat tail means memory does not grow with the number of articles.
    return {
        "articles": count,
        "peak_rss_mb": peak_rss_mb(),
        "rss_after_load_mb": after_load,
        "rss_after_first_batch_mb": after_batch[0],
        "rss_after_last_batch_mb": after_batch[-1],
        "rss_by_batch_mb": [round(v, 1) if v else v for v in after_batch[::10]],
        "seconds": seconds,
        "articles_per_second": count / seconds,
    }


def worst(bundle: str, file: str) -> dict[str, Any]:
    """One file through the input layer and predict, as `nlpkit.predict` reads it, under the default limits.

    `extra_mb` is the peak above the process's size with the model loaded and warmed up.
    """
    from nlpkit.batch import BatchStats, predict_stream
    from nlpkit.data.inbox import iter_inputs
    from nlpkit.model import NewsModel

    model = NewsModel.load(bundle)
    model.predict(["The court ruled on Monday. The judge agreed."])
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    records = list(predict_stream(model, iter_inputs([Path(file)]), BatchStats()))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "extra_mb": (peak - base) / 1024,
        "records": len(records),
        "errors": sum(1 for r in records if r.error),
        "warnings": sorted({w.split("(")[0].strip() for r in records for w in r.warnings}),
    }


PROBES: dict[str, Callable[..., dict[str, Any]]] = {"memory": memory, "worst": worst}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in PROBES:
        print(f"usage: python -m benchmarks.probes {{{','.join(PROBES)}}} ARGS...", file=sys.stderr)
        return 2
    print(json.dumps(PROBES[argv[0]](*argv[1:])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
