"""NewsModel's public two-stage API, and nothing outside the class touching its underscored members (fast tier)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlpkit.data.corpus import load_corpus, load_splits
from nlpkit.errors import NlpkitError, NotFittedError
from nlpkit.model import EmbeddedBatch, NewsModel

ROOT = Path(__file__).resolve().parents[1]

#: The members callers outside the class used before issue 20, whether or not the class still has them.
FORMER_PRIVATE_API = ("_embed", "_proba", "_fit_embedded", "_predict_embedded", "_fit_summarizer")


def private_members() -> set[str]:
    """Every single-underscore member NewsModel has now, plus the ones it used to expose."""
    own = {name for name in vars(NewsModel) if name.startswith("_") and not name.startswith("__")}
    return own | set(FORMER_PRIVATE_API)


def python_files() -> list[Path]:
    files = [path for folder in ("nlpkit", "benchmarks", "tests") for path in sorted((ROOT / folder).rglob("*.py"))]
    return [path for path in files if path != ROOT / "nlpkit" / "model.py"]


def test_nothing_outside_newsmodel_uses_its_underscored_members() -> None:
    pattern = re.compile(r"\.(" + "|".join(sorted(private_members())) + r")\b")
    this_file = Path(__file__).resolve()
    found = []
    for path in python_files():
        if path.resolve() == this_file:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "NewsModel's private members used outside the class:\n" + "\n".join(found)


def test_the_grep_sees_the_private_api() -> None:
    """The grep above can fail: its pattern matches the calls it forbids."""
    pattern = re.compile(r"\.(" + "|".join(sorted(private_members())) + r")\b")
    assert pattern.search("vectors = model._embed(articles)") and pattern.search("model._predict_embedded(a, v)")
    assert not pattern.search("model.encode(articles)") and not pattern.search("self.embedded_ = 1")


def test_embedded_batch_keeps_articles_and_vectors_together() -> None:
    vectors = [np.full(2, float(i)) for i in range(3)]
    batch = EmbeddedBatch(["a", "b", "c"], vectors)  # type: ignore[arg-type]
    assert len(batch) == 3
    part = batch.subset([2, 0])
    assert part.articles == ["c", "a"] and [float(v[0]) for v in part.vectors] == [2.0, 0.0]  # type: ignore[index]
    assert len(batch + part) == 5
    with pytest.raises(ValueError, match="one each"):
        EmbeddedBatch(["a"], [])


@pytest.fixture(scope="module")
def splits(fast_config: dict[str, Any]) -> dict[str, Any]:
    return load_splits(fast_config["splits"], load_corpus(fast_config["data"]))


def test_unfitted_model_says_so(fast_config: dict[str, Any]) -> None:
    model = NewsModel.from_config(fast_config)
    for call in (
        lambda: model.labels,
        lambda: model.predict(["Oil rose."]),
        lambda: model.predict_proba(["Oil rose."]),
    ):
        with pytest.raises(NotFittedError, match="fit"):
            call()
    assert issubclass(NotFittedError, NlpkitError)


def test_encoded_and_raw_articles_fit_and_predict_the_same(fast_config: dict[str, Any], splits: dict[str, Any]) -> None:
    train, validation = splits["train"], splits["validation"]
    raw = NewsModel.from_config(fast_config).fit(
        [r.article for r in train],
        [r.topics for r in train],
        validation=([r.article for r in validation], [r.topics for r in validation]),
    )
    model = NewsModel.from_config(fast_config)
    batch, held = model.encode([r.article for r in train]), model.encode([r.article for r in validation])
    assert model.fit(batch, [r.topics for r in train], validation=(held, [r.topics for r in validation])) is model
    assert model.decider == raw.decider
    test = model.encode([r.article for r in splits["test"]])
    proba = model.predict_proba(test)
    assert np.allclose(proba, raw.predict_proba([r.article for r in splits["test"]]))
    assert model.predict(test, proba=proba) == raw.predict([r.article for r in splits["test"]])
    subset = test.subset([1, 0])
    assert model.predict(subset) == [model.predict(test)[i] for i in (1, 0)]


def test_fixed_thresholds_come_from_config(fast_config: dict[str, Any], splits: dict[str, Any]) -> None:
    train = splits["train"]
    model = NewsModel.from_config({**fast_config, "thresholds": 0.4}).fit(
        [r.article for r in train], [r.topics for r in train]
    )
    assert model.decider is not None and model.decider.min_confidence == 0.4
    assert set(model.decider.thresholds.values()) == {0.35} and "other" not in model.decider.thresholds


def test_metrics_and_provenance_are_set_through_the_model_and_saved(
    fast_config: dict[str, Any], splits: dict[str, Any], tmp_path: Path
) -> None:
    train = splits["train"]
    model = NewsModel.from_config(fast_config).fit([r.article for r in train], [r.topics for r in train])
    model.add_metrics({"val_macro_f1": 0.5}).add_metrics({"ece": 0.1}).set_provenance({"run_name": "x"})
    loaded = NewsModel.load(model.save(tmp_path / "bundle"))
    assert loaded.metrics == {"val_macro_f1": 0.5, "ece": 0.1} and loaded.provenance == {"run_name": "x"}
    assert loaded.set_encoding(batch_size=7).encoder.batch_size == 7
