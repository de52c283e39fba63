"""Checking a gradient against finite differences (chapter 5, and every test).

For each entry ``w`` of each array, the central difference

    dL/dw ~ (L(w + eps) - L(w - eps)) / (2 eps)

has error ``O(eps^2)``. The analytic and numerical gradients ``a`` and ``n`` of
one array are compared by the relative error

    ||a - n|| / max(||a|| + ||n||, tiny)

which is 0 when they agree and 1 when they are unrelated, whatever their scale.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnlib._validate import as_array, check_function, check_number, check_positive, fields_of, loss_value, with_fields

DEFAULT_EPS = 1e-6
# With eps = 1e-6 in float64 the truncation error (~eps^2 = 1e-12) and the
# rounding error (~1e-16 / eps = 1e-10) both sit far below this; a single
# wrong term in a backward pass gives errors of 1e-3 or more.
DEFAULT_TOL = 1e-7


class GradientCheckError(AssertionError):
    """An analytic gradient disagrees with finite differences."""


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = DEFAULT_EPS) -> np.ndarray:
    """The central-difference gradient of the scalar function ``f`` at ``x``.

    ``f`` is called with perturbed copies of ``x``; ``x`` itself is not changed.
    Costs ``2 * x.size`` calls of ``f``, which must return a finite number.
    """
    check_function("f", f)
    eps = check_eps(eps)
    x = np.array(as_array("x", x, None), dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = loss_value("f", f(x.copy()))
        x[i] = old - eps
        f_minus = loss_value("f", f(x.copy()))
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def check_eps(eps: object) -> float:
    """A finite-difference step: a number in ``(0, 0.1]``; a float32 step is taken at its float64 value."""
    return check_number("eps", eps, low=0.0, low_open=True, high=0.1)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``||a - b|| / (||a|| + ||b||)``, and 0 when both are zero."""
    a = as_array("a", a, None).astype(np.float64)
    b = as_array("b", b, None).astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got a {a.shape} and b {b.shape}")
    scale = max(float(np.abs(a).max()), float(np.abs(b).max()))
    if scale == 0:
        return 0.0
    a, b = a / scale, b / scale  # the ratio is unchanged, and no norm overflows
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def gradient_errors(
    f: Callable[[object], float], params: object, grads: object, *, eps: float = DEFAULT_EPS
) -> dict[str, float]:
    """The relative error of each named gradient against finite differences.

    Args:
        f: the loss as a function of the parameter record, ``f(params) -> float``.
        params: a record of arrays (``RNNParams``, any dataclass, or a dict);
            every field is checked.
        grads: the analytic gradients, with a field of the same name and shape
            for each field of ``params`` (extra fields are ignored).

    Returns:
        ``{name: relative error}`` in the order of ``params``' fields.
    """
    check_function("f", f)
    eps = check_eps(eps)
    values, analytic = fields_of(params, "params"), fields_of(grads, "grads")
    for name, value in values.items():
        if name not in analytic:
            raise ValueError(f"grads has no field {name!r}; it must mirror params, whose fields are {list(values)}")
        if np.shape(analytic[name]) != np.shape(value):
            raise ValueError(
                f"grads.{name} must have shape {np.shape(value)} like params.{name}; got {np.shape(analytic[name])}"
            )
    errors = {}
    for name, value in values.items():
        numeric = numerical_gradient(lambda v, name=name: f(with_fields(params, **{name: v})), value, eps)
        errors[name] = relative_error(analytic[name], numeric)
    return errors


def check_grads(
    f: Callable[[object], float],
    params: object,
    grads: object,
    *,
    eps: float = DEFAULT_EPS,
    tol: float = DEFAULT_TOL,
) -> dict[str, float]:
    """Like :func:`gradient_errors`, but raise :class:`GradientCheckError` naming
    every field whose relative error exceeds ``tol``. Returns the errors."""
    tol = check_positive("tol", tol)
    errors = gradient_errors(f, params, grads, eps=eps)
    bad = {name: err for name, err in errors.items() if not err <= tol}
    if bad:
        detail = ", ".join(f"{name}: {err:.2e}" for name, err in bad.items())
        raise GradientCheckError(f"gradient check failed (relative error above tol={tol:.0e}) for {detail}")
    return errors
