"""Updating the weights: SGD, Adam, gradient-norm clipping and a training loop.

Clipping lives here and only here: a backward pass returns the exact gradient,
and the optimiser decides what to do with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from rnnlib._validate import NonFiniteError, check_positive, fields_of, with_fields


def global_norm(grads: object, names: list[str] | None = None) -> float:
    """``sqrt(sum_k ||g_k||^2)`` over the named gradient arrays (all by default)."""
    arrays = fields_of(grads)
    names = list(arrays) if names is None else names
    return float(np.sqrt(sum(float(np.sum(np.square(arrays[n]))) for n in names)))


def clip_grad_norm(grads: object, max_norm: float, names: list[str] | None = None) -> tuple[object, float]:
    """Rescale the gradients so their global norm is at most ``max_norm``.

        g <- g * max_norm / ||g||   if ||g|| > max_norm   (Pascanu et al. 2013)

    The direction is unchanged. Returns ``(clipped grads, norm before clipping)``;
    ``names`` limits which fields count and are scaled (all by default).
    """
    check_positive("max_norm", max_norm)
    arrays = fields_of(grads)
    names = list(arrays) if names is None else names
    norm = global_norm(grads, names)
    if norm <= max_norm:
        return grads, norm
    scale = max_norm / norm
    return with_fields(grads, **{n: arrays[n] * scale for n in names}), norm


def sgd_update(params: object, grads: object, lr: float) -> object:
    """One step of gradient descent: ``W <- W - lr * dL/dW`` for every field of ``params``.

    Returns a new record of the same type; ``params`` is not modified.
    """
    check_positive("lr", lr)
    values, g = fields_of(params), fields_of(grads)
    missing = [n for n in values if n not in g]
    if missing:
        raise ValueError(f"grads must have a field for every parameter; missing {missing}")
    return with_fields(params, **{n: w - lr * g[n] for n, w in values.items()})


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
    check_positive("lr", lr)
    for name, beta in (("beta1", beta1), ("beta2", beta2)):
        if not (isinstance(beta, (int, float)) and 0.0 <= beta < 1.0):
            raise ValueError(f"{name} must be a number in [0, 1); got {beta!r}")
    check_positive("eps", eps)
    values, g = fields_of(params), fields_of(grads)
    missing = [n for n in values if n not in g]
    if missing:
        raise ValueError(f"grads must have a field for every parameter; missing {missing}")
    if state is None:
        zeros = {n: np.zeros_like(w) for n, w in values.items()}
        state = AdamState(zeros, dict(zeros), 0)
    elif not isinstance(state, AdamState):
        raise TypeError(f"state must be None or the AdamState returned by adam_update; got {type(state).__name__}")
    t = state.t + 1
    m = {n: beta1 * state.m[n] + (1 - beta1) * g[n] for n in values}
    v = {n: beta2 * state.v[n] + (1 - beta2) * np.square(g[n]) for n in values}
    c1, c2 = 1 - beta1**t, 1 - beta2**t  # bias corrections: m and v start at zero
    new = {
        n: w - (lr * (m[n] / c1) / (np.sqrt(v[n] / c2) + eps)).astype(w.dtype, copy=False) for n, w in values.items()
    }
    return with_fields(params, **new), AdamState(m, v, t)


OPTIMIZERS = ("sgd", "adam")


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
) -> TrainingRun:
    """SGD (or Adam) for ``steps`` steps, with optional gradient-norm clipping.

    Args:
        params: the starting weights (any record of arrays, e.g. ``RNNParams``).
        loss_and_grads: ``(params, step) -> (loss, grads)``; ``step`` lets it
            draw a fresh batch each step.
        steps, lr: how many updates, and the learning rate.
        clip_norm: clip the global gradient norm to this before each update.
        optimizer: ``"sgd"`` (:func:`sgd_update`) or ``"adam"`` (:func:`adam_update`).

    Returns:
        A :class:`TrainingRun` ``(params, losses, grad_norms)``.

    Raises:
        FloatingPointError: as soon as the loss, a gradient or a value in the
            forward pass is not finite, saying at which step and what to change,
            instead of training on NaN.
    """
    check_positive("steps", steps, integer=True)
    check_positive("lr", lr)
    if clip_norm is not None:
        check_positive("clip_norm", clip_norm)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}; got {optimizer!r}")
    adam_state = None
    names = list(fields_of(params))
    losses, norms = np.empty(steps), np.empty(steps)
    advice = "try a smaller lr" + (
        " or a smaller clip_norm" if clip_norm is not None else ", or clip the gradient (clip_norm=1.0, say)"
    )
    for step in range(steps):
        try:
            loss, grads = loss_and_grads(params, step)
        except NonFiniteError as err:
            raise FloatingPointError(
                f"training diverged at step {step}: the forward pass overflowed ({err}) (lr={lr}); {advice}"
            ) from None
        norm = global_norm(grads, names)
        if not (np.isfinite(loss) and np.isfinite(norm)):
            raise FloatingPointError(
                f"training diverged at step {step}: loss = {loss}, gradient norm = {norm} (lr={lr}); {advice}"
            )
        if clip_norm is not None:
            grads, _ = clip_grad_norm(grads, clip_norm, names)
        if optimizer == "adam":
            params, adam_state = adam_update(params, grads, adam_state, lr)
        else:
            params = sgd_update(params, grads, lr)
        losses[step], norms[step] = loss, norm
    return TrainingRun(params, losses, norms)
