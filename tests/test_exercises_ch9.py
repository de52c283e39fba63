"""Checkers of chapter 9: the reference passes, typical mistakes are named."""

from __future__ import annotations

import numpy as np

from rnnlib import exercises as ex
from rnnlib import layers, seq2seq
from rnnlib.embedding import embedding_backward


def msg(result) -> str:
    return repr(result).split(": ", 1)[1]


def stub(*args):
    raise NotImplementedError


def test_embedding_grad():
    assert ex.check_embedding_grad(embedding_backward).passed

    def assigned(dxs, ids, V):
        dE = np.zeros((V, dxs.shape[-1]))
        dE[ids.reshape(-1)] += dxs.reshape(-1, dxs.shape[-1])
        return dE

    assert "np.add.at" in msg(ex.check_embedding_grad(assigned))

    def mean(dxs, ids, V):
        counts = np.maximum(np.bincount(ids.reshape(-1), minlength=V), 1)
        return embedding_backward(dxs, ids, V) / counts[:, None]

    assert "is their sum" in msg(ex.check_embedding_grad(mean))
    assert "should have shape (4, 3)" in msg(ex.check_embedding_grad(lambda dxs, ids, V: dxs[:2]))
    assert not ex.check_embedding_grad(stub).done


def test_reverse_padded():
    assert ex.check_reverse_padded(layers.reverse_padded).passed
    assert "reverses the whole array" in msg(ex.check_reverse_padded(lambda xs, lengths: xs[::-1]))
    assert "nothing was reversed" in msg(ex.check_reverse_padded(lambda xs, lengths: xs))
    assert "expected" in msg(ex.check_reverse_padded(lambda xs, lengths: xs[::-1] * 0))
    assert not ex.check_reverse_padded(stub).done


def per_position(logits, targets):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return -np.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]


def test_masked_cross_entropy():
    import rnnlib

    assert ex.check_masked_cross_entropy(lambda y, t, m: rnnlib.softmax_cross_entropy(y, t, mask=m)[0]).passed
    assert "padded positions are scored" in msg(
        ex.check_masked_cross_entropy(lambda y, t, m: per_position(y, t).mean())
    )
    assert "divided by all T*B" in msg(
        ex.check_masked_cross_entropy(lambda y, t, m: (per_position(y, t) * m).sum() / m.size)
    )

    def naive(y, t, m):
        p = np.exp(y) / np.exp(y).sum(axis=-1, keepdims=True)
        return -np.log(np.take_along_axis(p, t[..., None], axis=-1)[..., 0])[m].mean()

    with np.errstate(all="ignore"):
        assert "subtract each row's largest logit" in msg(ex.check_masked_cross_entropy(naive))
    assert "that is the sum" in msg(ex.check_masked_cross_entropy(lambda y, t, m: (per_position(y, t) * m).sum()))
    assert "return one number" in msg(ex.check_masked_cross_entropy(lambda y, t, m: per_position(y, t)))
    assert not ex.check_masked_cross_entropy(stub).done


def test_teacher_forced_inputs():
    assert ex.check_teacher_forced_inputs(seq2seq.teacher_forced_inputs).passed
    assert "fed its own answer" in msg(ex.check_teacher_forced_inputs(lambda t, O: np.eye(O + 1)[t]))

    def zero_first(t, O):
        return np.eye(O + 1)[np.concatenate([np.zeros((1, t.shape[1]), dtype=int), t[:-1]])]

    assert "should be GO" in msg(ex.check_teacher_forced_inputs(zero_first))

    def ahead(t, O):
        return np.eye(O + 1)[np.concatenate([t[1:], np.full((1, t.shape[1]), O)])]

    assert "a step ahead" in msg(ex.check_teacher_forced_inputs(ahead))
    assert "should have shape (3, 2, 4)" in msg(ex.check_teacher_forced_inputs(lambda t, O: np.eye(O)[t]))
    assert not ex.check_teacher_forced_inputs(stub).done


def test_the_chapter_9_checkers_are_in_the_gradebook_order():
    names = [k for k in ex.CHECKERS if k.startswith("Exercise 9.")]
    assert names == ["Exercise 9.1", "Exercise 9.2", "Exercise 9.3", "Exercise 9.4"]
