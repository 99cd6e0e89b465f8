import json

import mlflow

from nlpkit.cli import evaluate


def test_evaluate_scores_topics_and_summaries_and_links_the_training_run(trained, tmp_path, capsys):
    rows = [
        {"id": "a", "title": "Oil output cut", "topic": "energy",
         "text": "OPEC members agreed to cut crude output by one million barrels a day. Prices rose. Ministers meet again in May.",
         "reference_sentences": ["OPEC members agreed to cut crude output by one million barrels a day."]},
        {"id": "b", "title": "Judge jails fraudster", "topic": "legal",
         "text": "A judge jailed a former fund manager for eight years for fraud on Monday. He had denied the charges.",
         "reference": "A judge jailed a former fund manager for eight years for fraud on Monday."},
        {"id": "c", "title": "Cup final", "topic": "other",
         "text": "The home side won the cup final 2-0 with two late goals. Fans celebrated in the city centre."},
    ]
    data = tmp_path / "eval.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows))
    code = evaluate.main([str(data), "--model", str(trained.bundle), "--experiment", "nlpkit-tests-eval", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0 and "macro-F1" in out and "ROUGE-1" in out
    runs = mlflow.search_runs(experiment_names=["nlpkit-tests-eval"], output_format="list")
    latest = runs[0]
    assert latest.data.tags["training_run_id"] == trained.run_id
    assert latest.data.metrics["n_topic_items"] == 3 and latest.data.metrics["n_summary_items"] == 2
    assert 0 <= latest.data.metrics["macro_f1"] <= 1 and latest.data.metrics["summary_rouge1"] > 0


def test_evaluate_rejects_unlabelled_or_malformed_data(trained, tmp_path, capsys):
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps({"text": "No labels here."}))
    assert evaluate.main([str(plain), "--model", str(trained.bundle), "--no-log"]) == 2
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{nope")
    assert evaluate.main([str(broken), "--model", str(trained.bundle), "--no-log"]) == 2
    assert f"{broken}:1: malformed JSON" in capsys.readouterr().err
