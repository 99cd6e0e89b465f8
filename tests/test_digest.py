"""Same-story grouping and `python -m nlpkit.digest` (fast tier: tiny static encoder)."""

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from nlpkit.analysis.digest import load_settings
from nlpkit.analysis.grouping import GroupingSettings, group_stories, pair_scores, parse_date
from nlpkit.cli import digest, predict
from nlpkit.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "seeds" / "pairs" / "articles.jsonl"


def unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_group_stories_joins_near_vectors_and_respects_the_date_window():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=16), rng.normal(size=16)
    vectors = unit(
        [a, a + 0.05 * rng.normal(size=16), b, b + 0.05 * rng.normal(size=16), a + 0.05 * rng.normal(size=16)]
    )
    day = dt.date(2025, 3, 1)
    dates = [day, day + dt.timedelta(1), day, day, day + dt.timedelta(20)]
    stories = group_stories(vectors, dates, GroupingSettings(threshold=0.9, window_days=3))
    assert stories[0] == stories[1] and stories[2] == stories[3] and stories[0] != stories[2]
    assert stories[4] not in (stories[0], stories[2])  # same story text, three weeks later: a new story
    assert len(set(group_stories(vectors, [None] * 5, GroupingSettings(threshold=0.9)))) == 2


def test_group_stories_compares_to_the_centroid_so_a_chain_does_not_merge():
    angles = np.radians([0, 30, 60, 90])  # each next to the previous at cos 0.87, the ends at cos 0
    vectors = unit(np.stack([np.cos(angles), np.sin(angles)], axis=1))
    stories = group_stories(vectors, [None] * 4, GroupingSettings(threshold=0.85))
    assert len(set(stories)) >= 2


def test_pair_scores_and_dates():
    scores = pair_scores(["x", "x", "y", "z"], [0, 0, 0, 1])
    assert scores["precision"] == pytest.approx(1 / 3) and scores["recall"] == 1.0
    assert parse_date("2024-03-14-kyrgyz-border.txt") == dt.date(2024, 3, 14)
    assert parse_date("2025-02-30") is None and parse_date(None) is None


def test_settings_are_checked():
    assert load_settings(ROOT / "configs" / "digest.yaml").threshold == GroupingSettings().threshold
    with pytest.raises(ConfigError, match="unknown digest setting 'treshold'"):
        load_settings(None, {"treshold": 0.5})
    with pytest.raises(ConfigError, match="threshold must be in"):
        load_settings(None, {"threshold": 2})


def run_digest(args, capsys):
    code = digest.main([str(a) for a in args] + ["--quiet"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_digest_of_the_pairs_set_writes_json_and_html(fast_trained, tmp_path, capsys):
    out, page = tmp_path / "d.json", tmp_path / "d.html"
    code, stdout, err = run_digest([PAIRS, "--model", fast_trained.bundle, "--output", out, "--html", page], capsys)
    assert code == 0, err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["articles"] == 35 and data["failed"] == 0
    members = [a["id"] for story in data["stories"] for a in story["articles"]]
    assert sorted(members) == sorted(f"p{i:02d}" for i in range(1, 36))
    assert sum(data["topics"].values()) == 35 and "2025-03-05" in data["by_day"] and "Steppe Wire" in data["by_source"]
    for story in data["stories"]:
        assert story["size"] == len(story["articles"]) and story["representative"] in [
            a["id"] for a in story["articles"]
        ]
        assert story["summary"] and story["topic"]
    assert data["stories"][0]["title"] in stdout
    html = page.read_text(encoding="utf-8")
    assert html.count('<article class="story"') == len(data["stories"]) and 'id="chart-days"' in html
    assert "<script src" not in html and "http" not in html.split("<main>")[0]  # self-contained


def test_digest_of_a_folder_with_bad_files_and_of_a_predictions_file(fast_trained, tmp_path, capsys):
    folder = tmp_path / "feed"
    (folder / "wire-a").mkdir(parents=True)
    for name in ("2024-03-14-kyrgyz-tajik-border-talks.txt", "2025-02-27-kazakh-central-bank-holds-rate.txt"):
        (folder / "wire-a" / name).write_text(
            (ROOT / "seeds" / "inbox" / name).read_text(encoding="utf-8"), encoding="utf-8"
        )
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    code, _, err = run_digest([folder, "--model", fast_trained.bundle, "--output", tmp_path / "d.json"], capsys)
    data = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    assert code == 1 and data["articles"] == 2 and data["failed"] == 2
    assert {Path(e["path"]).name for e in data["errors"]} == {"empty.txt", "broken.json"} and "error: " in err
    assert data["by_source"] and set(data["by_source"]) == {"wire-a"} and "2024-03-14" in data["by_day"]

    predictions = tmp_path / "p.jsonl"
    assert (
        predict.main(["seeds/inbox", "--model", str(fast_trained.bundle), "--output", str(predictions), "--quiet"]) == 0
    )
    capsys.readouterr()
    code, _, err = run_digest([predictions, "--model", fast_trained.bundle, "--output", tmp_path / "p.json"], capsys)
    data = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert code == 0 and data["articles"] == len(list((ROOT / "seeds" / "inbox").iterdir()))


def test_digest_usage_errors_exit_2(fast_trained, tmp_path, capsys):
    code, _, err = run_digest([tmp_path / "missing", "--model", fast_trained.bundle], capsys)
    assert code == 2 and err.startswith("error: input")
    code, _, err = run_digest([PAIRS, "--model", fast_trained.bundle, "--set", "threshold=abc"], capsys)
    assert code == 2 and "threshold must be a number" in err


def item(
    id_, vector, date=None, source="", topic="energy", summary=("The pipeline reopened on Monday.",), evidence=None
):
    from nlpkit.analysis.digest import DigestItem

    return DigestItem(
        id_,
        f"{id_}.txt",
        f"title {id_}",
        source,
        date,
        topic=topic,
        topics=[topic],
        summary=list(summary),
        evidence=evidence or {topic: ["The pipeline reopened on Monday."]},
        vector=np.asarray(vector, dtype=np.float32) / np.linalg.norm(vector),
    )


def test_build_digest_counts_undated_and_unknown_outlets_orders_newest_first_and_shows_similarity():
    from nlpkit.analysis.digest import build_digest

    old, new = dt.date(2025, 1, 5), dt.date(2025, 3, 9)
    items = [
        item("a", [1, 0, 0], old, "Wire"),
        item("b", [0.9, 0.1, 0], old, ""),
        item("c", [0, 1, 0], new, "Wire", topic="finance"),
        item("d", [0, 0, 1], None, "Post", topic="legal"),
    ]
    data = build_digest(items, GroupingSettings(threshold=0.8)).data
    assert [s["last_date"] for s in data["stories"]] == ["2025-03-09", "2025-01-05", None]  # newest first, undated last
    assert data["undated"] == {"legal": 1} and data["unknown_source"] == {"energy": 1}
    assert sum(sum(day.values()) for day in data["by_day"].values()) + sum(data["undated"].values()) == 4
    pair = data["stories"][1]
    centroid = np.array([1.9, 0.1, 0]) / np.linalg.norm([1.9, 0.1, 0])
    expected = {
        "a": float(centroid @ [1, 0, 0]),
        "b": float(centroid @ (np.array([0.9, 0.1, 0]) / np.linalg.norm([0.9, 0.1, 0]))),
    }
    assert {a["id"]: a["similarity"] for a in pair["articles"]} == pytest.approx(expected, abs=1e-3)
    assert data["stories"][0]["articles"][0]["similarity"] == pytest.approx(1.0)


def test_why_line_is_left_out_when_it_repeats_the_summary():
    from nlpkit.analysis.digest import build_digest, repeats_summary

    summary = ["Kazakhstan raised gas exports to China by a fifth.", "The deal runs to 2030."]
    assert repeats_summary(["Kazakhstan  raised gas exports to China by a fifth."], summary)  # same first sentence
    assert repeats_summary(["Gas exports to China: Kazakhstan raised them by a fifth."], summary)  # same words
    assert not repeats_summary(["The finance ministry expects budget revenue to rise sharply."], summary)
    items = [
        item(
            "a",
            [1, 0],
            summary=summary,
            evidence={"energy": [summary[0]], "finance": ["The finance ministry expects budget revenue to rise."]},
        )
    ]
    story = build_digest(items, GroupingSettings()).data["stories"][0]
    assert set(story["evidence"]) == {"energy", "finance"} and set(story["why"]) == {"finance"}
    from nlpkit.analysis.page import render_html

    page = render_html(build_digest(items, GroupingSettings()).data)
    assert page.count("why:") == 1 and "budget revenue" in page


def test_digest_reads_rss_and_written_english_dates_from_records_and_predictions(tmp_path):
    from nlpkit.analysis.digest import prediction_item

    line = json.dumps(
        {"id": "x", "topic": "energy", "summary": ["s"], "scores": {}, "date": "Fri, 14 Mar 2025 09:00:00 +0500"}
    )
    assert prediction_item(line, 1, tmp_path / "p.jsonl").date == dt.date(2025, 3, 14)
    line = json.dumps({"id": "y", "topic": "energy", "summary": ["s"], "scores": {}, "date": "March 15, 2025"})
    assert prediction_item(line, 1, tmp_path / "p.jsonl").date == dt.date(2025, 3, 15)
    line = json.dumps({"id": "z", "topic": "energy", "summary": ["s"], "scores": {}, "path": "feed/16.03.2025-gas.txt"})
    assert prediction_item(line, 1, tmp_path / "p.jsonl").date == dt.date(2025, 3, 16)


def test_story_pairs_chooses_the_lowest_threshold_that_keeps_events_apart():
    from benchmarks.story_pairs import choose

    rows = [
        {"threshold": t, "dates": 1.0, "precision": p, "recall": r, "f1": 2 * p * r / (p + r)}
        for t, p, r in [(0.55, 0.75, 0.94), (0.65, 0.69, 0.56), (0.7, 1.0, 0.38), (0.75, 1.0, 0.06)]
    ]
    assert choose(rows)["threshold"] == 0.7
    assert choose([{**row, "precision": 0.5} for row in rows])["threshold"] == 0.55  # no sure one: best F1
