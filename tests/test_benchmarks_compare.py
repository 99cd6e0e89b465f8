"""The anchor comparison (benchmarks.compare), its shared module and the runner on a handful of articles
written here, with the tiny static encoder (fast tier)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import anchors, common, compare, topic_baselines
from benchmarks.__main__ import main as run_benchmark
from benchmarks.report import Report, flat_metrics, write_report
from nlpkit.data.corpus import LABELS, LabelledArticle
from nlpkit.embedding.encoder import SentenceEncoder
from nlpkit.model import NewsModel
from nlpkit.text.document import parse_article
from nlpkit.training.config import load_config

TEXTS = {
    "diplomacy": [
        (
            "Foreign ministers meet in Vienna",
            "The foreign ministers of France and Japan met in Vienna on Monday. "
            "They agreed to reopen talks on a bilateral treaty. The ambassadors will draft the text next month.",
        ),
        (
            "Summit ends with joint statement",
            "Leaders of twelve countries ended their summit with a joint statement. "
            "The statement calls for new negotiations between the governments. "
            "A follow-up meeting is planned in spring.",
        ),
        (
            "Envoy mediates border dispute",
            "A United Nations envoy began mediating the border dispute between the two states. "
            "Both governments sent delegations to the talks. The envoy said diplomacy was the only way forward.",
        ),
    ],
    "energy": [
        (
            "Oil output rises",
            "Crude oil production rose in March as new wells came online. "
            "The refinery in the north processed more barrels than ever. Pipeline operators expect higher gas flows.",
        ),
        (
            "New power plant opens",
            "A gas-fired power plant opened on the coast this week. "
            "It will supply electricity to two million homes. The utility plans a wind farm next to it.",
        ),
        (
            "OPEC holds output steady",
            "OPEC members agreed to keep oil output unchanged. "
            "Brent crude prices fell slightly after the decision. Analysts expect fuel prices to stay flat.",
        ),
    ],
    "finance": [
        (
            "Central bank raises rates",
            "The central bank raised its main interest rate by a quarter point. "
            "Bond yields climbed and the currency strengthened. Banks are expected to raise mortgage rates.",
        ),
        (
            "Bank reports record profit",
            "The bank reported a record quarterly profit on strong lending. "
            "Its shares rose four percent on the stock exchange. Investors welcomed the higher dividend.",
        ),
        (
            "Merger creates large insurer",
            "Two insurers agreed to merge in a deal worth nine billion dollars. "
            "Shareholders will receive shares in the combined company. The takeover needs investor approval.",
        ),
    ],
    "legal": [
        (
            "Court convicts former mayor",
            "A court convicted the former mayor of fraud on Tuesday. "
            "The judge sentenced him to four years in prison. His lawyers said they would appeal the verdict.",
        ),
        (
            "Police arrest suspects",
            "Police arrested three suspects after a long investigation. "
            "Prosecutors charged them with money laundering. The trial is expected to start next year.",
        ),
        (
            "Lawsuit filed against maker",
            "Customers filed a lawsuit against the car maker in federal court. "
            "The complaint accuses the company of hiding defects. A judge will hear the case in May.",
        ),
    ],
    "other": [
        (
            "Team wins cup final",
            "The home team won the cup final with a late goal. "
            "The striker scored in the last minute of the match. Fans celebrated in the streets all night.",
        ),
        (
            "Film tops box office",
            "The new animated film topped the box office this weekend. "
            "Critics praised its music and its story. The studio is already planning a sequel.",
        ),
        (
            "Phone maker unveils device",
            "The phone maker unveiled a lighter smartphone with a bigger screen. "
            "The device has a faster chip and a better camera. It goes on sale in the autumn.",
        ),
    ],
}


def _labelled(topic: str, index: int) -> LabelledArticle:
    title, text = TEXTS[topic][index]
    return LabelledArticle(parse_article(text, title, id=f"{topic}-{index}"), (topic,), ())


@pytest.fixture(scope="module")
def fitted(tiny_encoder: Path) -> tuple[NewsModel, list[LabelledArticle], list[LabelledArticle]]:
    train = [_labelled(topic, 0) for topic in LABELS]
    validation = [_labelled(topic, 1) for topic in LABELS]
    model = NewsModel.from_config(load_config(None, ["cache_dir=null", f"embed__model={tiny_encoder}"]))
    model.fit(
        [r.article for r in train],
        [r.topics for r in train],
        ([r.article for r in validation], [r.topics for r in validation]),
    )
    return model, train, validation


def _topic_set(name: str, index: int, headline: bool = False) -> common.TopicSet:
    records = [_labelled(topic, index) for topic in LABELS]
    articles = [
        parse_article(r.article.title, r.article.title) if headline and i < 2 else r.article
        for i, r in enumerate(records)
    ]
    kinds = ["headline" if headline and i < 2 else "full" for i in range(len(records))]
    return common.TopicSet(name, Path(f"{name}.jsonl"), articles, [r.primary for r in records], kinds)


def test_summary_table_has_every_system_and_lead_matches_a_lead_reference(fitted):
    model = fitted[0]
    articles = [
        parse_article(text, title) for topic in ("finance", "legal", "energy") for title, text in TEXTS[topic][:1]
    ]
    items = [compare.SummaryItem(article, list(article.texts[:2]), 2) for article in articles]
    vectors = model.encode(articles).vectors
    cost = compare.measure_encoder(model.encoder, articles, sample=2)
    scores = compare.compare_summaries(items, model, vectors, cost.seconds_for(articles))

    names = [score.system for score in scores]
    assert names == ["Lead-2", *compare.SUMY_ANCHORS, compare.NLPKIT]
    lead = scores[0].metrics
    assert lead["rouge1"] == pytest.approx(100.0) and lead["rouge2"] == pytest.approx(100.0)
    assert all(0.0 <= s.metrics[k] <= 100.0 for s in scores for k in ("rouge1", "rouge2", "rougeL"))
    table = "\n".join(compare.summary_table(scores))
    assert all(f"| {name} |" in table or f"| **{name}** |" in table for name in names)
    targets = compare.summary_targets({"cnn": scores})
    assert [t.key for t in targets] == ["cnn_rouge_margin"] and "Lead-2" in targets[0].note


def test_topic_comparison_scores_every_system_on_both_dev_sets_and_headlines(fitted):
    model, train, validation = fitted
    sets = {"western": _topic_set("western", 2), "regional": _topic_set("regional", 2, headline=True)}
    batches = {name: common.encode(model, data.articles, name) for name, data in sets.items()}
    run = compare.TopicRun(model, topic_baselines.SeedData(train, validation), sets, batches)
    scores = compare.compare_topics(run, setfit=False)

    assert [s.system for s in scores] == [
        compare.NLPKIT,
        "TF-IDF + LogisticRegression",
        "TF-IDF + LinearSVC",
        "MiniLM first 256 tokens + LogisticRegression",
        compare.ZERO_SHOT,
    ]
    for score in scores:
        assert set(score.macro_f1) == {"western", "regional", "headline"}
        assert all(0.0 <= v <= 1.0 for v in score.macro_f1.values())
        assert score.worse_of_two == min(score.macro_f1["western"], score.macro_f1["regional"])
        for key, (low, high) in score.details["interval"].items():
            assert low <= score.macro_f1[key] + 1e-9 and score.macro_f1[key] <= high + 1e-9
    ours = scores[0]
    assert "nlpkit_gap" not in ours.details
    for rival in scores[1:]:
        for key, (gap, low, high) in rival.details["nlpkit_gap"].items():
            assert gap == pytest.approx(ours.macro_f1[key] - rival.macro_f1[key]) and low <= high
    style_cv = {
        compare.NLPKIT: {"international_to_regional": [0.5, 0.4, 0.6], "regional_to_international": [0.7, 0.6, 0.8]}
    }
    report = {
        "date": "today",
        "machine": common.machine_info(),
        "model": "test",
        "limit": None,
        "summaries": {},
        "topics": {"n": {"western": 5, "regional": 5}, "style_cv": style_cv},
        "test_counts": {"test.jsonl": {label: 1 for label in LABELS}},
    }
    markdown = compare.render_markdown(report, {}, scores)
    for score in scores:
        assert f"| {score.system} |" in markdown or f"| **{score.system}** |" in markdown
    assert "worse of two" in markdown and "margin over the best seeds-trained baseline" in markdown
    assert f"| {scores[1].system} | {scores[1].details['nlpkit_gap']['western'][0]:+.3f} [" in markdown
    assert "| nlpkit | 0.500 [0.400, 0.600] | 0.700 [0.600, 0.800] |" in markdown
    assert {t["key"] for t in report["targets"]} == {
        "western_macro_f1",
        "regional_macro_f1",
        "headline_macro_f1",
        "baseline_margin",
    }
    metrics = compare.run_metrics({}, scores)
    assert metrics["topics_nlpkit_worst"] == scores[0].worse_of_two and "topics_nlpkit_headline" in metrics


def test_style_cross_validation_trains_on_one_house_style_and_scores_the_other(fitted):
    model = fitted[0]

    def styled(index: int, style: str) -> list[LabelledArticle]:
        return [
            LabelledArticle(parse_article(TEXTS[t][index][1], TEXTS[t][index][0], meta={"style": style}), (t,), ())
            for t in LABELS
        ]

    seeds = topic_baselines.SeedData(styled(0, "international"), styled(1, "regional-wire"))
    run = compare.TopicRun(model, seeds, {}, {})
    result = compare.style_cross_validation(run, minilm_C=1.0, rounds=50)
    assert set(result) == {compare.NLPKIT, compare.MINILM_LR}
    for folds in result.values():
        assert set(folds) == {"international_to_regional", "regional_to_international"}
        assert all(low <= value <= high for value, low, high in folds.values())


def test_headline_score_reads_only_headline_items():
    sets = {"western": _topic_set("western", 2), "regional": _topic_set("regional", 2, headline=True)}
    truth = sets["regional"].truth
    wrong_outside_headlines = [t if i < 2 else "other" if t != "other" else "legal" for i, t in enumerate(truth)]
    scores = compare.score_predictions(sets, {"western": sets["western"].truth, "regional": wrong_outside_headlines})
    assert scores["western"] == 1.0 and scores["headline"] == 1.0 and scores["regional"] < 0.5


def test_zero_shot_picks_the_topic_whose_description_is_closest(fitted):
    model, _, validation = fitted
    vectors = model.encode([r.article for r in validation]).vectors
    classifier = anchors.ZeroShotClassifier(model.encoder, threshold=0.0).fit(vectors, [r.primary for r in validation])
    predicted = classifier.predict(
        model.encode([_labelled("legal", 0).article, _labelled("energy", 2).article]).vectors
    )
    assert set(predicted) <= set(LABELS) and len(predicted) == 2


def test_setfit_pairs_and_few_shot_sampling():
    first, second, target = topic_baselines.setfit_pairs(["a1", "a2", "b1", "b2"], ["a", "a", "b", "b"], iterations=3)
    assert len(target) == 3 * 4 * 2 and target.count(1.0) == target.count(0.0)
    for x, y, value in zip(first, second, target):
        assert (x[0] == y[0]) == (value == 1.0)
    data = topic_baselines.SeedData([_labelled(t, i) for t in LABELS for i in range(3)], [])
    texts, labels = topic_baselines.few_shot(data, 2)
    assert len(texts) == 2 * len(LABELS) and sorted(set(labels)) == sorted(LABELS)


def test_setfit_fine_tunes_with_sentence_transformers_trainer(tiny_encoder):
    data = topic_baselines.SeedData([_labelled(t, i) for t in LABELS for i in range(2)], [])
    baseline = topic_baselines.setfit(data, SentenceEncoder(model=str(tiny_encoder)).fit(), shots=2, iterations=1)
    assert baseline.info["pairs"] == 2 * 2 * len(LABELS) and baseline.info["fine_tune_cpu_seconds"] > 0
    predicted = baseline.predict([_labelled(t, 2).article for t in LABELS])
    assert len(predicted) == len(LABELS) and set(predicted) <= set(LABELS)


def test_sumy_anchor_returns_our_sentences_in_document_order():
    article = parse_article(TEXTS["legal"][0][1] + " " + TEXTS["legal"][1][1])
    picked = anchors.sumy_summary(anchors.make_sumy("TextRank (sumy)"), article, 3)
    assert len(picked) == 3
    assert [article.texts.index(s) for s in picked] == sorted(article.texts.index(s) for s in picked)


def test_missing_shared_folder_is_reported_and_exits_cleanly(tmp_path, capsys):
    assert run_benchmark(["compare", "--shared", str(tmp_path / "absent"), "--out", str(tmp_path / "out")]) == 0
    assert "benchmark data not found" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


def test_runner_names_its_benchmarks_and_refuses_an_unknown_one(capsys):
    assert run_benchmark(["--help"]) == 0
    assert "speed" in capsys.readouterr().out
    assert run_benchmark(["no_such_benchmark"]) == 2
    assert "unknown benchmark 'no_such_benchmark'" in capsys.readouterr().err


def test_bad_benchmark_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "text": "Fine."}\nnot json\n', encoding="utf-8")
    with pytest.raises(common.BenchmarkError, match=r"bad\.jsonl:2"):
        common.read_records(path)
    path.write_text('{"id": "a", "title": "no text"}\n', encoding="utf-8")
    with pytest.raises(common.BenchmarkError, match=r"bad\.jsonl:1: expected .* 'text'"):
        common.read_records(path)


def test_targets_are_data_and_report_met_or_missed_by_how_much():
    assert common.check("western_macro_f1", 0.98).met is True
    missed = common.check("regional_macro_f1", 0.85)
    assert missed.met is False and "missed by 0.050" in missed.line()
    assert common.check("cold_train_seconds", 299.0).met and not common.check("cold_train_seconds", 300.0).met
    assert common.check("fast_gap", None).met is None
    assert flat_metrics({"a": {"b": 1, "c": [1, 2], "d": "x"}, "e": 2.5}) == {"a_b": 1.0, "e": 2.5}


def test_every_report_is_written_in_one_envelope_and_recorded_as_one_mlflow_run(tmp_path):
    from mlflow.tracking import MlflowClient

    from benchmarks.tracking import log_run

    report = Report(
        "demo",
        "a demo run",
        "# Demo\n",
        {"speed": {"articles_per_second": 12.5}, "note": "text"},
        params={"limit": 3},
        targets=[common.check("western_macro_f1", 0.98)],
        stem="demo-x",
    )
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    run_id = log_run(report, uri)
    md, js = write_report(report, tmp_path / "out", run_id)
    envelope = json.loads(js.read_text(encoding="utf-8"))
    assert md.name == "demo-x.md" and md.read_text(encoding="utf-8") == "# Demo\n"
    assert envelope["benchmark"] == "demo" and envelope["report"]["speed"]["articles_per_second"] == 12.5
    assert envelope["mlflow_run_id"] == run_id and envelope["targets"][0]["met"] is True
    run = MlflowClient(tracking_uri=uri).get_run(run_id)
    assert run.data.metrics["speed_articles_per_second"] == 12.5 and run.data.params["limit"] == "3"
    assert run.data.tags["benchmark"] == "demo" and run.data.metrics["target_western_macro_f1"] == 0.98
