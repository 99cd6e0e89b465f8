"""Issue 14: what a scraper, a colleague or an attacker hands us never crashes a batch, loses a record or runs code.

One test per case of the issue (numbers in the test names follow its list), on the real tiny model.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nlpkit.cli import predict
from nlpkit.data.inbox import ReadLimits, read_path
from nlpkit.data.output import open_writer

ROOT = Path(__file__).resolve().parents[1]
STORY = (
    "Refinery restarts\n\nThe refinery restarted its crude unit on Monday after a fire. "
    "Output will return to 200,000 barrels a day by Friday, the operator said."
)


@pytest.fixture(scope="module")
def news_model(fast_trained):
    from nlpkit.model import NewsModel

    return NewsModel.load(fast_trained.bundle)


def run_loaded(model, args, capsys):
    """The predict CLI on an already loaded model (one load per module keeps the fast tier fast)."""
    parsed = predict.build_parser().parse_args([str(a) for a in args] + ["--quiet"])
    problem = predict._usage_problem(parsed)
    if problem:
        code = predict.fail(problem)
    else:
        try:
            code = predict.run(model, parsed)
        except predict.NlpkitError as error:
            code = predict.fail(str(error))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def records_of(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# --- 1. one bad file never ends the batch, and --resume gets past it --------------------------------


def hostile_folder(folder: Path) -> dict[str, str]:
    """Files that crashed the old reader, by the record id each yields -> what its error must say (or '' if fine)."""
    folder.mkdir()
    (folder / "a-good.txt").write_text(STORY)
    (folder / "deep.json").write_text("[" * 10_000 + "]" * 10_000)
    (folder / "bigint.json").write_text('{"id": ' + "9" * 5000 + ', "text": "The court ruled on Monday."}')
    (folder / "bignum.jsonl").write_text('{"text": "x", "n": ' + "1" * 5000 + "}\n")
    (folder / "surrogate.json").write_text(
        '{"id": "s\\ud800", "title": "T", "text": "The bank \\ud800 raised its rate on Monday."}'
    )
    (folder / os.fsdecode(b"name-\xff.txt")).write_text(STORY)
    return {"deep": "nested deeper", "bigint": "4300 digits", "line 1": "4300 digits"}


def test_1_hostile_files_become_records_and_resume_goes_past_them(news_model, tmp_path, capsys):
    folder = tmp_path / "inbox"
    expected = hostile_folder(folder)
    out = tmp_path / "out.jsonl"
    code, _, err = run_loaded(news_model, [folder, "--output", out], capsys)
    records = {r["id"]: r for r in records_of(out.read_text(encoding="utf-8"))}
    assert code == 1 and "Traceback" not in err and len(records) == 6
    for record_id, message in expected.items():
        assert message in records[record_id]["error"], record_id
    assert records["s\ufffd"]["topic"] is not None and "\ufffd" in records["s\ufffd"]["summary"][0]
    odd_name = next(r for r in records.values() if r["path"].endswith("name-\ufffd.txt"))
    assert odd_name["topic"] is not None and "not valid UTF-8" in odd_name["warnings"][0]
    code, _, err = run_loaded(news_model, [folder, "--output", out, "--resume"], capsys)
    assert code == 0 and "already done 6" in err and len(records_of(out.read_text(encoding="utf-8"))) == 6


# --- 2. a bundle cannot run code -----------------------------------------------------------------------


class _Payload:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def legacy_bundle(source: Path, target: Path, classifier: object) -> Path:
    """A format-1 bundle (joblib) around `classifier`, its sha256 recomputed as an attacker would."""
    import joblib

    from nlpkit.bundle import file_sha256

    shutil.copytree(source, target)
    (target / "classifier.skops").unlink()
    joblib.dump(classifier, target / "classifier.joblib")
    manifest = json.loads((target / "nlpkit.json").read_text())
    manifest["format_version"] = 1
    manifest["files"] = {"classifier.joblib": file_sha256(target / "classifier.joblib")}
    (target / "nlpkit.json").write_text(json.dumps(manifest))
    return target


def test_2_a_pickle_payload_never_runs_and_old_bundles_need_trust(fast_trained, news_model, tmp_path, capsys):
    marker = tmp_path / "pwned"
    evil = legacy_bundle(Path(fast_trained.bundle), tmp_path / "evil", [_Payload(str(marker))])
    code = predict.main(["seeds/inbox", "--model", str(evil), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and not marker.exists()
    assert "can run any code" in err and "--trust" in err and "Traceback" not in err
    old = legacy_bundle(Path(fast_trained.bundle), tmp_path / "old", news_model.pipeline)
    code = predict.main(
        ["seeds/inbox/2025-02-27-kazakh-central-bank-holds-rate.txt", "--model", str(old), "--trust", "--quiet"]
    )
    assert code == 0 and records_of(capsys.readouterr().out)[0]["topic"] is not None


def test_2_a_skops_head_with_an_untrusted_type_is_refused(fast_trained, tmp_path):
    import skops.io

    from nlpkit.bundle import BundleError, file_sha256, read_bundle

    bundle = shutil.copytree(fast_trained.bundle, tmp_path / "b")
    skops.io.dump({"head": ReadLimits()}, bundle / "classifier.skops")  # any type outside TRUSTED_TYPES
    manifest = json.loads((bundle / "nlpkit.json").read_text())
    manifest["files"]["classifier.skops"] = file_sha256(bundle / "classifier.skops")
    (bundle / "nlpkit.json").write_text(json.dumps(manifest))
    with pytest.raises(
        BundleError, match="refusing to load types nlpkit does not trust: nlpkit.data.inbox.record.ReadLimits"
    ):
        read_bundle(bundle)


# --- 3. two writers on one --output ------------------------------------------------------------------


def test_3_a_second_writer_on_the_same_output_fails_at_once(news_model, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    first = open_writer(out, ["id"], resume=False)
    try:
        started = time.monotonic()
        code, _, err = run_loaded(news_model, ["seeds/inbox", "--output", out], capsys)
        assert code == 2 and "being written by another nlpkit.predict" in err and time.monotonic() - started < 10
    finally:
        first.close()
    code, _, _ = run_loaded(news_model, ["seeds/inbox", "--output", out], capsys)
    assert code == 0


@pytest.mark.slow  # two model loads in subprocesses: about a minute on a busy 2-core machine
def test_3_two_processes_on_one_output_never_corrupt_it(fast_trained, tmp_path):
    out = tmp_path / "out.jsonl"
    command = [
        sys.executable,
        "-m",
        "nlpkit.predict",
        "seeds/inbox",
        "--model",
        str(fast_trained.bundle),
        "--output",
        str(out),
        "--quiet",
    ]
    processes = [subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in processes]  # type: ignore[union-attr]
    codes = sorted(code for code, _ in results)
    records = records_of(out.read_text(encoding="utf-8"))
    assert codes in ([0, 0], [0, 2])  # the second either waited for nothing (ran after) or was refused
    assert len(records) == len({r["path"] for r in records}) == len(list((ROOT / "seeds" / "inbox").iterdir()))


# --- 4. the output file is never read back as input ----------------------------------------------


def test_4_output_inside_the_input_folder_is_not_read_back(news_model, tmp_path, capsys):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "story.txt").write_text(STORY)
    out = folder / "out.jsonl"
    for _ in range(2):
        code, _, _ = run_loaded(news_model, [folder, "--output", out], capsys)
        assert code == 0 and len(records_of(out.read_text())) == 1
    copy = folder / "yesterday.jsonl"  # an old output copied aside is not articles either
    shutil.copy(out, copy)
    code, _, err = run_loaded(news_model, [folder, "--output", out, "--resume"], capsys)
    assert code == 0 and len(records_of(out.read_text())) == 1 and "already done 1" in err


# --- 6. bounded time and memory per file ---------------------------------------------------------


def test_6_unclosed_html_parses_in_linear_time(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html><body>" + "<div><p>Some words of the story. <span>" * 20_000)  # ~760 KB
    started = time.monotonic()
    record = next(read_path(page, limits=ReadLimits(max_chars=10**7)))
    assert time.monotonic() - started < 10 and record.error is None and record.text.count("Some words") == 20_000


def test_6_parse_time_limit_turns_into_an_error_record(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>" * 200_000)
    record = next(read_path(page, limits=ReadLimits(parse_seconds=1e-6)))
    assert "parsing took over" in record.error


def test_6_parse_time_counts_only_the_reader_not_the_predictions_in_between(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"text": f"Story {i}."}) + "\n" for i in range(4)))
    records = []
    for record in read_path(feed, limits=ReadLimits(parse_seconds=0.5)):
        records.append(record)
        time.sleep(0.3)  # the caller predicting a batch
    assert [r.error for r in records] == [None] * 4


def test_6_huge_articles_are_cut_to_the_limits(news_model, tmp_path, capsys):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "many.txt").write_text(
        "Title\n\n" + " ".join(f"Item {i} ok." for i in range(100_000))
    )  # 1.1 MB, 100,000 sentences
    (folder / "long.txt").write_text("Title\n\n" + ("The minister met the envoy in the capital. " * 110_000))  # 4.8 MB
    started = time.monotonic()
    code, out, _ = run_loaded(news_model, [folder, "--max-sentences", "300"], capsys)
    many, long = records_of(out)
    assert code == 0 and time.monotonic() - started < 60
    assert any("only the first 300 were read" in w for w in many["warnings"])
    assert any("text cut to its first 200,000 characters" in w for w in long["warnings"]) and long["topic"]


# --- 8. --resume trusts nothing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"42\n", "line 1 is not an nlpkit record"),
        (b'{"path": "a", "id": "a", "sha256": "x"}\n\xff\xfe\n', "line 2 is not UTF-8"),
    ],
)
def test_8_a_foreign_resume_file_is_one_line_exit_2(news_model, tmp_path, capsys, content, message):
    out = tmp_path / "out.jsonl"
    out.write_bytes(content)
    code, _, err = run_loaded(news_model, ["seeds/inbox", "--output", out, "--resume"], capsys)
    assert code == 2 and message in err and "Traceback" not in err and out.read_bytes() == content


def test_8_edited_input_keeps_only_the_newest_record(news_model, tmp_path, capsys):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_text(STORY)
    (folder / "b.txt").write_text(STORY.replace("Monday", "Tuesday"))
    out = tmp_path / "out.jsonl"
    run_loaded(news_model, [folder, "--output", out], capsys)
    (folder / "a.txt").write_text(STORY.replace("fire", "flood"))
    code, _, _ = run_loaded(news_model, [folder, "--output", out, "--resume"], capsys)
    records = records_of(out.read_text())
    assert code == 0 and sorted(r["id"] for r in records) == ["a", "b"]
    assert "flood" in " ".join(next(r for r in records if r["id"] == "a")["summary"])


def test_8_resume_refuses_another_models_file(fast_trained, news_model, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    run_loaded(news_model, ["seeds/inbox/2025-02-27-kazakh-central-bank-holds-rate.txt", "--output", out], capsys)
    record = records_of(out.read_text())[0]
    assert len(record["model"]) == 16
    out.write_text(json.dumps({**record, "model": "0123456789abcdef"}) + "\n")
    code, _, err = run_loaded(news_model, ["seeds/inbox", "--output", out, "--resume"], capsys)
    assert code == 2 and "model 0123456789abcdef" in err and record["model"] in err


def test_8_identical_inputs_interrupted_after_the_first_keep_both(news_model, tmp_path, capsys):
    folder = tmp_path / "inbox"
    folder.mkdir()
    line = json.dumps({"id": "dup", "text": STORY})
    (folder / "feed.jsonl").write_text(line + "\n" + line + "\n")
    out = tmp_path / "out.jsonl"
    run_loaded(news_model, [folder, "--output", out], capsys)
    first = out.read_text().splitlines(keepends=True)
    assert [r["id"] for r in records_of("".join(first))] == ["dup", "dup#2"]
    out.write_text(first[0])  # killed after the first
    code, _, _ = run_loaded(news_model, [folder, "--output", out, "--resume"], capsys)
    assert code == 0 and [r["id"] for r in records_of(out.read_text())] == ["dup", "dup#2"]


def test_8_csv_file_name_with_a_newline_is_not_predicted_again(news_model, tmp_path, capsys):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "two\nlines.txt").write_text(STORY)
    out = tmp_path / "out.csv"
    run_loaded(news_model, [folder, "--output", out], capsys)
    code, _, err = run_loaded(news_model, [folder, "--output", out, "--resume"], capsys)
    assert code == 0 and "already done 1" in err and len(list(csv.DictReader(out.open(newline="")))) == 1


# --- 9. exit codes mean one thing each -----------------------------------------------------------


def test_9_unusable_outputs_exit_2_with_one_line(news_model, tmp_path, capsys):
    (tmp_path / "folder.jsonl").mkdir()
    (tmp_path / "file").write_text("x")
    full = tmp_path / "full.jsonl"
    full.symlink_to("/dev/full")
    for output, message in [
        (tmp_path / "folder.jsonl", "is a folder"),
        (tmp_path / "file" / "out.jsonl", "cannot create folder"),
        (full, "No space left on device"),
    ]:
        code, _, err = run_loaded(news_model, ["seeds/inbox", "--output", output], capsys)
        assert code == 2 and message in err and "Traceback" not in err and err.count("\n") == 1, err


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("labels", "diplomacy", "'labels' must be a list of strings"),
        ("summarizer", {"n_sentences": [3]}, "'summarizer' must be"),
        ("decider", {"labels": ["a"], "min_confidence": "high", "thresholds": {}}, "'decider' must be"),
        ("files", {"classifier.skops": 7}, "'files' must be"),
        ("encoder", {"source": "bundled", "path": 3, "model": "m", "sha256": "x"}, "'encoder' must be"),
    ],
)
def test_9_wrong_types_in_a_manifest_are_one_line(fast_trained, tmp_path, key, value, message):
    from nlpkit.bundle import BundleError, read_bundle

    bundle = shutil.copytree(fast_trained.bundle, tmp_path / "b")
    manifest = json.loads((bundle / "nlpkit.json").read_text())
    manifest[key] = value
    (bundle / "nlpkit.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match=message):
        read_bundle(bundle)


@pytest.mark.parametrize("path", ["/etc/passwd", "../../outside.bin", "sub/../../x"])
def test_10_manifest_paths_stay_inside_the_bundle(fast_trained, tmp_path, path):
    from nlpkit.bundle import BundleError, read_bundle

    bundle = shutil.copytree(fast_trained.bundle, tmp_path / "b")
    manifest = json.loads((bundle / "nlpkit.json").read_text())
    manifest["files"][path] = "0" * 64
    (bundle / "nlpkit.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match="points outside the bundle"):
        read_bundle(bundle)
    manifest["files"].pop(path)
    manifest["encoder"].update(source="bundled", path=path)
    (bundle / "nlpkit.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match="points outside the bundle"):
        read_bundle(bundle)


# --- 10. symlinks, formulas, encodings --------------------------------------------------------------


def test_10_symlinks_out_of_the_folder_are_skipped_unless_followed(news_model, tmp_path, capsys):
    outside = tmp_path / "secret.txt"
    outside.write_text(STORY)
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "story.txt").write_text(STORY)
    (folder / "passwd.txt").symlink_to(outside)
    (folder / "inside.txt").symlink_to(folder / "story.txt")
    code, out, err = run_loaded(news_model, [folder], capsys)
    assert code == 0 and sorted(r["id"] for r in records_of(out)) == ["inside", "story"] and "skipped 1" in err
    code, out, _ = run_loaded(news_model, [folder, "--follow-symlinks"], capsys)
    assert sorted(r["id"] for r in records_of(out)) == ["inside", "passwd", "story"]


def test_10_csv_cells_cannot_start_a_formula(news_model, tmp_path, capsys):
    folder = tmp_path / "inbox"
    folder.mkdir()
    items = [{"id": start + "cmd|' /C calc'!A0", "title": start + "SUM(1+1)", "text": STORY} for start in "=+-@"]
    (folder / "feed.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))
    out = tmp_path / "out.csv"
    run_loaded(news_model, [folder, "--output", out], capsys)
    rows = list(csv.DictReader(out.open(newline="")))
    assert len(rows) == 4
    for row in rows:
        assert all(not cell.startswith(("=", "+", "-", "@")) for cell in row.values())
        assert row["id"][0] == "'" and row["title"][0] == "'"


def test_10_encodings_utf16_decoded_shift_jis_and_random_bytes_refused(tmp_path):
    (tmp_path / "bom.txt").write_bytes(STORY.encode("utf-16"))
    (tmp_path / "nobom.txt").write_bytes(STORY.encode("utf-16-le"))
    (tmp_path / "sjis.txt").write_bytes(("東京の中央銀行は月曜日に金利を据え置いた。" * 20).encode("shift_jis"))
    (tmp_path / "random.txt").write_bytes(bytes(range(128, 256)) * 40)
    for name in ("bom", "nobom"):
        record = next(read_path(tmp_path / f"{name}.txt"))
        assert record.error is None and record.title == "Refinery restarts" and not record.warnings
    for name in ("sjis", "random"):
        record = next(read_path(tmp_path / f"{name}.txt"))
        assert "Shift-JIS" in record.error and record.text == ""
