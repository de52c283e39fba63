"""Small sequence tasks with known answers, generated from a seed.

Each returns time-major inputs ``(T, B, D)`` and targets that the losses in
:mod:`rnnlib.losses` accept.
"""

from __future__ import annotations

import numpy as np

from rnnlib._validate import as_array, as_generator, check_int, check_number, check_positive


def one_hot(tokens: np.ndarray, vocab_size: int) -> np.ndarray:
    """Integer tokens of any shape ``S`` -> float64 one-hot vectors of shape ``(*S, vocab_size)``."""
    vocab_size = check_positive("vocab_size", vocab_size, integer=True)
    tokens = as_array("tokens", tokens, None, integer=True, below=vocab_size)
    return np.eye(vocab_size)[tokens]


def binary_sequences(length: int, batch_size: int, *, seed: int | np.random.Generator, p: float = 0.5) -> np.ndarray:
    """Random 0/1 inputs of shape ``(T, B, 1)``, each 1 with probability ``p``."""
    length = check_positive("length", length, integer=True)
    batch_size = check_positive("batch_size", batch_size, integer=True)
    p = check_number("p", p, low=0.0, high=1.0)
    return (as_generator(seed).random((length, batch_size, 1)) < p).astype(np.float64)


def delayed_echo(
    length: int, batch_size: int, vocab_size: int, delay: int, *, seed: int | np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Output the token seen ``delay`` steps ago.

    Tokens ``1..V-1`` are drawn at random; token 0 is the blank, the answer for
    the first ``delay`` steps, when there is nothing to echo yet.

    Returns:
        ``(xs, targets)``: one-hot inputs ``(T, B, V)`` and class targets ``(T, B)``.
    """
    length = check_positive("length", length, integer=True)
    batch_size = check_positive("batch_size", batch_size, integer=True)
    delay = check_positive("delay", delay, integer=True, allow_zero=True)
    vocab_size = check_int("vocab_size", vocab_size, minimum=2)  # a blank and at least one token
    tokens = as_generator(seed).integers(1, vocab_size, size=(length, batch_size))
    targets = np.zeros_like(tokens)
    targets[delay:] = tokens[: length - delay] if delay < length else targets[delay:]
    return one_hot(tokens, vocab_size), targets


def remember_first(
    lag: int, batch_size: int, num_classes: int, *, seed: int | np.random.Generator, num_distractors: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """Many-to-one: see a class at step 1, then ``lag`` distractors, then name the class.

    Step 1's input is the one-hot class (one of ``num_classes`` channels); each of the
    ``lag`` steps after it shows a random distractor (one of ``num_distractors`` other
    channels), which the network must ignore. The target, scored at the last step, is
    the class from step 1; guessing scores ``1/num_classes``.

    Returns:
        ``(xs, targets)``: inputs ``(lag + 1, B, num_classes + num_distractors)`` and
        classes ``(B,)``.
    """
    lag = check_positive("lag", lag, integer=True)
    batch_size = check_positive("batch_size", batch_size, integer=True)
    num_distractors = check_positive("num_distractors", num_distractors, integer=True)
    num_classes = check_int("num_classes", num_classes, minimum=2)
    rng = as_generator(seed)
    classes = rng.integers(0, num_classes, size=batch_size)
    tokens = np.concatenate([classes[None], num_classes + rng.integers(0, num_distractors, size=(lag, batch_size))])
    return one_hot(tokens, num_classes + num_distractors), classes


def noisy_sines(
    length: int,
    batch_size: int,
    *,
    seed: int | np.random.Generator,
    periods: tuple[float, ...] = (17.0, 41.0),
    noise: float = 0.05,
) -> np.ndarray:
    """A sum of sines with Gaussian noise, for forecasting: shape ``(T, B, 1)``.

    Each sequence is ``sum_k a_k sin(2 pi t / p_k + phi_k) + noise * eps_t`` over the
    ``periods`` ``p_k``, with its own amplitudes ``a_k`` in [0.5, 1], phases ``phi_k``
    and noise, all drawn from ``seed``; the sum is divided by the number of sines, so
    values stay within about [-1, 1].
    """
    length = check_positive("length", length, integer=True)
    batch_size = check_positive("batch_size", batch_size, integer=True)
    noise = check_positive("noise", noise, allow_zero=True)
    periods = as_array("periods", periods, ("K",))
    if periods.size == 0 or np.any(periods <= 0):
        raise ValueError(f"periods must be one or more positive numbers; got {periods.tolist()}")
    rng = as_generator(seed)
    K = periods.size
    amplitude = rng.uniform(0.5, 1.0, size=(K, batch_size))
    phase = rng.uniform(0.0, 2 * np.pi, size=(K, batch_size))
    t = np.arange(length)[:, None, None]  # (T, 1, 1)
    clean = (amplitude * np.sin(2 * np.pi * t / periods[:, None] + phase)).sum(axis=1) / K  # (T, B)
    return (clean + noise * rng.normal(size=clean.shape))[..., None]


def look_ahead(
    length: int,
    batch_size: int,
    vocab_size: int,
    ahead: int,
    *,
    seed: int | np.random.Generator,
    min_length: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tag each position with the token ``ahead`` steps later: an answer in the future.

    Each example has its own length, drawn uniformly from ``min_length..length``
    (all ``length`` if ``min_length`` is omitted), and is padded to ``length`` steps
    with all-zero inputs. Tokens are drawn uniformly from ``0..V-1``. Position ``t``
    is scored only when the token ``t + ahead`` exists, so the last ``ahead`` real
    steps and the padding are not. A network that reads only the past can do no
    better than guessing, ``1/V``.

    Returns:
        ``(xs, targets, mask, lengths)``: one-hot inputs ``(T, B, V)`` (zeros where
        padded), classes ``(T, B)`` (0 where not scored), booleans ``(T, B)``, True
        where scored, and the lengths ``(B,)``.
    """
    length = check_positive("length", length, integer=True)
    batch_size = check_positive("batch_size", batch_size, integer=True)
    vocab_size = check_int("vocab_size", vocab_size, minimum=2)
    ahead = check_positive("ahead", ahead, integer=True)
    if min_length is None:
        min_length = length
    min_length = check_positive("min_length", min_length, integer=True)
    if not ahead < min_length <= length:
        raise ValueError(
            f"min_length must be more than ahead = {ahead} (so every example has a scored position) and at most "
            f"length = {length}; got {min_length}"
        )
    rng = as_generator(seed)
    lengths = rng.integers(min_length, length + 1, size=batch_size)
    tokens = rng.integers(0, vocab_size, size=(length, batch_size))
    steps = np.arange(length)[:, None]
    real = steps < lengths
    mask = steps + ahead < lengths
    targets = np.zeros_like(tokens)
    targets[:-ahead] = tokens[ahead:]
    targets[~mask] = 0
    xs = one_hot(tokens, vocab_size)
    xs[~real] = 0.0
    return xs, targets, mask, lengths


def reversal(
    length: int, batch_size: int, vocab_size: int, *, seed: int | np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Read a sequence of symbols, then write it backwards: a sequence-to-sequence task.

    Tokens are drawn uniformly from ``0..V-1``. The answer needs the whole input, so a
    decoder that starts only after the encoder has read it all must carry every symbol
    in the encoder's final state.

    Returns:
        ``(xs, targets)``: one-hot inputs ``(T, B, V)`` and classes ``(T, B)``,
        ``targets[t] = tokens[T - 1 - t]``.
    """
    length = check_positive("length", length, integer=True)
    batch_size = check_positive("batch_size", batch_size, integer=True)
    vocab_size = check_int("vocab_size", vocab_size, minimum=2)
    tokens = as_generator(seed).integers(0, vocab_size, size=(length, batch_size))
    return one_hot(tokens, vocab_size), tokens[::-1].copy()
