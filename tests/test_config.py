"""Config validation: every bad value or path stops in `load_config`, before data, encoder or MLflow."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpkit.training.config import CONSTRAINTS, DEFAULTS, ConfigError, load_config, parse_overrides

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_YAML = ROOT / "configs" / "default.yaml"


def test_defaults_load_and_overrides_are_typed():
    config = load_config(None, ["clf=knn", "clf__n_neighbors=7", "summary__n_sentences=4"])
    assert config["clf"] == "knn" and config["clf__n_neighbors"] == 7 and config["summary__n_sentences"] == 4
    assert config["data"] == DEFAULTS["data"]


def test_yaml_file_then_overrides(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("clf: logreg\nclf__C: 8\npool__method: mean_max\n")
    config = load_config(path, ["clf__C=1"])
    assert config["clf__C"] == 1 and config["pool__method"] == "mean_max"


def test_set_clf_replaces_the_classifier_and_drops_its_settings():
    config = load_config(DEFAULT_YAML, ["clf=linear_svc"])
    assert config["clf"] == "linear_svc" and not any(key.startswith("clf__") for key in config)
    config = load_config(DEFAULT_YAML, ["clf=knn", "clf__n_neighbors=9"])
    assert config["clf__n_neighbors"] == 9 and "clf__C" not in config
    default_c = load_config(DEFAULT_YAML, [])["clf__C"]
    assert load_config(DEFAULT_YAML, ["clf=logreg"])["clf__C"] == default_c  # same classifier: its settings stay


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["clf__C=abc"], "clf__C must be a float in the range (0.0, inf] (LogisticRegression), got 'abc'"),
        (["clf__C=-1"], "clf__C must be a float in the range (0.0, inf] (LogisticRegression), got -1"),
        (
            ["clf=linear_svc", "clf__estimator__C=0"],
            "clf__estimator__C must be a float in the range (0.0, inf) (LinearSVC)",
        ),
        (["clf=knn", "clf__n_neighbors=0"], "clf__n_neighbors must be an int in the range [1, inf)"),
        (["data=nope.jsonl"], "data: file nope.jsonl not found"),
        (["splits=nope.json"], "splits: file nope.json not found"),
        (["embed__model=/nope"], "embed__model: encoder folder /nope does not exist"),
        (["embed__model=seeds"], "embed__model: seeds is not a model folder"),
        (["summary__n_sentences=0"], "summary__n_sentences must be an integer in [1, 1000], got 0"),
        (["summary__n_sentences=three"], "summary__n_sentences must be an integer in [1, 1000], got 'three'"),
        (["summary__redundancy=1.5"], "summary__redundancy must be a number in [0, 1], got 1.5"),
        (["summary__position_decay=0"], "summary__position_decay must be a number in (0, inf), got 0"),
        (
            ["summary__coverage_start=0.5", "summary__coverage_full=0.3"],
            "summary__coverage_full must be at least summary__coverage_start",
        ),
        (["random_state=-5"], "random_state must be an integer in [0, 4294967295], got -5"),
        (["random_state=abc"], "random_state must be an integer"),
        (["embed__batch_size=0"], "embed__batch_size must be an integer in [1, 100000], got 0"),
        (["pool__method=median"], "pool__method must be one of 'mean', 'mean_max', got 'median'"),
        (["pool__lead_weight=-1"], "pool__lead_weight must be a number in [0, inf), got -1"),
        (["pool__title_weight=.nan"], "pool__title_weight must be a number in [0, inf), got nan"),
        (["thresholds=2"], "thresholds must be a number in [0, 1] or 'auto', got 2"),
        (["thresholds=best"], "thresholds must be a number in [0, 1] or 'auto', got 'best'"),
        (["clf=xgboost"], "clf must be one of 'knn', 'linear_svc', 'logreg', 'mlp', 'random_forest', got 'xgboost'"),
        (["experiment="], "experiment must be a non-empty string, got None"),
        (["models_dir=3"], "models_dir must be a non-empty string, got 3"),
        (["colour=blue"], "unknown config key 'colour' (expected one of cache_dir, clf, data"),
        (["experimnt=x"], "unknown config key 'experimnt'; did you mean 'experiment'?"),
        (["sumary__n_sentences=2"], "did you mean 'summary__n_sentences'"),
        (["clf__c=2"], "unknown parameter clf__c for clf='logreg'; did you mean 'clf__C'?"),
        (["clf__gamma=1"], "unknown parameter clf__gamma for clf='logreg'"),
        (["summary__n_sentence=3"], "did you mean 'summary__n_sentences'"),
        (["embed__batchsize=8"], "unknown parameter embed__batchsize; did you mean 'embed__batch_size'?"),
        (["clf__C={a: 1}"], "--set clf__C: expected a value, got a mapping"),
    ],
)
def test_each_bad_setting_is_one_clear_error(overrides, message):
    with pytest.raises(ConfigError) as caught:
        load_config(DEFAULT_YAML, overrides)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_every_setting_of_our_own_estimators_has_a_declared_constraint():
    from nlpkit.embedding.encoder import SentenceEncoder
    from nlpkit.heads.pooling import DocumentPooler
    from nlpkit.heads.summarizers import CentralitySummarizer

    names = set(DEFAULTS) | {f"pool__{k}" for k in DocumentPooler().get_params()}
    names |= {f"summary__{k}" for k in CentralitySummarizer().get_params()}
    names |= {f"embed__{k}" for k in SentenceEncoder().get_params() if k != "cache_dir"}
    assert names - set(CONSTRAINTS) == set()


def test_shipped_configs_are_valid():
    for path in (ROOT / "configs").glob("*.yaml"):
        # fast.yaml needs the distilled encoder folder (tests/test_distill.py); digest.yaml is nlpkit.digest's
        if path.name not in ("fast.yaml", "digest.yaml"):
            assert load_config(path)["clf"]


def test_malformed_files_and_pairs(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a\n- list\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(bad)
    bad.write_text("clf: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML at line 2"):
        load_config(bad)
    with pytest.raises(ConfigError, match="key=value"):
        parse_overrides(["clf__C"])


def test_yaml_alias_bomb_is_refused_in_a_short_message(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(bomb)
    assert "more than 32 YAML aliases" in str(caught.value) and len(str(caught.value)) < 200


def test_deep_and_large_yaml_is_refused(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 10_000 + "]" * 10_000 + "\n")
    with pytest.raises(ConfigError, match="nested deeper than 8 levels"):
        load_config(deep)
    big = tmp_path / "big.yaml"
    big.write_text("description: " + "x" * 300_000 + "\n")
    with pytest.raises(ConfigError, match="too large for a config file"):
        load_config(big)


@pytest.mark.parametrize(
    "override",
    [
        "clf__C=abc",
        "data=nope.jsonl",
        "embed__model=/nope",
        "summary__n_sentences=0",
        "clf__C=-1",
        "random_state=-5",
        "embed__batch_size=0",
        "pool__method=median",
    ],
)
def test_cli_stops_on_a_bad_value_with_one_line_and_no_run(tmp_path, monkeypatch, capsys, override):
    """The train CLI exits 2 with one line, before any MLflow store, run or encoder exists."""
    from nlpkit.cli import train as train_cli
    from nlpkit.embedding import encoder

    store = tmp_path / "store"
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{store}/mlflow.db")
    monkeypatch.setattr(encoder, "_load_backend", lambda *args: pytest.fail("the encoder loaded"))
    assert train_cli.main(["--set", override, "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and override.split("=")[0] in err[0]
    assert not store.exists()
