"""Checkers of chapter 10: the reference passes, typical mistakes are named."""

from __future__ import annotations

import numpy as np

from rnnlib import dynamics, linear
from rnnlib import exercises as ex
from rnnlib.cell import RNNParams


def msg(result) -> str:
    return repr(result).split(": ", 1)[1]


def stub(*args):
    raise NotImplementedError


def as_params(W, b):
    """The map F(h) = tanh(W h + b) as an RNN with zero input weights, for rnnlib.dynamics."""
    H = len(b)
    return RNNParams(np.zeros((H, 1)), W, b, np.zeros((1, H)), np.zeros(1))


def test_map_jacobian():
    assert ex.check_map_jacobian(lambda W, b, h: dynamics.map_jacobian(as_params(W, b), h[None])[0]).passed

    def F(W, b, h):
        return np.tanh(W @ h + b)

    assert "at the output of the tanh" in msg(ex.check_map_jacobian(lambda W, b, h: (1 - h**2)[:, None] * W))
    assert "each column of W_hh is scaled" in msg(
        ex.check_map_jacobian(lambda W, b, h: W * (1 - F(W, b, h) ** 2)[None, :])
    )
    assert "transpose" in msg(ex.check_map_jacobian(lambda W, b, h: ((1 - F(W, b, h) ** 2)[:, None] * W).T))
    assert "W_hh is missing" in msg(ex.check_map_jacobian(lambda W, b, h: np.diag(1 - F(W, b, h) ** 2)))
    assert "W_hh alone" in msg(ex.check_map_jacobian(lambda W, b, h: W))
    assert "should have shape (3, 3)" in msg(ex.check_map_jacobian(lambda W, b, h: h))
    assert not ex.check_map_jacobian(stub).done


def reference_speed(W, b, h):
    q, grad = dynamics.speed(as_params(W, b), h[None])
    return float(q[0]), grad[0]


def test_speed():
    assert ex.check_speed(reference_speed).passed

    def parts(W, b, h):
        F = np.tanh(W @ h + b)
        r = F - h
        return r, (1 - F**2)[:, None] * W

    def without_minus_r(W, b, h):
        r, J = parts(W, b, h)
        return 0.5 * r @ r, J.T @ r

    def untransposed(W, b, h):
        r, J = parts(W, b, h)
        return 0.5 * r @ r, (J - np.eye(len(h))) @ r

    def no_half(W, b, h):
        r, J = parts(W, b, h)
        return r @ r, (J - np.eye(len(h))).T @ r

    assert "(J - I)^T r, not J^T r" in msg(ex.check_speed(without_minus_r))
    assert "its transpose belongs" in msg(ex.check_speed(untransposed))
    assert "without the factor 1/2" in msg(ex.check_speed(no_half))
    assert "sign is flipped" in msg(
        ex.check_speed(lambda W, b, h: (reference_speed(W, b, h)[0], -reference_speed(W, b, h)[1]))
    )
    assert "return a pair" in msg(ex.check_speed(lambda W, b, h: reference_speed(W, b, h)[1]))
    assert "q should be one number" in msg(ex.check_speed(lambda W, b, h: (h, h)))
    assert not ex.check_speed(stub).done


def reference_scan(a, u):
    return linear.linear_scan(a, u)


def test_diagonal_scan():
    assert ex.check_diagonal_scan(reference_scan).passed

    def never_squared(a, u):
        h = u.astype(np.result_type(a, u))
        shift = 1
        while shift < len(h):
            h[shift:] = a * h[:-shift] + h[shift:]
            shift *= 2
        return h

    def in_place(a, u):
        states = linear.linear_scan(a, u)
        u[...] = 0.0
        return states

    def real_copy(a, u):
        h = u.copy()  # float: the imaginary part of a is dropped on assignment
        power, shift = a, 1
        while shift < len(h):
            with np.errstate(all="ignore"):
                h[shift:] = (power * h[:-shift] + h[shift:]).real
            power, shift = power * power, 2 * shift
        return h

    assert "power is never squared" in msg(ex.check_diagonal_scan(never_squared))
    assert "one step late" in msg(
        ex.check_diagonal_scan(lambda a, u: np.concatenate([np.zeros((1, *u.shape[1:])), reference_scan(a, u)[:-1]]))
    )
    assert "no round was run" in msg(ex.check_diagonal_scan(lambda a, u: u))
    assert "changed the array u" in msg(ex.check_diagonal_scan(in_place))
    assert "should have shape" in msg(ex.check_diagonal_scan(lambda a, u: u[1:]))
    assert "numeric array" in msg(ex.check_diagonal_scan(lambda a, u: "states"))
    result = ex.check_diagonal_scan(real_copy)
    assert not result.passed and "T=13 with complex a" in msg(result)
    assert not ex.check_diagonal_scan(stub).done
