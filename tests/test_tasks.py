from __future__ import annotations

import numpy as np
import pytest

import rnnlib


def test_one_hot():
    np.testing.assert_array_equal(rnnlib.one_hot(np.array([[2, 0]]), 3), [[[0, 0, 1], [1, 0, 0]]])
    with pytest.raises(ValueError, match=r"^tokens must hold class indices in \[0, 3\); got 3 at index \(1,\)$"):
        rnnlib.one_hot(np.array([0, 3]), 3)


def test_delayed_echo_targets_are_the_inputs_shifted():
    xs, targets = rnnlib.delayed_echo(6, 4, vocab_size=5, delay=2, seed=0)
    assert xs.shape == (6, 4, 5) and targets.shape == (6, 4)
    tokens = xs.argmax(-1)
    np.testing.assert_array_equal(targets[2:], tokens[:-2])
    assert not np.any(targets[:2]) and np.all(tokens > 0)
    xs2, _ = rnnlib.delayed_echo(6, 4, vocab_size=5, delay=2, seed=0)
    np.testing.assert_array_equal(xs, xs2)


def test_binary_sequences():
    x = rnnlib.binary_sequences(10, 3, seed=1)
    assert x.shape == (10, 3, 1) and set(np.unique(x)) <= {0.0, 1.0}
    with pytest.raises(ValueError, match=r"^p must be a finite number in \[0, 1\]; got 2.0$"):
        rnnlib.binary_sequences(10, 3, seed=1, p=2)
