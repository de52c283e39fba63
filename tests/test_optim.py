from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import rnnlib
from rnnlib.optim import scheduled_lr


def test_clipping_rescales_to_the_maximum_norm_and_keeps_direction():
    g = {"a": np.array([3.0, 0.0]), "b": np.array([4.0])}
    clipped, norm = rnnlib.clip_grad_norm(g, 1.0)
    assert norm == pytest.approx(5.0)
    assert rnnlib.global_norm(clipped) == pytest.approx(1.0)
    np.testing.assert_allclose(clipped["a"], [0.6, 0.0])
    same, _ = rnnlib.clip_grad_norm(g, 10.0)
    assert same is g


def test_sgd_update_is_pure():
    p = rnnlib.init_rnn_params(2, 3, 2, seed=0)
    g = rnnlib.RNNParams(*(np.ones_like(w) for w in (p.W_xh, p.W_hh, p.b_h, p.W_hy, p.b_y)))
    q = rnnlib.sgd_update(p, g, 0.1)
    np.testing.assert_allclose(q.W_hh, p.W_hh - 0.1)
    assert isinstance(q, rnnlib.RNNParams) and q is not p


def test_training_reliably_lowers_the_loss_on_a_tiny_task():
    """Echo the previous token: a seeded run must cut the loss by more than half."""
    params = rnnlib.init_rnn_params(4, 16, 4, seed=0)

    def step(p, i):
        xs, targets = rnnlib.delayed_echo(8, 16, vocab_size=4, delay=1, seed=i)
        return rnnlib.rnn_loss_and_grads(p, xs, targets)

    trained, losses, norms = rnnlib.train(params, step, steps=300, lr=0.5, clip_norm=5.0)
    assert losses.shape == norms.shape == (300,) and np.all(norms > 0)
    assert losses[0] > 1.2  # about log(4) = 1.39 before any training
    assert losses[-10:].mean() < 0.05 * losses[0]
    xs, targets = rnnlib.delayed_echo(8, 64, vocab_size=4, delay=1, seed=10_000)
    ys, _ = rnnlib.rnn_forward(xs, trained)
    assert (ys.argmax(-1) == targets).mean() > 0.9  # and it generalises to new sequences


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize(
    "options",
    [
        dict(lr=0.05, clip_norm=0.5, optimizer="adam"),
        dict(lr=0.5, clip_norm=0.3),
        dict(lr=0.01, optimizer="adam", lr_schedule="cosine"),
    ],
)
def test_train_is_clipping_then_the_update_step_after_step(cell, options):
    """train checks the gradients once a step and does the arithmetic itself: it must
    give exactly what clip_grad_norm then sgd_update or adam_update give, chained by hand."""
    start = rnnlib.init_params(cell, 8, 16, 4, seed=1, dtype=np.float32)
    steps = 40

    def loss_and_grads(p, i):
        xs, targets = rnnlib.remember_first(6, 16, 4, seed=1000 + i)
        loss, grads, _ = rnnlib.sequence_loss_and_grads(p, xs.astype(np.float32), targets, many_to_one=True)
        return loss, grads

    run = rnnlib.train(start, loss_and_grads, steps=steps, **options)
    p, state, losses, norms = start, None, [], []
    names = [f.name for f in dataclasses.fields(start)]
    for i in range(steps):
        loss, grads = loss_and_grads(p, i)
        norms.append(rnnlib.global_norm(grads, names))
        losses.append(loss)
        if "clip_norm" in options:
            grads, _ = rnnlib.clip_grad_norm(grads, options["clip_norm"], names)
        lr = scheduled_lr(options["lr"], i, steps, options.get("lr_schedule", "constant"))
        if options.get("optimizer") == "adam":
            p, state = rnnlib.adam_update(p, grads, state, lr)
        else:
            p = rnnlib.sgd_update(p, grads, lr)
    if "clip_norm" in options:
        assert np.sum(np.array(norms) > options["clip_norm"]) >= 2  # clipping happened
    np.testing.assert_array_equal(run.losses, losses)
    np.testing.assert_array_equal(run.grad_norms, norms)
    for name in names:
        np.testing.assert_array_equal(getattr(run.params, name), getattr(p, name), err_msg=name)


def test_training_stops_with_a_clear_message_when_it_diverges():
    params = rnnlib.init_rnn_params(1, 4, 1, seed=0, recurrent_init="identity", recurrent_scale=3.0)
    xs = np.ones((30, 2, 1))

    def step(p, i):
        return rnnlib.rnn_loss_and_grads(p, xs, np.full((30, 2, 1), 1e200), loss="mse", activation="relu")

    with pytest.raises(
        FloatingPointError,
        match=r"^training diverged at step 0: the forward pass overflowed .*try a smaller lr, or clip the gradient",
    ):
        with np.errstate(all="ignore"):
            rnnlib.train(params, step, steps=5, lr=0.1)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda p: rnnlib.sgd_update(p, p, -0.1), ValueError, "lr must be > 0; got -0.1"),
        (lambda p: rnnlib.clip_grad_norm(p, 0), ValueError, "max_norm must be > 0; got 0.0"),
        (
            lambda p: rnnlib.sgd_update(p, {"W_xh": p.W_xh}, 0.1),
            ValueError,
            "grads must have a field for every parameter; missing ['W_hh', 'b_h', 'W_hy', 'b_y']",
        ),
        (lambda p: rnnlib.train(p, None, steps=0, lr=0.1), ValueError, "steps must be > 0; got 0"),
        (
            lambda p: rnnlib.global_norm([1, 2]),
            TypeError,
            "grads must be a record of arrays (a dataclass such as RNNParams, or a dict of arrays); got list",
        ),
    ],
)
def test_optimiser_rejects_bad_input(call, error, message):
    p = rnnlib.init_rnn_params(2, 3, 2, seed=0)
    with pytest.raises(error) as info:
        call(p)
    assert str(info.value) == message


def test_an_overflowing_forward_pass_is_reported_as_divergence():
    """A ReLU network whose state grows by 1.5x per step overflows float64 in the forward pass."""
    params = rnnlib.init_rnn_params(1, 4, 2, seed=0, recurrent_init="identity", recurrent_scale=1.5)
    xs = np.full((2000, 1, 1), 1e10)

    def step(p, i):
        return rnnlib.rnn_loss_and_grads(p, xs, np.zeros((2000, 1), int), activation="relu")

    with np.errstate(over="ignore", invalid="ignore"):
        with pytest.raises(FloatingPointError) as info:
            rnnlib.train(params, step, steps=3, lr=0.1)
    assert str(info.value).startswith(
        "training diverged at step 0: the forward pass overflowed (logits must be finite; got "
    )
    assert str(info.value).endswith("(lr=0.1); try a smaller lr, or clip the gradient (clip_norm=1.0, say)")


def test_non_finite_input_is_still_a_value_error():
    p = rnnlib.init_rnn_params(1, 2, 1, seed=0)
    with pytest.raises(ValueError, match="xs must be finite"):
        rnnlib.rnn_forward(np.full((2, 1, 1), np.nan), p)


def test_adam_update_is_the_bias_corrected_formula():
    p = {"w": np.array([1.0, -2.0]), "b": np.array([0.5])}
    g1 = {"w": np.array([0.1, -0.4]), "b": np.array([2.0])}
    g2 = {"w": np.array([-0.3, 0.2]), "b": np.array([1.0])}
    q, state = rnnlib.adam_update(p, g1, None, 0.01)
    # After one step m_hat = g and v_hat = g^2, so every weight moves by lr * sign(g).
    for k in p:
        np.testing.assert_allclose(q[k], p[k] - 0.01 * np.sign(g1[k]), rtol=1e-6)
    r, state = rnnlib.adam_update(q, g2, state, 0.01)
    assert state.t == 2
    for k in p:
        m = (0.1 * g1[k] * 0.9 + 0.1 * g2[k]) / (1 - 0.9**2)
        v = (0.001 * g1[k] ** 2 * 0.999 + 0.001 * g2[k] ** 2) / (1 - 0.999**2)
        np.testing.assert_allclose(r[k], q[k] - 0.01 * m / (np.sqrt(v) + 1e-8), rtol=1e-12)
    np.testing.assert_array_equal(p["w"], [1.0, -2.0])  # the arguments are not modified


def test_adam_trains_the_tiny_task_and_rejects_bad_input():
    def step(p, i):
        xs, c = rnnlib.remember_first(3, 16, 2, seed=i, num_distractors=2)
        return rnnlib.rnn_loss_and_grads(p, xs, c, many_to_one=True)

    run = rnnlib.train(rnnlib.init_rnn_params(4, 8, 2, seed=0), step, steps=150, lr=0.02, optimizer="adam")
    assert run.losses[-20:].mean() < 0.5 * run.losses[:5].mean()
    with pytest.raises(ValueError, match="optimizer must be one of"):
        rnnlib.train(rnnlib.init_rnn_params(4, 8, 2, seed=0), step, steps=1, lr=0.1, optimizer="rmsprop")
    with pytest.raises(ValueError, match=r"^beta1 must be a finite number in \[0, 1\); got 1.0$"):
        rnnlib.adam_update({"w": np.ones(1)}, {"w": np.ones(1)}, None, 0.1, beta1=1.0)
    with pytest.raises(TypeError, match="state must be None or the AdamState"):
        rnnlib.adam_update({"w": np.ones(1)}, {"w": np.ones(1)}, {"m": 0}, 0.1)
    with pytest.raises(ValueError, match=r"grads must have a field for every parameter; missing \['b'\]"):
        rnnlib.adam_update({"w": np.ones(1), "b": np.ones(1)}, {"w": np.ones(1)}, None, 0.1)
