"""Issue 22: the newer surfaces (digest, label, train --data, config, bundles, output, server) hold like predict does.

Each test reproduces one failure of the issue through a command's `main(argv)` (or the one library call the
command makes) on the fast tier's tiny model2vec model, and asserts the wanted behaviour: one `error:` line and
exit 2 for a usage error, an error record for a bad input with the batch going on, no traceback, nothing
written outside the place the user named.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.surfaces import labelled_lines, prediction
from nlpkit.cli import digest, label, predict, train
from nlpkit.errors import BundleError, ConfigError, DataError, TrackingError
from nlpkit.tracking.server import ServerError

ROOT = Path(__file__).resolve().parents[1]
STORY = (
    "Refinery restarts\n\nThe refinery restarted its crude unit on Monday after a fire. "
    "Output will return to 200,000 barrels a day by Friday, the operator said."
)
BIDI = "\u202e"


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err[-2000:]
    return lines[0]


def records_of(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# --- digest: links, bidi, odd prediction records, /dev/full, --config ---------------------------------------


def test_digest_page_drops_script_links_and_neutralises_bidi(fast_trained, tmp_path, capsys):
    bad_urls = [
        "javascript:alert(document.domain)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
    ]
    lines = [prediction("good", url="https://news.example/a")]
    lines += [prediction(f"bad{i}", url=url, title=f"Story {i} {BIDI}gpj.exe") for i, url in enumerate(bad_urls)]
    source = tmp_path / "predictions.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in lines))
    page = tmp_path / "page.html"
    code = digest.main([str(source), "--model", str(fast_trained.bundle), "--html", str(page), "--quiet"])
    text = page.read_text(encoding="utf-8")
    assert code == 0 and "https://news.example/a" in text
    lowered = text.lower().replace("\t", "")
    for scheme in ("javascript:", "vbscript:", "data:text"):
        assert f'href="{scheme}' not in lowered and f'href=" {scheme}' not in lowered
    assert BIDI not in text


def test_digest_odd_prediction_records_are_skipped_with_a_warning(fast_trained, tmp_path, capsys):
    odd = [
        prediction("list-topic", topic=["a"]),
        prediction("int-evidence", evidence=[1]),
        prediction("int-summary", summary=5),
        prediction("dict-title", title={"x": 1}),
        prediction("str-topics", topics="energy"),
        prediction("null-id", id=None),
    ]
    source = tmp_path / "predictions.jsonl"
    source.write_text(
        json.dumps(prediction("good")) + "\n" + "".join(json.dumps(r) + "\n" for r in odd) + "[" * 100_000 + "\n"
    )
    out = tmp_path / "digest.json"
    code = digest.main([str(source), "--model", str(fast_trained.bundle), "--output", str(out), "--quiet"])
    err = capsys.readouterr().err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert code == 1 and "Traceback" not in err
    assert data["articles"] == 2 and data["failed"] == 6  # the good one and the null id; the rest are error entries


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("flag", ["--html", "--output"])
def test_digest_writing_to_a_full_disk_is_one_line(fast_trained, tmp_path, capsys, flag):
    source = tmp_path / "predictions.jsonl"
    source.write_text(json.dumps(prediction("good")) + "\n")
    code = digest.main([str(source), "--model", str(fast_trained.bundle), flag, "/dev/full", "--quiet"])
    assert code == 2 and "/dev/full" in one_error_line(capsys.readouterr().err)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_label_writing_to_a_full_disk_is_one_line(fast_trained, tmp_path, capsys):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_text(STORY)
    code = label.main(
        [str(folder), "--model", str(fast_trained.bundle), "--output", "/dev/full", "--n", "1", "--quiet"]
    )
    assert code == 2 and "/dev/full" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    "content",
    [
        "a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
        "threshold: " + "9" * 5000 + "\n",
        "threshold: " + "[" * 5000 + "\n",
        "threshold: .nan\n",
    ],
)
def test_digest_config_bombs_are_one_short_line(fast_trained, tmp_path, capsys, content):
    config = tmp_path / "digest.yaml"
    config.write_text(content)
    source = tmp_path / "predictions.jsonl"
    source.write_text(json.dumps(prediction("good")) + "\n")
    code = digest.main([str(source), "--model", str(fast_trained.bundle), "--config", str(config), "--quiet"])
    line = one_error_line(capsys.readouterr().err)
    assert code == 2 and len(line) < 400


# --- digest and label read only inside the input folder ----------------------------------------------------


def test_digest_and_label_skip_symlinks_out_of_the_folder(fast_trained, tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("Private notes\n\nSECRET-MARKER the password is hunter2 and the vault opens on Monday.")
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_text(STORY)
    (folder / "x.txt").symlink_to(secret)
    out = tmp_path / "digest.json"
    assert digest.main([str(folder), "--model", str(fast_trained.bundle), "--output", str(out), "--quiet"]) == 0
    labelled = tmp_path / "label.jsonl"
    assert label.main([str(folder), "--model", str(fast_trained.bundle), "--output", str(labelled), "--quiet"]) == 0
    assert "SECRET-MARKER" not in out.read_text() and "SECRET-MARKER" not in labelled.read_text()
    assert "Traceback" not in capsys.readouterr().err


# --- train --data: every bad file is one line, before any training -------------------------------------------


def bad_data(case: str) -> tuple[str | bytes, str]:
    """(content of the --data file, a word the error must name)."""
    rows = labelled_lines()
    as_text = lambda items: "".join(json.dumps(r) + "\n" for r in items)  # noqa: E731
    if case == "one class":
        return as_text(labelled_lines(("energy",))), "two"
    if case in ("topics", "also", "summary"):
        rows[0] = (
            {**rows[0], case: 5}
            if case != "also"
            else {**{k: v for k, v in rows[0].items() if k != "topics"}, "topic": "energy", "also": 5}
        )
        return as_text(rows), case
    if case == "dict topics":
        rows[0]["topics"] = {"a": 1}
        return as_text(rows), "topics"
    if case == "bad byte":
        return as_text(rows).encode() + b'{"id": "x\xe9", "text": "t", "topics": ["energy"]}\n', "UTF-8"
    if case in ("latex label", "path label"):
        name = "$\\undefinedcmd$" if case == "latex label" else "../../x"
        rows[0]["topics"] = [name]
        rows[1]["topics"] = [name]
        return as_text(rows), "label"
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case", ["one class", "topics", "also", "summary", "dict topics", "bad byte", "latex label", "path label"]
)
def test_train_data_bad_records_are_one_line_before_training(tiny_encoder, tmp_path, capsys, case):
    content, word = bad_data(case)
    data = tmp_path / "my.jsonl"
    data.write_bytes(content if isinstance(content, bytes) else content.encode())
    models = tmp_path / "models"
    code = train.main(
        [
            "--data",
            str(data),
            "--no-track",
            "--quiet",
            "--set",
            f"embed__model={tiny_encoder}",
            "--set",
            f"models_dir={models}",
            "--set",
            f"cache_dir={tmp_path / 'cache'}",
        ]
    )
    line = one_error_line(capsys.readouterr().err)
    assert code == 2 and word.lower() in line.lower()
    assert not models.exists() and not (tmp_path.parent / "x").exists()


def test_train_data_with_a_malformed_splits_file_is_one_line(tiny_encoder, tmp_path, capsys):
    data = tmp_path / "my.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in labelled_lines()))
    (tmp_path / "my.splits.json").write_text('{"train": 5}')
    code = train.main(
        [
            "--data",
            str(data),
            "--no-track",
            "--quiet",
            "--set",
            f"embed__model={tiny_encoder}",
            "--set",
            f"models_dir={tmp_path / 'models'}",
        ]
    )
    assert code == 2 and "splits" in one_error_line(capsys.readouterr().err)


def test_a_seed_split_without_one_topic_in_train_is_one_line(tiny_encoder, tmp_path, capsys):
    splits = json.loads((ROOT / "seeds" / "splits.json").read_text())
    legal = {r["id"] for r in records_of((ROOT / "seeds" / "articles.jsonl").read_text()) if r["topics"][0] == "legal"}
    splits["train"] = [i for i in splits["train"] if i not in legal]
    copy = tmp_path / "splits.json"
    copy.write_text(json.dumps(splits))
    code = train.main(
        [
            "--no-track",
            "--quiet",
            "--set",
            f"splits={copy}",
            "--set",
            f"embed__model={tiny_encoder}",
            "--set",
            f"models_dir={tmp_path / 'models'}",
        ]
    )
    assert code == 2 and "legal" in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "models").exists()


# --- config values -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "word"),
    [
        ("clf__C=" + "1" * 5000, "clf__C"),
        ("experiment=" + "e" * 100_000, "experiment"),
        ("run_name=" + "r" * 300, "run_name"),
        ("run_name=../..", "run_name"),
        ("run_name=a/b", "run_name"),
        ("description=" + "d" * 100_000, "description"),
        ("random_state=" + "7" * 5000, "random_state"),
        ("register=" + "m" * 1000, "register"),
    ],
)
def test_long_or_huge_config_values_are_refused(override, word):
    from nlpkit.training.config import load_config

    with pytest.raises(ConfigError, match=word) as caught:
        load_config(None, [override])
    assert len(str(caught.value)) < 400


def test_train_with_an_escaping_run_name_exits_2_without_a_run(tiny_encoder, tmp_path, capsys):
    models = tmp_path / "deep" / "models"
    code = train.main(
        [
            "--no-track",
            "--quiet",
            "--set",
            "run_name=../..",
            "--set",
            f"embed__model={tiny_encoder}",
            "--set",
            f"models_dir={models}",
        ]
    )
    assert code == 2 and "run_name" in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "deep").exists()


# --- output: one lock per real file, a planted lock, the same folder twice, null ids -------------------------


def test_two_names_for_one_output_file_share_one_lock(tmp_path):
    from nlpkit.data.output import open_writer

    real = tmp_path / "out.jsonl"
    real.write_text("")
    (tmp_path / "a.jsonl").symlink_to(real)
    first = open_writer(real, ["id"], resume=False)
    try:
        with pytest.raises(DataError, match="another"):
            open_writer(tmp_path / "a.jsonl", ["id"], resume=False)
    finally:
        first.close()


@pytest.mark.slow  # two fresh processes each load torch: ~1.5 min on the shared 2 cores
def test_two_processes_writing_two_names_of_one_file_leave_whole_unique_lines(fast_trained, tmp_path):
    """Two real nlpkit.predict processes at once, one per name of the same file: one writes, the other is refused."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    for i in range(12):
        (folder / f"a{i:02d}.txt").write_text(STORY.replace("Monday", f"Monday {i}"))
    real = tmp_path / "out.jsonl"
    real.write_text("")
    (tmp_path / "a.jsonl").symlink_to(real)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "nlpkit.predict",
                str(folder),
                "--model",
                str(fast_trained.bundle),
                "--output",
                str(tmp_path / name),
                "--resume",
                "--batch-size",
                "2",
                "--quiet",
            ],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("out.jsonl", "a.jsonl")
    ]
    results = [(run.wait(timeout=300), run.stderr.read() if run.stderr else "") for run in runs]
    for code, err in results:
        assert "Traceback" not in err and code in (0, 2), err[-2000:]
        assert code == 0 or "another" in one_error_line(err)
    ids = [record["id"] for record in records_of(real.read_text())]  # a malformed line fails json.loads here
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 12 and not real.is_symlink()


def test_a_planted_lock_symlink_is_not_followed(tmp_path):
    from nlpkit.data.output import open_writer

    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / ".out.jsonl.lock").symlink_to(victim)
    try:
        writer = open_writer(tmp_path / "out.jsonl", ["id"], resume=False)
        writer.close()
    except DataError as error:
        assert "lock" in str(error)
    assert victim.read_text() == "precious\n"


def test_the_same_folder_by_absolute_then_relative_path_is_not_predicted_twice(
    fast_trained, tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "inbox"
    folder.mkdir()
    for i in range(3):
        (folder / f"a{i}.txt").write_text(STORY.replace("Monday", f"Monday {i}"))
    out = tmp_path / "out.jsonl"
    bundle = str(Path(fast_trained.bundle).resolve())
    assert predict.main([str(folder), "--output", str(out), "--model", bundle, "--quiet"]) == 0
    monkeypatch.chdir(tmp_path)
    assert predict.main(["inbox", "--output", "out.jsonl", "--resume", "--model", bundle, "--quiet"]) == 0
    assert len(records_of(out.read_text())) == 3


def test_a_null_id_falls_back_like_a_missing_id(tmp_path):
    from nlpkit.data.inbox import read_path

    path = tmp_path / "feed.jsonl"
    path.write_text('{"id": null, "text": "The court ruled on Monday."}\n{"text": "The bank held its rate."}\n')
    records = list(read_path(path))
    assert [r.error for r in records] == [None, None] and [r.id for r in records] == ["line 1", "line 2"]


# --- quadratic JSON -------------------------------------------------------------------------------------------


def test_quadratic_json_respects_the_parse_budget(tmp_path):
    from nlpkit.data.inbox import ReadLimits, read_path

    path = tmp_path / "q.json"
    path.write_text(chr(34) + (chr(92) + chr(34)) * 60000 + "[]" * 201)
    started = time.monotonic()
    records = list(read_path(path, limits=ReadLimits(parse_seconds=1.0)))
    assert len(records) == 1 and records[0].error  # unterminated string: an error record
    assert time.monotonic() - started < 20  # was 56 s; a linear scan takes well under a second


def test_parse_seconds_holds_for_a_json_file(tmp_path):
    from nlpkit.data.inbox import ReadLimits, read_path

    path = tmp_path / "brackets.json"
    path.write_text(json.dumps({"text": "The court ruled. " + "[" * 300_000}))
    assert [r.error for r in read_path(path)] == [None]
    records = list(read_path(path, limits=ReadLimits(parse_seconds=1e-9)))
    assert len(records) == 1 and "--parse-seconds" in (records[0].error or "")


# --- bundles ------------------------------------------------------------------------------------------------


def rehash(folder: Path, **changes: Any) -> None:
    from nlpkit.bundle import file_sha256

    manifest = json.loads((folder / "nlpkit.json").read_text())
    manifest.update(changes)
    manifest["files"] = {
        p.relative_to(folder).as_posix(): file_sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "nlpkit.json"
    }
    (folder / "nlpkit.json").write_text(json.dumps(manifest))


def test_trust_on_a_broken_legacy_bundle_is_one_line(fast_trained, tmp_path, capsys):
    old = tmp_path / "old"
    shutil.copytree(fast_trained.bundle, old)
    (old / "classifier.skops").unlink()
    (old / "classifier.joblib").write_bytes(b"\x80\x04not a pickle at all")
    rehash(old, format_version=1)
    code = predict.main([str(ROOT / "seeds" / "inbox"), "--model", str(old), "--trust", "--quiet"])
    assert code == 2 and "classifier.joblib" in one_error_line(capsys.readouterr().err)


def test_an_encoder_folder_naming_a_python_module_is_refused(fast_trained, tmp_path, capsys):
    evil = tmp_path / "evil"
    shutil.copytree(fast_trained.bundle, evil)
    for name in ("config.json",):
        (evil / "encoder" / name).unlink()
    (evil / "encoder" / "modules.json").write_text(
        json.dumps([{"idx": 0, "name": "0", "path": "", "type": "antigravity"}])
    )
    rehash(evil)
    code = predict.main([str(ROOT / "seeds" / "inbox"), "--model", str(evil), "--quiet"])
    assert code == 2 and "modules.json" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("labels", ["energy", "energy"]),
        ("labels", [""]),
        ("decider", {"labels": ["energy"], "min_confidence": 7, "thresholds": {}}),
        ("decider", {"labels": ["energy"], "min_confidence": float("nan"), "thresholds": {}}),
        ("decider", {"labels": ["energy"], "min_confidence": 0.5, "thresholds": {"energy": -2}}),
        ("summarizer", {"method": "centrality", "n_sentences": -4}),
        ("summarizer", {"method": "no-such-method"}),
    ],
)
def test_bad_manifest_values_are_refused(fast_trained, tmp_path, key, value):
    from nlpkit.bundle import read_bundle

    folder = tmp_path / "bundle"
    shutil.copytree(fast_trained.bundle, folder)
    rehash(folder, **{key: value})
    with pytest.raises(BundleError, match=key):
        read_bundle(folder)


def test_a_skops_zip_bomb_is_refused_before_loading(fast_trained, tmp_path, monkeypatch):
    from nlpkit import bundle

    folder = tmp_path / "bomb"
    shutil.copytree(fast_trained.bundle, folder)
    with (
        zipfile.ZipFile(folder / "classifier.skops", "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("padding.npy", "w", force_zip64=True) as handle,
    ):
        for _ in range(8):
            handle.write(bytes(1 << 20))
    rehash(folder)
    monkeypatch.setattr(bundle, "MAX_CLASSIFIER_BYTES", 4 << 20)
    with pytest.raises(BundleError, match="uncompressed"):
        bundle.read_bundle(folder)


def test_moving_latest_while_loading_reads_one_bundle(fast_trained, tmp_path):
    from nlpkit.bundle import read_bundle

    models = tmp_path / "models"
    models.mkdir()
    shutil.copytree(fast_trained.bundle, models / "one")
    (models / "latest").symlink_to("one")
    manifest, _, encoder = read_bundle(models / "latest")
    assert encoder.resolve().parent == (models / "one").resolve() and not encoder.is_symlink()
    assert models / "latest" not in encoder.parents


def test_moving_latest_after_the_checks_still_reads_the_checked_scorer(fast_config, tmp_path, monkeypatch):
    import nlpkit.model
    from nlpkit.heads.summarizers import LearnedSummarizer
    from nlpkit.model import NewsModel
    from nlpkit.training.trainer import save_bundle, train

    models = tmp_path / "models"
    report = train({**fast_config, "summary__method": "learned", "run_name": "learned", "models_dir": str(models)})
    save_bundle(report, "test")  # points models/latest at the new bundle
    assert (models / "latest").is_symlink()
    (models / "empty").mkdir()
    checked = nlpkit.model.read_bundle

    def read_then_repoint(folder: Path) -> Any:
        found = checked(folder)
        (models / "latest").unlink()
        (models / "latest").symlink_to("empty")  # another process repoints latest mid-load
        return found

    monkeypatch.setattr(nlpkit.model, "read_bundle", read_then_repoint)
    assert isinstance(NewsModel.load(models / "latest").summarizer, LearnedSummarizer)


# --- tracking server health and the team server ----------------------------------------------------------------


@pytest.fixture
def answering(request) -> Iterator[str]:
    """A local HTTP server that answers every GET with `request.param` (401 or 404)."""
    status = request.param

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server hook
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"no")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("answering", [401, 404], indirect=True)
def test_an_unhealthy_tracking_server_fails_before_training(answering, tiny_encoder, tmp_path, monkeypatch, capsys):
    from nlpkit.tracking.health import check_server

    with pytest.raises(TrackingError):
        check_server(answering)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", answering)
    models = tmp_path / "models"
    code = train.main(["--quiet", "--set", f"embed__model={tiny_encoder}", "--set", f"models_dir={models}"])
    assert code == 2 and answering in one_error_line(capsys.readouterr().err)
    assert not models.exists()


def test_a_server_started_with_auth_is_not_restarted_without_it(tmp_path):
    from nlpkit.tracking import server

    (tmp_path / "auth.db").write_bytes(b"")
    with pytest.raises(ServerError, match="--auth"):
        server.start(tmp_path, port=1, auth=False)


def test_the_auth_store_is_private(tmp_path):
    from nlpkit.tracking import server

    state = server.ServerState(dir=str(tmp_path), port=1, pg_port=1, password="x")
    server._auth_config(state, tmp_path)
    assert (tmp_path / "auth.db").stat().st_mode & 0o077 == 0


def test_stop_never_signals_a_process_group_that_is_no_longer_ours(tmp_path):
    from nlpkit.tracking import server

    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        state = server.ServerState(dir=str(tmp_path), port=1, pg_port=1, password="x", mlflow_pgid=bystander.pid)
        server._write_state(state)
        server.stop(tmp_path)
        time.sleep(0.3)
        assert bystander.poll() is None
    finally:
        os.killpg(bystander.pid, signal.SIGKILL)
        bystander.wait()


# --- properties: whatever a record or a value holds, only the module's own error comes out ------------------------

PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
PREDICTION_KEYS = st.sampled_from(
    ["id", "path", "title", "source", "url", "date", "topic", "topics", "summary", "evidence", "error", "scores"]
)


@PROPERTY_SETTINGS
@given(fields=st.dictionaries(PREDICTION_KEYS, JSON_VALUES, max_size=8))
def test_any_prediction_record_becomes_an_item_or_an_error_entry(fields):
    from nlpkit.analysis.digest import prediction_item
    from nlpkit.analysis.page import render_html

    item = prediction_item(json.dumps({**prediction("p"), **fields}), 1, Path("p.jsonl"))
    assert item.error is not None or (isinstance(item.title, str) and all(isinstance(s, str) for s in item.summary))
    if item.error is None:  # a well-typed record renders
        story = {
            "id": "s1",
            "title": item.title,
            "topic": item.topic,
            "topics": item.topics,
            "size": 1,
            "sources": [],
            "first_date": None,
            "last_date": None,
            "summary": item.summary,
            "evidence": item.evidence,
            "articles": [
                {
                    "id": item.id,
                    "title": item.title,
                    "path": item.path,
                    "url": item.url,
                    "source": "",
                    "date": None,
                    "topic": item.topic,
                }
            ],
        }
        render_html(
            {
                "topics": {},
                "articles": 1,
                "by_day": {},
                "by_source": {},
                "stories": [story],
                "errors": [],
                "generated": "now",
            }
        )


@PROPERTY_SETTINGS
@given(
    record=st.dictionaries(
        st.sampled_from(
            ["id", "title", "text", "topics", "topic", "also", "label", "labels", "summary", "date", "source"]
        ),
        JSON_VALUES,
        max_size=8,
    )
)
def test_any_train_data_record_is_read_or_refused_with_a_corpus_error(record):
    from nlpkit.errors import CorpusError
    from nlpkit.training.userdata import read_labelled

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "my.jsonl"
        path.write_text(json.dumps(record) + "\n" + json.dumps(labelled_lines()[0]) + "\n", encoding="utf-8")
        try:
            records = read_labelled(path)
        except CorpusError:
            return
        assert all(isinstance(t, str) for r in records for t in r["topics"])


@PROPERTY_SETTINGS
@given(
    key=st.sampled_from(
        [
            "clf__C",
            "experiment",
            "run_name",
            "random_state",
            "summary__n_sentences",
            "labels",
            "embed__batch_size",
            "thresholds",
        ]
    ),
    raw=st.one_of(
        st.text(max_size=40),
        st.integers().map(str),
        st.floats().map(str),
        st.text(alphabet="[]{}&*!-:, 9\"'", max_size=40),
    ),
)
def test_any_config_value_is_accepted_or_one_config_error(key, raw):
    from nlpkit.training.config import load_config

    try:
        load_config(None, [f"{key}={raw}"])
    except ConfigError as error:
        assert "\n" not in str(error) and len(str(error)) < 2000
