"""`python -m benchmarks reliability --model BUNDLE`: what a hostile world does to `nlpkit.predict`, measured.

    python -m benchmarks reliability --model models/latest                  # everything (~10 min on 2 cores)
    python -m benchmarks reliability --model models/latest --kills 3 --articles 300 --only bad kills   # a quick look

Four measurements, written by the runner to benchmarks/results/reliability.json (reliability-<parts>.json
when --only picks some):
- bad inputs: one folder holding every kind of bad file we know (binary, deep or huge JSON, lone surrogates,
  names that are not UTF-8, unclosed HTML, FIFOs, symlink loops, other encodings, formulas, nlpkit's own
  output, ...); one run; every kind must give its records and the run must end with exit 1, no traceback;
- kills: a folder of generated articles predicted in a subprocess that is killed (SIGKILL, SIGINT or SIGTERM,
  in turn) at a random moment, then resumed, `--kills` times; at the end, records lost and doubled;
- worst file: the pathological files of issue 14 (4.9 MB of unclosed HTML, 100,000 one-line sentences, a
  4.99 MB article, ...), each predicted alone in a fresh process (`benchmarks.probes worst`) under the
  default limits; wall time and peak RSS above the process's baseline (the model loaded);
- unreachable server: `nlpkit.predict --model models:/x@champion` against a tracking URI that accepts
  connections but never answers; seconds until the one-line error;
- the surfaces of issue 22 (benchmarks/surfaces.py), case by case: digest, label, train-data, config, output,
  server (401 and `python -m http.server` as the tracking URI, the team server), bundles, json. Per surface:
  kinds tried, records, tracebacks, lost records, exit codes, worst time, worst memory.

    python -m benchmarks reliability --model models/latest --only digest label   # one or a few surfaces
The generated articles are synthetic; no benchmark data is read.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from benchmarks.common import REPO, BenchmarkError, predict_command
from benchmarks.probes import child_result
from benchmarks.report import Report
from benchmarks.surfaces import SURFACES, measure_surface, postgres_available, warm_up

#: predict's own parts, then the surfaces of issue 22 (benchmarks/surfaces.py); `server` is both.
PARTS = ("bad", "kills", "worst", *SURFACES)
log = logging.getLogger("benchmarks.reliability")
STORY = (
    "Refinery restarts\n\nThe refinery restarted its crude unit on Monday after a fire. Output will return to "
    "200,000 barrels a day by Friday, the operator said. Traders said prices eased on the news."
)


def _write(path: Path, data: bytes | str) -> None:
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


# kind -> function that creates it in a folder (each kind one or more files)
def bad_kinds() -> dict[str, Callable[[Path], None]]:
    def fifo(folder: Path) -> None:
        os.mkfifo(folder / "fifo.txt")

    def loop(folder: Path) -> None:
        (folder / "loop-a.txt").symlink_to(folder / "loop-b.txt")
        (folder / "loop-b.txt").symlink_to(folder / "loop-a.txt")

    def outside(folder: Path) -> None:
        (folder / "passwd.txt").symlink_to("/etc/passwd")

    def unreadable(folder: Path) -> None:
        _write(folder / "unreadable.txt", STORY)
        (folder / "unreadable.txt").chmod(0)

    def device(folder: Path) -> None:
        (folder / "zero.txt").symlink_to("/dev/zero")

    def own_output(folder: Path) -> None:
        record: dict[str, Any] = {
            "id": "x",
            "path": "x",
            "title": "",
            "topic": "legal",
            "topics": ["legal"],
            "scores": {},
            "summary": [],
            "error": None,
            "warnings": [],
            "sha256": "0" * 64,
            "model": "0" * 16,
        }
        _write(folder / "old-output.jsonl", json.dumps(record) + "\n")

    return {
        "empty file": lambda f: _write(f / "empty.txt", ""),
        "whitespace only": lambda f: _write(f / "blank.md", " \n\t\n"),
        "binary": lambda f: _write(f / "binary.txt", b"\x89PNG\x00\x01" * 100),
        "random bytes": lambda f: _write(f / "random.txt", random.Random(0).randbytes(5000)),
        "Shift-JIS": lambda f: _write(f / "sjis.txt", ("東京の中央銀行は金利を据え置いた。" * 30).encode("shift_jis")),
        "UTF-16 with BOM": lambda f: _write(f / "utf16.txt", STORY.encode("utf-16")),
        "UTF-16 without BOM": lambda f: _write(f / "utf16le.txt", STORY.encode("utf-16-le")),
        "cp1252": lambda f: _write(f / "latin.txt", STORY.replace("fire", "fire \xa3").encode("cp1252")),
        "non-English": lambda f: _write(
            f / "ru.txt", "Переговоры\n\nМинистры иностранных дел провели переговоры в Москве."
        ),
        "malformed JSON": lambda f: _write(f / "broken.json", "{oops"),
        "JSON nested 10,000 deep": lambda f: _write(f / "deep.json", "[" * 10_000 + "]" * 10_000),
        "integer of 5,000 digits": lambda f: _write(f / "bigint.json", '{"id": ' + "9" * 5000 + ', "text": "x"}'),
        "lone surrogate in text and id": lambda f: _write(
            f / "surrogate.json", '{"id": "a\\ud800", "text": "The court \\udfff ruled."}'
        ),
        "JSON without text": lambda f: _write(f / "notext.json", '{"title": "only"}'),
        "JSON scalar": lambda f: _write(f / "scalar.json", "42"),
        "JSON empty list": lambda f: _write(f / "emptylist.json", "[]"),
        "JSONL bad lines": lambda f: _write(
            f / "lines.jsonl", '{"text": "Fine line about the court."}\nnot json\n42\n{"text": 5}\n'
        ),
        "JSONL duplicate ids": lambda f: _write(f / "dups.jsonl", (json.dumps({"id": "d", "text": STORY}) + "\n") * 2),
        "file name not UTF-8": lambda f: _write(f / os.fsdecode(b"bad-\xff-name.txt"), STORY),
        "file name with a newline": lambda f: _write(f / "two\nlines.txt", STORY),
        "HTML without article": lambda f: _write(f / "nav.html", "<html><body><nav>Home</nav></body></html>"),
        "HTML unclosed tags": lambda f: _write(f / "unclosed.html", "<div><p>Some words of the story. <span>" * 20_000),
        "HTML broken declarations": lambda f: _write(
            f / "decl.html", "<p>The court ruled.</p>" + "<![" * 5000 + "<a " * 5000
        ),
        "CSV formula in title": lambda f: _write(
            f / "formula.json", json.dumps({"id": "=1+1", "title": '=HYPERLINK("x")', "text": STORY})
        ),
        "over --max-bytes": lambda f: _write(f / "huge.txt", "Title\n\n" + "word " * 1_100_000),
        "100,000 short sentences": lambda f: _write(
            f / "many.txt", "Title\n\n" + " ".join(f"Item {i} ok." for i in range(100_000))
        ),
        "one sentence of 200,000 characters": lambda f: _write(f / "nostop.txt", "Title\n\n" + "word " * 40_000),
        "only page furniture": lambda f: _write(
            f / "furniture.txt", "Latest news\n\nShare\n\nBy Ann Lee\n\n© 2024 Site"
        ),
        "FIFO": fifo,
        "FIFO named .jsonl": lambda f: os.mkfifo(f / "pipe.jsonl"),
        "symlink loop": loop,
        "symlink out of the folder": outside,
        "endless device": device,
        "unreadable file": unreadable,
        "nlpkit output in the folder": own_output,
        "unsupported suffix": lambda f: _write(f / "image.png", b"\x89PNG"),
    }


def measure_bad_inputs(model: str, work: Path) -> dict[str, Any]:
    folder = work / "bad"
    folder.mkdir()
    kinds = bad_kinds()
    for make in kinds.values():
        make(folder)
    output = work / "bad.jsonl"
    started = time.perf_counter()
    result = subprocess.run(
        predict_command(model, folder, output), cwd=REPO, capture_output=True, text=True, timeout=1800
    )
    if not output.exists():
        raise BenchmarkError(f"nlpkit.predict wrote nothing (exit {result.returncode}): {result.stderr.strip()[-500:]}")
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    return {
        "kinds": len(kinds),
        "exit_code": result.returncode,
        "traceback": "Traceback" in result.stderr,
        "records": len(records),
        "errors": sum(1 for r in records if r["error"]),
        "seconds": round(time.perf_counter() - started, 1),
        "names": sorted(kinds),
    }


def measure_kills(model: str, work: Path, articles: int, kills: int, seed: int) -> dict[str, Any]:
    folder = work / "many"
    folder.mkdir()
    topics = [
        "The court jailed the former minister for bribery.",
        "The central bank raised its key rate by half a point.",
        "The pipeline will carry gas to the border from next year.",
        "The foreign ministers met to discuss the border.",
    ]
    for i in range(articles):
        _write(
            folder / f"{i:05d}.txt",
            f"Story {i}\n\n{topics[i % 4]} Officials said case {i} would continue. It is not over.",
        )
    output = work / "many.jsonl"
    rng = random.Random(seed)
    survived = []
    for attempt in range(kills):
        signum = [signal.SIGKILL, signal.SIGINT, signal.SIGTERM][attempt % 3]
        process = subprocess.Popen(
            predict_command(model, folder, output, "--resume", "--batch-size", "8"),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        before = output.stat().st_size if output.exists() else 0
        deadline = time.time() + 300
        while (
            time.time() < deadline
            and process.poll() is None
            and (not output.exists() or output.stat().st_size <= before)
        ):
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 3.0))
        if process.poll() is None:
            process.send_signal(signum)
            survived.append(signal.Signals(signum).name)
        process.wait(timeout=300)
    final = subprocess.run(
        predict_command(model, folder, output, "--resume"), cwd=REPO, capture_output=True, text=True, timeout=3600
    )
    lines = output.read_text(encoding="utf-8").splitlines()
    ids = []
    malformed = 0
    for line in lines:
        try:
            ids.append(json.loads(line)["id"])
        except (ValueError, KeyError):
            malformed += 1
    expected = {f"{i:05d}" for i in range(articles)}
    return {
        "articles": articles,
        "kills": len(survived),
        "signals": survived,
        "final_exit_code": final.returncode,
        "lost": len(expected - set(ids)),
        "doubled": len(ids) - len(set(ids)),
        "malformed_lines": malformed,
    }


_WORST_FILES: dict[str, Callable[[Path], None]] = {
    "4.9 MB of unclosed HTML": lambda p: _write(
        p.with_suffix(".html"), "<div><p>Some words of the story. <span>" * 125_000
    ),
    "1 MB, 100,000 one-line sentences": lambda p: _write(
        p, "Title\n\n" + "\n".join(f"Item {i} ok." for i in range(100_000))
    ),
    "4.99 MB article": lambda p: _write(
        p, "Title\n\n" + "The minister met the envoy in the capital on Monday. " * 94_000
    ),
    "4.9 MB of wrapped lines": lambda p: _write(p, "Title\n\n" + "word,\nword " * 450_000),
    "4.9 MB of abbreviations": lambda p: _write(p, "Title\n\n" + "Mr. " * 1_200_000),
    "4.9 MB JSONL line": lambda p: _write(
        p.with_suffix(".jsonl"), json.dumps({"text": "The court ruled on the case. " * 170_000}) + "\n"
    ),
    "4.9 MB of JSON nesting": lambda p: _write(p.with_suffix(".json"), "[" * 2_450_000 + "]" * 2_450_000),
}


def measure_worst(model: str, work: Path) -> dict[str, Any]:
    rows: dict[str, dict[str, Any]] = {}
    for name, make in _WORST_FILES.items():
        path = work / f"worst-{len(rows)}.txt"
        make(path)
        actual = next(p for p in work.glob(f"worst-{len(rows)}.*"))
        try:
            row = child_result(["worst", model, str(actual)], timeout=3600)
        except BenchmarkError as error:
            row = {"failed": str(error)[-300:]}
        row["megabytes"] = round(actual.stat().st_size / 1e6, 2)
        rows[name] = row
        log.info("  %s: %s", name, row)
    return rows


def measure_unreachable(work: Path) -> dict[str, Any]:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        uri = f"http://127.0.0.1:{silent.getsockname()[1]}"
        env = {
            **os.environ,
            "MLFLOW_TRACKING_URI": uri,
            "PYTHONPATH": str(REPO),
        }  # this checkout, not an installed nlpkit
        started = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "nlpkit.predict",
                str(REPO / "seeds" / "inbox"),
                "--model",
                "models:/nlpkit-news@champion",
                "--quiet",
            ],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        seconds = time.perf_counter() - started
        from nlpkit.errors import TrackingError
        from nlpkit.tracking.health import check_server

        probe_started = time.perf_counter()
        with contextlib.suppress(TrackingError):
            check_server(uri)
        probe = time.perf_counter() - probe_started
    return {
        "seconds": round(seconds, 1),
        "probe_seconds": round(probe, 1),
        "exit_code": result.returncode,
        "stderr_lines": len(result.stderr.strip().splitlines()),
        "message": result.stderr.strip()[-300:],
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default="models/latest", help="bundle folder to attack (default models/latest)")
    parser.add_argument("--articles", type=int, default=2000, help="articles in the kill test (default 2000)")
    parser.add_argument("--kills", type=int, default=9, help="kill-and-resume rounds (default 9: 3 of each signal)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--only", nargs="+", choices=PARTS, default=list(PARTS), help="measure only these parts (default: all)"
    )


def measure_parts(model: str, args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {"model": model}
    with tempfile.TemporaryDirectory(prefix="nlpkit-reliability-") as temp:
        work = Path(temp)
        if "bad" in args.only:
            log.info("bad inputs ...")
            report["bad_inputs"] = measure_bad_inputs(model, work)
            (work / "bad" / "unreadable.txt").chmod(0o644)
        if "server" in args.only:
            log.info("unreachable tracking server ...")
            report["unreachable_server"] = measure_unreachable(work)
        surfaces = [name for name in SURFACES if name in args.only]
        if surfaces:
            report["postgres_available"] = postgres_available()
            report["surfaces"] = {}
            warm_up(model)
        for name in surfaces:
            log.info("surface %s ...", name)
            report["surfaces"][name] = measure_surface(name, model, work)
        if "kills" in args.only:
            log.info("kills and resumes ...")
            report["kills"] = measure_kills(model, work, args.articles, args.kills, args.seed)
        if "worst" in args.only:
            log.info("worst files under the default limits ...")
            report["worst_files"] = measure_worst(model, work)
    return report


def run(args: argparse.Namespace) -> Report:
    model = str(Path(args.model).resolve())
    report = measure_parts(model, args)
    stem = "reliability" if set(args.only) == set(PARTS) else f"reliability-{'-'.join(args.only)}"
    return Report(
        "reliability",
        "nlpkit.predict against a hostile world (python -m benchmarks reliability)",
        summary(report) + "\n",
        report,
        params={"model": model, "only": args.only, "articles": args.articles, "kills": args.kills, "seed": args.seed},
        stem=stem,
    )


def summary(report: dict[str, Any]) -> str:
    lines = []
    surfaces = report.get("surfaces") or {}
    if surfaces:
        lines += [
            "| surface | kinds | passed | records | tracebacks | lost | exit codes | worst s | worst MB |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for name, row in surfaces.items():
            lines.append(
                f"| {name} | {row['kinds']} | {row['passed']} | {row['records']} | {row['tracebacks']} | "
                f"{row['lost']} | {', '.join(map(str, row['exit_codes']))} | {row['worst_seconds']:.1f} | "
                f"{row['worst_extra_mb']:.0f} |"
            )
        failed = [f"{name}: {kind}" for name, row in surfaces.items() for kind in row["failed"]]
        lines += ["", f"failed cases: {'; '.join(failed) if failed else 'none'}", ""]
    if "bad_inputs" in report:
        bad = report["bad_inputs"]
        lines.append(
            f"bad-input kinds tried: {bad['kinds']} -> {bad['records']} records ({bad['errors']} errors), "
            f"exit {bad['exit_code']}, traceback: {'yes' if bad['traceback'] else 'no'}"
        )
    if "kills" in report:
        kills = report["kills"]
        lines.append(
            f"kills survived with --resume: {kills['kills']} ({', '.join(kills['signals'])}) "
            f"on {kills['articles']} articles -> "
            f"lost {kills['lost']}, doubled {kills['doubled']}, malformed lines {kills['malformed_lines']}"
        )
    if "unreachable_server" in report:
        server = report["unreachable_server"]
        lines.append(
            f"unreachable tracking server: the probe fails after {server['probe_seconds']} s; the whole command after "
            f"{server['seconds']} s (start-up included), exit {server['exit_code']}, {server['stderr_lines']} line(s)"
        )
    done = {name: row for name, row in (report.get("worst_files") or {}).items() if "seconds" in row}
    if done:
        slowest = max(done.items(), key=lambda item: item[1]["seconds"])
        biggest = max(done.items(), key=lambda item: item[1]["extra_mb"])
        lines.append(
            f"worst per-file time: {slowest[1]['seconds']:.1f} s wall, "
            f"{slowest[1]['cpu_seconds']:.1f} s CPU ({slowest[0]}); "
            f"worst extra memory: {biggest[1]['extra_mb']:.0f} MB ({biggest[0]})"
        )
    return "\n".join(lines)
