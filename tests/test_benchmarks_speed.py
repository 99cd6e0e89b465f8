"""The --quality plumbing of `benchmarks/speed.py`: per-setting scores, differences to torch fp32, targets, table."""

from __future__ import annotations

import pytest

from benchmarks.speed import SettingOutputs, compare_settings, quality_table, quality_targets

TRUTH = {
    "western": ["energy", "finance", "legal", "other", "diplomacy"] * 4,
    "regional": ["finance", "energy", "other", "legal", "diplomacy"] * 4,
}


def outputs(topics: dict[str, list[str]], bbc: list[float]) -> SettingOutputs:
    rouge = {key: {"rouge1": list(bbc), "rouge2": [v / 2 for v in bbc]} for key in ("bbc", "cnn")}
    return SettingOutputs(topics, rouge, train_seconds=1.0, cpu_seconds=2.0)


def quality(rows: dict) -> dict:
    slices = {"bbc": "BBC 301-305 (held out)", "cnn": "CNN 301-305 (held out)"}
    return {"config": "configs/default.yaml", "slices": slices, "dev_articles": {}, "settings": rows}


def test_an_identical_setting_loses_nothing_and_a_worse_one_misses_both_targets():
    scores = [40.0, 50.0, 60.0, 55.0, 45.0]
    worse_regional = ["other", "other"] + TRUTH["regional"][2:]  # two finance/energy articles called other
    worse = outputs({"western": TRUTH["western"], "regional": worse_regional}, [s - 1 for s in scores])
    rows = compare_settings(
        TRUTH,
        {
            "torch_fp32": outputs(TRUTH, scores),
            "openvino_fp32": outputs(TRUTH, scores),
            "torch_bf16": "no native bf16 on this CPU",
            "openvino_bf16": worse,
        },
        rounds=100,
    )
    assert rows["torch_bf16"] == {"skipped": "no native bf16 on this CPU"}
    same = rows["openvino_fp32"]
    assert same["western"]["macro_f1"] == 1.0 and same["regional"]["diff"] == 0.0
    assert same["regional"]["same_topic"] == 20 and same["bbc"]["rouge1"] == pytest.approx(50.0)
    lost = rows["openvino_bf16"]
    assert lost["regional"]["diff"] < -0.002 and lost["regional"]["diff_low"] <= lost["regional"]["diff"]
    assert lost["regional"]["same_topic"] == 18 and lost["western"]["diff"] == 0.0
    assert lost["bbc"]["rouge1_diff"] == pytest.approx(-1.0) and lost["cnn"]["rouge2_diff"] == pytest.approx(-0.5)

    targets = quality_targets(quality(rows))
    assert len(targets) == 8  # two dev sets and two summary sets for each measured setting besides torch fp32
    verdicts = {(t.note.split(",")[0], t.key, t.note.split(", ")[1].split(";")[0]): t.met for t in targets}
    assert all(met for (name, _, _), met in verdicts.items() if name == "openvino_fp32")
    assert verdicts[("openvino_bf16", "setting_f1_loss", "regional dev")] is False
    assert verdicts[("openvino_bf16", "setting_f1_loss", "Western dev")] is True
    assert verdicts[("openvino_bf16", "setting_rouge_loss", "BBC 301-305 (held out)")] is False

    table = "\n".join(quality_table(quality(rows)))
    assert "| torch_bf16 | skipped: no native bf16 on this CPU |" in table
    assert "(18/20)" in table and "-1.000" in table


def test_quality_is_skipped_with_its_reason_when_the_benchmark_sets_are_missing():
    lines = quality_table({"skipped": "the topic dev sets or summary sets are missing under /x"})
    assert lines == ["Quality per setting skipped: the topic dev sets or summary sets are missing under /x"]
    assert quality_targets({"skipped": "missing"}) == []
