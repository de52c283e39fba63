from __future__ import annotations

import numpy as np
import pytest
from conftest import random_problem

import rnnlib


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_batched_forward_equals_the_step_by_step_loop(shape, activation):
    p, xs, h0, _ = random_problem(*shape)
    ys, cache = rnnlib.rnn_forward(xs, p, h0, activation=activation)
    hs = rnnlib.rnn_forward_stepwise(xs, p, h0, activation=activation)
    np.testing.assert_allclose(cache.hs, hs, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ys, hs @ p.W_hy.T + p.b_y, rtol=1e-12, atol=1e-14)
    assert ys.shape == shape[:2] + (shape[4],)


def test_each_sequence_of_the_batch_is_independent():
    p, xs, h0, _ = random_problem(5, 3, 2, 4, 2)
    _, cache = rnnlib.rnn_forward(xs, p, h0)
    _, alone = rnnlib.rnn_forward(xs[:, 1:2], p, h0[1:2])
    np.testing.assert_allclose(cache.hs[:, 1:2], alone.hs, rtol=1e-12)


def test_h0_defaults_to_zeros():
    p, xs, _, _ = random_problem(4, 2, 3, 5, 2)
    ys_default, _ = rnnlib.rnn_forward(xs, p)
    ys_zero, _ = rnnlib.rnn_forward(xs, p, np.zeros((2, 5)))
    np.testing.assert_array_equal(ys_default, ys_zero)


def test_float32_stays_float32():
    p, xs, h0, _ = random_problem(4, 2, 3, 5, 2, dtype=np.float32)
    ys, cache = rnnlib.rnn_forward(xs, p, h0)
    assert ys.dtype == np.float32 and cache.hs.dtype == np.float32


@pytest.mark.parametrize(
    "xs, h0, message",
    [
        (np.zeros((5, 4)), None, "xs must have shape (T, B, D=3); got (5, 4)"),
        (np.zeros((5, 4, 2)), None, "xs must have shape (T, B, D=3); got (5, 4, 2)"),
        (np.zeros((5, 4, 3)), np.zeros((3, 6)), "h0 must have shape (B=4, H=6); got (3, 6)"),
        (np.full((5, 4, 3), np.nan), None, "xs must be finite; got nan at index (0, 0, 0)"),
    ],
)
def test_forward_rejects_bad_input(xs, h0, message):
    p = rnnlib.init_rnn_params(3, 6, 2, seed=0)
    with pytest.raises(ValueError) as info:
        rnnlib.rnn_forward(xs, p, h0)
    assert str(info.value) == message


def test_forward_rejects_non_numeric_input():
    p = rnnlib.init_rnn_params(3, 6, 2, seed=0)
    with pytest.raises(TypeError, match=r"^xs must be a real numeric array; got dtype object$"):
        rnnlib.rnn_forward(np.array([[[None] * 3]]), p)


def test_backward_rejects_mismatched_gradient():
    p, xs, h0, _ = random_problem(4, 2, 3, 5, 2)
    _, cache = rnnlib.rnn_forward(xs, p, h0)
    with pytest.raises(ValueError, match=r"^dys must have shape \(T=4, B=2, O=2\); got \(4, 2, 5\)$"):
        rnnlib.rnn_backward(np.zeros((4, 2, 5)), cache)
    with pytest.raises(TypeError, match="cache must be the RNNCache returned by rnn_forward; got tuple"):
        rnnlib.rnn_backward(np.zeros((4, 2, 2)), (1, 2))


def test_greedy_generation_feeds_each_output_back():
    p = rnnlib.init_rnn_params(4, 6, 4, seed=3)
    first = rnnlib.one_hot(np.array([1, 2]), 4)
    tokens = rnnlib.rnn_generate(p, first, 5)
    assert tokens.shape == (5, 2) and tokens.dtype == np.int64
    # The same thing, one step at a time with the cell.
    x, h = first, np.zeros((2, 6))
    for t in range(5):
        h, _ = rnnlib.rnn_step_forward(x, h, p)
        expected = rnnlib.output_forward(h, p).argmax(-1)
        np.testing.assert_array_equal(tokens[t], expected)
        x = rnnlib.one_hot(expected, 4)


def test_sampled_generation_is_reproducible_from_the_seed():
    p = rnnlib.init_rnn_params(4, 6, 4, seed=3)
    first = rnnlib.one_hot(np.array([1]), 4)
    a = rnnlib.rnn_generate(p, first, 20, rng=np.random.default_rng(0), temperature=2.0)
    b = rnnlib.rnn_generate(p, first, 20, rng=np.random.default_rng(0), temperature=2.0)
    np.testing.assert_array_equal(a, b)
    assert len(np.unique(a)) > 1  # at a high temperature it does not repeat one class


def test_generation_needs_matching_input_and_output_sizes():
    p = rnnlib.init_rnn_params(3, 6, 4, seed=3)
    with pytest.raises(
        ValueError, match=r"^rnn_generate feeds outputs back as inputs, so params need D == O; got D=3, O=4$"
    ):
        rnnlib.rnn_generate(p, np.zeros((1, 3)), 5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("K", [1, 7])
def test_a_product_over_one_input_is_the_matrix_product_to_the_bit(dtype, K):
    # _flat_matmul multiplies instead of calling matmul when D = 1; each entry of the
    # product is then one multiplication, which a matrix product rounds the same way.
    from rnnlib.unroll import _flat_matmul

    rng = np.random.default_rng(0)
    xs = rng.normal(size=(9, 4, 1)).astype(dtype)
    W_T = rng.normal(size=(1, K)).astype(dtype)
    expected = np.matmul(xs.reshape(36, 1), W_T).reshape(9, 4, K)
    np.testing.assert_array_equal(_flat_matmul(xs, W_T), expected)
    out = np.full((9, 4, K), np.nan, dtype=dtype)
    assert np.shares_memory(_flat_matmul(xs, W_T, out=out), out)
    np.testing.assert_array_equal(out, expected)
    wide = rng.normal(size=(9, 4, 3)).astype(dtype), rng.normal(size=(3, K)).astype(dtype)
    np.testing.assert_allclose(_flat_matmul(*wide), wide[0] @ wide[1], rtol=1e-5)  # sums: rounded in any order
