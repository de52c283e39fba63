"""The checkers of chapter 1's exercises."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnlib.exercises._common import CheckResult, _call, _call_for_array, _first_difference, _known_mistake, _ok, _wrong


def check_window_parameter_count(count_fn: Callable) -> CheckResult:
    """Exercise 1.1: ``count_fn(k, D, Z, O)``, the parameters of a one-hidden-layer MLP
    reading a window of ``k`` inputs of size ``D``, with ``Z`` hidden units and ``O`` outputs."""
    ex = "Exercise 1.1"
    for k, D, Z, O in ((1, 1, 1, 1), (4, 5, 32, 5), (10, 3, 8, 2)):
        got, verdict = _call(ex, count_fn, k, D, Z, O)
        if verdict is not None:
            return verdict
        want = Z * k * D + Z + O * Z + O
        if not isinstance(got, (int, np.integer)) or isinstance(got, bool):
            return _wrong(ex, f"the count should be an integer; got {type(got).__name__} {got!r}")
        if got == want:
            continue
        hint = {
            Z * k * D + O * Z: "the biases b_1 (Z of them) and b_2 (O) are missing",
            Z * D + Z + O * Z + O: "the window is missing: W_1 reads k*D numbers, not D",
            Z * k * D: "only W_1 is counted",
        }.get(int(got), "W_1 is Z x (k*D), b_1 has Z entries, W_2 is O x Z, b_2 has O")
        return _wrong(ex, f"for k={k}, D={D}, Z={Z}, O={O} expected {want}, got {got}: {hint}.")
    return _ok(ex, "the count grows linearly with the window, by Z*D per extra step.")


def _reference_windows(xs: np.ndarray, k: int) -> np.ndarray:
    T, B, D = xs.shape
    padded = np.concatenate([np.zeros((k - 1, B, D)), xs])
    return np.concatenate([padded[j : j + T] for j in range(k)], axis=-1)


def check_window_inputs(window_fn: Callable) -> CheckResult:
    """Exercise 1.2: ``window_fn(xs, k)`` stacks ``x_{t-k+1}, ..., x_t`` (oldest first,
    zeros before the start) into ``(T, B, k*D)``."""
    ex = "Exercise 1.2"
    rng = np.random.default_rng(12)
    for T, B, D, k in ((5, 2, 3, 2), (6, 1, 1, 3), (3, 2, 2, 1)):
        xs = rng.normal(size=(T, B, D))
        got, verdict = _call_for_array(
            ex,
            window_fn,
            (
                xs.copy(),
                k,
            ),
            (T, B, k * D),
            f"the windows for T={T}, B={B}, D={D}, k={k}",
        )
        if verdict is not None:
            return verdict
        want = _reference_windows(xs, k)
        if np.allclose(got, want):
            continue
        newest_first = lambda: np.concatenate(np.split(want, k, axis=-1)[::-1], axis=-1)  # noqa: E731
        shifted = lambda: np.concatenate([np.zeros((1, B, k * D)), _reference_windows(xs, k)[:-1]])  # noqa: E731
        rolled = lambda: np.concatenate([np.roll(xs, k - 1 - j, axis=0) for j in range(k)], axis=-1)  # noqa: E731
        what = _known_mistake(
            got,
            [
                ("the newest input comes first; put the oldest, x_(t-k+1), first", newest_first),
                ("off by one in time: the window at step t must end with x_t itself, not x_(t-1)", shifted),
                ("the first windows wrap around to the end of the sequence; use zeros before the start", rolled),
            ],
        )
        where = f"for T={T}, D={D}, k={k}"
        return _wrong(ex, f"{where}: {what}." if what else f"{where}, {_first_difference(got, want)}.")
    return _ok(ex, "your windows match: oldest input first, zeros before the sequence starts.")


def check_can_tell_apart(tell_fn: Callable) -> CheckResult:
    """Exercise 1.3: ``tell_fn(seq_a, seq_b, k)`` says whether a window-``k`` MLP *can*
    give different outputs at the last step of two equally long sequences."""
    ex = "Exercise 1.3"
    cases = (
        ([1, 2, 3], [9, 2, 3], 2, False, "they differ 2 steps before the last, outside a window of 2"),
        ([1, 2, 3], [9, 2, 3], 3, True, "they differ 2 steps before the last, inside a window of 3"),
        ([5, 1, 1, 1], [6, 1, 1, 1], 3, False, "they differ only 3 steps before the last, outside a window of 3"),
        ([5, 1, 1, 7], [5, 1, 1, 8], 1, True, "they differ at the last step itself"),
        ([1, 2], [1, 2], 2, False, "the sequences are the same"),
    )
    for a, b, k, want, why in cases:
        got, verdict = _call(ex, tell_fn, list(a), list(b), k)
        if verdict is not None:
            return verdict
        if not isinstance(got, (bool, np.bool_)):
            return _wrong(ex, f"the answer should be True or False; got {type(got).__name__} {got!r}")
        if bool(got) != want:
            return _wrong(
                ex,
                f"for {a} and {b} with k={k} the answer is {want}: {why}. At the last step t the MLP sees only "
                "x_(t-k+1), ..., x_t, the last k inputs.",
            )
    return _ok(ex, "a windowed MLP can only tell sequences apart by their last k inputs.")
