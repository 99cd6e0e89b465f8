"""The anchor comparison (benchmarks/compare.py) on a handful of articles written here, with the real encoder."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from nlpkit.data.corpus import LABELS, LabelledArticle
from nlpkit.model import NewsModel
from nlpkit.text.document import parse_article
from nlpkit.training.config import load_config

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

TEXTS = {
    "diplomacy": [
        ("Foreign ministers meet in Vienna", "The foreign ministers of France and Japan met in Vienna on Monday. "
         "They agreed to reopen talks on a bilateral treaty. The ambassadors will draft the text next month."),
        ("Summit ends with joint statement", "Leaders of twelve countries ended their summit with a joint statement. "
         "The statement calls for new negotiations between the governments. A follow-up meeting is planned in spring."),
        ("Envoy mediates border dispute", "A United Nations envoy began mediating the border dispute between the two states. "
         "Both governments sent delegations to the talks. The envoy said diplomacy was the only way forward."),
    ],
    "energy": [
        ("Oil output rises", "Crude oil production rose in March as new wells came online. "
         "The refinery in the north processed more barrels than ever. Pipeline operators expect higher gas flows."),
        ("New power plant opens", "A gas-fired power plant opened on the coast this week. "
         "It will supply electricity to two million homes. The utility plans a wind farm next to it."),
        ("OPEC holds output steady", "OPEC members agreed to keep oil output unchanged. "
         "Brent crude prices fell slightly after the decision. Analysts expect fuel prices to stay flat."),
    ],
    "finance": [
        ("Central bank raises rates", "The central bank raised its main interest rate by a quarter point. "
         "Bond yields climbed and the currency strengthened. Banks are expected to raise mortgage rates."),
        ("Bank reports record profit", "The bank reported a record quarterly profit on strong lending. "
         "Its shares rose four percent on the stock exchange. Investors welcomed the higher dividend."),
        ("Merger creates large insurer", "Two insurers agreed to merge in a deal worth nine billion dollars. "
         "Shareholders will receive shares in the combined company. The takeover needs investor approval."),
    ],
    "legal": [
        ("Court convicts former mayor", "A court convicted the former mayor of fraud on Tuesday. "
         "The judge sentenced him to four years in prison. His lawyers said they would appeal the verdict."),
        ("Police arrest suspects", "Police arrested three suspects after a long investigation. "
         "Prosecutors charged them with money laundering. The trial is expected to start next year."),
        ("Lawsuit filed against maker", "Customers filed a lawsuit against the car maker in federal court. "
         "The complaint accuses the company of hiding defects. A judge will hear the case in May."),
    ],
    "other": [
        ("Team wins cup final", "The home team won the cup final with a late goal. "
         "The striker scored in the last minute of the match. Fans celebrated in the streets all night."),
        ("Film tops box office", "The new animated film topped the box office this weekend. "
         "Critics praised its music and its story. The studio is already planning a sequel."),
        ("Phone maker unveils device", "The phone maker unveiled a lighter smartphone with a bigger screen. "
         "The device has a faster chip and a better camera. It goes on sale in the autumn."),
    ],
}


@pytest.fixture(scope="module")
def compare():
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCHMARKS))
        yield importlib.import_module("compare")


def _labelled(topic: str, index: int) -> LabelledArticle:
    title, text = TEXTS[topic][index]
    return LabelledArticle(parse_article(text, title, id=f"{topic}-{index}"), (topic,), ())


@pytest.fixture(scope="module")
def fitted():
    train = [_labelled(topic, 0) for topic in LABELS]
    validation = [_labelled(topic, 1) for topic in LABELS]
    model = NewsModel.from_config(load_config(None, ["cache_dir=null"]))
    model.fit([r.article for r in train], [r.topics for r in train], ([r.article for r in validation], [r.topics for r in validation]))
    return model, train, validation


def test_summary_table_has_every_system_and_lead_matches_a_lead_reference(compare, fitted):
    model = fitted[0]
    articles = [parse_article(text, title) for topic in ("finance", "legal", "energy") for title, text in TEXTS[topic][:1]]
    items = [compare.SummaryItem(article, list(article.texts[:2]), 2) for article in articles]
    vectors = model._embed(articles)
    cost = compare.measure_encoder(model.encoder, articles, sample=2)
    scores = compare.compare_summaries(items, model, vectors, cost.seconds_for(articles))

    names = [score.system for score in scores]
    assert names == ["Lead-2", *compare.SUMY_ANCHORS, compare.NLPKIT]
    lead = scores[0].metrics
    assert lead["rouge1"] == pytest.approx(100.0) and lead["rouge2"] == pytest.approx(100.0)
    assert all(0.0 <= s.metrics[k] <= 100.0 for s in scores for k in ("rouge1", "rouge2", "rougeL"))
    assert all(s.articles_per_s > 0 for s in scores)
    table = "\n".join(compare.summary_table(scores))
    assert all(f"| {name} |" in table or f"| **{name}** |" in table for name in names)


def test_topic_comparison_scores_all_three_systems_on_the_same_articles(compare, fitted):
    model, train, validation = fitted
    dev = [_labelled(topic, 2) for topic in LABELS]
    data = compare.TopicData(
        train, validation, model._embed([r.article for r in validation]),
        [r.article for r in dev], [r.primary for r in dev], model._embed([r.article for r in dev]),
    )
    scores = compare.compare_topics(data, model, encode_seconds=0.5)

    assert [s.system for s in scores] == [compare.TFIDF, compare.ZERO_SHOT, compare.NLPKIT]
    for score in scores:
        assert set(score.metrics) == {"macro_f1", "accuracy", *(f"f1_{label}" for label in LABELS)}
        assert 0.0 <= score.metrics["macro_f1"] <= 1.0 and score.n_articles == len(dev)
    assert data.extra["n_train"] == len(train) and 0.0 <= data.extra["zero_shot_threshold"] < 0.8
    report = {"date": "today", "machine": compare.machine_info(), "model": "test", "limit": None,
              "summaries": {}, "topics": {"n": len(dev), **data.extra}, "test_counts": {label: 1 for label in LABELS}}
    markdown = compare.render_markdown(report, {}, scores)
    for name in (compare.TFIDF, compare.ZERO_SHOT, compare.NLPKIT):
        assert name in markdown
    assert "Topics macro-F1" in markdown and "cores" in markdown


def test_zero_shot_picks_the_topic_whose_description_is_closest(compare, fitted):
    from anchors import ZeroShotClassifier

    model, _, validation = fitted
    vectors = model._embed([r.article for r in validation])
    classifier = ZeroShotClassifier(model.encoder, threshold=0.0).fit(vectors, [r.primary for r in validation])
    predicted = classifier.predict(model._embed([_labelled("legal", 0).article, _labelled("energy", 2).article]))
    assert list(predicted) == ["legal", "energy"]


def test_sumy_anchor_returns_our_sentences_in_document_order(compare):
    from anchors import make_sumy, sumy_summary

    article = parse_article(TEXTS["legal"][0][1] + " " + TEXTS["legal"][1][1])
    picked = sumy_summary(make_sumy("TextRank (sumy)"), article, 3)
    assert len(picked) == 3
    assert [article.texts.index(s) for s in picked] == sorted(article.texts.index(s) for s in picked)


def test_missing_shared_folder_is_reported_and_exits_cleanly(compare, tmp_path, capsys):
    assert compare.main(["--shared", str(tmp_path / "absent"), "--out", str(tmp_path / "out")]) == 0
    assert "benchmark data not found" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


def test_bad_benchmark_line_names_file_and_line(compare, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "text": "Fine."}\nnot json\n', encoding="utf-8")
    with pytest.raises(compare.BenchmarkError, match=r"bad\.jsonl:2"):
        compare.read_jsonl(path)
