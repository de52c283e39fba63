"""The checkers of chapter 5's exercises."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnlib.exercises._common import (
    CheckResult,
    _as_result_array,
    _call,
    _call_for_array,
    _first_difference,
    _known_mistake,
    _not_done,
    _ok,
    _wrong,
)

_STEP_GRAD_NAMES = ("x", "h_prev", "W_xh", "W_hh", "b_h")


def check_step_backward(step_backward: Callable) -> CheckResult:
    """Exercise 5.1: ``step_backward(dh, x, h_prev, h, W_xh, W_hh)`` returns a dict with
    the gradients ``x, h_prev, W_xh, W_hh, b_h`` of one tanh step, given ``dh = dL/dh_t``."""
    from rnnlib.cell import RNNParams, rnn_step_backward, rnn_step_forward

    ex = "Exercise 5.1"
    rng = np.random.default_rng(51)
    for B, D, H in ((2, 3, 4), (1, 2, 2)):
        x, h_prev, dh = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
        W_xh, W_hh = rng.normal(size=(H, D)), rng.normal(size=(H, H))
        params = RNNParams(W_xh, W_hh, rng.normal(size=H), np.zeros((1, H)), np.zeros(1))
        h, cache = rnn_step_forward(x, h_prev, params)
        want = rnn_step_backward(dh, cache)
        out, verdict = _call(ex, step_backward, dh.copy(), x.copy(), h_prev.copy(), h.copy(), W_xh.copy(), W_hh.copy())
        if verdict is not None:
            return verdict
        if not isinstance(out, dict) or set(out) != set(_STEP_GRAD_NAMES):
            return _wrong(ex, f"return a dict with the keys {list(_STEP_GRAD_NAMES)}; got {out!r:.80}")
        for name in _STEP_GRAD_NAMES:
            expected = getattr(want, name)
            got, verdict = _as_result_array(ex, out[name], expected.shape, f"the gradient of {name}")
            if verdict is not None:
                return verdict
            if np.allclose(got, expected):
                continue
            mistakes = [
                (
                    "the tanh derivative is missing: da = dh * (1 - h_t^2) comes before anything else",
                    lambda: _grad_with(name, dh, x, h_prev, W_xh, W_hh),
                ),
                (
                    "the tanh derivative uses h_(t-1); it is 1 - h_t^2, at the step's own output",
                    lambda: _grad_with(name, dh * (1 - h_prev**2), x, h_prev, W_xh, W_hh),
                ),
            ]
            if name == "W_hh":
                mistakes.append(
                    (
                        "it pairs da_t with h_t; it is da_t^T h_(t-1), the state W_hh multiplied",
                        lambda: (dh * (1 - h**2)).T @ h,
                    )
                )
            what = _known_mistake(got, mistakes)
            detail = f"{what}." if what else _first_difference(got, expected) + "."
            return _wrong(ex, f"the gradient of {name}: {detail}")
    return _ok(ex, "every gradient of the step is right.")


def _grad_with(name: str, da, x, h_prev, W_xh, W_hh):
    return {"x": da @ W_xh, "h_prev": da @ W_hh, "W_xh": da.T @ x, "W_hh": da.T @ h_prev, "b_h": da.sum(axis=0)}[name]


def _reference_state_gradients(dhs: np.ndarray, hs: np.ndarray, W_hh: np.ndarray) -> np.ndarray:
    total = np.empty_like(dhs)
    dh_next = np.zeros_like(dhs[0])
    for t in reversed(range(dhs.shape[0])):
        total[t] = dhs[t] + dh_next
        dh_next = (total[t] * (1 - hs[t] ** 2)) @ W_hh
    return total


def check_state_gradients(state_gradients: Callable) -> CheckResult:
    """Exercise 5.2: ``state_gradients(dhs, hs, W_hh)`` returns ``dL/dh_t`` for every ``t``,
    ``(T, B, H)``, given the gradients ``dhs`` arriving from each step's output and the
    states ``hs`` of a tanh RNN: the ``dh_next`` recursion of BPTT."""
    ex = "Exercise 5.2"
    rng = np.random.default_rng(52)
    for T, B, H in ((5, 2, 3), (1, 1, 2), (4, 1, 4)):
        dhs, hs, W_hh = rng.normal(size=(T, B, H)), np.tanh(rng.normal(size=(T, B, H))), rng.normal(size=(H, H))
        got, verdict = _call_for_array(
            ex,
            state_gradients,
            (
                dhs.copy(),
                hs.copy(),
                W_hh.copy(),
            ),
            (T, B, H),
            f"dL/dh for T={T}, B={B}, H={H}",
        )
        if verdict is not None:
            return verdict
        want = _reference_state_gradients(dhs, hs, W_hh)
        if np.allclose(got, want):
            continue

        def variant(derivative=True, transpose=False, forwards=False):
            total, dh_next = np.empty_like(dhs), np.zeros_like(dhs[0])
            for t in range(T) if forwards else reversed(range(T)):
                total[t] = dhs[t] + dh_next
                da = total[t] * (1 - hs[t] ** 2) if derivative else total[t]
                dh_next = da @ (W_hh.T if transpose else W_hh)
            return total

        what = _known_mistake(
            got,
            [
                ("only the output's own gradient: add dh_next, the gradient flowing back from step t+1", lambda: dhs),
                (
                    "the tanh derivative is missing when passing back: dh_next = (dh_t * (1 - h_t^2)) @ W_hh",
                    lambda: variant(derivative=False),
                ),
                (
                    "W_hh is transposed: with one example per row, dh_next = da_t @ W_hh",
                    lambda: variant(transpose=True),
                ),
                (
                    "the loop runs forwards; BPTT starts at the last step and walks back to the first",
                    lambda: variant(forwards=True),
                ),
            ],
        )
        where = f"for T={T}, B={B}, H={H}"
        return _wrong(ex, f"{where}: {what}." if what else f"{where}, {_first_difference(got, want)}.")
    return _ok(ex, "your recursion carries the gradient back through every step.")


def check_central_difference(derivative: Callable) -> CheckResult:
    """Exercise 5.4: ``derivative(f, x, eps)`` returns the central-difference gradient of the
    scalar function ``f`` at the array ``x``, without changing ``x``."""
    ex = "Exercise 5.4"
    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])
    f = lambda v: float(np.sum(np.sin(v) * v**2))  # noqa: E731
    exact = np.cos(x) * x**2 + 2 * x * np.sin(x)
    before = x.copy()
    out, verdict = _call(ex, derivative, f, x, 1e-4)
    if verdict is not None:
        return verdict
    if not np.array_equal(x, before):
        return _wrong(ex, "your function changed x: restore each entry after perturbing it (or work on a copy).")
    got, verdict = _as_result_array(ex, out, x.shape, "the gradient")
    if verdict is not None:
        return verdict
    err = np.max(np.abs(got - exact))
    if err < 1e-6:
        return _ok(
            ex,
            "every entry is within 1e-6 of the exact derivative, where a one-sided difference is off by about "
            "eps = 1e-4: the error of a central difference shrinks like eps^2.",
        )
    if np.allclose(got, exact / 2, atol=1e-6):
        return _wrong(
            ex, "every value is half the true derivative: divide by 2 * eps, the distance between x - eps and x + eps."
        )
    if np.allclose(got, exact * 2, atol=1e-6):
        return _wrong(
            ex, "every value is twice the true derivative: the two points are 2 * eps apart, so divide by 2 * eps."
        )
    if err < 1e-2:
        return _wrong(
            ex,
            f"largest error {err:.1e}, about eps: this looks like a one-sided difference (f(x + eps) - f(x)) / eps. "
            "Use (f(x + eps) - f(x - eps)) / (2 * eps).",
        )
    return _wrong(
        ex,
        f"largest error {err:.2g}: {_first_difference(got, exact)}.",
    )


_RNN_GRAD_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


def _bptt_variant(dys, cache, *, carry: bool = True, transpose: bool = False) -> dict[str, np.ndarray]:
    """BPTT's per-step terms ``(T, ...)`` for each weight, right or with one classic mistake:
    ``carry=False`` drops dh_next, ``transpose=True`` passes back with W_hh instead of W_hh^T."""
    p, xs, hs = cache.params, cache.xs, cache.hs
    W_back = p.W_hh.T if transpose else p.W_hh
    das = np.empty_like(hs)
    dh_next = np.zeros_like(hs[0])  # at step t: W_hh^T da_{t+1}; 0 at t = T
    for t in reversed(range(hs.shape[0])):
        das[t] = (dys[t] @ p.W_hy + (dh_next if carry else 0)) * (1 - hs[t] ** 2)
        dh_next = das[t] @ W_back  # W_hh^T da_t, the dh_next of step t-1 (one example per row)
    h_prev = np.concatenate([cache.h0[None], hs[:-1]])
    return {
        "W_xh": np.einsum("tbh,tbd->thd", das, xs),
        "W_hh": np.einsum("tbh,tbk->thk", das, h_prev),
        "b_h": das.sum(axis=1),
        "W_hy": np.einsum("tbo,tbh->toh", dys, hs),
        "b_y": dys.sum(axis=1),
    }


def _rnn_backward_cases():
    """Small seeded cases ``(dys, xs, params, h0)`` with T, B, D, H, O all different from one
    another (so that a mean over time is not a mean over the batch) and a nonzero ``h_0``."""
    from rnnlib.cell import RNNParams

    rng = np.random.default_rng(53)
    for T, B, D, H, O in ((5, 2, 3, 4, 6), (3, 4, 2, 5, 3)):
        params = RNNParams(
            rng.normal(scale=0.5, size=(H, D)),
            rng.normal(scale=0.5, size=(H, H)),
            rng.normal(scale=0.1, size=H),
            rng.normal(scale=0.5, size=(O, H)),
            rng.normal(scale=0.1, size=O),
        )
        xs, h0, dys = rng.normal(size=(T, B, D)), rng.normal(scale=0.5, size=(B, H)), rng.normal(size=(T, B, O))
        yield dys, xs, params, h0


def check_rnn_backward(rnn_backward: Callable) -> CheckResult:
    """Exercise 5.3: ``rnn_backward(dys, cache)`` returns a dict with the gradients
    ``W_xh, W_hh, b_h, W_hy, b_y`` of a tanh RNN, given ``dys = dL/dy_t`` ``(T, B, O)`` and
    the ``cache`` of :func:`rnnlib.rnn_forward`: the whole of BPTT."""
    from rnnlib.bptt import rnn_backward_reference
    from rnnlib.unroll import rnn_forward

    ex = "Exercise 5.3"
    for dys, xs, params, h0 in _rnn_backward_cases():
        T, B, _ = xs.shape
        _, cache = rnn_forward(xs, params, h0)
        want = rnn_backward_reference(dys, cache)
        copies = type(params)(*(getattr(params, name).copy() for name in _RNN_GRAD_NAMES))
        _, fresh = rnn_forward(xs.copy(), copies, h0.copy())  # the learner's own copy
        out, verdict = _call(ex, rnn_backward, dys.copy(), fresh)
        if verdict is not None:
            return verdict
        if isinstance(out, dict):
            found = out
        else:  # a record with the gradients as fields, like rnnlib's RNNGrads, will do
            found = {name: getattr(out, name) for name in _RNN_GRAD_NAMES if hasattr(out, name)}
        missing = [name for name in _RNN_GRAD_NAMES if name not in found]
        if missing:
            return _wrong(ex, f"return a dict with the keys {list(_RNN_GRAD_NAMES)}; missing {missing} in {out!r:.80}")
        where = f"for T={T}, B={B}"
        for name in _RNN_GRAD_NAMES:
            expected = getattr(want, name)
            got, verdict = _as_result_array(ex, found[name], expected.shape, f"the gradient of {name} ({where})")
            if verdict is not None:
                return verdict
            if np.allclose(got, expected):
                continue
            right = _bptt_variant(dys, cache)[name]
            mistakes = [
                (
                    "only one step's term (step 1, the last the backward loop visits): a weight used at every "
                    "step gets the sum of every step's term, so add to it at each step (+=), do not overwrite it",
                    lambda: right[0],
                ),
                (
                    f"only the last step's term (step T={T}): a weight used at every step gets the sum of "
                    "every step's term",
                    lambda: right[-1],
                ),
                (
                    f"this is the sum divided by T={T}, a mean over time: the gradient of a shared weight is "
                    "the sum of its per-step terms",
                    lambda: expected / T,
                ),
                (
                    f"this is the sum divided by T*B={T * B}, a mean over time and batch: the loss already "
                    "averages, so the gradient of a shared weight is the plain sum of its per-step terms",
                    lambda: expected / (T * B),
                ),
            ]
            if name in ("W_xh", "W_hh", "b_h"):
                mistakes += [
                    (
                        "no gradient flows back through the state: add dh_next = W_hh^T da_(t+1), the "
                        "gradient from step t+1, to W_hy^T dy_t before going through tanh",
                        lambda: _bptt_variant(dys, cache, carry=False)[name].sum(axis=0),
                    ),
                    (
                        "the gradient passed back uses W_hh where it needs its transpose W_hh^T: with one "
                        "example per row, dh_next = da_t @ W_hh, not da_t @ W_hh.T",
                        lambda: _bptt_variant(dys, cache, transpose=True)[name].sum(axis=0),
                    ),
                ]
            what = _known_mistake(got, mistakes)
            detail = f"{what}." if what else _first_difference(got, expected) + "."
            return _wrong(ex, f"the gradient of {name} ({where}): {detail}")
    return _ok(ex, "all five gradients match rnnlib's BPTT, every one a sum over the time steps.")


def check_shortest_chunk(k: object) -> CheckResult:
    """Exercise 5.5: the shortest chunk length ``k`` with which truncated BPTT can learn a
    delayed echo of delay 3 (the output at step t recalls the input at step t - 3)."""
    ex = "Exercise 5.5"
    delay = 3
    want = delay + 1
    if k is Ellipsis:
        return _not_done(ex, "replace the `...` with your prediction, a whole number of steps.")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        return _wrong(ex, f"a chunk is a whole number of steps; got {type(k).__name__} {k!r:.40}.")
    k = int(k)
    if k < 1:
        return _wrong(ex, f"a chunk holds at least one step; got {k}.")
    if k == want:
        return _ok(
            ex,
            f"within a chunk of {k} steps the longest gradient path is {k - 1} steps, from its last step back "
            f"to its first: just the {delay} steps the echo needs. A chunk of {k - 1} reaches only {k - 2}.",
        )
    if k < want:
        return _wrong(
            ex,
            f"within a chunk of {k} steps the longest gradient path is {k - 1} steps, from its last step back "
            f"to its first; the echo needs a path of {delay} steps, from the output at t back to the input at "
            f"t - {delay}.",
        )
    return _wrong(
        ex,
        f"a chunk of {k} steps can learn it, since its longest gradient path is {k - 1} >= {delay} steps, "
        "but a shorter chunk can too: find the smallest k.",
    )
