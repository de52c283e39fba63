"""A trained RNN as a dynamical system: its fixed points and slow points (chapter 10).

With its input held at ``x`` (zero, between inputs), the cell is a map of the state
space into itself, ``F(h) = tanh(W_hh h + W_xh x + b_h)``. A **fixed point** is a state
the map leaves where it is, ``F(h*) = h*``; a **slow point** is one it moves very little.
Sussillo and Barak (2013) find both by minimising the speed

    q(h) = 1/2 ||F(h) - h||^2,        grad q = (J(h) - I)^T (F(h) - h),

with ``J(h) = dF/dh = diag(1 - F(h)^2) W_hh``, from many starting states at once; a
minimum with ``q = 0`` is a fixed point. Near a fixed point the map is linear,
``F(h* + d) ~ h* + J(h*) d``: the eigenvalues of ``J(h*)`` say whether nearby states
are drawn in (all moduli below 1: an attractor) or pushed away along some directions
(a saddle), and how fast, the local version of chapter 6's spectral radius.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib._validate import as_array, check_number, check_positive
from rnnlib.cell import RNNParams, _check_params

# A tanh cell's states lie in (-1, 1); a state far outside is not one the map can reach.
STATE_BOUND = 1e3


def _states(name: str, h: object, H: int) -> np.ndarray:
    h = as_array(name, h, ("N", ("H", H)))
    if np.abs(h).max() > STATE_BOUND:
        raise ValueError(
            f"{name} must hold states of a tanh cell, whose values lie in (-1, 1) (at most {STATE_BOUND:g} "
            f"accepted); got values up to {np.abs(h).max():.3g}"
        )
    return h


def _drive(params: RNNParams, x: np.ndarray | None) -> np.ndarray:
    """``W_xh x + b_h`` for the held input (zero if omitted)."""
    if x is None:
        return params.b_h
    x = as_array("x", x, (("D", params.input_size),))
    return params.W_xh @ x + params.b_h


def rnn_map(params: RNNParams, h: np.ndarray, x: np.ndarray | None = None) -> np.ndarray:
    """``F(h) = tanh(W_hh h + W_xh x + b_h)`` for states ``h (N, H)``, input ``x (D,)`` held (zero if omitted)."""
    params = _check_params(params)
    h = _states("h", h, params.hidden_size)
    return np.tanh(h @ params.W_hh.T + _drive(params, x))


def map_jacobian(params: RNNParams, h: np.ndarray, x: np.ndarray | None = None) -> np.ndarray:
    """``J(h) = dF/dh = diag(1 - F(h)^2) W_hh`` for each state of ``h (N, H)``: ``(N, H, H)``."""
    F = rnn_map(params, h, x)
    return (1.0 - F**2)[:, :, None] * params.W_hh


def speed(params: RNNParams, h: np.ndarray, x: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``q(h) = 1/2 ||F(h) - h||^2`` for each state of ``h (N, H)``, and its gradient ``(N, H)``."""
    params = _check_params(params)
    h = _states("h", h, params.hidden_size)
    return _speed(params.W_hh, _drive(params, x), h)


def _speed(W_hh: np.ndarray, drive: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    F = np.tanh(h @ W_hh.T + drive)
    r = F - h  # (N, H)
    # (J - I)^T r, with J = diag(1 - F^2) W_hh
    grad = ((1.0 - F**2) * r) @ W_hh - r
    return 0.5 * np.sum(r**2, axis=1), grad


@dataclass(frozen=True, eq=False)
class FixedPoints:
    """What :func:`find_fixed_points` returns, one row per starting state."""

    points: np.ndarray  # (N, H) where each search ended
    speeds: np.ndarray  # (N,)   q at those points
    starts: np.ndarray  # (N, H) where each search began

    def fixed(self, tol: float = 1e-10) -> np.ndarray:
        """The points whose speed is below ``tol``: fixed points, to that tolerance."""
        tol = check_positive("tol", tol)
        return self.points[self.speeds < tol]


def find_fixed_points(
    params: RNNParams,
    starts: np.ndarray,
    *,
    x: np.ndarray | None = None,
    steps: int = 2000,
    lr: float = 0.01,
    newton_steps: int = 20,
) -> FixedPoints:
    """Minimise the speed ``q`` from every starting state at once.

    ``steps`` of Adam on ``q`` (each start on its own), then up to ``newton_steps``
    Newton steps on ``F(h) - h = 0``, each kept only where it lowers ``q``: Adam finds
    the basins, Newton takes a point near a true fixed point to rounding. A slow point
    (a minimum of ``q`` above zero) stays where Adam left it.

    Args:
        starts: ``(N, H)`` starting states, for example states the network visited.
        x: the input held during the search, ``(D,)``; zero if omitted.
    """
    params = _check_params(params)
    starts = _states("starts", starts, params.hidden_size)
    steps = check_positive("steps", steps, integer=True)
    lr = check_positive("lr", lr)
    newton_steps = check_positive("newton_steps", newton_steps, integer=True, allow_zero=True)
    drive = _drive(params, x)
    h = starts.astype(np.float64).copy()
    m, v = np.zeros_like(h), np.zeros_like(h)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            _, g = _speed(params.W_hh, drive, h)
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g**2
            h -= lr * (m / (1 - 0.9**k)) / (np.sqrt(v / (1 - 0.999**k)) + 1e-12)
    if not np.all(np.abs(h) <= STATE_BOUND):
        raise ValueError(f"the search left the state space (values above {STATE_BOUND:g}): lr = {lr:g} is too large")
    q, _ = _speed(params.W_hh, drive, h)
    eye = np.eye(params.hidden_size)
    for _ in range(newton_steps):
        F = np.tanh(h @ params.W_hh.T + drive)
        J = (1.0 - F**2)[:, :, None] * params.W_hh - eye  # d(F - h)/dh
        try:
            step = np.linalg.solve(J, -(F - h)[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            break
        trial = h + step
        with np.errstate(over="ignore", invalid="ignore"):
            q_trial, _ = _speed(params.W_hh, drive, trial)
        better = q_trial < q  # False where q_trial is nan
        h[better], q[better] = trial[better], q_trial[better]
    return FixedPoints(points=h, speeds=q, starts=starts)


def distinct(points: np.ndarray, tol: float = 1e-6) -> np.ndarray:
    """The points of ``(N, H)`` with duplicates (within ``tol``, max-norm) removed, in order of first appearance."""
    points = as_array("points", points, ("N", "H"))
    tol = check_number("tol", tol, low=0.0)
    kept: list[np.ndarray] = []
    for p in points:
        if all(np.max(np.abs(p - k)) > tol for k in kept):
            kept.append(p)
    return np.array(kept)
