"""Rewrite tests/pins/inbox.json when a change of predictions is meant: python tests/pins/make_pins.py

Trains the default config on the seed corpus (shared embedding cache), predicts seeds/inbox and stores each
file's topic, topics and summary. `tests/test_pinned_predictions.py` fails when any of them changes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PINS = Path(__file__).with_name("inbox.json")


def inbox_predictions(model: object) -> dict[str, dict[str, object]]:
    """{file name: {topic, topics, summary}} for every readable file in seeds/inbox."""
    from nlpkit.data.inbox import discover, read_path

    records = [r for path in discover(ROOT / "seeds" / "inbox") for r in read_path(path, 5_000_000) if r.error is None]
    predictions = model.predict([{"id": r.id, "title": r.title, "text": r.text} for r in records])  # type: ignore[attr-defined]
    return {
        Path(r.path).name: {"topic": p.topic, "topics": p.topics, "summary": p.summary}
        for r, p in zip(records, predictions)
    }


def main() -> int:
    import tempfile

    from nlpkit.training.config import load_config
    from nlpkit.training.trainer import train

    with tempfile.TemporaryDirectory() as models:
        config = load_config(
            ROOT / "configs" / "default.yaml",
            [
                f"data={ROOT / 'seeds' / 'articles.jsonl'}",
                f"splits={ROOT / 'seeds' / 'splits.json'}",
                f"models_dir={models}",
            ],
        )
        model = train(config).model
    PINS.write_text(
        json.dumps(inbox_predictions(model), indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {PINS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
