"""Every backward pass in rnnlib against finite differences, in float64.

Tolerance: rnnlib.gradcheck.DEFAULT_TOL = 1e-7 on the relative error
||a - n|| / (||a|| + ||n||). With central differences at eps = 1e-6 the checks
below land near 1e-9 to 1e-10; a single wrong term gives 1e-3 or worse.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from conftest import random_problem

import rnnlib
from rnnlib.gradcheck import DEFAULT_TOL

# Every public function of rnnlib that returns a gradient, and the test that checks it.
GRADIENT_CHECKED = {
    "rnn_step_backward": "test_step_backward",
    "rnn_backward": "test_rnn_backward_all_parameters_and_h0",
    "rnn_loss_and_grads": "test_rnn_backward_all_parameters_and_h0",
    "softmax_cross_entropy": "test_softmax_cross_entropy_gradient",
    "mean_squared_error": "test_mean_squared_error_gradient",
    "mlp_backward": "test_mlp_backward",
    "window_mlp_loss_and_grads": "test_window_mlp_loss_and_grads",
    "truncated_bptt_loss_and_grads": "test_truncated_bptt_is_the_gradient_with_detached_chunk_boundaries",
    "per_step_gradients": "test_per_step_gradients_are_the_untied_networks_gradients",
    # the gated cells, in test_gated.py
    "lstm_step_backward": "test_gated.test_lstm_step_backward",
    "gru_step_backward": "test_gated.test_gru_step_backward",
    "lstm_backward": "test_gated.test_sequence_backward_all_parameters_and_initial_state",
    "gru_backward": "test_gated.test_sequence_backward_all_parameters_and_initial_state",
    "sequence_backward": "test_gated.test_sequence_backward_all_parameters_and_initial_state",
    "sequence_loss_and_grads": "test_gated.test_sequence_backward_all_parameters_and_initial_state",
    # the LSTM as a layer, and the embedding's gradient, in test_embedding.py
    "lstm_layer_backward": "test_embedding.test_the_lstm_as_a_layer_gives_the_gradient_of_its_inputs",
    "embedding.embedding_backward": "test_embedding.test_embedding_backward_is_the_scatter_add_of_the_lookup",
    # chapter 9: the RNN as a layer, both directions, the masked loss, in test_layers.py
    "rnn_layer_backward": "test_layers.test_the_rnn_as_a_layer_gives_the_gradient_of_its_inputs",
    "layers.birnn_backward": "test_layers.test_birnn_backward_is_the_gradient_of_every_weight_and_input",
    "layers.birnn_loss_and_grads": "test_layers.test_birnn_backward_is_the_gradient_of_every_weight_and_input",
    "layers.stacked_backward": "test_layers.test_stacked_backward_is_the_gradient_of_every_weight",
    "layers.stacked_loss_and_grads": "test_layers.test_stacked_backward_is_the_gradient_of_every_weight",
    "seq2seq.seq2seq_backward": "test_seq2seq.test_seq2seq_backward_is_the_gradient_of_every_weight",
    "seq2seq.seq2seq_loss_and_grads": "test_seq2seq.test_seq2seq_backward_is_the_gradient_of_every_weight",
    # chapter 10: the Linear Recurrent Unit, in test_linear.py
    "linear.lru_backward": "test_linear.test_lru_backward_is_the_gradient_of_every_weight",
    "linear.lru_loss_and_grads": "test_linear.test_lru_backward_is_the_gradient_of_every_weight",
}
# The submodules whose public functions are not exported at the top of rnnlib.
SUBMODULES = ("embedding", "layers", "seq2seq", "linear", "dynamics", "text", "ngram", "analysis")


def test_every_public_backward_has_a_gradient_check():
    public = set(rnnlib.__all__) | {
        f"{sub}.{name}"
        for sub in SUBMODULES
        for name, value in vars(importlib.import_module(f"rnnlib.{sub}")).items()
        if callable(value) and not name.startswith("_") and value.__module__ == f"rnnlib.{sub}"
    }
    returns_gradients = {
        name
        for name in public
        if name.endswith("_backward")
        or name.endswith("_and_grads")
        or name in ("softmax_cross_entropy", "mean_squared_error")
    }
    missing = returns_gradients - set(GRADIENT_CHECKED)
    assert not missing, f"public functions returning gradients without a gradient-check test: {sorted(missing)}"
    for name, test in GRADIENT_CHECKED.items():
        assert name in public, f"{name} is registered but not public"
        module, _, function = test.rpartition(".")
        where = vars(importlib.import_module(module)) if module else globals()
        assert function in where, f"{name} is registered to {test}, which does not exist"


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_step_backward(shape, activation):
    T, B, D, H, O = shape
    p, xs, h0, _ = random_problem(*shape)
    rng = np.random.default_rng(1)
    dh = rng.normal(size=(B, H))  # a random upstream gradient: L = sum(dh * h)

    def loss(a):
        q = rnnlib.RNNParams(a["W_xh"], a["W_hh"], a["b_h"], p.W_hy, p.b_y)
        h, _ = rnnlib.rnn_step_forward(a["x"], a["h_prev"], q, activation=activation)
        return float(np.sum(dh * h))

    args = {"x": xs[0], "h_prev": h0, "W_xh": p.W_xh, "W_hh": p.W_hh, "b_h": p.b_h}
    _, cache = rnnlib.rnn_step_forward(xs[0], h0, p, activation=activation)
    grads = rnnlib.rnn_step_backward(dh, cache)
    errors = rnnlib.check_grads(loss, args, grads)
    assert set(errors) == set(args)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
@pytest.mark.parametrize("many_to_one", [False, True])
def test_rnn_backward_all_parameters_and_h0(shape, activation, loss, many_to_one):
    T, B, D, H, O = shape
    p, xs, h0, classes = random_problem(*shape)
    rng = np.random.default_rng(2)
    if loss == "cross_entropy":
        targets = classes[-1] if many_to_one else classes
    else:
        targets = rng.normal(size=(B, O) if many_to_one else (T, B, O))
    kw = dict(loss=loss, many_to_one=many_to_one, activation=activation)

    _, grads = rnnlib.rnn_loss_and_grads(p, xs, targets, h0=h0, **kw)
    errors = rnnlib.check_grads(lambda q: rnnlib.rnn_loss_and_grads(q, xs, targets, h0=h0, **kw)[0], p, grads)
    errors |= rnnlib.check_grads(
        lambda a: rnnlib.rnn_loss_and_grads(p, xs, targets, h0=a["h0"], **kw)[0], {"h0": h0}, grads
    )
    assert max(errors.values()) < DEFAULT_TOL


def test_rnn_backward_float32_gradients_are_close_to_float64():
    p, xs, h0, targets = random_problem(6, 3, 4, 5, 3)
    p32 = rnnlib.RNNParams(*(w.astype(np.float32) for w in (p.W_xh, p.W_hh, p.b_h, p.W_hy, p.b_y)))
    _, g64 = rnnlib.rnn_loss_and_grads(p, xs, targets, h0=h0)
    _, g32 = rnnlib.rnn_loss_and_grads(p32, xs.astype(np.float32), targets, h0=h0.astype(np.float32))
    for name in ("W_xh", "W_hh", "b_h", "W_hy", "b_y", "h0"):
        assert getattr(g32, name).dtype == np.float32, name
        assert rnnlib.relative_error(getattr(g32, name), getattr(g64, name)) < 1e-5, name


@pytest.mark.parametrize("many_to_one", [False, True])
def test_softmax_cross_entropy_gradient(many_to_one):
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(4, 3, 5)) * 3
    targets = rng.integers(0, 5, size=(3,) if many_to_one else (4, 3))
    _, dlogits = rnnlib.softmax_cross_entropy(logits, targets, many_to_one=many_to_one)
    rnnlib.check_grads(
        lambda a: rnnlib.softmax_cross_entropy(a["logits"], targets, many_to_one=many_to_one)[0],
        {"logits": logits},
        {"logits": dlogits},
    )


@pytest.mark.parametrize("many_to_one", [False, True])
def test_mean_squared_error_gradient(many_to_one):
    rng = np.random.default_rng(4)
    ys = rng.normal(size=(4, 3, 2))
    targets = rng.normal(size=(3, 2) if many_to_one else (4, 3, 2))
    _, dys = rnnlib.mean_squared_error(ys, targets, many_to_one=many_to_one)
    rnnlib.check_grads(
        lambda a: rnnlib.mean_squared_error(a["ys"], targets, many_to_one=many_to_one)[0], {"ys": ys}, {"ys": dys}
    )


def test_bptt_over_one_step_equals_the_cell_backward():
    p, xs, h0, _ = random_problem(1, 3, 4, 5, 2)
    dys = np.random.default_rng(5).normal(size=(1, 3, 2))
    _, cache = rnnlib.rnn_forward(xs, p, h0)
    full = rnnlib.rnn_backward(dys, cache)
    _, step_cache = rnnlib.rnn_step_forward(xs[0], h0, p)
    step = rnnlib.rnn_step_backward(dys[0] @ p.W_hy, step_cache)
    for name in ("W_xh", "W_hh", "b_h"):
        np.testing.assert_allclose(getattr(full, name), getattr(step, name), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(full.h0, step.h_prev, rtol=1e-12, atol=1e-14)


def test_shared_weight_gradient_is_the_sum_of_per_step_gradients():
    """dL/dW_hh over the unrolled graph = sum over t of each step's own contribution."""
    p, xs, h0, targets = random_problem(5, 2, 3, 4, 3)
    ys, cache = rnnlib.rnn_forward(xs, p, h0)
    _, dys = rnnlib.softmax_cross_entropy(ys, targets)
    full = rnnlib.rnn_backward(dys, cache)
    # Walk back step by step with the cell's backward, collecting each step's W_hh term.
    dh_next, per_step = np.zeros_like(h0), []
    states = np.concatenate([h0[None], cache.hs])
    for t in reversed(range(5)):
        _, c = rnnlib.rnn_step_forward(xs[t], states[t], p)
        g = rnnlib.rnn_step_backward(dys[t] @ p.W_hy + dh_next, c)
        per_step.append(g.W_hh)
        dh_next = g.h_prev
    np.testing.assert_allclose(sum(per_step), full.W_hh, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("lead", [(7,), (4, 3), (1, 1)])
def test_mlp_backward(lead):
    rng = np.random.default_rng(6)
    p = rnnlib.init_mlp_params(6, 5, 3, seed=rng)
    p = rnnlib.MLPParams(p.W_1, rng.normal(size=5) * 0.1, p.W_2, rng.normal(size=3) * 0.1)
    u = rng.normal(size=(*lead, 6))
    dy = rng.normal(size=(*lead, 3))  # L = sum(dy * y)
    _, cache = rnnlib.mlp_forward(u, p)
    grads = rnnlib.mlp_backward(dy, cache)
    rnnlib.check_grads(lambda q: float(np.sum(dy * rnnlib.mlp_forward(u, q)[0])), p, grads)


def test_per_step_gradients_are_the_untied_networks_gradients():
    """The step-t term of a shared weight's gradient is the gradient of step t's own copy
    of that weight in an untied network whose copies all hold the same values."""
    p, xs, _, targets = random_problem(4, 2, 3, 3, 2)
    ys, cache = rnnlib.rnn_forward(xs, p)
    _, dys = rnnlib.softmax_cross_entropy(ys, targets)
    per_step = rnnlib.per_step_gradients(dys, cache)
    full = rnnlib.rnn_backward(dys, cache)
    for name in ("W_xh", "W_hh", "b_h", "W_hy", "b_y"):
        assert per_step[name].shape == (4, *getattr(p, name).shape)
        np.testing.assert_allclose(per_step[name].sum(axis=0), getattr(full, name), rtol=1e-12, atol=1e-14)

    import dataclasses

    def untied_loss(t, name, value):
        steps = [p] * 4
        steps[t] = dataclasses.replace(p, **{name: value})
        return rnnlib.softmax_cross_entropy(rnnlib.untied_forward(xs, steps), targets)[0]

    for t in range(4):
        for name in ("W_xh", "W_hh", "b_h", "W_hy"):
            rnnlib.check_grads(
                lambda a, t=t, name=name: untied_loss(t, name, a[name]),
                {name: getattr(p, name)},
                {name: per_step[name][t]},
            )


def test_window_mlp_loss_and_grads():
    rng = np.random.default_rng(7)
    xs, targets = rnnlib.delayed_echo(6, 3, 4, 1, seed=rng)
    p = rnnlib.init_mlp_params(2 * 4, 5, 4, seed=rng)
    _, grads = rnnlib.window_mlp_loss_and_grads(p, xs, targets, 2)
    rnnlib.check_grads(lambda q: rnnlib.window_mlp_loss_and_grads(q, xs, targets, 2)[0], p, grads)


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_truncated_bptt_equals_full_bptt_when_the_chunk_covers_the_sequence(loss):
    p, xs, h0, classes = random_problem(7, 3, 2, 4, 3)
    targets = classes if loss == "cross_entropy" else np.random.default_rng(8).normal(size=(7, 3, 3))
    full_loss, full = rnnlib.rnn_loss_and_grads(p, xs, targets, loss=loss, h0=h0)
    for chunk in (7, 20):
        value, grads, h_last = rnnlib.truncated_bptt_loss_and_grads(p, xs, targets, chunk, loss=loss, h0=h0)
        assert value == pytest.approx(full_loss, rel=1e-12)
        for name in ("W_xh", "W_hh", "b_h", "W_hy", "b_y", "h0"):
            np.testing.assert_allclose(getattr(grads, name), getattr(full, name), rtol=1e-12, atol=1e-14)
        _, cache = rnnlib.rnn_forward(xs, p, h0)
        np.testing.assert_allclose(h_last, cache.hs[-1], rtol=1e-12)


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_truncated_bptt_is_the_gradient_with_detached_chunk_boundaries(chunk):
    """Truncated BPTT is the exact gradient of the loss in which each chunk starts
    from a constant state (the one the forward pass carried in)."""
    p, xs, h0, targets = random_problem(7, 2, 3, 4, 3)
    value, grads, _ = rnnlib.truncated_bptt_loss_and_grads(p, xs, targets, chunk, h0=h0)
    _, cache = rnnlib.rnn_forward(xs, p, h0)
    starts = {0: h0, **{s: cache.hs[s - 1] for s in range(chunk, 7, chunk)}}  # fixed boundary states

    def surrogate(q):
        total = 0.0
        for s, h in starts.items():
            ys, _ = rnnlib.rnn_forward(xs[s : s + chunk], q, h)
            total += rnnlib.softmax_cross_entropy(ys, targets[s : s + chunk])[0] * ys.shape[0] / 7
        return total

    assert surrogate(p) == pytest.approx(value, rel=1e-12)
    rnnlib.check_grads(surrogate, p, grads)
    if chunk < 7:  # and it differs from the full gradient: something was cut
        _, full = rnnlib.rnn_loss_and_grads(p, xs, targets, h0=h0)
        assert rnnlib.relative_error(grads.W_hh, full.W_hh) > 1e-4


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("block_rows", [1, 3, 2048])
def test_fast_backward_equals_the_readable_reference(shape, activation, block_rows, monkeypatch):
    """rnn_backward (buffers, blocks of steps) computes what chapter 5's version computes."""
    from rnnlib import bptt

    monkeypatch.setattr(bptt, "_BLOCK_ROWS", block_rows)  # 1 and 3 force many blocks
    p, xs, h0, _ = random_problem(*shape)
    ys, cache = rnnlib.rnn_forward(xs, p, h0, activation=activation)
    dys = np.random.default_rng(9).normal(size=ys.shape)
    fast, reference = bptt.rnn_backward(dys, cache), bptt.rnn_backward_reference(dys, cache)
    for name in ("W_xh", "W_hh", "b_h", "W_hy", "b_y", "h0"):
        np.testing.assert_allclose(getattr(fast, name), getattr(reference, name), rtol=1e-12, atol=1e-13)


def test_fast_paths_keep_float32():
    p, xs, h0, targets = random_problem(30, 4, 5, 6, 3, dtype=np.float32)
    ys, cache = rnnlib.rnn_forward(xs, p, h0)
    assert ys.dtype == cache.hs.dtype == np.float32
    _, dys = rnnlib.softmax_cross_entropy(ys, targets)
    grads = rnnlib.rnn_backward(dys, cache)
    assert all(getattr(grads, n).dtype == np.float32 for n in ("W_xh", "W_hh", "b_h", "W_hy", "b_y", "h0"))
