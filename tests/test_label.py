"""`python -m nlpkit.label` and `python -m nlpkit.train --data` (fast tier: tiny static encoder)."""

import json
from pathlib import Path

import numpy as np
import pytest

from nlpkit.analysis.labelling import Candidate, CandidatePool, choose, margin_uncertainty
from nlpkit.cli import label, train
from nlpkit.errors import CorpusError
from nlpkit.model import NewsModel
from nlpkit.training.userdata import prepare_user_data, read_labelled, stratified_split

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "seeds" / "pairs" / "articles.jsonl"


def test_margin_uncertainty():
    scores = margin_uncertainty(np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.6, 0.3, 0.1]]))
    assert scores == pytest.approx([1.0, 0.0, 0.7])


def test_choose_spreads_the_picks_over_clusters():
    rng = np.random.default_rng(0)
    near_a = np.array([1.0, 0.0]) + 0.01 * rng.normal(size=(10, 2))
    near_b = np.array([0.0, 1.0]) + 0.01 * rng.normal(size=(10, 2))
    vectors = np.vstack([near_a, near_b])
    uncertainty = np.r_[np.linspace(0.99, 0.9, 10), np.linspace(0.8, 0.7, 10)]  # cluster a is the most uncertain
    picked = choose(uncertainty, vectors, 2, pool_factor=10)
    assert len(picked) == 2 and {i < 10 for i in picked} == {True, False}
    assert list(np.argsort(-uncertainty)[:2]) == [0, 1]  # uncertainty alone would take two from cluster a


def test_candidate_pool_keeps_only_the_most_uncertain():
    pool = CandidatePool(capacity=3)
    for i, score in enumerate([0.1, 0.9, 0.5, 0.7, 0.2]):
        pool.add(Candidate(score, i, {"id": str(i)}, np.array([float(i), 1.0])))
    assert pool.seen == 5 and sorted(c.uncertainty for c in pool.heap) == [0.5, 0.7, 0.9]
    assert [r["id"] for r in pool.select(2, pool_factor=1)] == ["1", "3"]


def test_label_cli_writes_records_ready_to_correct(fast_trained, tmp_path, capsys):
    out = tmp_path / "to_label.jsonl"
    code = label.main([str(PAIRS), "--n", "6", "--output", str(out), "--model", str(fast_trained.bundle), "--quiet"])
    err = capsys.readouterr().err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert code == 0 and len(records) == 6 and len({r["id"] for r in records}) == 6 and "picked 6" in err
    assert [r["uncertainty"] for r in records] == sorted((r["uncertainty"] for r in records), reverse=True)
    for record in records:
        assert record["text"] and record["topics"][0] == record["model_topic"] and record["source"] and record["date"]
        assert "event" not in record  # only the article, never the input's other fields
    assert label.main([str(tmp_path / "nope"), "--quiet"]) == 2
    folder = tmp_path / "feed"
    folder.mkdir()
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "story.txt").write_text(
        "Oil output cut\n\nProducers agreed to cut oil output. Prices rose.", encoding="utf-8"
    )
    code = label.main(
        [str(folder), "--n", "3", "--output", str(tmp_path / "b.jsonl"), "--model", str(fast_trained.bundle), "--quiet"]
    )
    err = capsys.readouterr().err
    assert (
        code == 1 and "empty.txt" in err and len((tmp_path / "b.jsonl").read_text(encoding="utf-8").splitlines()) == 1
    )


def test_label_ids_are_unique_for_train_data():
    from nlpkit.cli.label import _unique_ids

    records = _unique_ids(
        [
            {"id": "line 3", "path": "a/x.jsonl"},
            {"id": "s", "path": "a/s.txt"},
            {"id": "s", "path": "b/s.txt"},
            {"id": "s", "path": "b/s.txt"},
            {"id": "k", "path": "k.txt"},
        ]
    )
    assert [r["id"] for r in records] == ["a/x:L3", "a/s:s", "b/s:s", "b/s:s#2", "k"]


def test_read_labelled_takes_topics_topic_also_or_label(tmp_path):
    data = tmp_path / "mine.jsonl"
    data.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"id": "a", "text": "Oil rose.", "topics": ["energy", "finance"]},
                {"id": "b", "text": "Court ruled.", "topic": "legal", "also": ["diplomacy"]},
                {"text": "Fans cheered.", "label": "sport"},
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    records = read_labelled(data)
    assert [r["topics"] for r in records] == [["energy", "finance"], ["legal", "diplomacy"], ["sport"]]
    assert records[2]["id"] == "mine-3"
    data.write_text(json.dumps({"id": "x", "text": "No label here."}) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"mine.jsonl:1: no label"):
        read_labelled(data)


def test_stratified_split_keeps_every_label_in_each_part():
    records = [{"id": f"{label}{i}", "topics": [label]} for label in ("a", "b") for i in range(20)] + [
        {"id": "c0", "topics": ["c"]}
    ]
    split = stratified_split(records)
    assert sorted(i for part in split.values() for i in part) == sorted(r["id"] for r in records)
    for part in ("validation", "test"):
        assert {i[0] for i in split[part]} == {"a", "b"} and len(split[part]) == 6
    assert "c0" in split["train"]


def custom_label_file(folder: Path) -> Path:
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    path = folder / "desk.jsonl"
    path.write_text(
        "".join(
            json.dumps(
                {
                    "id": r["id"],
                    "title": r["title"],
                    "text": r["text"],
                    "topic": "markets" if r["topic"] in ("finance", "energy") else "politics",
                }
            )
            + "\n"
            for r in rows
        ),
        encoding="utf-8",
    )
    return path


def test_train_on_a_users_own_label_set(tiny_encoder, tmp_path, capsys):
    data = custom_label_file(tmp_path)
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
            "cache_dir=null",
            "--set",
            "pool__lexical_weight=0",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "macro-F1" in out
    split = json.loads((tmp_path / "desk.splits.json").read_text(encoding="utf-8"))
    assert sum(map(len, split.values())) == 35 and split["test"]
    model = NewsModel.load(models / "latest")
    assert model.labels == ["markets", "politics"]
    assert model.predict(["Oil prices rose as the pipeline reopened."])[0].topic in ("markets", "politics")
    assert prepare_user_data(data).splits == tmp_path / "desk.splits.json"  # the saved split is reused
    assert json.loads((tmp_path / "desk.splits.json").read_text(encoding="utf-8")) == split


def test_with_seeds_merges_the_seed_corpus(tmp_path):
    data = tmp_path / "mine.jsonl"
    data.write_text(
        "".join(
            json.dumps({"id": f"m{i}", "text": f"Story {i} about oil.", "topic": "energy"}) + "\n" for i in range(8)
        ),
        encoding="utf-8",
    )
    prepared = prepare_user_data(data, with_seeds=True, seeds=ROOT / "seeds")
    seeds = json.loads((ROOT / "seeds" / "splits.json").read_text(encoding="utf-8"))
    assert prepared.sizes["train"] == len(seeds["train"]) + 6
    assert prepared.overrides() == [
        f"data={prepared.data}",
        f"splits={prepared.splits}",
        "run_prefix=data-mine-with-seeds",
    ]
    clash = tmp_path / "clash.jsonl"
    first_seed_id = json.loads((ROOT / "seeds" / "articles.jsonl").read_text(encoding="utf-8").splitlines()[0])["id"]
    clash.write_text(json.dumps({"id": first_seed_id, "text": "x", "topic": "energy"}) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="ids also used by the seed corpus"):
        prepare_user_data(clash, with_seeds=True, seeds=ROOT / "seeds")


def test_one_labelled_schema_serves_the_corpus_the_user_file_and_evaluation_files(tmp_path):
    from nlpkit.data.corpus import LabelledArticle, load_corpus
    from nlpkit.errors import CorpusError
    from nlpkit.evaluation.evaluators import read_eval_file

    line = {
        "id": "a1",
        "title": "Grid deal",
        "text": "The ministry signed a power deal. It covers two plants.",
        "topic": "energy",
        "also": ["diplomacy", "energy"],
        "summary": ["The ministry signed a power deal."],
    }
    record = LabelledArticle.from_json(line, "x:1", labels=("energy", "diplomacy"))
    assert record.topics == ("energy", "diplomacy") and record.summary == ("The ministry signed a power deal.",)
    with pytest.raises(CorpusError, match=r"x:1: topics must be a non-empty list"):
        LabelledArticle.from_json(line, "x:1", labels=("energy",))
    with pytest.raises(CorpusError, match=r"x:2: missing field 'id'"):
        LabelledArticle.from_json({**line, "id": None}, "x:2")
    path = tmp_path / "corpus.jsonl"
    bare = {key: value for key, value in line.items() if key not in ("topic", "also")}
    path.write_text(json.dumps({**bare, "topics": ["energy"]}) + "\n")
    assert [r.topics for r in load_corpus(path, ("energy",))] == [("energy",)]
    path.write_text(json.dumps({**bare, "label": "finance"}) + "\n")
    assert [item.topic for item in read_eval_file(path)] == ["finance"]
