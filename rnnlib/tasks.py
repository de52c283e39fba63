"""Small sequence tasks with known answers, generated from a seed.

Each returns time-major inputs ``(T, B, D)`` and targets that the losses in
:mod:`rnnlib.losses` accept.
"""

from __future__ import annotations

import numpy as np

from rnnlib._validate import as_array, as_generator, check_positive


def one_hot(tokens: np.ndarray, vocab_size: int) -> np.ndarray:
    """Integer tokens of any shape ``S`` -> float64 one-hot vectors of shape ``(*S, vocab_size)``."""
    check_positive("vocab_size", vocab_size, integer=True)
    tokens = as_array("tokens", tokens, ["..."] * np.ndim(tokens), integer=True)
    if tokens.size and (tokens.min() < 0 or tokens.max() >= vocab_size):
        raise ValueError(
            f"tokens must lie in [0, vocab_size={vocab_size}); got values from {tokens.min()} to {tokens.max()}"
        )
    return np.eye(vocab_size)[tokens]


def binary_sequences(length: int, batch_size: int, *, seed: int | np.random.Generator, p: float = 0.5) -> np.ndarray:
    """Random 0/1 inputs of shape ``(T, B, 1)``, each 1 with probability ``p``."""
    check_positive("length", length, integer=True)
    check_positive("batch_size", batch_size, integer=True)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a probability in [0, 1]; got {p!r}")
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
    check_positive("length", length, integer=True)
    check_positive("batch_size", batch_size, integer=True)
    check_positive("delay", delay, integer=True, allow_zero=True)
    if not (isinstance(vocab_size, (int, np.integer)) and vocab_size >= 2):
        raise ValueError(f"vocab_size must be an integer >= 2 (a blank and at least one token); got {vocab_size!r}")
    tokens = as_generator(seed).integers(1, vocab_size, size=(length, batch_size))
    targets = np.zeros_like(tokens)
    targets[delay:] = tokens[: length - delay] if delay < length else targets[delay:]
    return one_hot(tokens, vocab_size), targets
