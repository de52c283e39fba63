"""Chapter 9's layers: the RNN as a layer, the bidirectional RNN, padded batches and the masked loss."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnlib
from rnnlib import layers

FIELDS = tuple(layers.BiRNNParams.__dataclass_fields__)


def bi_problem(T=6, B=3, D=4, H=5, O=3, seed=0):
    rng = np.random.default_rng(seed)
    p = layers.init_birnn_params(D, H, O, seed=seed)
    return p, rng.normal(size=(T, B, D)), rng.integers(0, O, size=(T, B))


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_the_rnn_as_a_layer_gives_the_gradient_of_its_inputs(activation):
    rng = np.random.default_rng(0)
    p = rnnlib.init_rnn_params(3, 4, 2, seed=0)
    xs, h0 = rng.normal(size=(5, 2, 3)), rng.normal(size=(2, 4))
    w = rng.normal(size=(5, 2, 4))  # the loss: sum(w * h)

    def loss(q):
        cell = rnnlib.RNNParams(q["W_xh"], q["W_hh"], q["b_h"], p.W_hy, p.b_y)
        _, cache = rnnlib.rnn_forward(q["xs"], cell, q["h0"], activation=activation)
        return float(np.sum(w * cache.hs))

    _, cache = rnnlib.rnn_forward(xs, p, h0, activation=activation)
    g = rnnlib.rnn_layer_backward(w, cache)
    values = {"W_xh": p.W_xh, "W_hh": p.W_hh, "b_h": p.b_h, "xs": xs, "h0": h0}
    errors = rnnlib.check_grads(loss, values, g, tol=1e-7)
    assert set(errors) == set(values)
    # From dL/dy, the layer's recursion is rnn_backward's.
    dys = rng.normal(size=(5, 2, 2))
    full = rnnlib.rnn_backward(dys, cache)
    layer = rnnlib.rnn_layer_backward(dys @ p.W_hy, cache)
    for name in ("W_xh", "W_hh", "b_h", "h0"):
        np.testing.assert_allclose(getattr(layer, name), getattr(full, name), rtol=1e-12, atol=1e-14)


def test_the_rnn_layer_backward_spans_several_blocks_of_steps():
    # More steps than one block of rnn_backward's buffer holds: the inputs' gradient
    # is written block by block, and must match the reference recursion.
    rng = np.random.default_rng(1)
    p = rnnlib.init_rnn_params(2, 3, 1, seed=1)
    T, B = 2 * 2048 + 5, 1
    xs = 0.5 * rng.normal(size=(T, B, 2))
    dhs = rng.normal(size=(T, B, 3))
    _, cache = rnnlib.rnn_forward(xs, p)
    g = rnnlib.rnn_layer_backward(dhs, cache)
    fprime = 1 - cache.hs**2
    das = np.empty_like(cache.hs)
    dh_next = np.zeros((B, 3))
    for t in reversed(range(T)):
        das[t] = (dhs[t] + dh_next) * fprime[t]
        dh_next = das[t] @ p.W_hh
    np.testing.assert_allclose(g.xs, das @ p.W_xh, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(g.h0, dh_next, rtol=1e-10, atol=1e-12)


def test_birnn_backward_is_the_gradient_of_every_weight_and_input():
    p, xs, targets = bi_problem()
    lengths = np.array([6, 4, 2])

    def loss(a):
        q = layers.BiRNNParams(**{k: a[k] for k in FIELDS})
        return layers.birnn_loss_and_grads(q, a["xs"], targets, lengths=lengths)[0]

    _, g = layers.birnn_loss_and_grads(p, xs, targets, lengths=lengths)
    values = {**{k: getattr(p, k) for k in FIELDS}, "xs": xs}
    errors = rnnlib.check_grads(loss, values, g, tol=1e-7)
    assert set(errors) == set(values)


def test_the_output_at_every_step_depends_on_inputs_before_and_after_it():
    p, xs, _ = bi_problem()
    ys, _ = layers.birnn_forward(xs, p)
    for t in (0, 3, 5):
        for s in (0, 5):
            moved = xs.copy()
            moved[s] += 1.0
            changed = layers.birnn_forward(moved, p)[0]
            assert np.abs(changed[t] - ys[t]).max() > 1e-6, (t, s)
    # Only the forward direction: nothing after t reaches y_t.
    cell = p.direction("forward")
    ys1, _ = rnnlib.rnn_forward(xs, cell)
    moved = xs.copy()
    moved[5] += 1.0
    np.testing.assert_array_equal(rnnlib.rnn_forward(moved, cell)[0][:5], ys1[:5])


def test_the_two_directions_are_two_rnns():
    p, xs, _ = bi_problem()
    ys, cache = layers.birnn_forward(xs, p)
    _, f = rnnlib.rnn_forward(xs, p.direction("forward"))
    _, b = rnnlib.rnn_forward(xs[::-1], p.direction("backward"))
    np.testing.assert_allclose(cache.hs_forward, f.hs, rtol=0, atol=1e-15)
    np.testing.assert_allclose(cache.hs_backward, b.hs[::-1], rtol=0, atol=1e-15)
    H = p.hidden_size
    want = f.hs @ p.W_hy[:, :H].T + b.hs[::-1] @ p.W_hy[:, H:].T + p.b_y
    np.testing.assert_allclose(ys, want, rtol=1e-12, atol=1e-12)
    assert p.num_parameters() == 2 * (5 * 4 + 5 * 5 + 5) + 3 * 10 + 3


def padded(xs, targets, lengths, extra, fill, seed=5):
    """The same batch with ``extra`` more steps, and every padded input set to ``fill`` (or noise)."""
    rng = np.random.default_rng(seed)
    T, B, D = xs.shape
    xs2 = np.concatenate([xs, rng.normal(size=(extra, B, D))])
    real = layers.length_mask(lengths, T + extra)
    xs2[~real] = rng.normal(size=xs2[~real].shape) if fill is None else fill
    t2 = np.concatenate([targets, rng.integers(0, 3, size=(extra, B))])
    return xs2, t2


@pytest.mark.parametrize("fill", [0.0, 50.0, None])
@pytest.mark.parametrize("extra", [0, 1, 7])
def test_padding_changes_no_loss_and_no_gradient(extra, fill):
    p, xs, targets = bi_problem()
    lengths = np.array([6, 4, 2])
    loss, g = layers.birnn_loss_and_grads(p, xs, targets, lengths=lengths)
    xs2, t2 = padded(xs, targets, lengths, extra, fill)
    loss2, g2 = layers.birnn_loss_and_grads(p, xs2, t2, lengths=lengths)
    assert loss2 == pytest.approx(loss, rel=1e-13)
    for k in FIELDS:
        np.testing.assert_allclose(getattr(g2, k), getattr(g, k), rtol=1e-12, atol=1e-15)
    real = layers.length_mask(lengths, 6)
    np.testing.assert_allclose(g2.xs[:6][real], g.xs[real], rtol=1e-12, atol=1e-15)
    assert not np.any(g2.xs[~layers.length_mask(lengths, 6 + extra)])  # padded inputs get no gradient
    # The same for one direction with the masked loss: the padding comes after the real steps.
    cell = rnnlib.init_rnn_params(4, 5, 3, seed=2)

    def one_way(x, t):
        ys, cache = rnnlib.rnn_forward(x, cell)
        value, dys = rnnlib.softmax_cross_entropy(ys, t, mask=layers.length_mask(lengths, x.shape[0]))
        return value, rnnlib.rnn_backward(dys, cache)

    (l1, g1), (l2, g2) = one_way(xs, targets), one_way(xs2, t2)
    assert l2 == pytest.approx(l1, rel=1e-13)
    for k in ("W_xh", "W_hh", "b_h", "W_hy", "b_y"):
        np.testing.assert_allclose(getattr(g2, k), getattr(g1, k), rtol=1e-12, atol=1e-15)


def test_a_padded_example_gets_the_gradient_it_gets_alone():
    p, xs, targets = bi_problem()
    lengths = np.array([6, 4, 2])
    mask = layers.length_mask(lengths, 6)
    _, g = layers.birnn_loss_and_grads(p, xs, targets, lengths=lengths)
    total = {k: 0.0 for k in FIELDS}
    for b, n in enumerate(lengths):
        _, gb = layers.birnn_loss_and_grads(p, xs[:n, b : b + 1], targets[:n, b : b + 1])
        for k in FIELDS:
            total[k] = total[k] + getattr(gb, k) * n / mask.sum()  # each alone is a mean over its n steps
    for k in FIELDS:
        np.testing.assert_allclose(getattr(g, k), total[k], rtol=1e-11, atol=1e-14)


def test_reversing_the_whole_padded_array_would_change_the_real_outputs():
    # Why reverse_padded exists: the naive reversal lets the padding into the backward states.
    # Zero inputs leave a zero state at zero while b_h = 0, as at initialisation; a
    # trained cell's bias is not zero.
    p0, xs, targets = bi_problem()
    p = layers.BiRNNParams(**{**{k: getattr(p0, k) for k in FIELDS}, "b_h_b": np.full(5, 0.3)})
    lengths = np.array([6, 4, 2])
    xs2, _ = padded(xs, targets, lengths, 3, 0.0)
    real = layers.length_mask(lengths, 6)
    naive = rnnlib.rnn_forward(xs2[::-1], p.direction("backward"))[1].hs[::-1][:6]
    right = layers.birnn_forward(xs2, p, lengths)[1].hs_backward[:6]
    alone = layers.birnn_forward(xs, p, lengths)[1].hs_backward
    np.testing.assert_allclose(right[real], alone[real], rtol=0, atol=1e-14)
    assert np.abs(naive[real] - alone[real]).max() > 1e-3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 7), min_size=1, max_size=5), st.integers(0, 3))
def test_reverse_padded_reverses_each_example_within_its_length(lengths, extra):
    T = max(lengths) + extra
    lengths = np.array(lengths)
    xs = np.random.default_rng(0).normal(size=(T, len(lengths), 2))
    r = layers.reverse_padded(xs, lengths)
    for b, n in enumerate(lengths):
        np.testing.assert_array_equal(r[:n, b], xs[:n, b][::-1])
        np.testing.assert_array_equal(r[n:, b], xs[n:, b])
    np.testing.assert_array_equal(layers.reverse_padded(r, lengths), xs)
    mask = layers.length_mask(lengths, T)
    assert mask.shape == (T, len(lengths)) and (mask.sum(axis=0) == lengths).all()
    assert (mask[:-1] >= mask[1:]).all()  # real steps first, then padding


def test_the_masked_loss_is_the_mean_over_the_scored_positions():
    rng = np.random.default_rng(3)
    logits, targets = rng.normal(size=(4, 3, 5)), rng.integers(0, 5, size=(4, 3))
    mask = rng.random((4, 3)) < 0.6
    loss, grad = rnnlib.softmax_cross_entropy(logits, targets, mask=mask)
    picked = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    per = -np.take_along_axis(picked, targets[..., None], axis=-1)[..., 0]
    assert loss == pytest.approx(per[mask].mean(), rel=1e-12)
    assert not grad[~mask].any()
    errors = rnnlib.check_grads(
        lambda a: rnnlib.softmax_cross_entropy(a["logits"], targets, mask=mask)[0], {"logits": logits}, {"logits": grad}
    )
    assert errors["logits"] < 1e-7
    full = rnnlib.softmax_cross_entropy(logits, targets)
    every = rnnlib.softmax_cross_entropy(logits, targets, mask=np.ones((4, 3), dtype=bool))
    assert every[0] == full[0]
    np.testing.assert_array_equal(every[1], full[1])


def test_the_masked_loss_refuses_a_mask_it_cannot_use():
    logits, targets = np.zeros((2, 2, 3)), np.zeros((2, 2), dtype=int)
    with pytest.raises(ValueError, match="mask must hold only True and False"):
        rnnlib.softmax_cross_entropy(logits, targets, mask=np.full((2, 2), 0.5))
    with pytest.raises(ValueError, match=r"mask must have shape \(T=2, B=2\)"):
        rnnlib.softmax_cross_entropy(logits, targets, mask=np.ones((2, 3), dtype=bool))
    with pytest.raises(ValueError, match="mask must be True at one position"):
        rnnlib.softmax_cross_entropy(logits, targets, mask=np.zeros((2, 2), dtype=bool))
    with pytest.raises(ValueError, match="many_to_one"):
        rnnlib.softmax_cross_entropy(logits, targets[0], many_to_one=True, mask=np.ones((2, 2), dtype=bool))


def test_the_layers_refuse_lengths_they_cannot_use():
    p, xs, _ = bi_problem()
    with pytest.raises(ValueError, match="lengths must be between 1 and the number of steps T = 6"):
        layers.birnn_forward(xs, p, np.array([7, 1, 1]))
    with pytest.raises(ValueError, match="lengths must be between 1"):
        layers.length_mask(np.array([0, 2]), 3)
    with pytest.raises(ValueError, match=r"lengths must have shape \(B=3,\)"):
        layers.reverse_padded(xs, np.array([1, 2]))
    with pytest.raises(TypeError, match="lengths must hold integers"):
        layers.length_mask(np.array([1.0, 2.0]), 3)
    with pytest.raises(TypeError, match="params must be a BiRNNParams"):
        layers.birnn_forward(xs, rnnlib.init_rnn_params(4, 5, 3, seed=0))
    with pytest.raises(ValueError, match=r"W_hy must have shape \(O, 2H=10\)"):
        layers.BiRNNParams(**{**{k: getattr(p, k) for k in FIELDS}, "W_hy": np.zeros((3, 5))})
    with pytest.raises(TypeError, match="cache must be the BiRNNCache"):
        layers.birnn_backward(np.zeros((6, 3, 3)), rnnlib.rnn_forward(xs, p.direction("forward"))[1])
    with pytest.raises(ValueError, match="which must be 'forward' or 'backward'"):
        p.direction("both")


def test_look_ahead_tags_each_position_with_a_later_token():
    xs, targets, mask, lengths = rnnlib.look_ahead(12, 50, 4, 3, seed=0, min_length=5)
    assert xs.shape == (12, 50, 4) and lengths.min() >= 5 and lengths.max() <= 12
    tokens = xs.argmax(axis=-1)
    real = layers.length_mask(lengths, 12)
    np.testing.assert_array_equal(xs.sum(axis=-1), real)  # one-hot where real, zeros where padded
    np.testing.assert_array_equal(mask, layers.length_mask(np.maximum(lengths - 3, 1), 12) & (lengths > 3))
    t, b = np.nonzero(mask)
    np.testing.assert_array_equal(targets[t, b], tokens[t + 3, b])
    assert not targets[~mask].any()
    with pytest.raises(ValueError, match="min_length must be more than ahead = 3"):
        rnnlib.look_ahead(12, 5, 4, 3, seed=0, min_length=3)


# ---------------------------------------------------------------- stacked layers


def stack_problem(layers_=3, T=5, B=3, D=4, H=5, O=3, seed=0):
    rng = np.random.default_rng(seed)
    p = layers.init_stacked_params(D, H, O, layers=layers_, seed=seed)
    states = tuple(0.5 * rng.normal(size=(B, H)) for _ in range(layers_))
    return p, rng.normal(size=(T, B, D)), rng.integers(0, O, size=(T, B)), states


@pytest.mark.parametrize("n_layers", [1, 3])
@pytest.mark.parametrize("dropout", [0.0, 0.4])
def test_stacked_backward_is_the_gradient_of_every_weight(n_layers, dropout):
    p, xs, targets, states = stack_problem(n_layers)
    # The same seed draws the same dropout masks, so the loss is a function of the weights.
    loss, grads, _ = layers.stacked_loss_and_grads(p, xs, targets, states, dropout=dropout, seed=7)
    errors = rnnlib.check_grads(
        lambda q: layers.stacked_loss_and_grads(q, xs, targets, states, dropout=dropout, seed=7)[0], p, grads
    )
    assert set(errors) == set(p) and max(errors.values()) < 1e-7


def test_one_stacked_layer_is_the_rnn():
    p, xs, targets, states = stack_problem(1)
    cell = rnnlib.RNNParams(p["W_xh_1"], p["W_hh_1"], p["b_h_1"], p["W_hy"], p["b_y"])
    loss, grads, final = layers.stacked_loss_and_grads(p, xs, targets, states)
    want_loss, want = rnnlib.rnn_loss_and_grads(cell, xs, targets, h0=states[0])
    assert loss == pytest.approx(want_loss, rel=1e-13)
    for mine, theirs in (("W_xh_1", "W_xh"), ("W_hh_1", "W_hh"), ("b_h_1", "b_h"), ("W_hy", "W_hy"), ("b_y", "b_y")):
        np.testing.assert_allclose(grads[mine], getattr(want, theirs), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(final[0], rnnlib.rnn_forward(xs, cell, states[0])[1].hs[-1])


def test_each_layer_reads_the_states_of_the_one_below():
    p, xs, _, _ = stack_problem(2)
    ys, cache = layers.stacked_forward(xs, p)
    lower, upper = layers.stacked_layers(p)
    below = rnnlib.rnn_forward(xs, lower)[1].hs
    top = rnnlib.rnn_forward(below, upper)[1].hs
    np.testing.assert_allclose(cache.top, top, rtol=1e-13)
    np.testing.assert_allclose(ys, top @ p["W_hy"].T + p["b_y"], rtol=1e-13)


def test_stacked_dropout_drops_between_layers_and_is_off_by_default():
    p, xs, _, _ = stack_problem(2, T=40, B=50, H=20)
    _, plain = layers.stacked_forward(xs, p)
    assert all(m is None for m in plain.masks)
    _, dropped = layers.stacked_forward(xs, p, dropout=0.25, seed=3)
    for mask in dropped.masks:
        assert set(np.unique(mask)) == {0.0, 1 / 0.75}
        assert abs((mask == 0).mean() - 0.25) < 0.02
    # The bottom layer reads the inputs, undropped: its states are the plain run's.
    np.testing.assert_array_equal(dropped.layers[0].hs, plain.layers[0].hs)
    assert not np.allclose(dropped.layers[1].hs, plain.layers[1].hs)
    # A fresh mask at every step.
    assert not np.array_equal(dropped.masks[0][0], dropped.masks[0][1])


def test_the_stack_refuses_weights_and_states_it_cannot_use():
    p, xs, targets, states = stack_problem(2)
    with pytest.raises(ValueError, match="keys W_xh_l"):
        layers.stacked_forward(xs, {k: v for k, v in p.items() if k != "b_h_2"})
    with pytest.raises(ValueError, match="W_xh_2"):
        layers.stacked_forward(xs, {**p, "W_xh_2": np.zeros((5, 4))})
    with pytest.raises(ValueError, match="states must be a tuple of 2"):
        layers.stacked_forward(xs, p, states[:1])
    with pytest.raises(ValueError, match=r"states\[1\]"):
        layers.stacked_forward(xs, p, (states[0], np.zeros((3, 6))))
    with pytest.raises(ValueError, match="seed must be given"):
        layers.stacked_forward(xs, p, dropout=0.5)
    with pytest.raises(ValueError, match="dropout"):
        layers.stacked_forward(xs, p, dropout=1.0, seed=0)
    with pytest.raises(TypeError, match="StackedCache"):
        layers.stacked_backward(np.zeros((5, 3, 3)), None)
