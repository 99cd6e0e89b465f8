"""The seed corpus is source: its schema, balance, summaries and originality are checked like code."""

import json
import re
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
TOPICS = {"diplomacy", "energy", "finance", "legal"}
FIELDS = {"id", "title", "text", "topics", "summary", "region", "date", "kind", "style"}
STYLES = {
    "international",
    "state-agency",
    "translated",
    "press-release",
    "parliament",
    "business-press",
    "regional-wire",
}


@pytest.fixture(scope="module")
def records():
    return [
        json.loads(line) for line in (SEEDS / "articles.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def test_schema_ids_and_labels(records):
    assert len({r["id"] for r in records}) == len(records)
    for r in records:
        assert set(r) == FIELDS, r["id"]
        assert r["title"].strip() and r["kind"] in {"full", "headline"} and r["style"] in STYLES, r["id"]
        assert r["text"].strip() or r["kind"] == "headline", r["id"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["date"]), r["id"]
        primary, *secondary = r["topics"]
        if primary == "other":
            assert secondary == [], f"{r['id']}: 'other' stands alone"
        else:
            assert primary in TOPICS and set(secondary) <= TOPICS - {primary}, r["id"]
            assert len(set(secondary)) == len(secondary), r["id"]


def test_counts_and_balance(records):
    primary = Counter(r["topics"][0] for r in records)
    assert all(primary[t] >= 240 for t in TOPICS) and primary["diplomacy"] >= 280 and primary["other"] >= 370
    assert len(records) >= 1400
    regional = [r for r in records if r["style"] != "international"]
    assert len(regional) >= len(records) / 2
    headlines = [r for r in records if r["kind"] == "headline"]
    assert len(headlines) >= 200 and {r["topics"][0] for r in headlines} == TOPICS | {"other"}


def test_domestic_government_news_outnumbers_its_diplomacy_contrast(records):
    """Issue 21: the model filed domestic government news under diplomacy; the regional styles must teach the border."""
    regional = Counter(r["topics"][0] for r in records if r["style"] != "international")
    assert regional["other"] >= 270 and regional["diplomacy"] >= 150
    boundary = [r for r in records if r["id"] in {f"oth-{n:03d}" for n in range(101, 191)}]
    assert len(boundary) == 90 and all(r["topics"] == ["other"] and r["style"] != "international" for r in boundary)
    topical = [r for r in records if r["topics"][0] in TOPICS]
    assert sum(len(r["topics"]) > 1 for r in topical) >= len(topical) / 4


def test_summaries_are_verbatim_sentences(records):
    for r in records:
        if r["kind"] == "headline":  # a title and at most one line: the line is the summary
            assert r["summary"] == ([r["text"]] if r["text"].strip() else []) and "\n" not in r["text"].strip(), r["id"]
            continue
        assert 2 <= len(r["summary"]) <= 4, r["id"]
        for sentence in r["summary"]:
            assert sentence in r["text"], f"{r['id']}: {sentence[:60]!r} is not in the text"


def test_lengths_have_a_spread(records):
    words = sorted(len(r["text"].split()) for r in records if r["kind"] == "full")
    assert words[-1] <= 700
    long_ones = sum(w >= 450 for w in words)
    mid = sum(90 <= w <= 350 for w in words)
    assert long_ones >= 30 and mid >= len(words) / 2 and words[len(words) // 2] > 100


def shingles(text, size=8):
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def test_no_two_articles_are_near_duplicates(records):
    sets = {r["id"]: shingles(r["text"]) for r in records if r["text"].strip()}
    index: dict[str, set] = {}
    for record_id, items in sets.items():
        for item in items:
            index.setdefault(item, set()).add(record_id)
    shared = Counter()
    for ids in index.values():
        for pair in combinations(sorted(ids), 2):
            shared[pair] += 1
    for (a, b), count in shared.items():
        overlap = count / max(1, min(len(sets[a]), len(sets[b])))
        assert overlap < 0.2, f"{a} and {b} share {overlap:.0%} of their 8-word shingles"


def test_split_is_fixed_complete_and_stratified(records):
    splits = json.loads((SEEDS / "splits.json").read_text())
    ids = [i for name in ("train", "validation", "test") for i in splits[name]]
    assert sorted(ids) == sorted(r["id"] for r in records)
    assert len(set(ids)) == len(ids)
    by_id = {r["id"]: (r["topics"][0], r["kind"]) for r in records}
    for name, share in (("train", 0.70), ("validation", 0.15), ("test", 0.15)):
        assert abs(len(splits[name]) / len(records) - share) < 0.02
        strata = Counter(by_id[i] for i in splits[name])
        assert {topic for topic, kind in strata} == TOPICS | {"other"}
        assert {topic for topic, kind in strata if kind == "headline"} == TOPICS | {"other"}


def test_inbox_holds_sample_files_in_every_supported_format():
    files = [p for p in (SEEDS / "inbox").iterdir() if p.is_file()]
    assert len(files) >= 12
    assert {p.suffix for p in files} >= {".txt", ".md", ".html", ".json"}
