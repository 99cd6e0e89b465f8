"""The newer surfaces of issue 22 attacked case by case: digest, label, train --data, config, output, server, bundles.

Each case runs one command's `main(argv)` (or the one library call it makes) in this process, with stderr
captured, so a case costs its own work and not a fresh interpreter; two cases that need two processes at once
(two names for one output file) start real `nlpkit.predict` processes. A case passes when it ends the way
issue 22 wants: one `error:` line and exit 2 for a usage error, or error records with the batch going on.
Per case: exit code, traceback (an exception escaping `main`, or "Traceback" on stderr), records in and out,
lost records, wall seconds and the growth of this process's peak RSS. `reliability.py` groups the rows.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from benchmarks.common import REPO

STORY = (
    "Refinery restarts\n\nThe refinery restarted its crude unit on Monday after a fire. "
    "Output will return to 200,000 barrels a day by Friday, the operator said."
)
BIDI = "\u202e"


@dataclass
class Case:
    """One attack and what came of it."""

    surface: str
    kind: str
    exit_code: int | None = None
    traceback: bool = False
    records_in: int = 0
    records_out: int = 0
    lost: int = 0
    seconds: float = 0.0
    extra_mb: float = 0.0
    ok: bool = True
    note: str = ""


@dataclass
class Called:
    code: int | None
    err: str
    traceback: bool
    seconds: float
    extra_mb: float


def call(main: Callable[[list[str]], int], argv: list[str], env: dict[str, str] | None = None) -> Called:
    """Run a command's main in this process; an exception that escapes it counts as a traceback."""
    err, escaped = io.StringIO(), False
    saved = {key: os.environ.get(key) for key in (env or {})}
    os.environ.update(env or {})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code: int | None = main(argv)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 - the figure we count
        err.write(traceback.format_exc())
        code, escaped = None, True
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    seconds = time.perf_counter() - started
    extra = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    text = err.getvalue()
    return Called(code, text, escaped or "Traceback" in text, round(seconds, 2), round(extra, 1))


def one_line_exit_2(called: Called, surface: str, kind: str, note: str = "") -> Case:
    """A usage error: exit 2 with exactly one `error:` line."""
    lines = [line for line in called.err.splitlines() if line.startswith("error:")]
    ok = called.code == 2 and len(lines) == 1 and not called.traceback and len(lines[0]) < 1000
    return Case(
        surface,
        kind,
        called.code,
        called.traceback,
        seconds=called.seconds,
        extra_mb=called.extra_mb,
        ok=ok,
        note=note or (lines[0][:160] if lines else called.err.strip()[-160:]),
    )


def prediction(record_id: str, **fields: Any) -> dict[str, Any]:
    """A record as nlpkit.predict writes it (the fields the digest detects and reads)."""
    base = {
        "id": record_id,
        "path": f"{record_id}.txt",
        "title": "Refinery restarts",
        "topic": "energy",
        "topics": ["energy"],
        "scores": {"energy": 0.9},
        "summary": ["The refinery restarted its crude unit."],
        "evidence": {"energy": ["The refinery restarted its crude unit."]},
        "error": None,
        "sha256": "0" * 64,
    }
    return {**base, **fields}


def _lines(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


# --- digest ------------------------------------------------------------------------------------------------

_BAD_URLS = [
    "javascript:alert(document.domain)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]
_ALIAS_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n" for prev, name in zip("abcdefgh", "bcdefghi")
).replace("b: &b", "a: &a [1,1,1,1,1,1,1,1,1]\nb: &b")


def digest_cases(model: str, work: Path) -> Iterator[Case]:
    from nlpkit.cli import digest

    folder = work / "digest"
    folder.mkdir()
    good = [prediction("good", url="https://news.example/a")]
    links = good + [prediction(f"bad{i}", url=u, title=f"Story {i} {BIDI}gpj.exe") for i, u in enumerate(_BAD_URLS)]
    source, page = folder / "links.jsonl", folder / "links.html"
    source.write_text(_lines(links), encoding="utf-8")
    called = call(digest.main, [str(source), "--model", model, "--html", str(page), "--quiet"])
    text = page.read_text(encoding="utf-8").lower().replace("\t", "") if page.exists() else ""
    unsafe = [s for s in ("javascript:", "vbscript:", "data:text") if f'href="{s}' in text or f'href=" {s}' in text]
    yield Case(
        "digest",
        "script links and bidi titles",
        called.code,
        called.traceback,
        len(links),
        len(links),
        seconds=called.seconds,
        extra_mb=called.extra_mb,
        ok=called.code == 0 and not unsafe and BIDI not in text and not called.traceback,
        note=f"unsafe hrefs kept: {unsafe}; bidi kept: {BIDI in text}",
    )

    odd = [
        prediction("list-topic", topic=["a"]),
        prediction("int-evidence", evidence=[1]),
        prediction("int-summary", summary=5),
        prediction("dict-title", title={"x": 1}),
        prediction("str-topics", topics="energy"),
        prediction("null-id", id=None),
        prediction("fine"),
    ]
    odd_text = _lines(odd) + "[" * 100_000 + "\n"
    yield _digest_count(digest, model, folder, "odd prediction records and 100k '['", odd_text, len(odd) + 1)

    inbox = folder / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(STORY, encoding="utf-8")
    secret = folder / "secret.txt"
    secret.write_text("Private\n\nSECRET-MARKER the vault opens on Monday, the keeper said.", encoding="utf-8")
    (inbox / "x.txt").symlink_to(secret)
    out = folder / "inbox.json"
    called = call(digest.main, [str(inbox), "--model", model, "--output", str(out), "--quiet"])
    leaked = out.exists() and "SECRET-MARKER" in out.read_text(encoding="utf-8")
    yield Case(
        "digest",
        "symlink out of the folder",
        called.code,
        called.traceback,
        2,
        1,
        seconds=called.seconds,
        extra_mb=called.extra_mb,
        ok=called.code == 0 and not leaked and not called.traceback,
        note=f"outside file read: {leaked}",
    )

    if Path("/dev/full").exists():
        for flag in ("--html", "--output"):
            called = call(digest.main, [str(source), "--model", model, flag, "/dev/full", "--quiet"])
            yield one_line_exit_2(called, "digest", f"{flag} /dev/full")
    for kind, content in (
        ("YAML alias bomb", _ALIAS_BOMB),
        ("5,000-digit integer", "threshold: " + "9" * 5000 + "\n"),
        ("5,000 '[' in a value", "threshold: " + "[" * 5000 + "\n"),
        ("NaN", "threshold: .nan\n"),
    ):
        config = folder / "digest.yaml"
        config.write_text(content, encoding="utf-8")
        called = call(digest.main, [str(source), "--model", model, "--config", str(config), "--quiet"])
        yield one_line_exit_2(called, "digest", f"--config {kind}")


def _digest_count(digest: Any, model: str, folder: Path, kind: str, text: str, count: int) -> Case:
    """Every input line must come out as an article or an error entry of the digest JSON."""
    source, out = folder / "odd.jsonl", folder / "odd.json"
    source.write_text(text, encoding="utf-8")
    called = call(digest.main, [str(source), "--model", model, "--output", str(out), "--quiet"])
    data = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    produced = int(data.get("articles", 0)) + int(data.get("failed", 0))
    return Case(
        "digest",
        kind,
        called.code,
        called.traceback,
        count,
        produced,
        max(count - produced, 0),
        called.seconds,
        called.extra_mb,
        ok=called.code in (0, 1) and produced == count and not called.traceback,
    )


# --- label -------------------------------------------------------------------------------------------------


def label_cases(model: str, work: Path) -> Iterator[Case]:
    from nlpkit.cli import label

    inbox = work / "label-inbox"
    inbox.mkdir()
    for i in range(3):
        (inbox / f"a{i}.txt").write_text(STORY.replace("Monday", f"Monday {i}"), encoding="utf-8")
    secret = work / "label-secret.txt"
    secret.write_text("Private\n\nSECRET-MARKER the vault opens on Monday, the keeper said.", encoding="utf-8")
    (inbox / "x.txt").symlink_to(secret)
    out = work / "label.jsonl"
    called = call(label.main, [str(inbox), "--model", model, "--output", str(out), "--n", "5", "--quiet"])
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    produced = len([line for line in text.splitlines() if line.strip()])
    yield Case(
        "label",
        "symlink out of the folder",
        called.code,
        called.traceback,
        3,
        produced,
        max(3 - produced, 0),
        called.seconds,
        called.extra_mb,
        ok=called.code == 0 and "SECRET-MARKER" not in text and produced == 3,
        note=f"outside file read: {'SECRET-MARKER' in text}",
    )
    if Path("/dev/full").exists():
        called = call(label.main, [str(inbox), "--model", model, "--output", "/dev/full", "--n", "1", "--quiet"])
        yield one_line_exit_2(called, "label", "--output /dev/full")


# --- train --data, splits ---------------------------------------------------------------------------------


def labelled_lines(labels: tuple[str, ...] = ("energy", "legal"), per_label: int = 6) -> list[dict[str, Any]]:
    """`per_label` seed articles relabelled as each label: a small valid --data corpus."""
    seeds = [json.loads(line) for line in (REPO / "seeds" / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    return [
        {"id": f"{name}-{i}", "title": seed["title"], "text": seed["text"], "topics": [name]}
        for name in labels
        for i, seed in enumerate(seeds[:per_label])
    ]


def bad_train_data() -> dict[str, str | bytes]:
    """The eight bad --data files of issue 22 (each otherwise a valid two-topic file)."""

    def changed(index: int, **fields: Any) -> str:
        rows = labelled_lines()
        rows[index] = {**rows[index], **fields}
        return _lines(rows)

    also = {k: v for k, v in labelled_lines()[0].items() if k != "topics"}
    rows_also = [{**also, "topic": "energy", "also": 5}] + labelled_lines()[1:]
    latex, path = labelled_lines(), labelled_lines()
    for rows, name in ((latex, "$\\undefinedcmd$"), (path, "../../x")):
        rows[0]["topics"] = rows[1]["topics"] = [name]
    return {
        "one class": _lines(labelled_lines(("energy",))),
        '"topics": 5': changed(0, topics=5),
        '"also": 5': _lines(rows_also),
        '"summary": 5': changed(0, summary=5),
        '"topics": {"a": 1}': changed(0, topics={"a": 1}),
        "a 0xE9 byte": _lines(labelled_lines()).encode() + b'{"id": "x\xe9", "text": "t", "topics": ["energy"]}\n',
        "label $\\undefinedcmd$": _lines(latex),
        "label ../../x": _lines(path),
    }


def train_data_cases(model: str, work: Path) -> Iterator[Case]:
    from nlpkit.cli import train

    encoder = str(Path(model) / "encoder")
    base = work / "train"
    for number, (kind, content) in enumerate(bad_train_data().items()):
        folder = base / f"case{number}"
        folder.mkdir(parents=True)
        data = folder / "my.jsonl"
        data.write_bytes(content if isinstance(content, bytes) else content.encode())
        models = folder / "models"
        called = call(
            train.main,
            [
                "--data",
                str(data),
                "--no-track",
                "--quiet",
                "--set",
                f"embed__model={encoder}",
                "--set",
                f"models_dir={models}",
                "--set",
                f"cache_dir={folder / 'cache'}",
            ],
        )
        case = one_line_exit_2(called, "train --data", kind)
        case.records_in = data.read_bytes().count(b"\n")  # refused as a whole (a usage error), so none lost
        case.ok = case.ok and not models.exists() and not (base / "x").exists()
        yield case
    folder = base / "splits"
    folder.mkdir()
    (folder / "my.jsonl").write_text(_lines(labelled_lines()), encoding="utf-8")
    (folder / "my.splits.json").write_text('{"train": 5}', encoding="utf-8")
    called = call(
        train.main,
        [
            "--data",
            str(folder / "my.jsonl"),
            "--no-track",
            "--quiet",
            "--set",
            f"embed__model={encoder}",
            "--set",
            f"models_dir={folder / 'models'}",
        ],
    )
    case = one_line_exit_2(called, "train --data", 'splits file {"train": 5}')
    case.ok = case.ok and not (folder / "models").exists()
    yield case
    splits = json.loads((REPO / "seeds" / "splits.json").read_text(encoding="utf-8"))
    seeds = [json.loads(line) for line in (REPO / "seeds" / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    legal = {r["id"] for r in seeds if r["topics"][0] == "legal"}
    splits["train"] = [i for i in splits["train"] if i not in legal]
    (folder / "seed-splits.json").write_text(json.dumps(splits), encoding="utf-8")
    called = call(
        train.main,
        [
            "--no-track",
            "--quiet",
            "--set",
            f"splits={folder / 'seed-splits.json'}",
            "--set",
            f"embed__model={encoder}",
            "--set",
            f"models_dir={folder / 'seed-models'}",
        ],
    )
    case = one_line_exit_2(called, "train --data", "seed split lacking a topic")
    case.ok = case.ok and not (folder / "seed-models").exists()
    yield case


# --- config -------------------------------------------------------------------------------------------------


def config_cases(model: str, work: Path) -> Iterator[Case]:
    from nlpkit.cli import train

    encoder = str(Path(model) / "encoder")
    overrides = {
        "clf__C of 5,000 digits": "clf__C=" + "1" * 5000,
        "experiment of 100k characters": "experiment=" + "e" * 100_000,
        "run_name of 300 characters": "run_name=" + "r" * 300,
        "run_name=../..": "run_name=../..",
        "control characters in --set": "run_name=a\x1b[2J\x07b",
        "random_state of 5,000 digits": "random_state=" + "7" * 5000,
    }
    for number, (kind, override) in enumerate(overrides.items()):
        deep = work / "config" / f"case{number}"
        models = deep / "a" / "models"
        called = call(
            train.main,
            [
                "--no-track",
                "--quiet",
                "--set",
                override,
                "--set",
                f"embed__model={encoder}",
                "--set",
                f"models_dir={models}",
            ],
        )
        case = one_line_exit_2(called, "config", kind)
        case.ok = case.ok and not deep.exists()  # nothing written, least of all above models_dir
        yield case


# --- output: locks, two names for one file, the same folder twice -------------------------------------------


def output_cases(model: str, work: Path) -> Iterator[Case]:
    from nlpkit.cli import predict

    folder = work / "output"
    inbox = folder / "inbox"
    inbox.mkdir(parents=True)
    for i in range(14):
        (inbox / f"a{i:02d}.txt").write_text(STORY.replace("Monday", f"Monday {i}"), encoding="utf-8")
    victim = folder / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (folder / ".planted.jsonl.lock").symlink_to(victim)
    called = call(predict.main, [str(inbox), "--model", model, "--output", str(folder / "planted.jsonl"), "--quiet"])
    intact = victim.read_text(encoding="utf-8") == "precious\n"
    yield Case(
        "output",
        "planted lock symlink",
        called.code,
        called.traceback,
        14,
        seconds=called.seconds,
        extra_mb=called.extra_mb,
        ok=intact and not called.traceback and called.code in (0, 2),
        note=f"target intact: {intact}",
    )
    yield _two_names(model, folder, inbox)

    out = folder / "twice.jsonl"
    first = call(predict.main, [str(inbox), "--model", model, "--output", str(out), "--quiet"])
    with contextlib.chdir(folder):
        second = call(predict.main, ["inbox", "--model", model, "--output", "twice.jsonl", "--resume", "--quiet"])
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    yield Case(
        "output",
        "same folder absolute then relative with --resume",
        second.code,
        first.traceback or second.traceback,
        14,
        len(ids),
        14 - len(set(ids)),
        first.seconds + second.seconds,
        max(first.extra_mb, second.extra_mb),
        ok=len(ids) == 14 == len(set(ids)) and second.code == 0,
        note=f"duplicates: {len(ids) - len(set(ids))}",
    )


def _two_names(model: str, folder: Path, inbox: Path) -> Case:
    """Two real processes at once, one per name of the same file: whole lines, each input once."""
    real = folder / "shared.jsonl"
    real.write_text("", encoding="utf-8")
    (folder / "alias.jsonl").symlink_to(real)
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    started = time.perf_counter()
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "nlpkit.predict",
                str(inbox),
                "--model",
                model,
                "--output",
                str(folder / name),
                "--resume",
                "--batch-size",
                "2",
                "--quiet",
            ],
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        for name in ("shared.jsonl", "alias.jsonl")
    ]
    results = [(run.wait(timeout=900), run.stderr.read() if run.stderr else "") for run in runs]
    ids, malformed = [], 0
    for line in real.read_text(encoding="utf-8").splitlines():
        try:
            ids.append(json.loads(line)["id"])
        except (ValueError, KeyError, TypeError):
            malformed += 1
    duplicates = len(ids) - len(set(ids))
    codes = [code for code, _ in results]
    tracebacks = any("Traceback" in err for _, err in results)
    return Case(
        "output",
        "two names for one file, two processes",
        max(codes),
        tracebacks,
        14,
        len(ids),
        14 - len(set(ids)),
        round(time.perf_counter() - started, 2),
        ok=not malformed and not duplicates and len(set(ids)) == 14 and set(codes) <= {0, 2} and not tracebacks,
        note=f"exit codes {codes}; malformed lines {malformed}; duplicate lines {duplicates}",
    )


# --- server: unhealthy tracking servers, the team server ------------------------------------------------------


@contextlib.contextmanager
def answering(status: int) -> Iterator[str]:
    """A local server answering every request with `status` (an --auth server without credentials is 401)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server hook
            self.send_response(status)
            self.end_headers()

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def plain_http_server(folder: Path) -> Iterator[str]:
    """`python -m http.server` in a folder: a web server, not MLflow."""
    with socket_port() as port:
        pass
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
                break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def socket_port() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        yield int(probe.getsockname()[1])


def server_cases(model: str, work: Path) -> Iterator[Case]:
    from nlpkit.cli import train

    encoder = str(Path(model) / "encoder")
    folder = work / "server"
    folder.mkdir()
    for kind, server in (
        ("--auth server without credentials (401)", answering(401)),
        ("python -m http.server as tracking URI", plain_http_server(folder)),
    ):
        with server as uri:
            models = folder / f"models-{len(kind)}"
            called = call(
                train.main,
                ["--quiet", "--set", f"embed__model={encoder}", "--set", f"models_dir={models}"],
                env={"MLFLOW_TRACKING_URI": uri},
            )
        case = one_line_exit_2(called, "server", kind)
        case.ok = case.ok and not models.exists()
        yield case
    yield from team_server_cases(folder)


def team_server_cases(folder: Path) -> Iterator[Case]:
    """auth.db mode, restart without --auth, stop with a stale group id; none of these needs PostgreSQL running."""
    from nlpkit.tracking import server
    from nlpkit.tracking.server import ServerError

    home = folder / "team-auth"
    home.mkdir()
    state = server.ServerState(dir=str(home), port=1, pg_port=1, password="x")
    server._auth_config(state, home)
    mode = (home / "auth.db").stat().st_mode & 0o777
    yield Case("server", "auth.db mode", ok=mode & 0o077 == 0, note=f"mode {mode:o}")

    home = folder / "team-restart"
    home.mkdir()
    (home / "auth.db").write_bytes(b"")
    started = time.perf_counter()
    try:
        server.start(home, port=1, auth=False)
        case = Case("server", "restart without --auth", 0, ok=False, note="started without auth")
    except ServerError as error:
        case = Case("server", "restart without --auth", 2, ok="--auth" in str(error), note=str(error)[:160])
    except Exception as error:  # noqa: BLE001 - the figure we count
        case = Case("server", "restart without --auth", None, True, ok=False, note=repr(error)[:160])
    case.seconds = round(time.perf_counter() - started, 2)
    yield case

    home = folder / "team-stale"
    home.mkdir()
    bystander = subprocess.Popen(["sleep", "120"], start_new_session=True)
    try:
        server._write_state(
            server.ServerState(dir=str(home), port=1, pg_port=1, password="x", mlflow_pgid=bystander.pid)
        )
        escaped = False
        try:
            server.stop(home)
        except ServerError:
            pass
        except Exception:  # noqa: BLE001 - the figure we count
            escaped = True
        time.sleep(0.3)
        alive = bystander.poll() is None
        yield Case(
            "server",
            "stop with a stale process-group id",
            traceback=escaped,
            ok=alive and not escaped,
            note=f"unrelated process survived: {alive}",
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(bystander.pid, signal.SIGKILL)
        bystander.wait()


def postgres_available() -> bool:
    from nlpkit.tracking.server import find_pg_bin

    return find_pg_bin() is not None


# --- bundles -------------------------------------------------------------------------------------------------


def _rehash(folder: Path, **changes: Any) -> None:
    from nlpkit.bundle import file_sha256

    manifest = json.loads((folder / "nlpkit.json").read_text(encoding="utf-8"))
    manifest.update(changes)
    manifest["files"] = {
        p.relative_to(folder).as_posix(): file_sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "nlpkit.json"
    }
    (folder / "nlpkit.json").write_text(json.dumps(manifest), encoding="utf-8")


def bundle_cases(model: str, work: Path) -> Iterator[Case]:
    from nlpkit.cli import predict

    inbox = str(REPO / "seeds" / "inbox")
    old = work / "bundle-old"
    shutil.copytree(model, old)
    (old / "classifier.skops").unlink()
    (old / "classifier.joblib").write_bytes(b"\x80\x04not a pickle at all")
    _rehash(old, format_version=1)
    yield one_line_exit_2(
        call(predict.main, [inbox, "--model", str(old), "--trust", "--quiet"]), "bundles", "--trust on a broken pickle"
    )

    evil = work / "bundle-module"
    shutil.copytree(model, evil)
    with contextlib.suppress(FileNotFoundError):
        (evil / "encoder" / "config.json").unlink()
    (evil / "encoder" / "modules.json").write_text(
        json.dumps([{"idx": 0, "name": "0", "path": "", "type": "antigravity"}])
    )
    _rehash(evil)
    yield one_line_exit_2(
        call(predict.main, [inbox, "--model", str(evil), "--quiet"]), "bundles", "module in modules.json"
    )

    bad_values: list[tuple[str, Any]] = [
        ("labels", ["energy", "energy"]),
        ("labels", [""]),
        ("decider", {"labels": ["energy"], "min_confidence": 7, "thresholds": {}}),
        ("decider", {"labels": ["energy"], "min_confidence": 0.5, "thresholds": {"energy": -2}}),
        ("summarizer", {"method": "centrality", "n_sentences": -4}),
        ("summarizer", {"method": "no-such-method"}),
    ]
    for number, (key, value) in enumerate(bad_values):
        folder = work / f"bundle-manifest{number}"
        shutil.copytree(model, folder)
        _rehash(folder, **{key: value})
        called = call(predict.main, [inbox, "--model", str(folder), "--quiet"])
        yield one_line_exit_2(called, "bundles", f"manifest {key}={json.dumps(value)[:40]}")

    bomb = work / "bundle-bomb"
    shutil.copytree(model, bomb)
    with (
        zipfile.ZipFile(bomb / "classifier.skops", "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("padding.npy", "w", force_zip64=True) as handle,
    ):
        for _ in range(1536):  # 1.5 GB of zeros, ~1.5 MB on disk
            handle.write(bytes(1 << 20))
    _rehash(bomb)
    called = call(predict.main, [inbox, "--model", str(bomb), "--quiet"])
    case = one_line_exit_2(
        called, "bundles", f"skops zip bomb ({(bomb / 'classifier.skops').stat().st_size / 1e6:.1f} MB)"
    )
    yield case
    yield _repoint_latest(model, work)


def _repoint_latest(model: str, work: Path, loads: int = 20) -> Case:
    """Load models/latest while a thread repoints it between two copies: every load must succeed."""
    from nlpkit.model import NewsModel

    models = work / "bundle-latest"
    models.mkdir()
    for name in ("one", "two"):
        shutil.copytree(model, models / name)
    latest = models / "latest"
    latest.symlink_to("one")
    stop = threading.Event()

    def repoint() -> None:
        flip = 0
        while not stop.is_set():
            flip ^= 1
            temporary = models / "latest.tmp"
            temporary.symlink_to("two" if flip else "one")
            os.replace(temporary, latest)
            time.sleep(0.005)

    thread = threading.Thread(target=repoint, daemon=True)
    thread.start()
    failures, escaped, started = 0, False, time.perf_counter()
    try:
        for _ in range(loads):
            try:
                NewsModel.load(latest)
            except Exception:  # noqa: BLE001 - a refused load is the figure
                failures += 1
    finally:
        stop.set()
        thread.join()
    return Case(
        "bundles",
        "repointing latest during loads",
        0 if not failures else 2,
        escaped,
        loads,
        loads - failures,
        failures,
        round(time.perf_counter() - started, 2),
        ok=not failures,
        note=f"{failures} of {loads} loads refused",
    )


# --- JSON: quadratic strings, null ids ------------------------------------------------------------------------


def json_cases(model: str, work: Path) -> Iterator[Case]:
    from nlpkit.cli import predict

    for kilobytes in (10, 20, 40, 120):
        folder = work / f"quadratic-{kilobytes}"
        folder.mkdir()
        pairs = kilobytes * 1000 // 2
        (folder / "q.json").write_text(chr(34) + (chr(92) + chr(34)) * pairs + "[]" * 201, encoding="utf-8")
        out = folder / "out.jsonl"
        called = call(predict.main, [str(folder), "--model", model, "--output", str(out), "--quiet"])
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
        yield Case(
            "json",
            f"quadratic JSON {kilobytes} KB",
            called.code,
            called.traceback,
            1,
            len(records),
            1 - len(records),
            called.seconds,
            called.extra_mb,
            ok=called.code == 1 and len(records) == 1 and bool(records[0]["error"]) and not called.traceback,
        )
    folder = work / "null-id"
    folder.mkdir()
    (folder / "feed.jsonl").write_text(
        '{"id": null, "text": "The court ruled on Monday. The judge agreed."}\n'
        '{"text": "The bank held its rate. Traders had expected it."}\n',
        encoding="utf-8",
    )
    out = folder / "out.jsonl"
    called = call(predict.main, [str(folder), "--model", model, "--output", str(out), "--quiet"])
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    errors = [r["error"] for r in records if r["error"]]
    yield Case(
        "json",
        '"id": null',
        called.code,
        called.traceback,
        2,
        len(records),
        2 - len(records),
        called.seconds,
        called.extra_mb,
        ok=called.code == 0 and len(records) == 2 and not errors,
        note=f"errors: {errors}",
    )


SURFACES: dict[str, Callable[[str, Path], Iterator[Case]]] = {
    "digest": digest_cases,
    "label": label_cases,
    "train-data": train_data_cases,
    "config": config_cases,
    "output": output_cases,
    "server": server_cases,
    "bundles": bundle_cases,
    "json": json_cases,
}


def warm_up(model: str) -> None:
    """Load the bundle once, so the first case's time and memory are its own and not the import of torch."""
    from nlpkit.model import NewsModel

    NewsModel.load(model).predict(["The court ruled on Monday. The judge agreed."])


def measure_surface(name: str, model: str, work: Path) -> dict[str, Any]:
    """Every case of one surface, and its figures: kinds, records, tracebacks, lost, exit codes, worst time/memory."""
    folder = work / f"surface-{name}"
    folder.mkdir()
    cases: list[Case] = []
    for case in SURFACES[name](model, folder):
        cases.append(case)
    return {
        "kinds": len(cases),
        "passed": sum(c.ok for c in cases),
        "records": sum(c.records_in for c in cases),
        "tracebacks": sum(c.traceback for c in cases),
        "lost": sum(c.lost for c in cases),
        "exit_codes": sorted({c.exit_code for c in cases if c.exit_code is not None}),
        "worst_seconds": max(c.seconds for c in cases),
        "worst_extra_mb": max(c.extra_mb for c in cases),
        "failed": [c.kind for c in cases if not c.ok],
        "cases": [asdict(c) for c in cases],
    }
