"""Warm start (issue 24, item 3): a served model loads its encoder weights before the first request."""

from __future__ import annotations

import mlflow

from nlpkit.model import NewsModel


def test_load_context_leaves_the_encoder_loaded(fast_trained):
    served = mlflow.pyfunc.load_model(fast_trained.model_uri).unwrap_python_model().model
    assert served.encoder.loaded, "the first request would pay for loading the weights"


def test_a_bare_bundle_load_still_defers_the_weights(fast_trained):
    # the contrast that makes the test above mean something: NewsModel.load alone does not load them
    assert not NewsModel.load(fast_trained.bundle).encoder.loaded


def test_load_context_also_loads_the_language_identifier(fast_trained):
    # the first request used to load py3langid's model (~1 s); load_context's warm-up prediction loads it now
    from nlpkit.data.inbox.language import _identifier

    _identifier.cache_clear()
    mlflow.pyfunc.load_model(fast_trained.model_uri)
    assert _identifier.cache_info().currsize == 1, "the first request would pay for the language identifier"
