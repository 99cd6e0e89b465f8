"""`python -m nlpkit.predict` end to end, with a real model on the tiny static encoder (fast tier)."""

import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from nlpkit.cli import predict

ROOT = Path(__file__).resolve().parents[1]


def run_cli(args, capsys):
    code = predict.main([str(a) for a in args] + ["--quiet"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_seed_inbox_gives_one_record_per_article(fast_trained, capsys):
    code, out, err = run_cli(["seeds/inbox", "--model", fast_trained.bundle], capsys)
    records = jsonl(out)
    files = sorted(p for p in (ROOT / "seeds" / "inbox").iterdir())
    assert code == 0 and len(records) == len(files) >= 12
    assert [Path(r["path"]).name for r in records] == [p.name for p in files]
    for record in records:
        assert record["error"] is None and record["topics"][0] == record["topic"]
        assert 1 <= len(record["summary"]) <= 3 and set(record["scores"]) == {
            "diplomacy",
            "energy",
            "finance",
            "legal",
            "other",
        }
        assert abs(sum(record["scores"].values()) - 1) < 1e-3
    assert "predicted 14" in err or f"predicted {len(files)}" in err


def make_bad_folder(folder: Path) -> None:
    folder.mkdir()
    (folder / "good.txt").write_text(
        "Refinery restarts\n\nThe refinery restarted its crude unit on Monday after a fire.\n\n"
        "Output will return to 200,000 barrels a day by Friday, the operator said."
    )
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 50)
    (folder / "broken.json").write_text("{oops")
    (folder / "lines.jsonl").write_text(
        '{"id": "ok1", "text": "The court sentenced the former minister to nine years for bribery."}\nnot json\n'
    )
    (folder / "nav.html").write_text("<html><body><nav>Home</nav></body></html>")
    (folder / "latin1.txt").write_bytes(
        "Bank fined\n\nThe bank paid a \xa3500,000 fine to the regulator over lax checks.".encode("latin-1")
    )
    (folder / "russian.txt").write_text(
        "Переговоры\n\nМинистры иностранных дел двух стран провели переговоры в Москве во вторник."
    )
    (folder / "image.png").write_bytes(b"\x89PNG")
    (folder / "dangling.md").symlink_to(folder / "missing.md")


def test_bad_inputs_become_error_records_and_the_batch_goes_on(fast_trained, tmp_path, capsys):
    folder = tmp_path / "inbox"
    make_bad_folder(folder)
    code, out, err = run_cli([folder, "--model", fast_trained.bundle], capsys)
    records = {r["id"]: r for r in jsonl(out)}
    assert code == 1
    assert records["good"]["topic"] is not None and records["good"]["error"] is None
    assert records["ok1"]["topic"] is not None and records["ok1"]["summary"]
    expected_errors = {
        "empty": "empty file",
        "binary": "binary file",
        "broken": "malformed JSON",
        "line 2": "malformed JSON",
        "nav": "no article text",
        "dangling": "broken symlink",
    }
    for record_id, message in expected_errors.items():
        assert message in records[record_id]["error"], record_id
        assert records[record_id]["topic"] is None
    assert records["latin1"]["error"] is None and "cp1252" in records["latin1"]["warnings"][0]
    assert records["russian"]["error"] is None and "non-English" in records["russian"]["warnings"][0]
    assert "image" not in records
    assert "skipped 1" in err and "failed 6" in err
    assert f"error: {folder / 'empty.txt'}: empty file" in err


def test_csv_output_is_plain_text_that_round_trips_through_the_csv_module(fast_trained, tmp_path, capsys):
    out_file = tmp_path / "out.csv"
    code, _, _ = run_cli(
        ["seeds/inbox", "--model", fast_trained.bundle, "--output", out_file, "--summary-sentences", "2"], capsys
    )
    json_file = tmp_path / "out.jsonl"
    run_cli(["seeds/inbox", "--model", fast_trained.bundle, "--output", json_file, "--summary-sentences", "2"], capsys)
    rows = list(csv.DictReader(out_file.open(encoding="utf-8", newline="")))
    records = jsonl(json_file.read_text(encoding="utf-8"))
    assert code == 0 and len(rows) == len(records) >= 12
    assert list(rows[0]) == list(records[0])
    for row, record in zip(rows, records):
        assert row["summary"] == "; ".join(record["summary"]) and not row["summary"].startswith("[")
        assert row["topics"] == "; ".join(record["topics"])
        assert row["scores"] == "; ".join(f"{k}={v}" for k, v in record["scores"].items())
        assert row["id"] == record["id"] and row["title"] == record["title"] and row["model"] == record["model"]


def test_unknown_output_suffix_is_refused(fast_trained, tmp_path, capsys):
    code, _, err = run_cli(["seeds/inbox", "--model", fast_trained.bundle, "--output", tmp_path / "x.xlsx"], capsys)
    assert code == 2 and "unknown format '.xlsx'" in err and not (tmp_path / "x.xlsx").exists()


def test_resume_after_an_interrupted_run(fast_trained, tmp_path, capsys):
    out_file = tmp_path / "out.jsonl"
    code, _, _ = run_cli(["seeds/inbox", "--model", fast_trained.bundle, "--output", out_file], capsys)
    full = out_file.read_text(encoding="utf-8").splitlines(keepends=True)
    # Simulate a kill: 5 whole records and half of the sixth are on disk.
    out_file.write_text("".join(full[:5]) + full[5][: len(full[5]) // 2], encoding="utf-8")
    code, _, err = run_cli(["seeds/inbox", "--model", fast_trained.bundle, "--output", out_file, "--resume"], capsys)
    resumed = jsonl(out_file.read_text(encoding="utf-8"))
    assert code == 0 and "already done 5" in err
    assert [r["path"] for r in resumed] == [json.loads(line)["path"] for line in full]
    code, _, err = run_cli(["seeds/inbox", "--model", fast_trained.bundle, "--output", out_file, "--resume"], capsys)
    assert len(jsonl(out_file.read_text(encoding="utf-8"))) == len(full) and "predicted 0" in err


def test_interrupt_by_kill_leaves_whole_records(fast_trained, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    total = 1500
    for i in range(total):
        (folder / f"{i:04d}.txt").write_text(
            f"Story {i}\n\nThe court in case {i} heard the prosecutor. The judge adjourned."
        )
    out_file = tmp_path / "out.jsonl"
    command = [
        sys.executable,
        "-m",
        "nlpkit.predict",
        str(folder),
        "--model",
        str(fast_trained.bundle),
        "--output",
        str(out_file),
        "--quiet",
        "--batch-size",
        "1",
    ]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and (not out_file.exists() or out_file.stat().st_size < 5000):
        time.sleep(0.02)
    still_writing = process.poll() is None
    process.kill()
    process.wait(timeout=30)
    assert still_writing, "the run finished before it could be killed"
    partial = out_file.read_text(encoding="utf-8").splitlines(keepends=True)
    whole = [line for line in partial if line.endswith("\n")]
    assert 0 < len(whole) < total
    assert all(json.loads(line)["id"] for line in whole)
    resume = [arg for arg in command if arg not in ("--batch-size", "1")] + ["--resume"]  # resume at full speed
    subprocess.run(resume, cwd=ROOT, check=False, capture_output=True, timeout=600)
    records = jsonl(out_file.read_text(encoding="utf-8"))
    assert sorted(r["id"] for r in records) == [f"{i:04d}" for i in range(total)]


def test_model_from_mlflow_uri(fast_trained, capsys):
    code, out, _ = run_cli(
        ["seeds/inbox/2025-02-27-kazakh-central-bank-holds-rate.txt", "--model", fast_trained.model_uri], capsys
    )
    records = jsonl(out)
    assert code == 0 and records[0]["topic"] is not None and records[0]["error"] is None


def test_usage_and_model_errors_exit_2_without_traceback(fast_trained, tmp_path, capsys):
    code, _, err = run_cli([tmp_path / "nope", "--model", fast_trained.bundle], capsys)
    assert code == 2 and "does not exist" in err
    code, _, err = run_cli(["seeds/inbox", "--model", tmp_path], capsys)
    assert code == 2 and "not an nlpkit model bundle" in err and "Traceback" not in err
    tampered = tmp_path / "tampered"
    shutil.copytree(fast_trained.bundle, tampered)
    (tampered / "nlpkit.json").write_text((tampered / "nlpkit.json").read_text().replace('"labels"', '"labels" ', 1))
    manifest = json.loads((tampered / "nlpkit.json").read_text())
    manifest["files"]["classifier.skops"] = "0" * 64
    (tampered / "nlpkit.json").write_text(json.dumps(manifest))
    code, _, err = run_cli(["seeds/inbox", "--model", tampered], capsys)
    assert code == 2 and "modified" in err
    code, _, err = run_cli(["seeds/inbox", "--model", "models:/no-such-model@champion"], capsys)
    assert code == 2 and "error:" in err


def test_progress_total_is_counted_before_the_run(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_text("x")
    (folder / "feed.jsonl").write_text('{"text": "a"}\n{"text": "b"}\n\n{"text": "c"}\n')
    (folder / "skip.png").write_bytes(b"x")
    from nlpkit.data.inbox import count_records

    assert count_records(folder) == 1 + 4  # blank JSONL lines are counted: an estimate, one byte scan per file
    bar = predict._progress(quiet=False, total=5)
    assert bar.total == 5
    bar.close()


def test_spark_engine_usage_errors_need_no_spark(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Title\n\nBody.")
    assert predict.main([str(tmp_path), "--engine", "spark", "--output", str(tmp_path / "out.jsonl")]) == 2
    assert "Parquet" in capsys.readouterr().err
    assert predict.main([str(tmp_path), "--engine", "spark", "--output", "out.parquet", "--resume"]) == 2
    assert predict.main([str(tmp_path), "--master", "local[2]"]) == 2
    assert "--engine spark" in capsys.readouterr().err
    assert predict.main([str(tmp_path / "missing"), "--engine", "spark", "--output", "o.parquet"]) == 2
