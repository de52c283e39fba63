"""The checkers of chapter 10's exercises."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnlib.exercises._common import (
    CheckResult,
    _as_number,
    _as_result_array,
    _call,
    _call_for_array,
    _first_difference,
    _known_mistake,
    _ok,
    _wrong,
)


def _map_cases(seed: int):
    """``(W_hh, b, h)`` triples: a square, a larger one, and one with saturated units."""
    rng = np.random.default_rng(seed)
    for H, scale in ((3, 1.0), (4, 0.7), (2, 3.0)):
        yield rng.normal(size=(H, H)) * scale, rng.normal(size=H), rng.uniform(-0.9, 0.9, size=H)


def check_map_jacobian(map_jacobian: Callable) -> CheckResult:
    """Exercise 10.1: ``map_jacobian(W_hh, b, h)`` returns ``J = diag(1 - F(h)^2) W_hh``,
    ``(H, H)``, the Jacobian of ``F(h) = tanh(W_hh h + b)`` at the state ``h (H,)``."""
    ex = "Exercise 10.1"
    for W, b, h in _map_cases(101):
        H = len(h)
        got, verdict = _call_for_array(
            ex, map_jacobian, (W.copy(), b.copy(), h.copy()), (H, H), f"the Jacobian for H={H}"
        )
        if verdict is not None:
            return verdict
        F = np.tanh(W @ h + b)
        want = (1 - F**2)[:, None] * W
        if np.allclose(got, want):
            continue
        what = _known_mistake(
            got,
            [
                (
                    "the tanh's slope is taken at the state h; it is 1 - F(h)^2, at the output of the tanh",
                    lambda: (1 - h**2)[:, None] * W,
                ),
                (
                    "each column of W_hh is scaled, which is W_hh diag(1 - F^2); row i of J is the gradient of "
                    "F(h)_i, so row i is scaled by 1 - F(h)_i^2",
                    lambda: W * (1 - F**2)[None, :],
                ),
                ("that is the transpose of J: row i should be the gradient of F(h)_i", lambda: want.T),
                (
                    "W_hh is missing: diag(1 - F^2) is the tanh's slope, and the chain rule multiplies it by "
                    "the pre-activation's Jacobian, W_hh",
                    lambda: np.diag(1 - F**2),
                ),
                ("that is W_hh alone: the tanh's slope, 1 - F(h)^2, scales each row", lambda: W),
            ],
        )
        label = f"for H={H}"
        return _wrong(ex, f"{label}: {what}." if what else f"{label}, {_first_difference(got, want)}.")
    return _ok(ex, "row i is W_hh's row i scaled by the slope of the tanh at unit i, 1 - F(h)_i^2.")


def check_speed(speed: Callable) -> CheckResult:
    """Exercise 10.2: ``speed(W_hh, b, h)`` returns ``(q, grad)``: the speed
    ``q = 1/2 ||F(h) - h||^2`` of ``F(h) = tanh(W_hh h + b)`` and its gradient
    ``(J - I)^T (F(h) - h)``, ``(H,)``."""
    ex = "Exercise 10.2"
    for W, b, h in _map_cases(102):
        H = len(h)
        out, verdict = _call(ex, speed, W.copy(), b.copy(), h.copy())
        if verdict is not None:
            return verdict
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            return _wrong(ex, f"return a pair (q, grad); got {type(out).__name__} {out!r:.60}")
        q_out, grad_out = out
        q, verdict = _as_number(ex, q_out, "q should be one number")
        if verdict is not None:
            return verdict
        grad, verdict = _as_result_array(ex, grad_out, (H,), f"grad for H={H}")
        if verdict is not None:
            return verdict
        F = np.tanh(W @ h + b)
        r = F - h
        J = (1 - F**2)[:, None] * W
        want_q, want = 0.5 * r @ r, (J - np.eye(H)).T @ r
        label = f"for H={H}"
        if not np.isclose(q, want_q):
            if np.isclose(q, r @ r):
                return _wrong(ex, f"{label}: q is ||F(h) - h||^2 without the factor 1/2.")
            if np.isclose(q, np.sqrt(r @ r)):
                return _wrong(ex, f"{label}: q is the length ||F(h) - h||; the speed is half its square.")
            return _wrong(ex, f"{label}: q should be {want_q:.4f}; got {q:.4f}.")
        if np.allclose(grad, want):
            continue
        what = _known_mistake(
            grad,
            [
                (
                    "the -h inside F(h) - h also depends on h: the gradient is (J - I)^T r, not J^T r",
                    lambda: J.T @ r,
                ),
                ("J is used where its transpose belongs: the gradient is (J - I)^T r", lambda: (J - np.eye(H)) @ r),
                ("the sign is flipped: the gradient is (J - I)^T r, which points uphill", lambda: -want),
                ("that is r = F(h) - h itself, not the gradient of q", lambda: r),
            ],
        )
        return _wrong(ex, f"{label}: {what}." if what else f"{label}, grad {_first_difference(grad, want)}.")
    return _ok(ex, "q is half the squared step the map takes, and its gradient is (J - I)^T (F(h) - h).")


def _loop(a: np.ndarray, u: np.ndarray) -> np.ndarray:
    hs = np.empty(u.shape, np.result_type(a, u))
    h = np.zeros(u.shape[1:], hs.dtype)
    for t in range(len(u)):
        h = a * h + u[t]
        hs[t] = h
    return hs


def check_diagonal_scan(diagonal_scan: Callable) -> CheckResult:
    """Exercise 10.3: ``diagonal_scan(a, u)`` returns the states ``(T, B, H)`` of
    ``h_t = a * h_{t-1} + u_t`` from ``h_0 = 0``, for ``a (H,)`` real or complex."""
    ex = "Exercise 10.3"
    rng = np.random.default_rng(103)
    for T, kind in ((5, "real"), (8, "real"), (13, "complex"), (1, "real"), (16, "complex")):
        H, B = 3, 2
        if kind == "real":
            a = rng.uniform(-0.95, 0.95, size=H)
        else:
            a = rng.uniform(0.5, 0.95, size=H) * np.exp(1j * rng.uniform(0, np.pi, size=H))
        u = rng.normal(size=(T, B, H))
        given = u.copy()
        out, verdict = _call(ex, diagonal_scan, a.copy(), given)
        if verdict is not None:
            return verdict
        label = f"for T={T} with {kind} a"
        try:
            got = np.asarray(out)
            numeric = np.issubdtype(got.dtype, np.number)
        except Exception:  # a ragged list, an object whose __array__ raises ...
            numeric = False
        if not numeric:
            return _wrong(ex, f"{label}: return a numeric array of states; got {type(out).__name__}")
        if got.shape != u.shape:
            return _wrong(ex, f"{label}: the states should have shape {u.shape}, one per step; got {got.shape}")
        want = _loop(a, u)
        if np.allclose(got, want):
            if not np.array_equal(given, u):
                return _wrong(
                    ex,
                    f"{label}: the states are right, but your function changed the array u it was given; "
                    "work on a copy (u.astype(...) or u.copy()).",
                )
            continue
        if kind == "complex" and np.allclose(got, want.real):
            return _wrong(ex, f"{label}: the imaginary part is lost; make the copy of u complex when a is.")

        def power_never_squared():
            h = u.astype(np.result_type(a, u))
            shift = 1
            while shift < T:
                h[shift:] = a * h[:-shift] + h[shift:]
                shift *= 2
            return h

        def one_step_late():
            return np.concatenate([np.zeros((1, B, H)), want[:-1]])

        # complex states are compared by modulus, so that one message fits either kind of a
        view = np.abs if kind == "complex" else np.real
        what = _known_mistake(
            view(got),
            [
                (
                    "power is never squared: round r must multiply by a^(2^r), the product of the 2^r steps "
                    "being jumped over",
                    lambda: view(power_never_squared()),
                ),
                ("the states come one step late: h_1 is u_1 (from h_0 = 0), not 0", lambda: view(one_step_late())),
                ("that is u itself: no round was run", lambda: view(u)),
            ],
        )
        where = _first_difference(view(got), view(want)) + (" (in modulus)" if kind == "complex" else "")
        return _wrong(ex, f"{label}: {what}." if what else f"{label}, {where}.")
    return _ok(ex, "every state matches the loop's, in about log2(T) rounds over all the steps at once.")
