from __future__ import annotations

import time

import numpy as np
import pytest
from conftest import random_problem

import rnnlib
from rnnlib import analysis


def test_scale_to_spectral_radius():
    W = np.random.default_rng(0).normal(size=(6, 6))
    for r in (0.5, 1.0, 1.5):
        assert analysis.spectral_radius(analysis.scale_to_spectral_radius(W, r)) == pytest.approx(r)
    with pytest.raises(ValueError, match=r"^W has spectral radius 0"):
        analysis.scale_to_spectral_radius(np.zeros((3, 3)), 1.0)
    with pytest.raises(ValueError, match=r"^W must be square; got \(2, 3\)$"):
        analysis.spectral_radius(np.zeros((2, 3)))


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_step_jacobians_match_finite_differences(activation):
    p, xs, h0, _ = random_problem(3, 2, 3, 4, 2)
    _, cache = rnnlib.rnn_forward(xs, p, h0, activation=activation)
    J = analysis.step_jacobians(cache)  # (T, B, H, H)
    t, b = 1, 1
    h_prev = cache.hs[t - 1, b : b + 1]
    for i in range(4):  # row i: the gradient of unit i of h_t with respect to h_{t-1}
        f = lambda h, i=i: rnnlib.rnn_step_forward(xs[t, b : b + 1], h, p, activation=activation)[0][0, i]  # noqa: E731
        np.testing.assert_allclose(J[t, b, i], rnnlib.numerical_gradient(f, h_prev)[0], rtol=1e-6, atol=1e-9)


def test_gradient_norms_by_lag_follow_the_jacobian_product():
    p, xs, h0, _ = random_problem(5, 1, 3, 4, 2)
    _, cache = rnnlib.rnn_forward(xs, p, h0)
    J = analysis.step_jacobians(cache)[:, 0]
    dh = np.ones((1, 4)) / 2.0
    norms = analysis.gradient_norms_by_lag(cache, dh)
    assert norms.shape == (6,)
    g = dh[0]
    for lag in range(1, 6):
        g = J[5 - lag].T @ g  # dL/dh_{k-1} = (dh_k/dh_{k-1})^T dL/dh_k
        assert norms[lag] == pytest.approx(np.linalg.norm(g))
    # The gradient reaching h_0 is the one BPTT computes for h0.
    grads = rnnlib.rnn_backward(np.zeros((5, 1, 2)) + 0.0, cache)
    assert not np.any(grads.h0)


def test_small_weights_make_the_gradient_vanish_and_large_ones_explode():
    rng = np.random.default_rng(0)
    xs = 0.1 * rng.normal(size=(60, 4, 3))
    base = rnnlib.init_rnn_params(3, 32, 2, seed=1)
    ends = {}
    for r in (0.5, 2.0):
        p = rnnlib.RNNParams(base.W_xh, analysis.scale_to_spectral_radius(base.W_hh, r), base.b_h, base.W_hy, base.b_y)
        _, cache = rnnlib.rnn_forward(xs, p)
        ends[r] = analysis.gradient_norms_by_lag(cache)[-1]
    assert ends[0.5] < 1e-10 and ends[2.0] > 1e2


def test_remember_first():
    xs, classes = rnnlib.remember_first(5, 3, 4, seed=0, num_distractors=2)
    assert xs.shape == (6, 3, 6) and classes.shape == (3,)
    np.testing.assert_array_equal(xs[0].argmax(-1), classes)
    assert np.all(xs[1:].argmax(-1) >= 4)


def test_remember_first_accuracy_is_chapter_6s_run():
    """The same numbers as training and scoring by hand, for the seed's batches."""
    L, seed = 6, 3
    start = rnnlib.init_rnn_params(8, 16, 4, seed=seed)

    def step(p, i):
        xs, c = rnnlib.remember_first(L, 32, 4, seed=seed * 10**6 + i)
        return rnnlib.rnn_loss_and_grads(p, xs, c, many_to_one=True)

    run = rnnlib.train(start, step, steps=40, lr=0.3, clip_norm=1.0)
    xs, c = rnnlib.remember_first(L, 500, 4, seed=123)
    ys, _ = rnnlib.rnn_forward(xs, run.params)
    by_hand = rnnlib.accuracy(ys[-1:], c[None])
    assert analysis.remember_first_accuracy(start, L, seed=seed, lr=0.3, steps=40) == by_hand
    assert 0.25 < by_hand <= 1.0


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_remember_first_accuracy_trains_gated_cells_in_float32(cell):
    start = rnnlib.init_params(cell, 6, 16, 3, seed=0, dtype=np.float32)
    acc = analysis.remember_first_accuracy(start, 3, seed=0, lr=0.02, steps=60, optimizer="adam", test_size=200)
    assert acc >= 0.9  # a short lag, learned quickly


def test_remember_first_accuracy_messages():
    p = rnnlib.init_rnn_params(4, 8, 4, seed=0)
    with pytest.raises(ValueError, match="start must have more inputs than outputs"):
        analysis.remember_first_accuracy(p, 5, seed=0, lr=0.1)
    with pytest.raises(TypeError, match="start must be an RNNParams, LSTMParams or GRUParams; got dict"):
        analysis.remember_first_accuracy({}, 5, seed=0, lr=0.1)
    with pytest.raises(ValueError, match=r"^seed must be >= 0; got -1$"):
        analysis.remember_first_accuracy(rnnlib.init_rnn_params(8, 8, 4, seed=0), 5, seed=-1, lr=0.1)
    with pytest.raises(ValueError, match="lag must be"):
        analysis.remember_first_accuracy(rnnlib.init_rnn_params(8, 8, 4, seed=0), 0, seed=0, lr=0.1)


@pytest.mark.parametrize("chunk", [None, 3])
def test_train_delayed_echo_is_chapter_5s_run(chunk):
    """The same losses and weights as training by hand on the seed's batches."""
    L, seed = 2, 4
    start = rnnlib.init_rnn_params(5, 8, 5, seed=seed)

    def step(p, i):
        xs, t = rnnlib.delayed_echo(12, 16, 5, L, seed=seed * 10**6 + i)
        if chunk is None:
            return rnnlib.rnn_loss_and_grads(p, xs, t)
        loss, grads, _ = rnnlib.truncated_bptt_loss_and_grads(p, xs, t, chunk)
        return loss, grads

    by_hand = rnnlib.train(start, step, steps=30, lr=0.01, clip_norm=1.0, optimizer="adam")
    run = analysis.train_delayed_echo(start, L, seed=seed, lr=0.01, steps=30, seq_len=12, chunk=chunk)
    np.testing.assert_array_equal(run.losses, by_hand.losses)
    np.testing.assert_array_equal(run.params.W_hh, by_hand.params.W_hh)


def test_train_delayed_echo_messages():
    p = rnnlib.init_rnn_params(5, 8, 5, seed=0)
    with pytest.raises(TypeError, match="start must be an RNNParams; got dict"):
        analysis.train_delayed_echo({}, 2, seed=0, lr=0.1, steps=1)
    with pytest.raises(ValueError, match=r"^seed must be >= 0; got -1$"):
        analysis.train_delayed_echo(p, 2, seed=-1, lr=0.1, steps=1)
    with pytest.raises(ValueError, match="chunk must be"):
        analysis.train_delayed_echo(p, 2, seed=0, lr=0.1, steps=1, chunk=0)


def test_gradient_flow_weights_are_the_matrix_gradient_flow_runs():
    from rnnlib.analysis import _flow_params, gradient_flow, gradient_flow_weights, gradient_norms_by_lag

    W = gradient_flow_weights(0.9, hidden_size=16, seed=3)
    assert analysis.spectral_radius(W) == pytest.approx(0.9)
    rng = np.random.default_rng(3)
    p = _flow_params(rng, 0.9, 16, "normal")
    np.testing.assert_array_equal(p.W_hh, W)
    xs = 0.1 * rng.normal(size=(12, 16, 8))
    _, cache = rnnlib.rnn_forward(xs, p)
    np.testing.assert_array_equal(gradient_norms_by_lag(cache), gradient_flow(0.9, length=12, hidden_size=16, seed=3))


def test_one_unit_rnn_gradient_is_the_derivative_of_its_loss():
    w, b = np.linspace(1.0, 6.0, 11)[:, None], np.array([-3.0, -2.5, 0.5])  # a (11, 3) grid
    loss, dw, db = analysis.one_unit_rnn(w, b, steps=20)
    eps = 1e-6
    fd_w = (analysis.one_unit_rnn(w + eps, b, steps=20)[0] - analysis.one_unit_rnn(w - eps, b, steps=20)[0]) / (2 * eps)
    fd_b = (analysis.one_unit_rnn(w, b + eps, steps=20)[0] - analysis.one_unit_rnn(w, b - eps, steps=20)[0]) / (2 * eps)
    assert loss.shape == dw.shape == db.shape == (11, 3)
    np.testing.assert_allclose(dw, fd_w, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(db, fd_b, rtol=1e-5, atol=1e-7)


def test_one_unit_rnn_runs_the_recursion_it_names():
    loss, _, _ = analysis.one_unit_rnn(2.0, -1.0, steps=3, h0=0.5, target=0.7)
    h = 0.5
    for _ in range(3):
        h = 2.0 * (1 / (1 + np.exp(-h))) - 1.0
    assert loss == pytest.approx((h - 0.7) ** 2, rel=1e-14)


def test_one_unit_rnn_has_pascanus_cliff():
    # At b = -2.5 the loss falls from above 6 to below 1 across a wall less than 0.01 wide near
    # w = 4.82, where the gradient is thousands of times larger than on either side.
    w = np.linspace(4.80, 4.84, 4001)
    loss, dw, db = analysis.one_unit_rnn(w, -2.5)
    norm = np.hypot(dw, db)
    assert loss[0] > 6 and loss[-1] < 1
    assert norm.max() > 1000 * max(norm[0], norm[-1])
    last_high, first_low = w[loss > 6][-1], w[loss < 1][0]
    assert 0 < first_low - last_high < 0.01


def test_one_unit_rnn_refuses_weights_that_do_not_broadcast():
    with pytest.raises(ValueError, match=r"^w and b must broadcast together; got shapes \(3,\) and \(2,\)$"):
        analysis.one_unit_rnn(np.ones(3), np.ones(2))


def test_best_time_is_the_fastest_of_its_calls():
    calls = []

    def f(x):
        calls.append(x)
        time.sleep(0.002 if len(calls) == 2 else 0.02)

    seconds = analysis.best_time(f, (7,), repeat=3)
    assert calls == [7, 7, 7]
    assert 0.002 <= seconds < 0.015  # the second, short call
    with pytest.raises(TypeError, match="args must be a tuple"):
        analysis.best_time(f, [7])
