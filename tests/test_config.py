import pytest

from nlpkit.training.config import DEFAULTS, ConfigError, load_config, parse_overrides


def test_defaults_load_and_overrides_are_typed(tmp_path):
    config = load_config(None, ["clf=knn", "clf__n_neighbors=7", "summary__n_sentences=4"])
    assert config["clf"] == "knn" and config["clf__n_neighbors"] == 7 and config["summary__n_sentences"] == 4
    assert config["data"] == DEFAULTS["data"]


def test_yaml_file_then_overrides(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("clf: logreg\nclf__C: 8\npool__method: mean_max\n")
    config = load_config(path, ["clf__C=1"])
    assert config["clf__C"] == 1 and config["pool__method"] == "mean_max"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["colour=blue"], "unknown config key 'colour'"),
        (["clf=xgboost"], "clf must be one of"),
        (["clf__gamma=1"], "unknown parameter"),
        (["summary__n_words=3"], "unknown parameter summary__n_words"),
        (["summary__n_sentences=three"], "summary__n_sentences must be a int"),
        (["random_state=abc"], "random_state must be a int"),
        (["thresholds=2"], "thresholds must be"),
        (["embed__batchsize=8"], "unknown parameter embed__batchsize"),
    ],
)
def test_bad_settings_are_clear_errors(overrides, message):
    with pytest.raises(ConfigError, match=message):
        load_config(None, overrides)


def test_malformed_files_and_pairs(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a\n- list\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(bad)
    with pytest.raises(ConfigError, match="key=value"):
        parse_overrides(["clf__C"])
