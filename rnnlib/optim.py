"""Updating the weights: SGD, Adam, gradient-norm clipping and a training loop.

Clipping lives here and only here: a backward pass returns the exact gradient,
and the optimiser decides what to do with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from rnnlib._validate import (
    NonFiniteError,
    as_array,
    check_choice,
    check_function,
    check_number,
    check_positive,
    fields_of,
    loss_value,
    with_fields,
)


def gradient_arrays(grads: object, names: object = None) -> tuple[dict[str, np.ndarray], list[str]]:
    """The arrays of a gradient record, checked, and the names among them that ``names`` picks (all by default)."""
    arrays = {n: as_array(f"grads.{n}", g, None) for n, g in fields_of(grads, "grads").items()}
    if names is None:
        return arrays, list(arrays)
    if isinstance(names, str) or not isinstance(names, (list, tuple)):
        raise TypeError(f"names must be a list of field names such as {list(arrays)[:2]}; got {type(names).__name__}")
    unknown = [n for n in names if n not in arrays]
    if unknown or not names:
        raise ValueError(f"names must list some of the fields {list(arrays)}; got {list(names)!r}")
    return arrays, list(names)


def matching_grads(params: object, grads: object) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The fields of ``params`` and of ``grads``, checked to match one for one in shape."""
    values = fields_of(params, "params")
    g = {n: as_array(f"grads.{n}", a, None) for n, a in fields_of(grads, "grads").items()}
    missing = [n for n in values if n not in g]
    if missing:
        raise ValueError(f"grads must have a field for every parameter; missing {missing}")
    for n, w in values.items():
        if g[n].shape != np.shape(w):
            raise ValueError(f"grads.{n} must have the shape of params.{n}, {np.shape(w)}; got {g[n].shape}")
    return values, g


def global_norm(grads: object, names: list[str] | None = None) -> float:
    """``sqrt(sum_k ||g_k||^2)`` over the named gradient arrays (all by default)."""
    arrays, names = gradient_arrays(grads, names)
    return _norm(arrays, names)


def _norm(arrays: dict[str, np.ndarray], names: list[str]) -> float:
    return float(np.sqrt(sum(float(np.sum(np.square(arrays[n]))) for n in names)))


def clip_grad_norm(grads: object, max_norm: float, names: list[str] | None = None) -> tuple[object, float]:
    """Rescale the gradients so their global norm is at most ``max_norm``.

        g <- g * max_norm / ||g||   if ||g|| > max_norm   (Pascanu et al. 2013)

    The direction is unchanged. Returns ``(clipped grads, norm before clipping)``;
    ``names`` limits which fields count and are scaled (all by default).
    """
    max_norm = check_positive("max_norm", max_norm)
    arrays, names = gradient_arrays(grads, names)
    norm = _norm(arrays, names)
    if norm <= max_norm:
        return grads, norm
    return with_fields(grads, **_scaled(arrays, names, max_norm / norm)), norm


def _scaled(arrays: dict[str, np.ndarray], names: list[str], scale: float) -> dict[str, np.ndarray]:
    return {n: arrays[n] * scale for n in names}


def sgd_update(params: object, grads: object, lr: float) -> object:
    """One step of gradient descent: ``W <- W - lr * dL/dW`` for every field of ``params``.

    Returns a new record of the same type; ``params`` is not modified.
    """
    lr = check_positive("lr", lr)
    values, g = matching_grads(params, grads)
    return with_fields(params, **_sgd(values, g, lr))


def _sgd(values: dict[str, np.ndarray], g: dict[str, np.ndarray], lr: float) -> dict[str, np.ndarray]:
    return {n: w - lr * g[n] for n, w in values.items()}


class AdamState(NamedTuple):
    """Adam's running averages: ``m`` (of the gradient) and ``v`` (of its square),
    one array per parameter, and the number of updates ``t`` made so far."""

    m: dict[str, np.ndarray]
    v: dict[str, np.ndarray]
    t: int


def adam_update(
    params: object,
    grads: object,
    state: AdamState | None,
    lr: float,
    *,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[object, AdamState]:
    """One Adam step (Kingma and Ba 2015) for every field of ``params``:

        m <- beta1 m + (1 - beta1) g          v <- beta2 v + (1 - beta2) g^2
        W <- W - lr * m_hat / (sqrt(v_hat) + eps),   m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)

    Each weight gets its own step size, about ``lr`` whatever the gradient's scale.
    Pass ``state=None`` on the first call and the returned state after that.
    Returns ``(new params, new state)``; neither argument is modified.
    """
    lr = check_positive("lr", lr)
    beta1 = check_number("beta1", beta1, low=0.0, high=1.0, high_open=True)
    beta2 = check_number("beta2", beta2, low=0.0, high=1.0, high_open=True)
    eps = check_positive("eps", eps)
    values, g = matching_grads(params, grads)
    if state is not None and (not isinstance(state, AdamState) or set(state.m) != set(values)):
        raise TypeError(
            "state must be None or the AdamState that adam_update returned for these params; "
            f"got {type(state).__name__}"
        )
    new, state = _adam(values, g, state, lr, beta1, beta2, eps)
    return with_fields(params, **new), state


def _adam(
    values: dict[str, np.ndarray],
    g: dict[str, np.ndarray],
    state: AdamState | None,
    lr: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[dict[str, np.ndarray], AdamState]:
    """Adam's arithmetic on checked arrays: ``(new weights by name, new state)``."""
    if state is None:
        zeros = {n: np.zeros_like(w) for n, w in values.items()}
        state = AdamState(zeros, dict(zeros), 0)
    t = state.t + 1
    m = {n: beta1 * state.m[n] + (1 - beta1) * g[n] for n in values}
    v = {n: beta2 * state.v[n] + (1 - beta2) * np.square(g[n]) for n in values}
    c1, c2 = 1 - beta1**t, 1 - beta2**t  # bias corrections: m and v start at zero
    new = {
        n: w - (lr * (m[n] / c1) / (np.sqrt(v[n] / c2) + eps)).astype(w.dtype, copy=False) for n, w in values.items()
    }
    return new, AdamState(m, v, t)


OPTIMIZERS = ("sgd", "adam")
SCHEDULES = ("constant", "cosine")


def scheduled_lr(lr: float, step: int, steps: int, schedule: str = "constant") -> float:
    """The learning rate at ``step`` (0-based) of ``steps``.

    ``"constant"``: ``lr`` throughout. ``"cosine"`` (Loshchilov and Hutter 2017, without
    restarts): ``lr (1 + cos(pi step / steps)) / 2``, from ``lr`` at the first step down
    towards 0 at the last, so that the last steps make only small changes.
    """
    lr = check_positive("lr", lr)
    steps = check_positive("steps", steps, integer=True)
    if not (isinstance(step, (int, np.integer)) and not isinstance(step, bool) and 0 <= step < steps):
        raise ValueError(f"step must be an integer in [0, {steps}); got {step!r}")
    check_choice("schedule", schedule, SCHEDULES)
    if schedule == "constant":
        return lr
    return lr * 0.5 * (1.0 + float(np.cos(np.pi * step / steps)))


class TrainingRun(NamedTuple):
    """What :func:`train` returns: the trained weights and one loss and one gradient
    norm (before clipping) per step."""

    params: object
    losses: np.ndarray
    grad_norms: np.ndarray


def train(
    params: object,
    loss_and_grads: Callable[[object, int], tuple[float, object]],
    *,
    steps: int,
    lr: float,
    clip_norm: float | None = None,
    optimizer: str = "sgd",
    lr_schedule: str = "constant",
) -> TrainingRun:
    """SGD (or Adam) for ``steps`` steps, with optional gradient-norm clipping.

    Args:
        params: the starting weights (any record of arrays, e.g. ``RNNParams``).
        loss_and_grads: ``(params, step) -> (loss, grads)``; ``step`` lets it
            draw a fresh batch each step.
        steps, lr: how many updates, and the learning rate.
        clip_norm: clip the global gradient norm to this before each update.
        optimizer: ``"sgd"`` (:func:`sgd_update`) or ``"adam"`` (:func:`adam_update`).
        lr_schedule: ``"constant"`` or ``"cosine"``: how the learning rate changes
            over the steps (:func:`scheduled_lr`).

    Returns:
        A :class:`TrainingRun` ``(params, losses, grad_norms)``.

    Raises:
        FloatingPointError: as soon as the loss, a gradient or a value in the
            forward pass is not finite, saying at which step and what to change,
            instead of training on NaN.
    """
    steps = check_positive("steps", steps, integer=True)
    lr = check_positive("lr", lr)
    if clip_norm is not None:
        clip_norm = check_positive("clip_norm", clip_norm)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    check_choice("lr_schedule", lr_schedule, SCHEDULES)
    check_function("loss_and_grads", loss_and_grads)
    adam_state = None
    names = list(fields_of(params, "params"))
    losses, norms = np.empty(steps), np.empty(steps)
    advice = "try a smaller lr" + (
        " or a smaller clip_norm" if clip_norm is not None else ", or clip the gradient (clip_norm=1.0, say)"
    )
    for step in range(steps):
        try:
            returned = loss_and_grads(params, step)
        except NonFiniteError as err:
            raise FloatingPointError(
                f"training diverged at step {step}: the forward pass overflowed ({err}) (lr={lr}); {advice}"
            ) from None
        if not (isinstance(returned, tuple) and len(returned) == 2):
            raise TypeError(
                "loss_and_grads must return a pair (loss, grads); "
                f"got {type(returned).__name__}"
                + (f" of {len(returned)} values" if isinstance(returned, tuple) else "")
            )
        loss, grads = returned
        if not isinstance(loss, (bool, np.bool_)) and isinstance(loss, (int, float, np.integer, np.floating)):
            loss = float(loss)
        else:
            loss_value("loss_and_grads", loss)  # raises: not a number
        # The gradients are checked once here; clipping and the update below are the
        # arithmetic of clip_grad_norm and sgd_update or adam_update, on the checked arrays.
        try:
            values, g = matching_grads(params, grads)
            norm = _norm(g, names)
        except NonFiniteError:
            norm = float("nan")
        if not (np.isfinite(loss) and np.isfinite(norm)):
            raise FloatingPointError(
                f"training diverged at step {step}: loss = {loss}, gradient norm = {norm} (lr={lr}); {advice}"
            )
        if clip_norm is not None and norm > clip_norm:
            g = _scaled(g, names, clip_norm / norm)
        lr_now = scheduled_lr(lr, step, steps, lr_schedule)
        if optimizer == "adam":
            new, adam_state = _adam(values, g, adam_state, lr_now)
        else:
            new = _sgd(values, g, lr_now)
        params = with_fields(params, **new)
        losses[step], norms[step] = loss, norm
    return TrainingRun(params, losses, norms)
