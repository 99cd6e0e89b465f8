import json

import mlflow
import pytest

from nlpkit.cli import evaluate


def test_evaluate_scores_topics_and_summaries_and_links_the_training_run(fast_trained, tmp_path, capsys):
    rows = [
        {
            "id": "a",
            "title": "Oil output cut",
            "topic": "energy",
            "text": (
                "OPEC members agreed to cut crude output by one million barrels a day. "
                "Prices rose. Ministers meet again in May."
            ),
            "reference_sentences": ["OPEC members agreed to cut crude output by one million barrels a day."],
        },
        {
            "id": "b",
            "title": "Judge jails fraudster",
            "topic": "legal",
            "text": (
                "A judge jailed a former fund manager for eight years for fraud on Monday. He had denied the charges."
            ),
            "reference": "A judge jailed a former fund manager for eight years for fraud on Monday.",
        },
        {
            "id": "c",
            "title": "Cup final",
            "topic": "other",
            "text": "The home side won the cup final 2-0 with two late goals. Fans celebrated in the city centre.",
        },
    ]
    data = tmp_path / "eval.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows))
    code = evaluate.main(
        [str(data), "--model", str(fast_trained.bundle), "--experiment", "nlpkit-tests-eval", "--quiet"]
    )
    out = capsys.readouterr().out
    assert code == 0 and "macro-F1" in out and "ROUGE-1" in out
    runs = mlflow.search_runs(experiment_names=["nlpkit-tests-eval"], output_format="list")
    latest = runs[0]
    assert latest.data.tags["training_run_id"] == fast_trained.run_id
    assert latest.data.metrics["eval_n_topic_items"] == 3 and latest.data.metrics["eval_n_summary_items"] == 2
    assert 0 <= latest.data.metrics["eval_macro_f1"] <= 1 and latest.data.metrics["eval_summary_rouge1"] > 0


def test_evaluate_rejects_unlabelled_or_malformed_data(fast_trained, tmp_path, capsys):
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps({"text": "No labels here."}))
    assert evaluate.main([str(plain), "--model", str(fast_trained.bundle), "--no-log"]) == 2
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{nope")
    assert evaluate.main([str(broken), "--model", str(fast_trained.bundle), "--no-log"]) == 2
    assert f"{broken}:1: malformed JSON" in capsys.readouterr().err


def test_several_files_are_logged_by_name_with_the_worst_and_headline_scores(fast_trained, tmp_path, capsys):
    western = tmp_path / "w.jsonl"
    western.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {
                    "title": "Court jails banker",
                    "text": "A court jailed a banker for fraud. He will appeal.",
                    "topic": "legal",
                },
                {
                    "title": "Striker scores",
                    "text": "The striker scored twice in the final. Fans cheered.",
                    "topic": "other",
                },
            ]
        )
    )
    regional = tmp_path / "r.jsonl"
    regional.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {
                    "title": "National Bank keeps base rate at 15.25%",
                    "text": "National Bank keeps base rate at 15.25%",
                    "topic": "finance",
                    "kind": "headline",
                },
                {
                    "title": "Ministers discuss border",
                    "text": "The foreign ministers met in Bishkek. They discussed the border.",
                    "topic": "diplomacy",
                    "kind": "full",
                },
            ]
        )
    )
    code = evaluate.main(
        [
            f"western_dev={western}",
            f"regional_dev={regional}",
            "--model",
            str(fast_trained.bundle),
            "--experiment",
            "nlpkit-tests-eval2",
            "--quiet",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "== western_dev" in out and "== regional_dev" in out and "worst macro-F1" in out
    run = mlflow.search_runs(experiment_names=["nlpkit-tests-eval2"], output_format="list")[0]
    metrics = run.data.metrics
    assert metrics["worst_macro_f1"] == min(metrics["western_dev_macro_f1"], metrics["regional_dev_macro_f1"])
    assert "regional_dev_headline_macro_f1" in metrics and "western_dev_headline_macro_f1" not in metrics
    assert run.data.params["data_western_dev"] == str(western)


def test_two_files_with_one_name_are_refused(fast_trained, tmp_path, capsys):
    data = tmp_path / "x.jsonl"
    data.write_text(json.dumps({"text": "A court jailed a banker.", "topic": "legal"}))
    assert evaluate.main([str(data), str(data), "--model", str(fast_trained.bundle), "--no-log"]) == 2
    assert "named 'x'" in capsys.readouterr().err


def test_rouge_is_the_mean_of_the_per_article_scores():
    from nlpkit.evaluation.metrics import rouge, rouge_per_article

    summaries = [["The bank held its rate."], ["Oil output rose in May.", "Exports fell."]]
    references = ["The central bank held its rate on Thursday.", ["Oil output rose.", "Gas exports fell sharply."]]
    rows = rouge_per_article(summaries, references)
    assert len(rows) == 2 and rows[0]["rouge1"] != rows[1]["rouge1"]
    assert rouge(summaries, references) == pytest.approx(
        {key: (rows[0][key] + rows[1][key]) / 2 for key in ("rouge1", "rouge2", "rougeL")}
    )
