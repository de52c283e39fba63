from __future__ import annotations

import numpy as np
import pytest
from conftest import random_problem

import rnnlib


def test_step_computes_the_cell_equation():
    p, xs, h0, _ = random_problem(1, 3, 2, 4, 2)
    h, _ = rnnlib.rnn_step_forward(xs[0], h0, p)
    np.testing.assert_allclose(h, np.tanh(xs[0] @ p.W_xh.T + h0 @ p.W_hh.T + p.b_h))
    h_relu, _ = rnnlib.rnn_step_forward(xs[0], h0, p, activation="relu")
    np.testing.assert_allclose(h_relu, np.maximum(xs[0] @ p.W_xh.T + h0 @ p.W_hh.T + p.b_h, 0))


def test_hand_computed_step():
    """The step worked by hand in chapter 2."""
    p = rnnlib.RNNParams(
        W_xh=[[1.0, 0.0, -1.0], [0.5, 0.5, 0.0]],
        W_hh=[[0.5, 0.0], [-1.0, 0.5]],
        b_h=[0.0, -0.5],
        W_hy=[[1.0, -1.0], [0.0, 2.0]],
        b_y=[0.0, 0.0],
    )
    h1, _ = rnnlib.rnn_step_forward([[1.0, 2.0, 0.0]], [[0.0, 0.0]], p)
    np.testing.assert_allclose(h1, np.tanh([[1.0, 1.0]]))


def test_init_is_reproducible_and_documented_scales():
    a = rnnlib.init_rnn_params(3, 64, 2, seed=7)
    b = rnnlib.init_rnn_params(3, 64, 2, seed=7)
    for name in ("W_xh", "W_hh", "b_h", "W_hy", "b_y"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.W_xh.shape == (64, 3) and a.W_hh.shape == (64, 64) and a.b_h.shape == (64,)
    assert a.W_hy.shape == (2, 64) and a.b_y.shape == (2,)
    assert not np.any(a.b_h) and not np.any(a.b_y)
    assert 0.8 < np.max(np.abs(np.linalg.eigvals(a.W_hh))) < 1.2  # circular law: radius near 1
    q = rnnlib.init_rnn_params(3, 16, 2, seed=7, recurrent_init="orthogonal", recurrent_scale=0.9)
    np.testing.assert_allclose(q.W_hh @ q.W_hh.T, 0.81 * np.eye(16), atol=1e-12)
    i = rnnlib.init_rnn_params(3, 4, 2, seed=7, recurrent_init="identity")
    np.testing.assert_array_equal(i.W_hh, np.eye(4))
    assert rnnlib.init_rnn_params(3, 4, 2, seed=7, dtype=np.float32).W_hh.dtype == np.float32


def test_init_takes_a_generator():
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(
        rnnlib.init_rnn_params(2, 3, 1, seed=g1).W_xh, rnnlib.init_rnn_params(2, 3, 1, seed=g2).W_xh
    )


def test_num_parameters_and_sizes():
    p = rnnlib.init_rnn_params(3, 5, 2, seed=0)
    assert (p.input_size, p.hidden_size, p.output_size) == (3, 5, 2)
    assert p.num_parameters() == 5 * 3 + 5 * 5 + 5 + 2 * 5 + 2 == 57


def test_output_forward():
    p, xs, h0, _ = random_problem(3, 2, 2, 4, 3)
    np.testing.assert_allclose(rnnlib.output_forward(h0, p), h0 @ p.W_hy.T + p.b_y)
    assert rnnlib.output_forward(np.zeros((3, 2, 4)), p).shape == (3, 2, 3)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(W_xh=np.zeros((4, 3)), W_hh=np.zeros((4, 5))), ValueError, "W_hh must have shape (H=4, H=4); got (4, 5)"),
        (dict(b_h=np.zeros(3)), ValueError, "b_h must have shape (H=4,); got (3,)"),
        (dict(W_hy=np.zeros((2, 3))), ValueError, "W_hy must have shape (O, H=4); got (2, 3)"),
        (dict(b_y=np.zeros(3)), ValueError, "b_y must have shape (O=2,); got (3,)"),
        (dict(W_xh=np.zeros(4)), ValueError, "W_xh must have shape (H, D); got (4,)"),
        (dict(W_hh=np.full((4, 4), np.nan)), ValueError, "W_hh must be finite; got nan at index (0, 0)"),
        (dict(b_h=np.array(["a"] * 4)), TypeError, "b_h must be a real numeric array; got dtype <U1"),
        (dict(W_xh="weights"), TypeError, "W_xh must be a numeric array of shape (H, D); got str"),
    ],
)
def test_params_reject_bad_shapes_and_values(kwargs, error, message):
    fields = dict(W_xh=np.zeros((4, 3)), W_hh=np.zeros((4, 4)), b_h=np.zeros(4), W_hy=np.zeros((2, 4)), b_y=np.zeros(2))
    with pytest.raises(error) as info:
        rnnlib.RNNParams(**{**fields, **kwargs})
    assert str(info.value) == message


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda p: rnnlib.rnn_step_forward(np.zeros((2, 4)), np.zeros((2, 5)), p),
            ValueError,
            "x must have shape (B, D=3); got (2, 4)",
        ),
        (
            lambda p: rnnlib.rnn_step_forward(np.zeros((2, 3)), np.zeros((3, 5)), p),
            ValueError,
            "h_prev must have shape (B=2, H=5); got (3, 5)",
        ),
        (
            lambda p: rnnlib.rnn_step_forward(np.zeros(3), np.zeros(5), p),
            ValueError,
            "x must have shape (B, D=3); got (3,)",
        ),
        (
            lambda p: rnnlib.rnn_step_forward(np.full((2, 3), np.inf), np.zeros((2, 5)), p),
            ValueError,
            "x must be finite; got inf at index (0, 0)",
        ),
        (
            lambda p: rnnlib.rnn_step_forward(np.zeros((2, 3)), np.zeros((2, 5)), p, activation="sigmoid"),
            ValueError,
            "activation must be one of ('tanh', 'relu'); got 'sigmoid'",
        ),
        (
            lambda p: rnnlib.rnn_step_forward(np.zeros((2, 3)), np.zeros((2, 5)), {"W_xh": 1}),
            TypeError,
            "params must be an RNNParams (see init_rnn_params); got dict",
        ),
        (
            lambda p: rnnlib.rnn_step_backward(np.zeros((2, 5)), None),
            TypeError,
            "cache must be the StepCache returned by rnn_step_forward; got NoneType",
        ),
        (lambda p: rnnlib.init_rnn_params(3, 0, 2, seed=0), ValueError, "hidden_size must be > 0; got 0"),
        (
            lambda p: rnnlib.init_rnn_params(3, 2.5, 2, seed=0),
            TypeError,
            "hidden_size must be an integer; got float 2.5",
        ),
        (
            lambda p: rnnlib.init_rnn_params(3, 5, 2, seed=None),
            TypeError,
            "seed must be an int or a numpy.random.Generator; got NoneType None",
        ),
        (
            lambda p: rnnlib.init_rnn_params(3, 5, 2, seed=0, recurrent_init="zeros"),
            ValueError,
            "recurrent_init must be 'normal', 'orthogonal' or 'identity'; got 'zeros'",
        ),
        (
            lambda p: rnnlib.init_rnn_params(3, 5, 2, seed=0, dtype=np.int64),
            TypeError,
            "dtype must be float32 or float64; got int64",
        ),
    ],
)
def test_step_rejects_bad_input(call, error, message):
    p = rnnlib.init_rnn_params(3, 5, 2, seed=0)
    with pytest.raises(error) as info:
        call(p)
    assert str(info.value) == message


def test_integer_inputs_are_accepted_as_float():
    p = rnnlib.init_rnn_params(2, 3, 1, seed=0)
    h, _ = rnnlib.rnn_step_forward(np.array([[1, 0]]), np.zeros((1, 3), dtype=int), p)
    assert h.dtype == np.float64
