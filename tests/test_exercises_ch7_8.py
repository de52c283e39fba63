"""Checkers of chapters 7 and 8: the reference passes, typical mistakes are named."""

from __future__ import annotations

import numpy as np

from rnnlib import exercises as ex


def msg(result) -> str:
    return repr(result).split(": ", 1)[1]


def test_gru_update():
    assert ex.check_gru_update(lambda z, n, h: (1 - z) * n + z * h).passed
    assert "z and 1 - z are swapped" in msg(ex.check_gru_update(lambda z, n, h: z * n + (1 - z) * h))
    assert "the old state is missing" in msg(ex.check_gru_update(lambda z, n, h: (1 - z) * n))
    assert "expected" in msg(ex.check_gru_update(lambda z, n, h: n))

    def stub(z, n, h):
        raise NotImplementedError

    assert not ex.check_gru_update(stub).done


def test_cell_update():
    assert ex.check_cell_update(lambda f, i, g, c: f * c + i * g).passed
    assert "the forget gate is missing" in msg(ex.check_cell_update(lambda f, i, g, c: c + i * g))
    assert "the gates are swapped" in msg(ex.check_cell_update(lambda f, i, g, c: i * c + f * g))
    assert "c_t is not squashed" in msg(ex.check_cell_update(lambda f, i, g, c: np.tanh(f * c + i * g)))


def test_gated_parameter_counts():
    def right(D, H, O):
        block = H * D + H * H + H
        return block + O * H + O, 3 * block + O * H + O, 4 * block + O * H + O

    assert ex.check_gated_parameter_counts(right).passed

    def no_biases(D, H, O):
        return right(D, H, O)[0], right(D, H, O)[1], 4 * (H * D + H * H) + O * H

    assert "the lstm count leaves out the biases" in msg(ex.check_gated_parameter_counts(no_biases))

    def head_per_gate(D, H, O):
        r = right(D, H, O)
        return r[0], 3 * (H * D + H * H + H + O * H + O), r[2]

    assert "the gru count repeats the output layer per gate" in msg(ex.check_gated_parameter_counts(head_per_gate))
    assert "return a triple" in msg(ex.check_gated_parameter_counts(lambda D, H, O: 1))


def test_unigram_bits():
    def right(counts):
        p = counts[counts > 0] / counts.sum()
        return -(p * np.log2(p)).sum()

    result = ex.check_unigram_bits(right)
    assert result.passed, result

    def nats(counts):
        p = counts[counts > 0] / counts.sum()
        return -(p * np.log(p)).sum()

    assert "that is in nats" in msg(ex.check_unigram_bits(nats))

    def with_zeros(counts):
        p = counts / counts.sum()
        with np.errstate(all="ignore"):
            return -(p * np.log2(p)).sum()

    assert "a count of 0" in msg(ex.check_unigram_bits(with_zeros))


def test_temperature_softmax():
    def right(logits, T):
        a = logits / T
        e = np.exp(a - a.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    assert ex.check_temperature_softmax(right).passed
    assert "multiplying sharpens" in msg(ex.check_temperature_softmax(lambda logits, T: right(logits * T, 1.0)))
    assert "not used" in msg(ex.check_temperature_softmax(lambda logits, T: right(logits, 1.0)))

    def overflows(logits, T):
        e = np.exp(logits / T)
        return e / e.sum(axis=-1, keepdims=True)

    assert "subtract the largest logit" in msg(ex.check_temperature_softmax(overflows))


def test_one_hot_text():
    def right(text, chars):
        return np.eye(len(chars))[[chars.index(c) for c in text]]

    assert ex.check_one_hot_text(right).passed
    assert "transposed" in msg(ex.check_one_hot_text(lambda text, chars: right(text, chars).T))
    sorted_order = lambda text, chars: np.eye(len(chars))[[sorted(chars).index(c) for c in text]]
    assert "use the order of chars as given" in msg(ex.check_one_hot_text(sorted_order))


def test_unigram_bits_asks_for_one_number_not_an_array_of_one(recwarn):
    def one_element_array(counts):
        p = counts[counts > 0] / counts.sum()
        return np.array([-(p * np.log2(p)).sum()])

    assert "return one number of bits; got ndarray" in msg(ex.check_unigram_bits(one_element_array))
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning)]
