from __future__ import annotations

import numpy as np
import pytest

import rnnlib


def test_windows_stack_the_last_k_inputs_oldest_first():
    xs = np.arange(1.0, 7.0).reshape(3, 1, 2)  # x_1 = (1, 2), x_2 = (3, 4), x_3 = (5, 6)
    u = rnnlib.window_inputs(xs, 2)
    np.testing.assert_array_equal(u[:, 0], [[0, 0, 1, 2], [1, 2, 3, 4], [3, 4, 5, 6]])
    np.testing.assert_array_equal(rnnlib.window_inputs(xs, 1), xs)


def test_a_windowed_mlp_cannot_see_past_its_window():
    """Two sequences that differ only k or more steps back get the same last output."""
    rng = np.random.default_rng(0)
    k = 3
    p = rnnlib.init_mlp_params(k * 2, 8, 4, seed=rng)
    a = rng.normal(size=(6, 1, 2))
    b = a.copy()
    b[: 6 - k] = rng.normal(size=(6 - k, 1, 2))  # a different past, the same last k inputs
    ya, _ = rnnlib.mlp_forward(rnnlib.window_inputs(a, k), p)
    yb, _ = rnnlib.mlp_forward(rnnlib.window_inputs(b, k), p)
    np.testing.assert_array_equal(ya[-1], yb[-1])
    assert not np.allclose(ya[:-k], yb[:-k])


def test_windowed_mlp_learns_a_delay_inside_its_window():
    V, k, L = 4, 3, 2
    p = rnnlib.init_mlp_params(k * V, 16, V, seed=0)

    def step(q, i):
        xs, t = rnnlib.delayed_echo(30, 8, V, L, seed=i)
        return rnnlib.window_mlp_loss_and_grads(q, xs, t, k)

    p = rnnlib.train(p, step, steps=300, lr=0.5, clip_norm=5.0).params
    xs, t = rnnlib.delayed_echo(40, 50, V, L, seed=12345)
    y, _ = rnnlib.mlp_forward(rnnlib.window_inputs(xs, k), p)
    assert rnnlib.accuracy(y, t, from_step=L) > 0.95


def test_mlp_parameter_count_grows_linearly_with_the_window():
    counts = [rnnlib.init_mlp_params(k * 5, 32, 5, seed=0).num_parameters() for k in (1, 2, 3)]
    assert counts[1] - counts[0] == counts[2] - counts[1] == 32 * 5


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda p: rnnlib.mlp_forward(np.zeros((3, 5)), p), ValueError, "u must have shape (..., U=6); got (3, 5)"),
        (
            lambda p: rnnlib.mlp_forward(np.zeros(6), {"W_1": 0}),
            TypeError,
            "params must be an MLPParams (see init_mlp_params); got dict",
        ),
        (
            lambda p: rnnlib.mlp_backward(np.zeros((3, 2)), rnnlib.mlp_forward(np.zeros((3, 6)), p)[1]),
            ValueError,
            "dy must have the shape of mlp_forward's output, (3, 4); got (3, 2)",
        ),
        (lambda p: rnnlib.window_inputs(np.zeros((3, 2)), 2), ValueError, "xs must have shape (T, B, D); got (3, 2)"),
        (lambda p: rnnlib.window_inputs(np.zeros((3, 2, 1)), 0), ValueError, "k must be > 0; got 0"),
        (
            lambda p: rnnlib.MLPParams(np.zeros((4, 6)), np.zeros(3), np.zeros((4, 4)), np.zeros(4)),
            ValueError,
            "b_1 must have shape (Z=4,); got (3,)",
        ),
    ],
)
def test_feedforward_rejects_bad_input(call, error, message):
    p = rnnlib.init_mlp_params(6, 4, 4, seed=0)
    with pytest.raises(error) as info:
        call(p)
    assert str(info.value) == message
