"""Checkers of chapters 5 and 6: the reference passes, typical mistakes are named."""

from __future__ import annotations

import numpy as np

import rnnlib
from rnnlib import exercises as ex


def msg(result) -> str:
    return repr(result).split(": ", 1)[1]


# ----------------------------------------------------------------- 5.1


def reference_step_backward(dh, x, h_prev, h, W_xh, W_hh):
    da = dh * (1 - h**2)
    return {"x": da @ W_xh, "h_prev": da @ W_hh, "W_xh": da.T @ x, "W_hh": da.T @ h_prev, "b_h": da.sum(axis=0)}


def test_step_backward():
    assert (
        repr(ex.check_step_backward(reference_step_backward))
        == "[Exercise 5.1] Correct: every gradient of the step is right."
    )

    def no_derivative(dh, x, h_prev, h, W_xh, W_hh):
        return reference_step_backward(dh, x, h_prev, np.zeros_like(h), W_xh, W_hh)

    def prev_derivative(dh, x, h_prev, h, W_xh, W_hh):
        return reference_step_backward(dh, x, h_prev, h_prev, W_xh, W_hh)

    def wrong_state(dh, x, h_prev, h, W_xh, W_hh):
        return {**reference_step_backward(dh, x, h_prev, h, W_xh, W_hh), "W_hh": (dh * (1 - h**2)).T @ h}

    def transposed(dh, x, h_prev, h, W_xh, W_hh):
        g = reference_step_backward(dh, x, h_prev, h, W_xh, W_hh)
        return {**g, "W_xh": g["W_xh"].T}

    assert (
        msg(ex.check_step_backward(no_derivative))
        == "the gradient of x: the tanh derivative is missing: da = dh * (1 - h_t^2) comes before anything else."
    )
    assert (
        msg(ex.check_step_backward(prev_derivative))
        == "the gradient of x: the tanh derivative uses h_(t-1); it is 1 - h_t^2, at the step's own output."
    )
    assert (
        msg(ex.check_step_backward(wrong_state))
        == "the gradient of W_hh: it pairs da_t with h_t; it is da_t^T h_(t-1), the state W_hh multiplied."
    )
    assert msg(ex.check_step_backward(transposed)) == "the gradient of W_xh should have shape (4, 3); got (3, 4)"
    assert (
        msg(ex.check_step_backward(lambda *a: [1, 2]))
        == "return a dict with the keys ['x', 'h_prev', 'W_xh', 'W_hh', 'b_h']; got [1, 2]"
    )


# ----------------------------------------------------------------- 5.2


def reference_state_gradients(dhs, hs, W_hh):
    out, dh_next = np.empty_like(dhs), np.zeros_like(dhs[0])
    for t in reversed(range(len(dhs))):
        out[t] = dhs[t] + dh_next
        dh_next = (out[t] * (1 - hs[t] ** 2)) @ W_hh
    return out


def test_state_gradients_match_rnnlib_bptt():
    """The reference recursion is the one inside rnnlib.rnn_backward: dL/dh_0 agrees."""
    p = rnnlib.init_rnn_params(2, 3, 2, seed=0)
    xs = np.random.default_rng(1).normal(size=(4, 2, 2))
    ys, cache = rnnlib.rnn_forward(xs, p)
    dys = np.random.default_rng(2).normal(size=ys.shape)
    total = reference_state_gradients(dys @ p.W_hy, cache.hs, p.W_hh)
    h0_grad = (total[0] * (1 - cache.hs[0] ** 2)) @ p.W_hh
    np.testing.assert_allclose(h0_grad, rnnlib.rnn_backward(dys, cache).h0)


def test_state_gradients():
    assert ex.check_state_gradients(reference_state_gradients).passed

    def variant(derivative=True, transpose=False, forwards=False):
        def fn(dhs, hs, W_hh):
            out, dh_next = np.empty_like(dhs), np.zeros_like(dhs[0])
            for t in range(len(dhs)) if forwards else reversed(range(len(dhs))):
                out[t] = dhs[t] + dh_next
                da = out[t] * (1 - hs[t] ** 2) if derivative else out[t]
                dh_next = da @ (W_hh.T if transpose else W_hh)
            return out

        return fn

    assert (
        msg(ex.check_state_gradients(lambda dhs, hs, W: dhs))
        == "for T=5, B=2, H=3: only the output's own gradient: add dh_next, the gradient flowing back from step t+1."
    )
    assert (
        msg(ex.check_state_gradients(variant(derivative=False)))
        == "for T=5, B=2, H=3: the tanh derivative is missing when passing back: dh_next = (dh_t * (1 - h_t^2)) @ W_hh."
    )
    assert (
        msg(ex.check_state_gradients(variant(transpose=True)))
        == "for T=5, B=2, H=3: W_hh is transposed: with one example per row, dh_next = da_t @ W_hh."
    )
    assert (
        msg(ex.check_state_gradients(variant(forwards=True)))
        == "for T=5, B=2, H=3: the loop runs forwards; BPTT starts at the last step and walks back to the first."
    )


# ----------------------------------------------------------------- 5.4


def central(f, x, eps):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        fp = f(x)
        x[i] = old - eps
        fm = f(x)
        x[i] = old
        g[i] = (fp - fm) / (2 * eps)
    return g


def test_central_difference():
    assert ex.check_central_difference(central).passed
    assert ex.check_central_difference(rnnlib.numerical_gradient).passed

    def one_sided(f, x, eps):
        g, x = np.zeros_like(x), x.copy()
        for i in np.ndindex(x.shape):
            f0 = f(x)
            x[i] += eps
            g[i] = (f(x) - f0) / eps
            x[i] -= eps
        return g

    def no_restore(f, x, eps):
        for i in np.ndindex(x.shape):
            x[i] += eps
        return np.zeros_like(x)

    assert msg(ex.check_central_difference(one_sided)).endswith(
        "about eps: this looks like a one-sided difference (f(x + eps) - f(x)) / eps. Use (f(x + eps) - f(x - eps)) / (2 * eps)."
    )
    assert (
        msg(ex.check_central_difference(lambda f, x, eps: 2 * central(f, x.copy(), eps)))
        == "every value is twice the true derivative: the two points are 2 * eps apart, so divide by 2 * eps."
    )
    assert (
        msg(ex.check_central_difference(lambda f, x, eps: central(f, x.copy(), eps) / 2))
        == "every value is half the true derivative: divide by 2 * eps, the distance between x - eps and x + eps."
    )
    assert (
        msg(ex.check_central_difference(no_restore))
        == "your function changed x: restore each entry after perturbing it (or work on a copy)."
    )


# ----------------------------------------------------------------- 6.1 - 6.3


def test_step_jacobian():
    assert ex.check_step_jacobian(lambda h, W: np.diag(1 - h**2) @ W).passed
    assert (
        msg(ex.check_step_jacobian(lambda h, W: W))
        == "for H=3: the tanh derivative is missing: without it this is only W_hh."
    )
    assert msg(ex.check_step_jacobian(lambda h, W: W @ np.diag(1 - h**2))).startswith("for H=3: the columns are scaled")
    assert (
        msg(ex.check_step_jacobian(lambda h, W: (np.diag(1 - h**2) @ W).T))
        == "for H=3: this is the transpose: row i should be the gradient of unit i of h_t."
    )
    assert (
        msg(ex.check_step_jacobian(lambda h, W: np.diag(1 - h) @ W))
        == "for H=3: the derivative of tanh is 1 - h^2, not 1 - h."
    )


def reference_clip(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    scale = min(1.0, max_norm / norm)
    return {k: g * scale for k, g in grads.items()}


def test_clip():
    assert ex.check_clip(reference_clip).passed
    assert ex.check_clip(lambda g, m: rnnlib.clip_grad_norm(g, m)[0]).passed
    assert (
        msg(ex.check_clip(lambda g, m: {k: np.clip(v, -m, m) for k, v in g.items()}))
        == "for a global norm of 5 and max_norm=1: each entry was clipped on its own, which changes the direction. Rescale every array by the same factor max_norm / norm."
    )
    per_array = lambda g, m: {k: v * min(1, m / np.linalg.norm(v)) for k, v in g.items()}  # noqa: E731
    assert (
        msg(ex.check_clip(per_array))
        == "for a global norm of 5 and max_norm=1: each array was clipped by its own norm; use one global norm over all of them."
    )
    always = lambda g, m: {k: v * m / np.sqrt(sum(np.sum(u**2) for u in g.values())) for k, v in g.items()}  # noqa: E731
    assert (
        msg(ex.check_clip(always))
        == "for a global norm of 0.5 and max_norm=1 the gradients are already small enough and must be left as they are; you scaled them up to 1."
    )

    def in_place(g, m):
        for v in g.values():
            v *= 0.1
        return g

    assert msg(ex.check_clip(in_place)) == "your function changed the gradients it was given; build new arrays instead."


def test_steps_to_vanish():
    assert msg(ex.check_steps_to_vanish(66)) == "0.9^65 = 1.06e-03 is still above 1e-3; 0.9^66 = 9.55e-04 is below."
    assert msg(ex.check_steps_to_vanish(65)) == "0.9^65 = 1.06e-03 is not yet below 1e-3."
    assert (
        msg(ex.check_steps_to_vanish(70))
        == "0.9^70 = 6.27e-04 is below 1e-3, but so is an earlier power: find the smallest n."
    )
    assert msg(ex.check_steps_to_vanish(65.56)).startswith("the lag is a whole number of steps; got float 65.56.")
    assert not ex.check_steps_to_vanish(...).done
