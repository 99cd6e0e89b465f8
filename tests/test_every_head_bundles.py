"""Every classifier a config can name saves as a skops bundle and loads back without untrusted types."""

import pytest

from nlpkit.heads.topics import CLASSIFIERS


@pytest.mark.slow
@pytest.mark.parametrize("clf", sorted(CLASSIFIERS))
def test_head_round_trips_through_a_bundle(clf, fast_config, tmp_path):
    from nlpkit.model import NewsModel
    from nlpkit.training.trainer import save_bundle, train

    config = {key: value for key, value in fast_config.items() if not key.startswith("clf__")}
    report = train({**config, "clf": clf, "models_dir": str(tmp_path)})
    loaded = NewsModel.load(save_bundle(report, clf))
    text = "The court jailed the former bank chairman for eight years for fraud."
    assert loaded.predict([text])[0].scores == report.model.predict([text])[0].scores
