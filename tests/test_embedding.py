"""The embedding, dropout, the LSTM as a layer, and the capstone's regularised training:
every gradient checked against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import rnnlib
from rnnlib import embedding, text
from rnnlib.text import _dropout_loss_and_grads


def test_embedding_backward_is_the_scatter_add_of_the_lookup():
    E = embedding.init_embedding(5, 3, seed=0)
    ids = np.array([[0, 4], [4, 4], [2, 0]])
    assert embedding.embed(E, ids).shape == (3, 2, 3)
    np.testing.assert_array_equal(embedding.embed(E, ids)[1, 0], E[4])
    dxs = np.random.default_rng(1).normal(size=(3, 2, 3))
    dE = embedding.embedding_backward(dxs, ids, 5)
    np.testing.assert_allclose(dE[4], dxs[0, 1] + dxs[1, 0] + dxs[1, 1])
    np.testing.assert_array_equal(dE[[1, 3]], 0.0)
    w = np.random.default_rng(2).normal(size=(3, 2, 3))
    rnnlib.check_grads(
        lambda p: float(np.sum(w * embedding.embed(p["E"], ids))),
        {"E": E},
        {"E": embedding.embedding_backward(w, ids, 5)},
        tol=1e-8,
    )


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_a_folded_embedding_is_the_same_model_reading_one_hot_characters(cell):
    V, D = 7, 4
    E = embedding.init_embedding(V, D, seed=0)
    p = rnnlib.init_params(cell, D, 5, V, seed=1)
    ids = np.random.default_rng(2).integers(0, V, size=(6, 3))
    ys, _ = rnnlib.sequence_forward(p, embedding.embed(E, ids))
    folded = embedding.fold_embedding(p, E)
    assert folded.input_size == V
    ys_hot, _ = rnnlib.sequence_forward(folded, rnnlib.one_hot(ids, V))
    np.testing.assert_allclose(ys_hot, ys, rtol=1e-12, atol=1e-12)


def test_the_lstm_as_a_layer_gives_the_gradient_of_its_inputs():
    rng = np.random.default_rng(0)
    p = rnnlib.init_lstm_params(3, 4, 2, seed=0)
    xs, h0, c0 = rng.normal(size=(5, 2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    w = rng.normal(size=(5, 2, 4))  # the loss: sum(w * h)

    def loss(q):
        _, cache = rnnlib.lstm_forward(
            q["xs"],
            rnnlib.LSTMParams(**{k: q[k] for k in ("W_x", "W_h", "b")}, W_hy=p.W_hy, b_y=p.b_y),
            q["h0"],
            q["c0"],
        )
        return float(np.sum(w * cache.hs))

    _, cache = rnnlib.lstm_forward(xs, p, h0, c0)
    g = rnnlib.lstm_layer_backward(w, cache)
    values = {"W_x": p.W_x, "W_h": p.W_h, "b": p.b, "xs": xs, "h0": h0, "c0": c0}
    errors = rnnlib.check_grads(loss, values, g, tol=1e-7)
    assert set(errors) == set(values)
    # From dL/dy, the layer's recursion is lstm_backward's.
    dys = rng.normal(size=(5, 2, 2))
    full = rnnlib.lstm_backward(dys, cache)
    layer = rnnlib.lstm_layer_backward(dys @ p.W_hy, cache)
    for name in ("W_x", "W_h", "b", "h0", "c0"):
        np.testing.assert_allclose(getattr(layer, name), getattr(full, name), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("with_embedding", [True, False])
def test_training_with_dropout_follows_the_exact_gradient_for_its_masks(with_embedding):
    V, D, H = 6, 4, 5
    p = rnnlib.init_lstm_params(D if with_embedding else V, H, V, seed=0)
    record = {"W_x": p.W_x, "W_h": p.W_h, "b": p.b, "W_hy": p.W_hy, "b_y": p.b_y}
    if with_embedding:
        record["E"] = embedding.init_embedding(V, D, seed=1)
    data = text.streams(np.random.default_rng(2).integers(0, V, size=60), 3)
    rng = np.random.default_rng(0)
    state = (rng.normal(size=(3, H)) * 0.5, rng.normal(size=(3, H)) * 0.5)

    def run(q):  # the same masks every call: a fresh generator from the same seed
        return _dropout_loss_and_grads(q, data, 2, 7, state, 0.3, 0.5, np.random.default_rng(5))

    loss, grads, final = run(record)
    assert final[0].shape == (3, H) and np.isfinite(loss)
    errors = rnnlib.check_grads(lambda q: run(q)[0], record, grads, tol=1e-7)
    assert set(errors) == set(record)


def test_dropout_masks_keep_the_expected_value():
    m = embedding.dropout_mask((400, 50), 0.4, seed=0)
    assert set(np.unique(m)) == {0.0, 1 / 0.6}
    assert abs((m == 0).mean() - 0.4) < 0.01 and abs(m.mean() - 1.0) < 0.02
    np.testing.assert_array_equal(embedding.dropout_mask((3, 2), 0.0, seed=0), 1.0)
    assert embedding.dropout_mask((3, 2), 0.5, seed=0, dtype=np.float32).dtype == np.float32


def test_regularised_training_returns_a_one_hot_model_that_it_measured():
    v = text.Vocabulary.from_text("abcabcabd ")
    ids = v.encode("abc abd " * 60)
    p = rnnlib.init_lstm_params(3, 12, v.size, seed=0)
    settings = dict(steps=90, seq_len=8, batch_size=4, lr=0.02, held_out=ids, eval_every=30, lr_schedule="cosine")
    dropout = dict(input_dropout=0.2, output_dropout=0.3, seed=0)

    def train():
        E = embedding.init_embedding(v.size, 3, seed=1)
        return text.train_language_model(p, ids, embedding=E, **settings, **dropout)

    run = train()
    assert isinstance(run.best_params, rnnlib.LSTMParams) and run.best_params.input_size == v.size
    assert text.evaluate_bits_per_char(run.best_params, ids) == pytest.approx(run.eval_bits.min())
    assert run.losses[-10:].mean() < 0.6 * run.losses[:3].mean()
    # The same seed, the same masks: the run is reproducible.
    np.testing.assert_array_equal(train().losses, run.losses)


def test_cosine_schedule_runs_from_lr_towards_zero():
    lrs = [rnnlib.optim.scheduled_lr(0.1, k, 10, "cosine") for k in range(10)]
    assert lrs[0] == 0.1 and lrs[5] == pytest.approx(0.05) and 0 < lrs[-1] < 0.003
    assert all(a > b for a, b in zip(lrs[:-1], lrs[1:], strict=True))
    assert rnnlib.optim.scheduled_lr(0.1, 9, 10) == 0.1


def test_bad_input_is_refused_with_the_argument_named():
    E = embedding.init_embedding(4, 2, seed=0)
    with pytest.raises(ValueError, match=r"ids must hold class indices in \[0, 4\); got -1"):
        embedding.embed(E, np.array([0, -1]))
    with pytest.raises(ValueError, match=r"ids must hold class indices in \[0, 4\); got 4"):
        embedding.embed(E, np.array([0, 4]))
    with pytest.raises(ValueError, match=r"dxs must have shape \(\*ids.shape, D\) = \(3, D\); got \(2, 2\)"):
        embedding.embedding_backward(np.zeros((2, 2)), np.array([0, 1, 2]), 4)
    with pytest.raises(ValueError, match=r"E must have one column per input of the cell"):
        embedding.fold_embedding(rnnlib.init_lstm_params(3, 2, 4, seed=0), E)
    with pytest.raises(ValueError, match=r"p must be a finite number in \[0, 1\); got 1.0"):
        embedding.dropout_mask((2, 2), 1.0, seed=0)
    with pytest.raises(ValueError, match="shape must be a non-empty tuple of positive integers"):
        embedding.dropout_mask([2, 2], 0.5, seed=0)
    v = text.Vocabulary("abcd")
    ids = v.encode("abcd" * 20)
    with pytest.raises(ValueError, match="embedding and dropout are implemented for the LSTM; params are a GRU's"):
        text.train_language_model(
            rnnlib.init_params("gru", 4, 3, 4, seed=0), ids, steps=2, output_dropout=0.5, seed=0, batch_size=2
        )
    with pytest.raises(ValueError, match="seed must be given when dropout is on"):
        text.train_language_model(
            rnnlib.init_lstm_params(4, 3, 4, seed=0), ids, steps=2, output_dropout=0.5, batch_size=2
        )
    with pytest.raises(ValueError, match="params must read one-hot characters"):
        text.train_language_model(rnnlib.init_lstm_params(2, 3, 4, seed=0), ids, steps=2, batch_size=2)
    with pytest.raises(ValueError, match=r"embedding must have shape \(V=4, D=2\)"):
        text.train_language_model(
            rnnlib.init_lstm_params(2, 3, 4, seed=0), ids, steps=2, batch_size=2, embedding=np.zeros((4, 3))
        )
    with pytest.raises(ValueError, match="lr_schedule must be one of"):
        text.train_language_model(
            rnnlib.init_lstm_params(4, 3, 4, seed=0), ids, steps=2, batch_size=2, lr_schedule="linear"
        )
    with pytest.raises(ValueError, match=r"dhs must have shape"):
        _, cache = rnnlib.lstm_forward(np.zeros((2, 1, 3)), rnnlib.init_lstm_params(3, 2, 4, seed=0))
        rnnlib.lstm_layer_backward(np.zeros((2, 1, 3)), cache)
