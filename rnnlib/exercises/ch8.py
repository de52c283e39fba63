"""The checkers of chapter 8's exercises."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnlib.exercises._common import (
    CheckResult,
    _as_result_array,
    _call,
    _call_for_array,
    _first_difference,
    _ok,
    _wrong,
)
from rnnlib.losses import softmax


def check_unigram_bits(unigram_bits: Callable) -> CheckResult:
    """Exercise 8.1: ``unigram_bits(counts)`` returns the entropy in bits,
    ``-sum_k p_k log2 p_k`` with ``p = counts / counts.sum()``, skipping characters
    that never occur."""
    ex = "Exercise 8.1"
    for counts in (np.array([5, 5]), np.array([1, 2, 1, 0]), np.array([10, 3, 3, 2, 2, 0, 1])):
        out, verdict = _call(ex, unigram_bits, counts.copy())
        if verdict is not None:
            return verdict
        if isinstance(out, (bool, np.bool_)) or np.ndim(out) != 0:
            return _wrong(ex, f"return one number of bits; got {type(out).__name__} {out!r:.40}")
        try:
            got = float(out)
        except (TypeError, ValueError):
            return _wrong(ex, f"return one number of bits; got {type(out).__name__}")
        p = counts[counts > 0] / counts.sum()
        want = float(-(p * np.log2(p)).sum())
        if np.isclose(got, want):
            continue
        label = f"for counts {counts.tolist()}"
        if np.isnan(got):
            return _wrong(ex, f"{label} you got nan: a count of 0 gives 0 * log 0; leave those characters out.")
        if np.isclose(got, want * np.log(2)):
            return _wrong(ex, f"{label}: that is in nats (natural log); bits use log2.")
        q = counts[counts > 0]
        if np.isclose(got, float(-(q * np.log2(q)).sum())):
            return _wrong(ex, f"{label}: turn the counts into probabilities first, p = counts / counts.sum().")
        return _wrong(ex, f"{label} the entropy is {want:.4f} bits; got {got:.4f}.")
    return _ok(ex, "two equally likely characters cost one bit each; skewed counts cost less.")


def check_temperature_softmax(temperature_softmax: Callable) -> CheckResult:
    """Exercise 8.2: ``temperature_softmax(logits, T)`` returns ``softmax(logits / T)`` over
    the last axis, without overflowing for large logits."""
    ex = "Exercise 8.2"
    cases = (
        (np.array([1.0, 2.0, 0.5]), 1.0),
        (np.array([1.0, 2.0, 0.5]), 0.5),
        (np.array([[3.0, 0.0], [0.0, 1.0]]), 2.0),
    )
    cases += ((np.array([1000.0, 990.0]), 0.5),)
    for logits, T in cases:
        with np.errstate(all="ignore"):
            got, verdict = _call_for_array(
                ex, temperature_softmax, (logits.copy(), T), logits.shape, "the probabilities"
            )
        if verdict is not None:
            return verdict
        want = softmax(logits / T)
        if np.allclose(got, want):
            continue
        label = f"for logits {logits.tolist()} and T={T}"
        if not np.all(np.isfinite(got)):
            return _wrong(ex, f"{label} you got {got.tolist()}: subtract the largest logit before exp.")
        if np.allclose(got, softmax(logits * T)):
            return _wrong(ex, f"{label}: divide the logits by T; multiplying sharpens where it should flatten.")
        if np.allclose(got, softmax(logits)):
            return _wrong(ex, f"{label}: the temperature is not used.")
        return _wrong(ex, f"{label}, {_first_difference(got, want)}.")
    return _ok(ex, "T < 1 sharpens the distribution, T > 1 flattens it, and large logits do not overflow.")


def check_one_hot_text(encode: Callable) -> CheckResult:
    """Exercise 8.3: ``encode(text, chars)`` returns the one-hot matrix ``(len(text), len(chars))``
    with a 1 in row ``t`` at the position of ``text[t]`` in ``chars``."""
    ex = "Exercise 8.3"
    for s, chars in (("abca", "abc"), ("hello world", " dehlorw"), ("yxz", "zxy")):
        shape = (len(s), len(chars))
        out, verdict = _call(ex, encode, s, chars)
        if verdict is not None:
            return verdict
        if np.shape(out) == shape[::-1] and shape[0] != shape[1]:
            return _wrong(ex, f"for {s!r} the shape is transposed: one row per character of the text, {shape}.")
        got, verdict = _as_result_array(ex, out, shape, f"the encoding of {s!r}")
        if verdict is not None:
            return verdict
        want = np.eye(len(chars))[[chars.index(c) for c in s]]
        if np.array_equal(got, want):
            continue
        if np.allclose(got.sum(axis=1), 1) and np.allclose(
            got, np.eye(len(chars))[[sorted(chars).index(c) for c in s]]
        ):
            return _wrong(ex, f"for {s!r}: use the order of chars as given, {chars!r}.")
        return _wrong(ex, f"for {s!r} with chars {chars!r}, {_first_difference(got, want)}.")
    return _ok(ex, "one row per character, a single 1 at its index in the vocabulary.")
