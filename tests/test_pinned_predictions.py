"""Behaviour pinned: the default model trained on the seeds predicts the sample inbox as recorded.

A refactoring must leave every topic, topic list and summary as it was; a change that is meant rewrites the
pins with `python tests/pins/make_pins.py` and says so in its commit.
"""

import json
from pathlib import Path

import pytest

from pins.make_pins import PINS, inbox_predictions

pytestmark = pytest.mark.slow


def test_inbox_predictions_match_the_pins(model):
    pinned = json.loads(Path(PINS).read_text(encoding="utf-8"))
    current = inbox_predictions(model)
    assert sorted(current) == sorted(pinned)
    changed = {name: (pinned[name], current[name]) for name in pinned if pinned[name] != current[name]}
    assert not changed, f"{len(changed)} inbox predictions changed: {sorted(changed)}"
