import numpy as np
import pytest

from nlpkit.heads.topics import TopicDecider, make_topic_pipeline

LABELS = ["diplomacy", "energy", "finance", "legal", "other"]


def test_pipeline_params_use_get_params_names():
    pipeline = make_topic_pipeline("logreg", {"clf__C": 0.5, "pool__title_weight": 2.0}, random_state=3)
    params = pipeline.get_params()
    assert params["clf__C"] == 0.5 and params["pool__title_weight"] == 2.0 and params["clf__random_state"] == 3


def test_unknown_pipeline_parameter_lists_the_valid_ones():
    with pytest.raises(ValueError, match="clf__C"):
        make_topic_pipeline("logreg", {"clf__n_neighbors": 3})


def test_fixed_decider_sets_one_secondary_threshold_for_every_topic_but_other():
    decider = TopicDecider.fixed(LABELS, min_confidence=0.3)
    assert decider.min_confidence == 0.3 and decider.thresholds == {label: 0.35 for label in LABELS[:-1]}
    assert decider.decide(np.array([0.36, 0.44, 0.1, 0.05, 0.05])) == ("energy", ["energy", "diplomacy"])
    assert decider.decide(np.array([0.1, 0.29, 0.2, 0.2, 0.21])) == ("other", ["other"])
    assert TopicDecider.fixed(LABELS, threshold=0.5).thresholds["legal"] == 0.5


def test_decider_primary_secondary_and_other():
    decider = TopicDecider(
        LABELS, min_confidence=0.4, thresholds={"diplomacy": 0.25, "energy": 0.3, "finance": 0.3, "legal": 0.3}
    )
    assert decider.decide(np.array([0.30, 0.55, 0.05, 0.05, 0.05])) == ("energy", ["energy", "diplomacy"])
    assert decider.decide(np.array([0.05, 0.9, 0.02, 0.02, 0.01])) == ("energy", ["energy"])
    assert decider.decide(np.array([0.3, 0.35, 0.2, 0.1, 0.05])) == ("other", ["other"])  # not confident enough
    assert decider.decide(np.array([0.1, 0.1, 0.1, 0.1, 0.6])) == ("other", ["other"])


def test_decider_learns_thresholds_that_separate_secondary_topics():
    rng = np.random.default_rng(0)
    proba, primary, topics = [], [], []
    for i in range(200):
        has_secondary = i % 2 == 0
        row = np.array([0.35 if has_secondary else 0.05, 0.55, 0.04, 0.03, 0.03]) + rng.uniform(0, 0.02, 5)
        proba.append(row / row.sum())
        primary.append("energy")
        topics.append(["energy", "diplomacy"] if has_secondary else ["energy"])
    decider = TopicDecider(LABELS).fit(np.array(proba), primary, topics)
    assert 0.05 < decider.thresholds["diplomacy"] < 0.34
    assert TopicDecider.from_dict(decider.to_dict()) == decider
