"""Chapter 9's encoder-decoder: gradients, teacher forcing, free-running decoding and the reversal task."""

from __future__ import annotations

import numpy as np
import pytest

import rnnlib
from rnnlib import seq2seq


def problem(S=4, T=5, B=3, D=4, H=6, O=3, seed=0):
    rng = np.random.default_rng(seed)
    p = seq2seq.init_seq2seq_params(D, H, O, seed=seed)
    # non-zero biases, so that every term of the gradient is exercised
    p = seq2seq.Seq2SeqParams(**{**vars(p), "b_h_e": 0.3 * rng.normal(size=H), "b_h_d": 0.3 * rng.normal(size=H)})
    return p, rng.normal(size=(S, B, D)), rng.integers(0, O, size=(T, B))


def test_seq2seq_backward_is_the_gradient_of_every_weight():
    p, xs, targets = problem()
    _, grads = seq2seq.seq2seq_loss_and_grads(p, xs, targets)
    errors = rnnlib.check_grads(lambda q: seq2seq.seq2seq_loss_and_grads(q, xs, targets)[0], p, grads)
    assert set(errors) == set(vars(p)) and max(errors.values()) < 1e-7
    assert np.abs(grads.W_xh_e).max() > 1e-3  # the encoder is trained, through d_0 alone


def test_teacher_forcing_feeds_go_then_the_correct_symbols():
    targets = np.array([[2, 0], [1, 1], [0, 2]])
    u = seq2seq.teacher_forced_inputs(targets, 3)
    assert u.shape == (3, 2, 4)
    np.testing.assert_array_equal(u.argmax(-1), [[3, 3], [2, 0], [1, 1]])
    np.testing.assert_array_equal(u.sum(-1), 1)


def test_the_decoder_starts_from_the_encoders_last_state():
    p, xs, targets = problem()
    ys, cache = seq2seq.seq2seq_forward(xs, seq2seq.teacher_forced_inputs(targets, 3), p)
    enc = rnnlib.rnn_forward(xs, p.encoder())[1]
    np.testing.assert_array_equal(cache.decoder.h0, enc.hs[-1])
    want, _ = rnnlib.rnn_forward(seq2seq.teacher_forced_inputs(targets, 3), p.decoder(), enc.hs[-1])
    np.testing.assert_allclose(ys, want, rtol=1e-13)


def test_free_running_decoding_feeds_back_its_own_choices():
    p, xs, targets = problem()
    free = seq2seq.decode(p, xs, 5)
    # Teacher-forced on its own choices, the decoder makes the same choices.
    np.testing.assert_array_equal(seq2seq.decode(p, xs, 5, targets=free), free)
    forced = seq2seq.decode(p, xs, 5, targets=targets)
    ys, _ = seq2seq.seq2seq_forward(xs, seq2seq.teacher_forced_inputs(targets, 3), p)
    np.testing.assert_array_equal(forced, ys.argmax(-1))
    assert free.shape == forced.shape == (5, 3)


def test_a_trained_encoder_decoder_reverses_short_sequences():
    p = seq2seq.init_seq2seq_params(4, 32, 4, seed=0)
    rng = np.random.default_rng(1)
    run = rnnlib.train(
        p,
        lambda q, k: seq2seq.seq2seq_loss_and_grads(q, *rnnlib.reversal(4, 32, 4, seed=rng)),
        steps=300,
        lr=0.01,
        clip_norm=5.0,
        optimizer="adam",
    )
    xs, targets = rnnlib.reversal(4, 200, 4, seed=2)
    assert (seq2seq.decode(run.params, xs, 4) == targets).mean() > 0.95


def test_reversal_writes_the_input_backwards():
    xs, targets = rnnlib.reversal(6, 4, 5, seed=0)
    assert xs.shape == (6, 4, 5)
    np.testing.assert_array_equal(targets, xs.argmax(-1)[::-1])


def test_the_encoder_decoder_refuses_what_it_cannot_use():
    p, xs, targets = problem()
    with pytest.raises(TypeError, match="Seq2SeqParams"):
        seq2seq.seq2seq_loss_and_grads(p.decoder(), xs, targets)
    with pytest.raises(ValueError, match="decoder_inputs"):
        seq2seq.seq2seq_forward(xs, np.zeros((5, 3, 3)), p)
    with pytest.raises(ValueError, match="targets"):
        seq2seq.seq2seq_loss_and_grads(p, xs, targets + 3)
    with pytest.raises(ValueError, match="W_xh_d"):
        seq2seq.Seq2SeqParams(**{**vars(p), "W_xh_d": np.zeros((6, 3))})
    with pytest.raises(TypeError, match="Seq2SeqCache"):
        seq2seq.seq2seq_backward(np.zeros((5, 3, 3)), None)
