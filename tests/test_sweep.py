"""Sweeps: file checks (no training), and one real 2-child sweep with the real encoder into a temporary store.

The sweep trains on 60 seed articles (12 per topic) copied to a temporary corpus, logs to a sqlite MLflow
store in tmp_path, and registers its best child, which must then load from `models:/NAME@champion`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import mlflow
import pandas as pd
import pytest

from nlpkit.data.corpus import LABELS
from nlpkit.tracking.store import Tracker
from nlpkit.tracking.sweep import load_sweep, plan_children, run_sweep
from nlpkit.training.config import ConfigError, load_config
from nlpkit.training.selection import SelectionRule

ROOT = Path(__file__).resolve().parents[1]
SEED_CORPUS = ROOT / "seeds" / "articles.jsonl"
MODEL_NAME = "nlpkit-sweep-test"
TINY_SWEEP = """\
name: tiny
metric: val_macro_f1
mode: max
variants:
  - {clf: logreg, clf__C: 4.0}
  - {clf: knn, clf__n_neighbors: 3}
"""


def write_small_corpus(folder: Path, per_topic: tuple[int, int, int] = (8, 3, 1)) -> tuple[Path, Path]:
    """Copy the first 12 seed articles of each primary topic to `folder`, split 8 / 3 / 1 per topic."""
    counts: dict[str, int] = {}
    lines: list[str] = []
    splits: dict[str, list[str]] = {"train": [], "validation": [], "test": []}
    limits = (per_topic[0], per_topic[0] + per_topic[1], sum(per_topic))
    for line in SEED_CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        topic = record["topics"][0]
        seen = counts.get(topic, 0)
        if seen >= limits[2] or not record.get("summary"):
            continue
        counts[topic] = seen + 1
        lines.append(line)
        split = "train" if seen < limits[0] else "validation" if seen < limits[1] else "test"
        splits[split].append(record["id"])
    assert set(counts) == set(LABELS) and min(counts.values()) == limits[2], f"seed corpus too small: {counts}"
    corpus, split_file = folder / "articles.jsonl", folder / "splits.json"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    split_file.write_text(json.dumps(splits), encoding="utf-8")
    return corpus, split_file


def small_config(folder: Path, **overrides: object) -> dict:
    corpus, split_file = write_small_corpus(folder)
    settings = {
        "data": str(corpus),
        "splits": str(split_file),
        "models_dir": str(folder / "models"),
        "cache_dir": str(folder / "cache"),
        "experiment": "sweep-test",
        **overrides,
    }
    return load_config(None, [f"{key}={value}" for key, value in settings.items()])


def write_sweep(folder: Path, text: str, name: str = "sweep.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- sweep files: checked before anything trains ------------------------------------------------------


@pytest.fixture
def base_config() -> dict:
    return load_config(ROOT / "configs" / "default.yaml")


def test_grid_expands_to_every_combination(tmp_path, base_config):
    path = write_sweep(
        tmp_path, "name: g\nmetric: val_macro_f1\ngrid:\n  clf__C: [1.0, 4.0]\n  pool__method: [mean, mean_max]\n"
    )
    children = plan_children(base_config, load_sweep(path))
    assert [(c.config["clf__C"], c.config["pool__method"]) for c in children] == [
        (1.0, "mean"),
        (1.0, "mean_max"),
        (4.0, "mean"),
        (4.0, "mean_max"),
    ]
    assert len({c.name for c in children}) == 4
    assert children[0].name == "logreg-C1-method=mean-minilm"


def test_switching_classifier_drops_the_base_classifier_settings(tmp_path, base_config):
    path = write_sweep(tmp_path, "name: s\nmetric: val_macro_f1\nvariants:\n  - {clf: knn, clf__n_neighbors: 5}\n")
    [child] = plan_children({**base_config, "clf__C": 2.0}, load_sweep(path))
    assert "clf__C" not in child.config and child.config["clf__n_neighbors"] == 5
    assert child.name == "knn-n_neighbors5-minilm"


def test_children_that_share_a_default_name_get_the_varied_setting(tmp_path, base_config):
    path = ROOT / "configs" / "sweeps" / "summarizer.yaml"
    names = [c.name for c in plan_children(base_config, load_sweep(path))]
    assert len(set(names)) == len(names)
    from nlpkit.training.naming import compact

    assert f"logreg-C{compact(base_config['clf__C'])}-position_weight0-minilm" in names


def test_shipped_sweeps_are_valid(base_config):
    classifiers = plan_children(base_config, load_sweep(ROOT / "configs" / "sweeps" / "classifiers.yaml"))
    assert {c.config["clf"] for c in classifiers} >= {"logreg", "linear_svc", "knn", "mlp", "random_forest"}
    assert 8 <= len(classifiers) <= 10
    assert load_sweep(ROOT / "configs" / "sweeps" / "summarizer.yaml").metric == "val_summary_rouge1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "name: b\nmetric: val_macro_f1\nvariants:\n  - {clf: logreg}\n  - {clf: knn, clf__C: 2.0}\n",
            "variant 2 (clf=knn, clf__C=2.0)",
        ),
        (
            "name: b\nmetric: val_macro_f1\nvariants:\n  - {summary__n_sentence: 2}\n",
            "unknown parameter summary__n_sentence",
        ),
        ("name: b\nmetric: val_macro_f1\ngrid: {clf__C: 4.0}\n", "grid values must be non-empty lists"),
        ("name: b\nmetric: val_macro_f1\ngrid: {clf__C: [1.0]}\nvariants: [{}]\n", "exactly one of 'grid'"),
        ("name: b\nmetric: val_macro_f1\nmode: best\nvariants: [{}]\n", "'mode' must be max or min"),
        ("name: b\nvariants: [{}]\n", "'metric' must name"),
        ("name: b\nmetric: val_macro_f1\nvariants: [{register: x}]\n", "cannot vary"),
        ("name: b\nmetric: val_macro_f1\nvariants: [{clf__C: 2.0}, {clf__C: 2.0}]\n", "same settings as variant 1"),
        ("name: b\nmetric: val_macro_f1\nvarients: [{}]\n", "unknown key(s) ['varients']"),
        ("[1, 2]\n", "expected a mapping"),
    ],
)
def test_bad_sweep_files_name_the_file_and_the_problem(tmp_path, base_config, text, message):
    path = write_sweep(tmp_path, text, "bad.yaml")
    with pytest.raises(ConfigError) as caught:
        plan_children(base_config, load_sweep(path))
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_missing_sweep_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="sweep file .*nope.yaml not found"):
        load_sweep(tmp_path / "nope.yaml")


# --- one real sweep -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """Run the tiny sweep once (real encoder, ~60 articles) into a temporary MLflow store and registry."""
    folder = tmp_path_factory.mktemp("sweep")
    tracker = Tracker(f"sqlite:///{folder / 'mlflow.db'}")
    with tracker.active():  # the module's tests load models:/ URIs from this store too
        config = small_config(folder, register=MODEL_NAME)
        result = run_sweep(config, write_sweep(folder, TINY_SWEEP))
        yield result, tracker.client(), folder


@pytest.mark.slow
def test_children_are_nested_runs_under_one_parent(sweep):
    result, client, _ = sweep
    experiment = client.get_experiment_by_name("sweep-test")
    runs = client.search_runs([experiment.experiment_id])
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == result.parent_run_id]
    assert [p.info.run_id for p in parents] == [result.parent_run_id] and len(runs) == 3
    assert sorted(c.info.run_name for c in children) == ["knn-n_neighbors3-minilm", "logreg-C4-minilm"]
    assert all(c.data.params["register"] == "None" for c in children)
    assert all(c.data.tags["mlflow.note.content"].startswith("Sweep 'tiny' child") for c in children)


@pytest.mark.slow
def test_parent_records_the_best_child_by_the_metric(sweep):
    result, client, _ = sweep
    scores = {child.run_name: child.metrics["val_macro_f1"] for child in result.children}
    assert result.best is SelectionRule().best(result.children, lambda r: r.metrics)
    assert result.best.metrics["val_macro_f1"] >= max(scores.values()) - SelectionRule().margin
    parent = client.get_run(result.parent_run_id)
    assert parent.data.tags["best_run_id"] == result.best.run_id
    assert parent.data.metrics["best_val_macro_f1"] == pytest.approx(result.best.metrics["val_macro_f1"])
    assert client.get_run(result.best.run_id).data.tags["sweep_best"] == "true"
    assert client.get_run(result.best.run_id).data.tags["chosen"] == "true"
    assert parent.data.tags["chosen_run_id"] == result.best.run_id
    assert parent.data.tags["chosen_run_link"].endswith(f"/runs/{result.best.run_id}")
    assert parent.data.metrics["val_macro_f1"] == pytest.approx(result.best.metrics["val_macro_f1"])
    assert "sys/encode_seconds" not in parent.data.metrics  # the child's bookkeeping stays on the child
    table = Path(client.download_artifacts(result.parent_run_id, "sweep_table.md")).read_text(encoding="utf-8")
    assert all(name in table for name in scores) and "sys/encode_seconds" in table
    assert "logreg-C4-minilm" in result.table and "models:/nlpkit-sweep-test@champion" in result.table


@pytest.mark.slow
def test_second_child_reads_every_article_from_the_cache(sweep):
    result, _, _ = sweep
    first, second = result.children
    assert first.metrics["sys/cache_misses"] == 60 and first.metrics["sys/cache_hits"] == 0
    assert second.metrics["sys/cache_hits"] == 60 and second.metrics["sys/cache_misses"] == 0
    assert "sys/encode_seconds" in second.metrics


@pytest.mark.slow
def test_only_the_best_child_is_registered_and_the_champion_predicts(sweep):
    result, client, folder = sweep
    versions = client.search_model_versions(f"name='{MODEL_NAME}'")
    assert len(versions) == 1 and versions[0].run_id == result.best.run_id
    assert client.get_model_version_by_alias(MODEL_NAME, "champion").version == versions[0].version
    model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}@champion")
    text = (
        "Oil prices rose on Tuesday after OPEC ministers agreed to extend output cuts.\n\n"
        "Brent crude gained two dollars a barrel in London trading as refinery demand recovered."
    )
    output = model.predict(pd.DataFrame([{"title": "Oil rises on OPEC cuts", "text": text}]))
    assert len(output) == 1 and output["topic"][0] in LABELS and output["summary"][0]
    assert os.path.realpath(folder / "models" / "latest") == os.path.realpath(result.best.bundle)


# --- choosing the best child and the champion ---------------------------------------------------------


def test_a_lucky_article_does_not_crown_a_badly_calibrated_model():
    rule = SelectionRule(margin=0.005)
    forest = {"val_macro_f1": 0.9897, "val_log_loss": 0.79}
    logreg = {"val_macro_f1": 0.9884, "val_log_loss": 0.08}
    clear_winner = {"val_macro_f1": 0.9990, "val_log_loss": 0.90}
    assert rule.best([forest, logreg], dict) is logreg
    assert rule.best([forest, logreg, clear_winner], dict) is clear_winner
    assert rule.beats(logreg, forest)[0] and not rule.beats(forest, logreg)[0]
    assert not rule.beats({"val_macro_f1": float("nan")}, logreg)[0]
    assert SelectionRule("val_log_loss", "min", 0.0).best([forest, logreg], dict) is logreg


def test_sweep_file_margin_and_tie_break(tmp_path):
    spec = load_sweep(
        write_sweep(tmp_path, "name: m\nmetric: val_macro_f1\nmargin: 0.02\ntie_break: val_ece\nvariants: [{}]\n")
    )
    assert spec.rule.margin == 0.02 and spec.rule.tie_break == "val_ece"
    with pytest.raises(ConfigError, match="'margin' must be a number in"):
        load_sweep(write_sweep(tmp_path, "name: m\nmetric: val_macro_f1\nmargin: -1\nvariants: [{}]\n"))


FAST_MODEL = "nlpkit-fast-sweep"


@pytest.fixture(scope="module")
def fast_sweep(fast_config, tmp_path_factory):
    """The tiny sweep on the tiny encoder (seconds), registered under FAST_MODEL in the session store."""
    folder = tmp_path_factory.mktemp("fast-sweep")
    config = {
        **fast_config,
        "experiment": "nlpkit-fast-sweep",
        "models_dir": str(folder / "models"),
        "register": FAST_MODEL,
    }
    tracker = Tracker.from_environment()
    with tracker.active():
        return run_sweep(config, write_sweep(folder, TINY_SWEEP)), tracker.client(), folder


def test_sweep_points_latest_at_the_chosen_child_and_registers_it_as_champion(fast_sweep):
    result, client, folder = fast_sweep
    rule = load_sweep(folder / "sweep.yaml").rule
    chosen = rule.best(result.children, lambda r: r.metrics)
    assert chosen is result.best
    assert os.path.realpath(folder / "models" / "latest") == os.path.realpath(chosen.bundle)
    assert result.registration.promoted and result.registration.reason == "no champion yet"
    champion = client.get_model_version_by_alias(FAST_MODEL, "champion")
    challenger = client.get_model_version_by_alias(FAST_MODEL, "challenger")
    assert champion.version == challenger.version and champion.run_id == result.best.run_id
    assert (
        champion.description.startswith(f"# Model card: {result.best.run_name}") and "## Limits" in champion.description
    )
    assert champion.tags["validation_digest"] == result.best.validation_digest != ""
    assert (
        f"models:/{FAST_MODEL}@challenger (version {champion.version}); now models:/{FAST_MODEL}@champion"
        in result.table
    )


def test_the_sweep_parent_carries_the_chosen_childs_metrics_and_a_link_to_it(fast_sweep):
    result, client, _ = fast_sweep
    parent = client.get_run(result.parent_run_id)
    assert parent.data.metrics["val_macro_f1"] == pytest.approx(result.best.metrics["val_macro_f1"])
    assert parent.data.metrics["test_macro_f1"] == pytest.approx(result.best.metrics["test_macro_f1"])
    assert "sys/encode_seconds" not in parent.data.metrics and "sys/sweep_seconds" in parent.data.metrics
    assert parent.data.tags["chosen_run_id"] == result.best.run_id
    assert parent.data.tags["chosen_run_link"].endswith(
        f"/#/experiments/{parent.info.experiment_id}/runs/{result.best.run_id}"
    )
    chosen = [c.run_id for c in result.children if client.get_run(c.run_id).data.tags.get("chosen") == "true"]
    assert chosen == [result.best.run_id]
    child = client.get_run(result.best.run_id)
    assert child.data.params["encoder"] == Path(child.data.params["embed__model"]).name  # short, fits a column


def test_champion_moves_only_for_a_better_model_on_the_same_validation_data(fast_sweep):
    import dataclasses

    from nlpkit.tracking.training import register

    result, client, _ = fast_sweep
    rule = SelectionRule()
    first = int(client.get_model_version_by_alias(FAST_MODEL, "champion").version)
    [other] = [child for child in result.children if child is not result.best]
    loser = register(dataclasses.replace(other), FAST_MODEL, rule)  # chosen against it already: it cannot beat it
    assert not loser.promoted and loser.champion_version == first
    assert int(client.get_model_version_by_alias(FAST_MODEL, "challenger").version) == loser.version
    elsewhere = dataclasses.replace(
        result.best,
        validation_digest="0" * 64,
        metrics={**result.best.metrics, "val_macro_f1": 1.0, "val_log_loss": 0.0},
    )
    outcome = register(elsewhere, FAST_MODEL, rule)
    assert not outcome.promoted and "validated on other data" in outcome.reason
    better = dataclasses.replace(
        result.best, metrics={**result.best.metrics, "val_macro_f1": result.best.metrics["val_macro_f1"] + 0.05}
    )
    winner = register(better, FAST_MODEL, rule)
    assert winner.promoted and winner.reason.startswith("better val_macro_f1")
    assert int(client.get_model_version_by_alias(FAST_MODEL, "champion").version) == winner.version


def test_runs_log_pictures_error_table_and_model_card(fast_sweep):
    result, client, _ = fast_sweep
    run_id = result.best.run_id
    names = {a.path for a in client.list_artifacts(run_id)} | {
        a.path for a in client.list_artifacts(run_id, "validation")
    }
    assert {
        "f1_per_topic.png",
        "thresholds.png",
        "MODEL_CARD.md",
        "validation/reliability.png",
        "validation/errors.json",
        "validation/confusion_matrix.png",
    } <= names
    errors = json.loads(Path(client.download_artifacts(run_id, "validation/errors.json")).read_text(encoding="utf-8"))
    rows = [dict(zip(errors["columns"], row)) for row in errors["data"]]
    assert rows and {"title", "gold", "predicted", "scores", "summary", "confidence"} <= set(errors["columns"])
    kinds = [row["kind"] for row in rows]
    assert kinds == sorted(kinds, key=lambda kind: kind != "misclassified")  # misclassified first
    assert all((row["gold"] != row["predicted"]) == (row["kind"] == "misclassified") for row in rows)
    run = client.get_run(run_id)
    [dataset] = [d.dataset for d in run.inputs.dataset_inputs]  # the runs table's Dataset column
    assert dataset.name == "articles.jsonl" and dataset.digest and dataset.source
    metrics = run.data.metrics
    assert 0 <= metrics["val_ece"] <= 1 and "sys/encode_seconds" in metrics
    assert (result.best.bundle / "MODEL_CARD.md").read_text(encoding="utf-8") == result.best.card


def test_the_printed_link_opens_a_shared_view_ranked_by_the_sweep_metric(fast_sweep):
    result, client, _ = fast_sweep
    assert "viewStateShareKey=sweep-" in result.ui_path and result.ui_path.endswith("&workflowType=machine_learning")
    key = result.ui_path.split("viewStateShareKey=")[1].split("&")[0]
    experiment = client.get_experiment(result.best.experiment_id)
    state = json.loads(experiment.tags[f"mlflow.sharedViewState.{key}"])
    assert state["orderByKey"] == "metrics.`val_macro_f1`" and state["orderByAsc"] is False
    assert state["selectedColumns"][:3] == [
        "metrics.`val_macro_f1`",
        "metrics.`val_log_loss`",
        "metrics.`test_macro_f1`",
    ]
    assert state["columnOrder"] == state["selectedColumns"]
    assert "params.`clf`" in state["selectedColumns"] and "params.`clf__n_neighbors`" in state["selectedColumns"]
    assert state["searchFilter"] == f"tags.sweep_id = '{result.parent_run_id}'"
    assert f"http://127.0.0.1:5000{result.ui_path}" in result.table
