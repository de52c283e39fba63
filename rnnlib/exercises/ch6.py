"""The checkers of chapter 6's exercises."""

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


def check_step_jacobian(jacobian: Callable) -> CheckResult:
    """Exercise 6.1: ``jacobian(h_t, W_hh)`` returns ``dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh``
    for one example of a tanh RNN (``h_t`` of shape ``(H,)``)."""
    ex = "Exercise 6.1"
    rng = np.random.default_rng(61)
    for H in (3, 1, 5):
        h, W_hh = np.tanh(rng.normal(size=H)), rng.normal(size=(H, H))
        got, verdict = _call_for_array(
            ex,
            jacobian,
            (
                h.copy(),
                W_hh.copy(),
            ),
            (H, H),
            f"the Jacobian for H={H}",
        )
        if verdict is not None:
            return verdict
        d = 1 - h**2
        want = d[:, None] * W_hh
        if np.allclose(got, want):
            continue
        what = _known_mistake(
            got,
            [
                ("the tanh derivative is missing: without it this is only W_hh", lambda: W_hh),
                (
                    "the columns are scaled; the derivative scales row i, the unit i whose output is "
                    "differentiated: diag(d) @ W_hh",
                    lambda: W_hh * d,
                ),
                ("this is the transpose: row i should be the gradient of unit i of h_t", lambda: want.T),
                ("the derivative of tanh is 1 - h^2, not 1 - h", lambda: (1 - h)[:, None] * W_hh),
            ],
        )
        return _wrong(ex, f"for H={H}: {what}." if what else f"for H={H}, {_first_difference(got, want)}.")
    return _ok(ex, "your Jacobian is diag(1 - h_t^2) W_hh.")


def check_clip(clip: Callable) -> CheckResult:
    """Exercise 6.2: ``clip(grads, max_norm)`` rescales a dict of gradient arrays so their
    global norm is at most ``max_norm``, keeping the direction; returns a new dict."""
    ex = "Exercise 6.2"
    big = {"W_hh": np.array([[2.0, 2.0], [0.0, 1.0]]), "b_h": np.array([4.0, 0.0])}  # norms 3 and 4: global 5
    small = {"W_hh": np.array([[0.3, 0.0], [0.0, 0.0]]), "b_h": np.array([0.4, 0.0])}  # 0.5
    for grads, max_norm in ((big, 1.0), (small, 1.0), (big, 10.0)):
        given = {k: v.copy() for k, v in grads.items()}
        out, verdict = _call(ex, clip, given, max_norm)
        if verdict is not None:
            return verdict
        if any(not np.array_equal(given[k], grads[k]) for k in grads):
            return _wrong(ex, "your function changed the gradients it was given; build new arrays instead.")
        if not isinstance(out, dict) or set(out) != set(grads):
            return _wrong(ex, f"return a dict with the same keys {list(grads)}; got {out!r:.80}")
        norm = np.sqrt(sum(np.sum(v**2) for v in grads.values()))
        scale = min(1.0, max_norm / norm)
        want = {k: v * scale for k, v in grads.items()}
        if all(np.allclose(np.asarray(out[k], dtype=float), want[k]) for k in grads):
            continue
        got_norm = np.sqrt(sum(np.sum(np.asarray(v, dtype=float) ** 2) for v in out.values()))
        label = f"for a global norm of {norm:g} and max_norm={max_norm:g}"
        if all(np.allclose(out[k], np.clip(grads[k], -max_norm, max_norm)) for k in grads) and not np.allclose(
            np.clip(big["W_hh"], -1, 1), big["W_hh"]
        ):
            return _wrong(
                ex,
                f"{label}: each entry was clipped on its own, which changes the direction. "
                "Rescale every array by the same factor max_norm / norm.",
            )
        per_array = {k: v * min(1.0, max_norm / max(np.linalg.norm(v), 1e-300)) for k, v in grads.items()}
        if all(np.allclose(out[k], per_array[k]) for k in grads):
            return _wrong(ex, f"{label}: each array was clipped by its own norm; use one global norm over all of them.")
        if np.isclose(got_norm, max_norm) and scale == 1.0:
            return _wrong(
                ex,
                f"{label} the gradients are already small enough and must be left as they are; "
                f"you scaled them up to {got_norm:g}.",
            )
        return _wrong(ex, f"{label} the result should have norm {norm * scale:g}; yours has {got_norm:g}.")
    return _ok(ex, "one global norm, one scale factor, and small gradients left alone.")


def check_steps_to_vanish(n: object) -> CheckResult:
    """Exercise 6.3: the smallest lag ``n`` at which the bound ``0.9^n`` on
    ``||dh_t/dh_{t-n}||`` (spectral norm of ``W_hh`` 0.9, tanh) falls below ``1e-3``."""
    ex = "Exercise 6.3"
    if n is Ellipsis:
        return _not_done(ex, "replace the `...` with your number of steps.")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        return _wrong(
            ex, f"the lag is a whole number of steps; got {type(n).__name__} {n!r}. Round up: a step is all or nothing."
        )
    want = int(np.ceil(np.log(1e-3) / np.log(0.9)))
    if n == want:
        return _ok(
            ex, f"0.9^{want - 1} = {0.9 ** (want - 1):.2e} is still above 1e-3; 0.9^{want} = {0.9**want:.2e} is below."
        )
    if n < want:
        return _wrong(ex, f"0.9^{n} = {0.9**n:.2e} is not yet below 1e-3.")
    return _wrong(ex, f"0.9^{n} = {0.9**n:.2e} is below 1e-3, but so is an earlier power: find the smallest n.")
