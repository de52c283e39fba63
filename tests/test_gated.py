"""The LSTM and the GRU: gradient checks of every backward pass, the fast sequence
passes against chaining the readable step functions, and the bad-input messages."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SHAPES

import rnnlib
from rnnlib import gated
from rnnlib.gradcheck import DEFAULT_TOL, gradient_errors

CELLS = ("lstm", "gru")


def random_gated(cell, T, B, D, H, O, *, seed=0, dtype=np.float64):
    """Parameters with non-zero biases, inputs, an initial state (a pair for the LSTM) and targets."""
    rng = np.random.default_rng(seed)
    p = rnnlib.init_params(cell, D, H, O, seed=rng, dtype=dtype)
    cls = type(p)
    p = cls(
        p.W_x, p.W_h, (0.3 * rng.normal(size=p.b.shape)).astype(dtype), p.W_hy, (0.1 * rng.normal(size=O)).astype(dtype)
    )
    xs = rng.normal(size=(T, B, D)).astype(dtype)
    h0 = (0.5 * rng.normal(size=(B, H))).astype(dtype)
    state = (h0, (0.5 * rng.normal(size=(B, H))).astype(dtype)) if cell == "lstm" else h0
    targets = rng.integers(0, O, size=(T, B))
    return p, xs, state, targets


def as_dict(record):
    return {k: getattr(record, k) for k in ("W_x", "W_h", "b", "W_hy", "b_y")}


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}-B{}-D{}-H{}-O{}".format(*s))
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("loss,many_to_one", [("cross_entropy", False), ("mse", False), ("cross_entropy", True)])
def test_sequence_backward_all_parameters_and_initial_state(cell, shape, loss, many_to_one):
    T, B, D, H, O = shape
    p, xs, state, targets = random_gated(cell, *shape)
    if loss == "mse":
        targets = np.random.default_rng(2).normal(size=(T, B, O))
    if many_to_one:
        targets = targets[-1]
    _, grads, _ = rnnlib.sequence_loss_and_grads(p, xs, targets, loss=loss, many_to_one=many_to_one, state=state)

    def f(a):
        q = type(p)(**{k: a[k] for k in ("W_x", "W_h", "b", "W_hy", "b_y")})
        s = (a["h0"], a["c0"]) if cell == "lstm" else a["h0"]
        return rnnlib.sequence_loss_and_grads(q, xs, targets, loss=loss, many_to_one=many_to_one, state=s)[0]

    args = as_dict(p) | ({"h0": state[0], "c0": state[1]} if cell == "lstm" else {"h0": state})
    want = as_dict(grads) | ({"h0": grads.h0, "c0": grads.c0} if cell == "lstm" else {"h0": grads.h0})
    errors = gradient_errors(f, args, want)
    assert max(errors.values()) < DEFAULT_TOL, errors


@pytest.mark.parametrize("cell", CELLS)
def test_lstm_and_gru_backward_are_what_sequence_backward_calls(cell):
    p, xs, state, _ = random_gated(cell, 4, 2, 3, 5, 2)
    dys = np.random.default_rng(3).normal(size=(4, 2, 2))
    if cell == "lstm":
        ys, cache = rnnlib.lstm_forward(xs, p, *state)
        grads = rnnlib.lstm_backward(dys, cache)
    else:
        ys, cache = rnnlib.gru_forward(xs, p, state)
        grads = rnnlib.gru_backward(dys, cache)
    ys2, cache2 = rnnlib.sequence_forward(p, xs, state)
    np.testing.assert_array_equal(ys, ys2)
    for k, v in vars(rnnlib.sequence_backward(dys, cache2)).items():
        np.testing.assert_array_equal(v, getattr(grads, k))


@pytest.mark.parametrize("B", [1, 3])
def test_lstm_step_backward(B):
    D, H = 3, 4
    p, xs, (h0, c0), _ = random_gated("lstm", 1, B, D, H, 2)
    rng = np.random.default_rng(1)
    dh, dc = rng.normal(size=(B, H)), rng.normal(size=(B, H))  # L = sum(dh * h) + sum(dc * c)

    def f(a):
        q = rnnlib.LSTMParams(a["W_x"], a["W_h"], a["b"], p.W_hy, p.b_y)
        h, c, _ = rnnlib.lstm_step_forward(a["x"], a["h_prev"], a["c_prev"], q)
        return float(np.sum(dh * h) + np.sum(dc * c))

    args = {"x": xs[0], "h_prev": h0, "c_prev": c0, "W_x": p.W_x, "W_h": p.W_h, "b": p.b}
    _, _, cache = rnnlib.lstm_step_forward(xs[0], h0, c0, p)
    g = rnnlib.lstm_step_backward(dh, dc, cache)
    errors = gradient_errors(f, args, {k: getattr(g, k) for k in args})
    assert max(errors.values()) < DEFAULT_TOL, errors


@pytest.mark.parametrize("B", [1, 3])
def test_gru_step_backward(B):
    D, H = 3, 4
    p, xs, h0, _ = random_gated("gru", 1, B, D, H, 2)
    dh = np.random.default_rng(1).normal(size=(B, H))

    def f(a):
        q = rnnlib.GRUParams(a["W_x"], a["W_h"], a["b"], p.W_hy, p.b_y)
        h, _ = rnnlib.gru_step_forward(a["x"], a["h_prev"], q)
        return float(np.sum(dh * h))

    args = {"x": xs[0], "h_prev": h0, "W_x": p.W_x, "W_h": p.W_h, "b": p.b}
    _, cache = rnnlib.gru_step_forward(xs[0], h0, p)
    g = rnnlib.gru_step_backward(dh, cache)
    errors = gradient_errors(f, args, {k: getattr(g, k) for k in args})
    assert max(errors.values()) < DEFAULT_TOL, errors


def chain_steps(cell, p, xs, state, dys):
    """The readable reference: step_forward T times, then step_backward T times by hand."""
    T = xs.shape[0]
    caches, hs = [], []
    if cell == "lstm":
        h, c = state
        for t in range(T):
            h, c, cache = rnnlib.lstm_step_forward(xs[t], h, c, p)
            caches.append(cache)
            hs.append(h)
    else:
        h = state
        for t in range(T):
            h, cache = rnnlib.gru_step_forward(xs[t], h, p)
            caches.append(cache)
            hs.append(h)
    hs = np.stack(hs)
    ys = hs @ p.W_hy.T + p.b_y
    dh_next = np.zeros_like(hs[0])
    dc_next = np.zeros_like(hs[0])
    total = {k: np.zeros_like(getattr(p, k)) for k in ("W_x", "W_h", "b")}
    for t in reversed(range(T)):
        dh = dys[t] @ p.W_hy + dh_next
        if cell == "lstm":
            g = rnnlib.lstm_step_backward(dh, dc_next, caches[t])
            dc_next = g.c_prev
        else:
            g = rnnlib.gru_step_backward(dh, caches[t])
        dh_next = g.h_prev
        for k in total:
            total[k] += getattr(g, k)
    total["W_hy"] = np.einsum("tbo,tbh->oh", dys, hs)
    total["b_y"] = dys.sum(axis=(0, 1))
    total["h0"] = dh_next
    if cell == "lstm":
        total["c0"] = dc_next
    return ys, total


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}-B{}-D{}-H{}-O{}".format(*s))
@pytest.mark.parametrize("cell", CELLS)
def test_fast_sequence_pass_equals_chaining_the_step_functions(cell, shape):
    T, B, D, H, O = shape
    p, xs, state, _ = random_gated(cell, *shape, seed=5)
    dys = np.random.default_rng(6).normal(size=(T, B, O))
    want_ys, want = chain_steps(cell, p, xs, state, dys)
    ys, cache = rnnlib.sequence_forward(p, xs, state)
    np.testing.assert_allclose(ys, want_ys, rtol=1e-12, atol=1e-12)
    got = rnnlib.sequence_backward(dys, cache)
    for k, v in want.items():
        np.testing.assert_allclose(getattr(got, k), v, rtol=1e-10, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("block_rows", [1, 7, 2048])
@pytest.mark.parametrize("cell", CELLS)
def test_the_backward_pass_in_blocks_of_steps_equals_chaining_the_steps(cell, block_rows, monkeypatch):
    """lstm_backward and gru_backward walk time in blocks of about _BLOCK_ROWS rows: one step
    per block, blocks of 2 steps with a shorter first one (T=7, B=3), and a single block."""
    from rnnlib import bptt

    monkeypatch.setattr(bptt, "_BLOCK_ROWS", block_rows)
    T, B, D, H, O = 7, 3, 4, 5, 3
    p, xs, state, _ = random_gated(cell, T, B, D, H, O, seed=8)
    dys = np.random.default_rng(9).normal(size=(T, B, O))
    _, want = chain_steps(cell, p, xs, state, dys)
    _, cache = rnnlib.sequence_forward(p, xs, state)
    got = rnnlib.sequence_backward(dys, cache)
    for k, v in want.items():
        np.testing.assert_allclose(getattr(got, k), v, rtol=1e-10, atol=1e-12, err_msg=k)
    if cell == "lstm":  # the layer's backward: the same weight gradients, and those of its inputs
        layer = rnnlib.lstm_layer_backward(dys @ p.W_hy, cache)
        for k in ("W_x", "W_h", "b", "h0", "c0"):
            np.testing.assert_allclose(getattr(layer, k), want[k], rtol=1e-10, atol=1e-12, err_msg=k)

        def loss(xs_):
            ys_, _ = rnnlib.lstm_forward(xs_, p, *state)
            return float(np.sum(dys * ys_))

        eps = 1e-6
        for k in ((0, 0, 0), (T - 1, B - 1, D - 1), (3, 1, 2)):  # first and last steps, one between
            bumped, lowered = xs.copy(), xs.copy()
            bumped[k] += eps
            lowered[k] -= eps
            assert layer.xs[k] == pytest.approx((loss(bumped) - loss(lowered)) / (2 * eps), rel=1e-6, abs=1e-9), k


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "backward", ["rnn_backward", "rnn_layer_backward", "lstm_backward", "lstm_layer_backward", "gru_backward"]
)
def test_a_backward_pass_returns_arrays_that_a_later_call_leaves_alone(backward, dtype):
    """The backward passes keep their working arrays from one call to the next
    (bptt._work): nothing they return may be one of them, or a view of one. A second call,
    on other data and then on a longer sequence, must not change the first call's
    results, and every call must give what a fresh process would."""
    cell = backward.split("_")[0]
    layer = "layer" in backward
    fn = getattr(rnnlib.bptt if backward.startswith("rnn_layer") else rnnlib, backward)

    def run(T, seed):
        rng = np.random.default_rng(seed)
        B, D, H, O = 3, 4, 5, 3
        if cell == "rnn":
            p = rnnlib.init_rnn_params(D, H, O, seed=seed, dtype=dtype)
            xs = rng.normal(size=(T, B, D)).astype(dtype)
            h0 = (0.5 * rng.normal(size=(B, H))).astype(dtype)
            _, cache = rnnlib.rnn_forward(xs, p, h0)
        else:
            p, xs, state, _ = random_gated(cell, T, B, D, H, O, seed=seed, dtype=dtype)
            _, cache = rnnlib.sequence_forward(p, xs, state)
        outside = rng.normal(size=(T, B, H if layer else O)).astype(dtype)
        got = fn(outside, cache)
        return {k: v for k, v in vars(got).items() if isinstance(v, np.ndarray)}

    first = run(6, seed=1)
    kept = {k: v.copy() for k, v in first.items()}
    second = run(6, seed=2)
    longer = run(9, seed=3)
    for k, v in first.items():
        np.testing.assert_array_equal(v, kept[k], err_msg=k)
        for other in (second, longer):
            assert not np.shares_memory(v, other[k]), k
    for k, v in run(6, seed=1).items():
        np.testing.assert_array_equal(v, kept[k], err_msg=k)


@pytest.mark.parametrize("cell", CELLS)
def test_float32_stays_float32_and_matches_float64(cell):
    p64, xs, state, targets = random_gated(cell, 6, 3, 4, 5, 3)
    p32, xs32, state32, _ = random_gated(cell, 6, 3, 4, 5, 3, dtype=np.float32)
    loss64, g64, _ = rnnlib.sequence_loss_and_grads(p64, xs, targets, state=state)
    loss32, g32, _ = rnnlib.sequence_loss_and_grads(p32, xs32, targets, state=state32)
    assert g32.W_h.dtype == np.float32 and g32.W_x.dtype == np.float32
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    np.testing.assert_allclose(g32.W_h, g64.W_h, rtol=1e-3, atol=1e-5)


def test_gates_are_the_equations():
    """One LSTM and one GRU step against the module docstring's equations, written out per gate."""
    p, xs, (h0, c0), _ = random_gated("lstm", 1, 2, 3, 4, 2)

    def pre(name, x, h):
        W_x, W_h, b = p.gate(name)
        return x @ W_x.T + h @ W_h.T + b

    x = xs[0]
    i, f = gated.sigmoid(pre("i", x, h0)), gated.sigmoid(pre("f", x, h0))
    g, o = np.tanh(pre("g", x, h0)), gated.sigmoid(pre("o", x, h0))
    c = f * c0 + i * g
    h, c_got, _ = rnnlib.lstm_step_forward(x, h0, c0, p)
    np.testing.assert_allclose(c_got, c, atol=1e-14)
    np.testing.assert_allclose(h, o * np.tanh(c), atol=1e-14)

    q, xs, h0, _ = random_gated("gru", 1, 2, 3, 4, 2)
    W_xz, W_hz, b_z = q.gate("z")
    W_xr, W_hr, b_r = q.gate("r")
    W_xn, W_hn, b_n = q.gate("n")
    x = xs[0]
    z = 1 / (1 + np.exp(-(x @ W_xz.T + h0 @ W_hz.T + b_z)))
    r = 1 / (1 + np.exp(-(x @ W_xr.T + h0 @ W_hr.T + b_r)))
    n = np.tanh(x @ W_xn.T + (r * h0) @ W_hn.T + b_n)
    h, _ = rnnlib.gru_step_forward(x, h0, q)
    np.testing.assert_allclose(h, (1 - z) * n + z * h0, atol=1e-14)


def test_sigmoid_is_the_logistic_function_and_never_overflows():
    a = np.array([-1000.0, -5.0, 0.0, 2.0, 1000.0])
    with np.errstate(over="raise"):
        s = gated.sigmoid(a)
    np.testing.assert_allclose(s[1:4], 1 / (1 + np.exp(-a[1:4])), rtol=1e-14)
    assert s[0] == 0.0 and s[-1] == 1.0


def test_parameter_counts():
    D, H, O = 7, 5, 3
    assert rnnlib.init_lstm_params(D, H, O, seed=0).num_parameters() == 4 * (H * D + H * H + H) + O * H + O
    assert rnnlib.init_gru_params(D, H, O, seed=0).num_parameters() == 3 * (H * D + H * H + H) + O * H + O


def test_initial_biases_and_orthogonal_blocks():
    H = 6
    p = rnnlib.init_lstm_params(3, H, 2, seed=0, forget_bias=2.5)
    np.testing.assert_array_equal(p.gate("f")[2], np.full(H, 2.5))
    for name in ("i", "g", "o"):
        np.testing.assert_array_equal(p.gate(name)[2], np.zeros(H))
        W_h = p.gate(name)[1]
        np.testing.assert_allclose(W_h @ W_h.T, np.eye(H), atol=1e-12)
    q = rnnlib.init_gru_params(3, H, 2, seed=0, update_bias=-1.0)
    np.testing.assert_array_equal(q.gate("z")[2], np.full(H, -1.0))
    assert np.array_equal(rnnlib.init_gru_params(3, H, 2, seed=4).W_h, rnnlib.init_gru_params(3, H, 2, seed=4).W_h)


def test_bad_inputs_get_clear_messages():
    p = rnnlib.init_lstm_params(3, 4, 2, seed=0)
    with pytest.raises(ValueError, match=r"W_h must have shape \(4H, H\), the 4 gates i, f, g, o stacked"):
        rnnlib.LSTMParams(p.W_x, p.W_h[:-1], p.b, p.W_hy, p.b_y)
    with pytest.raises(ValueError, match="xs"):
        rnnlib.lstm_forward(np.zeros((5, 2, 4)), p)
    with pytest.raises(ValueError, match="c0"):
        rnnlib.lstm_forward(np.zeros((5, 2, 3)), p, np.zeros((2, 4)), np.zeros((3, 4)))
    with pytest.raises(TypeError, match="params must be an LSTMParams"):
        rnnlib.lstm_forward(np.zeros((5, 2, 3)), rnnlib.init_gru_params(3, 4, 2, seed=0))
    with pytest.raises(TypeError, match="state for an LSTM must be the pair"):
        rnnlib.sequence_forward(p, np.zeros((5, 2, 3)), np.zeros((2, 4)))
    with pytest.raises(TypeError, match="state for GRU must be one array"):
        rnnlib.sequence_forward(rnnlib.init_gru_params(3, 4, 2, seed=0), np.zeros((5, 2, 3)), (1, 2))
    with pytest.raises(ValueError, match="name must be one of the gates"):
        p.gate("z")
    with pytest.raises(TypeError, match="forget_bias must be a number"):
        rnnlib.init_lstm_params(3, 4, 2, seed=0, forget_bias="1")
    with pytest.raises(ValueError, match="cell must be one of"):
        rnnlib.init_params("transformer", 3, 4, 2, seed=0)
    with pytest.raises(TypeError, match="cache must be the LSTMCache"):
        rnnlib.lstm_backward(np.zeros((5, 2, 2)), object())
    _, cache = rnnlib.lstm_forward(np.zeros((5, 2, 3)), p)
    with pytest.raises(ValueError, match="dys"):
        rnnlib.lstm_backward(np.zeros((4, 2, 2)), cache)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_state_gradient_by_lag_matches_the_gradient_of_the_initial_state(cell):
    """At lag T the norm is that of dL/d(initial state), which the gradient check covers."""
    p = rnnlib.init_params(cell, 6, 5, 3, seed=0)
    xs, c = rnnlib.remember_first(7, 4, 3, seed=1, num_distractors=3)
    norms = rnnlib.state_gradient_by_lag(p, xs, c)
    _, grads, _ = rnnlib.sequence_loss_and_grads(p, xs, c, many_to_one=True)
    sq = np.sum(grads.h0**2, axis=1) + (np.sum(grads.c0**2, axis=1) if cell == "lstm" else 0)
    assert norms.shape == (9,)
    assert norms[-1] == pytest.approx(4 * np.sqrt(sq).mean(), rel=1e-12)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_truncated_bptt_carries_the_state(cell):
    """Two chunks with the state carried give the same outputs as one pass over both."""
    p = rnnlib.init_params(cell, 3, 4, 3, seed=0)
    xs = np.random.default_rng(0).normal(size=(6, 2, 3))
    targets = np.zeros((6, 2), dtype=int)
    ys, _ = rnnlib.sequence_forward(p, xs)
    _, _, state = rnnlib.sequence_loss_and_grads(p, xs[:4], targets[:4])
    ys2, _ = rnnlib.sequence_forward(p, xs[4:], state)
    np.testing.assert_allclose(ys2, ys[4:], atol=1e-14)


def test_forecast_feeds_its_own_output_back():
    p = rnnlib.init_params("gru", 1, 4, 1, seed=0)
    history = rnnlib.noisy_sines(10, 2, seed=0)
    out = rnnlib.forecast(p, history, 3)
    assert out.shape == (3, 2, 1)
    ys, cache = rnnlib.sequence_forward(p, history)
    np.testing.assert_allclose(out[0], ys[-1])
    ys2, _ = rnnlib.sequence_forward(p, out[:2], rnnlib.final_state(cache))
    np.testing.assert_allclose(out[1:], ys2, atol=1e-14)
    with pytest.raises(ValueError, match="output_size == input_size"):
        rnnlib.forecast(rnnlib.init_params("gru", 2, 4, 1, seed=0), np.zeros((3, 1, 2)), 2)


def test_noisy_sines():
    a = rnnlib.noisy_sines(50, 3, seed=0)
    assert a.shape == (50, 3, 1)
    np.testing.assert_array_equal(a, rnnlib.noisy_sines(50, 3, seed=0))
    clean = rnnlib.noisy_sines(500, 2, seed=0, noise=0.0, periods=(10.0,))
    np.testing.assert_allclose(clean[10:], clean[:-10], atol=1e-12)  # periodic with period 10
    with pytest.raises(ValueError, match="periods must be one or more positive numbers"):
        rnnlib.noisy_sines(5, 1, seed=0, periods=(0.0,))
