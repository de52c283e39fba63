"""The checkers of chapter 4's exercises."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnlib.exercises._common import (
    CheckResult,
    _call,
    _call_for_array,
    _first_difference,
    _known_mistake,
    _not_done,
    _ok,
    _wrong,
)


def check_parameter_counts(count_fn: Callable) -> CheckResult:
    """Exercise 4.1: ``count_fn(T, D, H, O) -> (tied, untied)``: the parameters of the RNN
    and of an untied network with its own weights at each of ``T`` steps."""
    ex = "Exercise 4.1"
    for T, D, H, O in ((1, 1, 1, 1), (10, 3, 5, 2), (100, 65, 128, 65)):
        out, verdict = _call(ex, count_fn, T, D, H, O)
        if verdict is not None:
            return verdict
        if not (isinstance(out, tuple) and len(out) == 2):
            return _wrong(ex, f"return a pair (tied, untied); got {out!r}")
        tied_want = H * D + H * H + H + O * H + O
        want = (tied_want, T * tied_want)
        if tuple(out) == want:
            continue
        tied, untied = out
        if tied == T * tied_want and T > 1:
            return _wrong(
                ex, f"for T={T} the tied count {tied} depends on T: the RNN uses the same weights at every step."
            )
        if tied != tied_want:
            no_bias = H * D + H * H + O * H
            hint = "the biases b_h and b_y are missing" if tied == no_bias else "add up H*D + H*H + H + O*H + O"
            return _wrong(ex, f"for D={D}, H={H}, O={O} the tied count is {tied_want}, got {tied}: {hint}.")
        if untied == tied_want and T > 1:
            return _wrong(
                ex,
                f"for T={T} the untied count equals the tied one: "
                "an untied network has a full set of weights per step.",
            )
        return _wrong(ex, f"for T={T} the untied count is {want[1]}, got {untied}: T copies of the tied weights.")
    return _ok(ex, "the RNN's count does not depend on T; the untied network's grows linearly with it.")


def check_shared_gradient(total_fn: Callable) -> CheckResult:
    """Exercise 4.2: ``total_fn(per_step)`` turns per-step contributions ``(T, H, H)`` to the
    gradient of ``W_hh`` into the gradient of the shared ``W_hh``, ``(H, H)``."""
    ex = "Exercise 4.2"
    rng = np.random.default_rng(42)
    for T, H in ((4, 4), (5, 3), (1, 2)):
        per_step = rng.normal(size=(T, H, H))
        got, verdict = _call_for_array(ex, total_fn, (per_step.copy(),), (H, H), f"the gradient for T={T}, H={H}")
        if verdict is not None:
            return verdict
        want = per_step.sum(axis=0)
        if np.allclose(got, want):
            continue
        what = _known_mistake(
            got,
            [
                (
                    "this is the mean over steps; the chain rule adds the contributions, it does not average them",
                    lambda: per_step.mean(axis=0),
                ),
                (
                    "this is only the last step's contribution; every step uses W_hh, so every step contributes",
                    lambda: per_step[-1],
                ),
                ("this sums over the wrong axis: time is the first axis", lambda: per_step.sum(axis=1)),
            ],
        )
        return _wrong(
            ex, f"for T={T}, H={H}: {what}." if what else f"for T={T}, H={H}, {_first_difference(got, want)}."
        )
    return _ok(ex, "the gradient of a shared weight is the sum of its per-step contributions.")


def check_largest_hidden_size(H: object) -> CheckResult:
    """Exercise 4.3: the largest hidden size ``H`` whose RNN, with ``D = O = 65``, has at most
    100,000 parameters."""
    ex = "Exercise 4.3"
    if H is Ellipsis:
        return _not_done(ex, "replace the `...` with your value of H.")
    if isinstance(H, bool) or not isinstance(H, (int, np.integer)):
        return _wrong(ex, f"H should be a whole number of units; got {type(H).__name__} {H!r}")
    count = lambda h: h * 65 + h * h + h + 65 * h + 65  # noqa: E731
    want = max(h for h in range(1, 1000) if count(h) <= 100_000)
    if H == want:
        return _ok(ex, f"H = {want} gives {count(want):,} parameters; H = {want + 1} would give {count(want + 1):,}.")
    if count(H) > 100_000:
        return _wrong(ex, f"H = {H} gives {count(H):,} parameters, over the budget of 100,000.")
    return _wrong(ex, f"H = {H} gives {count(H):,} parameters; a larger H still fits within 100,000.")
