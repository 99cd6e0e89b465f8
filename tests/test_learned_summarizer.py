"""The learned sentence scorer (summary__method=learned), its persistence, and the summary length rule."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlpkit.errors import BundleError, ConfigError, NotFittedError
from nlpkit.heads.summarizers import (
    FEATURES,
    CentralitySummarizer,
    LeadSummarizer,
    LearnedSummarizer,
    SummaryLength,
    make_summarizer,
    reference_labels,
    select_sentences,
    sentence_features,
    summarizer_from_dict,
    summarizer_to_dict,
)
from nlpkit.model import SCORER_FILE, NewsModel
from nlpkit.text.document import EmbeddedArticle, parse_article

ROOT = Path(__file__).resolve().parents[1]


def random_vectors(article, seed: int = 0) -> EmbeddedArticle:
    rows = np.random.default_rng(seed).normal(size=(len(article.sentences) + 1, 8))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return EmbeddedArticle(title=rows[0], sentences=rows[1:])


def test_reference_labels_match_editor_sentences_despite_dateline_or_stray_quote() -> None:
    article = parse_article(
        "GENEVA, March 9 - Talks resume on Thursday, a spokesman said.\n\nThe weather was mild.\n\n"
        'He added that "progress is slow but serious."',
        "Talks resume",
    )
    labels = reference_labels(
        article, ["Talks resume on Thursday, a spokesman said.", "He added that progress is slow but serious."]
    )
    assert labels.tolist() == [1.0, 0.0, 1.0]
    assert reference_labels(article, ["Nothing like any sentence in the text at all."]).sum() == 0


def test_sentence_features_have_one_row_per_sentence_and_mark_the_lead() -> None:
    article = parse_article(
        'LONDON (Reuters) - Oil rose 3 percent. "It is a shock," a trader said. Will it last?', "Oil rises"
    )
    rows = sentence_features(article, random_vectors(article), n_wanted=1)
    assert rows.shape == (3, len(FEATURES))
    column = {name: rows[:, i] for i, name in enumerate(FEATURES)}
    assert column["is_first"].tolist() == [1.0, 0.0, 0.0]
    # The dateline is stripped when the article is parsed (text.furniture.strip_dateline), so the lead no longer
    # carries it and the feature only fires on a dateline form the stripper leaves.
    assert article.sentences[0].text == "Oil rose 3 percent." and column["dateline"][0] == 0.0
    assert column["starts_with_quote"][1] == 1.0 and column["question"][2] == 1.0
    assert np.allclose(column["share"], 1 / 3)
    assert len(FEATURES) == len(set(FEATURES)) == 27


def test_learned_summarizer_passes_every_inherited_parameter_by_name() -> None:
    inherited = CentralitySummarizer().get_params()
    distinct = {
        name: (index + 2 if isinstance(value, int) else index + 0.5)
        for index, (name, value) in enumerate(sorted(inherited.items()))
    }
    params = LearnedSummarizer(**distinct, C=0.25).get_params()
    assert {name: params[name] for name in distinct} == distinct and params["C"] == 0.25


def _labelled_slice(per_topic: int) -> tuple[list[Any], list[list[str]]]:
    articles, summaries = [], []
    counts: dict[str, int] = {}
    for line in (ROOT / "seeds" / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        topic = record["topics"][0]
        if record.get("kind") == "headline" or not record.get("summary") or counts.get(topic, 0) >= per_topic:
            continue
        counts[topic] = counts.get(topic, 0) + 1
        articles.append(parse_article(record["text"], record["title"], id=record["id"]))
        summaries.append(record["summary"])
    return articles, summaries


def test_learned_scorer_recovers_held_out_editor_picks_better_than_centrality(tiny_encoder: Path) -> None:
    from nlpkit.embedding.encoder import SentenceEncoder

    articles, summaries = _labelled_slice(per_topic=100)
    vectors = SentenceEncoder(model=str(tiny_encoder)).fit().transform(articles)
    cut, mid = len(articles) * 3 // 5, len(articles) * 4 // 5
    learned = LearnedSummarizer().fit(
        articles[:cut],
        vectors[:cut],
        summaries[:cut],
        validation=(articles[cut:mid], vectors[cut:mid], summaries[cut:mid]),
    )
    assert learned.metrics_["scorer_train_auc"] > 0.75
    assert learned.blend_ in LearnedSummarizer.BLEND_GRID and learned.redundancy_ in LearnedSummarizer.REDUNDANCY_GRID

    def recall(summarizer: CentralitySummarizer | LeadSummarizer) -> float:
        hits = total = 0.0
        for article, embedded, reference in zip(articles[mid:], vectors[mid:], summaries[mid:]):
            labels = reference_labels(article, reference)
            chosen = set(summarizer.summarize(article, embedded, len(reference)))
            hits += sum(labels[i] for i, text in enumerate(article.texts) if text in chosen)
            total += labels.sum()
        return hits / total

    assert recall(learned) > max(recall(CentralitySummarizer()), recall(LeadSummarizer())) + 0.03


def test_learned_summarizer_round_trips_through_plain_json() -> None:
    articles, summaries = _labelled_slice(per_topic=8)
    vectors = [random_vectors(a, i) for i, a in enumerate(articles)]
    learned = LearnedSummarizer(n_sentences=2, blend=0.25).fit(articles, vectors, summaries)
    settings = json.loads(json.dumps(summarizer_to_dict(learned)))
    state = json.loads(json.dumps(learned.fitted_state()))
    rebuilt = summarizer_from_dict(settings, state)
    assert isinstance(rebuilt, LearnedSummarizer) and settings["method"] == "learned" and rebuilt.blend_ == 0.25
    for article, embedded in zip(articles, vectors):
        assert rebuilt.summarize(article, embedded) == learned.summarize(article, embedded)
    longest = max(len(r) for r in summaries)
    assert rebuilt.max_count_ == longest
    long_article = max(articles, key=lambda a: len(a.sentences))
    embedded = vectors[articles.index(long_article)]
    partner = CentralitySummarizer(n_sentences=2)
    # past the editors' longest summary the scorer hands over to the centrality rating
    assert rebuilt.summarize(long_article, embedded, longest + 1) == partner.summarize(
        long_article, embedded, longest + 1
    )
    assert np.allclose(
        rebuilt.rate(long_article, embedded, longest + 1), partner.rate(long_article, embedded, longest + 1)
    )
    assert not np.allclose(rebuilt.rate(long_article, embedded, longest), partner.rate(long_article, embedded, longest))
    with pytest.raises(ValueError, match="fitted scorer"):
        summarizer_from_dict(settings)
    assert isinstance(summarizer_from_dict({"n_sentences": 2}), CentralitySummarizer)  # bundles from before issue 16


def test_unfitted_learned_summarizer_and_missing_summaries_are_clear_errors(fast_config: dict[str, Any]) -> None:
    article = parse_article("One. Two. Three.")
    with pytest.raises(NotFittedError, match="not fitted"):
        LearnedSummarizer().summarize(article, random_vectors(article))
    model = NewsModel.from_config({**fast_config, "summary__method": "learned"})
    with pytest.raises(ConfigError, match="summaries="):
        model.fit(["Oil rose. Prices up.", "The court ruled. Appeal filed."], ["energy", "legal"])


def test_trained_bundle_keeps_the_scorer_as_json_and_predicts_the_same(
    fast_config: dict[str, Any], tmp_path: Path
) -> None:
    from nlpkit.training.trainer import save_bundle, train

    config = {**fast_config, "summary__method": "learned", "run_name": "learned-summary", "models_dir": str(tmp_path)}
    report = train(config)  # the scorer is fitted inside train(), from the topic head's encoder pass
    bundle = save_bundle(report, "test")
    scorer = json.loads((bundle / SCORER_FILE).read_text(encoding="utf-8"))
    assert scorer["scorer"]["features"] == list(FEATURES) and len(scorer["scorer"]["coef"]) == len(FEATURES)
    manifest = json.loads((bundle / "nlpkit.json").read_text(encoding="utf-8"))
    assert manifest["summarizer"]["method"] == "learned" and SCORER_FILE in manifest["files"]
    loaded = NewsModel.load(bundle)
    assert isinstance(loaded.summarizer, LearnedSummarizer)
    text = (ROOT / "seeds" / "articles.jsonl").read_text(encoding="utf-8").splitlines()[3]
    record = json.loads(text)
    prediction = loaded.predict([{"title": record["title"], "text": record["text"]}])[0]
    assert prediction.summary and all(s in record["text"] for s in prediction.summary)
    # the report's metrics are what the MLflow run logs (nlpkit.tracking.training.record_training)
    assert report.metrics["scorer_train_auc"] > 0.5 and "scorer_val_auc" in report.metrics
    assert report.metrics["test_summary_rouge1"] > 0

    tampered = tmp_path / "tampered"
    shutil.copytree(bundle, tampered)
    (tampered / SCORER_FILE).write_text(json.dumps({**scorer, "blend": 0.9}), encoding="utf-8")
    with pytest.raises(BundleError, match=SCORER_FILE):
        NewsModel.load(tampered)


def test_config_checks_summary_method_and_its_parameters() -> None:
    from nlpkit.training.config import load_config

    default = ROOT / "configs" / "default.yaml"
    assert load_config(default, ["summary__method=learned", "summary__C=0.5"])["summary__C"] == 0.5
    with pytest.raises(ConfigError, match="summary__method"):
        load_config(default, ["summary__method=bert"])
    with pytest.raises(ConfigError, match="summary__C"):
        load_config(default, ["summary__method=centrality", "summary__C=0.5"])
    assert isinstance(make_summarizer({"method": "centrality", "n_sentences": 2}), CentralitySummarizer)


# --- the length rule -------------------------------------------------------------------------------


def test_ratio_is_held_between_min_sentences_and_the_n_sentences_cap() -> None:
    rule = SummaryLength(n_sentences=3, ratio=0.25, min_sentences=2)
    assert [rule.count(n) for n in (1, 2, 5, 6, 12, 60)] == [1, 2, 2, 2, 3, 3]
    assert SummaryLength(n_sentences=3).count(60) == 3  # no ratio: the count alone


def test_word_budget_wins_over_the_count_but_keeps_the_best_sentence() -> None:
    article = parse_article("Short one here. " + "Long " * 30 + "sentence. Another short one. A fourth short one.")
    scores = np.array([1.0, 3.0, 2.0, 0.5])
    assert select_sentences(article, scores, SummaryLength(3, max_words=10)) == [
        article.texts[1]
    ]  # the best, over budget
    in_order = np.array([3.0, 2.0, 1.0, 0.5])  # the long sentence is skipped for shorter ones further down
    assert select_sentences(article, in_order, SummaryLength(3, max_words=10)) == [article.texts[i] for i in (0, 2, 3)]
    assert select_sentences(article, in_order, SummaryLength(3, max_words=9)) == [article.texts[i] for i in (0, 2)]


def test_default_length_suits_a_brief_and_a_long_feature() -> None:
    from nlpkit.training.config import load_config, split_params

    settings = split_params(load_config(ROOT / "configs" / "default.yaml"), "summary__")
    settings["method"] = "centrality"
    summarizer = make_summarizer(settings)
    brief = parse_article(
        "\n\n".join(
            [
                "The council approved the budget on Monday. It passed by nine votes to two.",
                "Spending on roads rises by a tenth. Schools get more too.",
                "The mayor welcomed the vote. Opponents said taxes would rise.",
            ]
        ),
        "Budget passes",
    )
    feature_text = "\n\n".join(
        f"Paragraph {p} opens with a sentence of about twenty words on the pipeline project and its "
        f"many costs. It goes on for a while about the route number {p}, the money and the people."
        for p in range(42)
    )
    feature = parse_article(feature_text, "The pipeline")
    assert feature.word_count > 1400
    short = summarizer.summarize(brief, random_vectors(brief))
    long = summarizer.summarize(feature, random_vectors(feature))
    assert len(short) == 2
    assert len(long) <= 3 and sum(len(s.split()) for s in long) <= 120
    assert len(summarizer.summarize(feature, random_vectors(feature), n_sentences=5)) == 5  # an explicit count is exact
