"""The shared validation layer's promises, one example each (the property tests in
``test_bad_input.py`` draw the rest)."""

from __future__ import annotations

import time

import numpy as np
import pytest

import rnnlib
from rnnlib import text


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize(("shape", "which"), [((0, 2, 3), "T=0"), ((4, 0, 3), "B=0")])
def test_an_empty_sequence_or_batch_is_refused_alike_by_every_cell(cell, shape, which):
    params = rnnlib.init_params(cell, 3, 4, 2, seed=0)
    message = rf"^xs must not be empty; got shape \({shape[0]}, {shape[1]}, 3\) \({which}\)$"
    forward = {"rnn": rnnlib.rnn_forward, "lstm": rnnlib.lstm_forward, "gru": rnnlib.gru_forward}[cell]
    with pytest.raises(ValueError, match=message):
        forward(np.zeros(shape), params)
    with pytest.raises(ValueError, match=message):
        rnnlib.sequence_forward(params, np.zeros(shape))
    with pytest.raises(ValueError, match=message):
        rnnlib.sequence_loss_and_grads(params, np.zeros(shape), np.zeros(shape[:2], dtype=int))


def test_an_optimiser_refuses_a_gradient_of_the_wrong_shape_instead_of_broadcasting_it():
    params = rnnlib.init_rnn_params(2, 3, 2, seed=0)
    grads = {name: np.zeros_like(value) for name, value in vars(params).items()}
    grads["W_hh"] = np.ones(3)  # (H,), which would broadcast against (H, H)
    for update in (lambda: rnnlib.sgd_update(params, grads, 0.1), lambda: rnnlib.adam_update(params, grads, None, 0.1)):
        with pytest.raises(ValueError, match=r"^grads.W_hh must have the shape of params.W_hh, \(3, 3\); got \(3,\)$"):
            update()


def test_a_training_function_that_returns_three_values_is_named():
    params = rnnlib.init_rnn_params(2, 3, 2, seed=0)
    with pytest.raises(TypeError, match=r"^loss_and_grads must return a pair \(loss, grads\); got tuple of 3 values$"):
        rnnlib.train(params, lambda p, step: (1.0, p, None), steps=1, lr=0.1)


def test_numpy_scalars_count_as_the_python_numbers_they_hold():
    params = rnnlib.init_rnn_params(2, 3, 2, seed=0)
    grads = {name: np.ones_like(value) for name, value in vars(params).items()}
    for a, b in zip(
        vars(rnnlib.sgd_update(params, grads, np.float32(0.5))).values(),
        vars(rnnlib.sgd_update(params, grads, 0.5)).values(),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    f = lambda x: float(np.sum(np.sin(x)))  # noqa: E731
    x = np.linspace(0, 1, 4)
    np.testing.assert_array_equal(
        rnnlib.numerical_gradient(f, x, np.float32(1e-5)), rnnlib.numerical_gradient(f, x, float(np.float32(1e-5)))
    )
    assert rnnlib.binary_sequences(np.int32(4), np.int64(2), seed=np.int64(3)).shape == (4, 2, 1)


def test_a_seed_in_place_of_a_generator_samples_the_same_as_the_generator():
    params = rnnlib.init_rnn_params(3, 4, 3, seed=0)
    first = np.eye(3)[[0, 2]]
    np.testing.assert_array_equal(
        rnnlib.rnn_generate(params, first, 5, rng=42),
        rnnlib.rnn_generate(params, first, 5, rng=np.random.default_rng(42)),
    )
    with pytest.raises(ValueError, match=r"^rng must be >= 0 \(or a numpy.random.Generator\); got -1$"):
        rnnlib.rnn_generate(params, first, 5, rng=-1)


def test_a_too_short_held_out_text_is_refused_before_any_training():
    vocab = text.Vocabulary("abc")
    params = rnnlib.init_params("rnn", 3, 4, 3, seed=0)
    start = time.perf_counter()
    with pytest.raises(ValueError, match="^held_out is too short for batch_size=16: 20 tokens"):
        text.train_language_model(params, vocab.encode("abc" * 100), steps=10**9, held_out=vocab.encode("ab" * 10))
    assert time.perf_counter() - start < 5  # refused up front, not after 10**9 steps


def test_saved_information_comes_back_as_it_was_and_what_cannot_is_refused(tmp_path):
    vocab = text.Vocabulary("abc")
    params = rnnlib.init_params("gru", 3, 4, 3, seed=0)
    info = {"steps": 12, "lr": 0.002, "note": "a test", "early_stopping": True, "curve": [2.5, 2.25]}
    path = tmp_path / "model.npz"
    text.save_model(path, params, vocab, **info)
    loaded_params, loaded_vocab, loaded = text.load_model(path)
    assert loaded_vocab == vocab and loaded.keys() == info.keys()
    assert [loaded[k] for k in ("steps", "lr", "note", "early_stopping")] == [12, 0.002, "a test", True]
    np.testing.assert_array_equal(loaded["curve"], info["curve"])
    for bad in ({"notes": {"lr": 1}}, {"notes": None}, {"notes": b"bytes"}):
        with pytest.raises(TypeError, match="^notes must be a string, a number, a bool, or a list or array of numbers"):
            text.save_model(tmp_path / "bad.npz", params, vocab, **bad)
        assert not (tmp_path / "bad.npz").exists()


def test_the_public_sigmoid_takes_a_list_and_refuses_nan():
    np.testing.assert_array_equal(rnnlib.sigmoid([0.0, 0.0]), [0.5, 0.5])
    with pytest.raises(ValueError, match=r"^a must be finite; got nan at index \(1,\)$"):
        rnnlib.sigmoid([0.0, np.nan])


def test_huge_values_do_not_overflow_scale_free_measures():
    a = np.array([1e200, -2e200, 3e200])
    assert rnnlib.relative_error(a, a) == 0.0
    assert rnnlib.relative_error(a, -a) == pytest.approx(1.0)
    activations = np.array([[1e200], [2e200], [3e200]])
    np.testing.assert_allclose(text.unit_correlations(activations, np.array([1.0, 2.0, 3.0])), [1.0])
