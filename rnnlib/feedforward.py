"""A feedforward network on sequences, and why it falls short (chapter 1).

A one-hidden-layer perceptron (MLP) maps a fixed-size input to an output:

    z = tanh(W_1 u + b_1)          u: the input, of fixed size
    y = W_2 z + b_2                scores before softmax

To use it on a sequence, the usual patch is a sliding window: at step ``t`` the
input ``u_t`` is the last ``k`` inputs ``x_{t-k+1}, ..., x_t`` stacked, with zeros
before the sequence starts. Whatever happened more than ``k`` steps ago is invisible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib._validate import as_array, as_generator, check_positive, store_fields


@dataclass(frozen=True, eq=False)
class MLPParams:
    """``W_1 (Z, U)``, ``b_1 (Z,)``, ``W_2 (O, Z)``, ``b_2 (O,)`` for input size ``U``,
    hidden size ``Z`` and output size ``O``."""

    W_1: np.ndarray
    b_1: np.ndarray
    W_2: np.ndarray
    b_2: np.ndarray

    def __post_init__(self) -> None:
        W_1 = as_array("W_1", self.W_1, ("Z", "U"))
        Z = W_1.shape[0]
        b_1 = as_array("b_1", self.b_1, (("Z", Z),))
        W_2 = as_array("W_2", self.W_2, ("O", ("Z", Z)))
        b_2 = as_array("b_2", self.b_2, (("O", W_2.shape[0]),))
        store_fields(self, W_1=W_1, b_1=b_1, W_2=W_2, b_2=b_2)

    @property
    def input_size(self) -> int:
        return self.W_1.shape[1]

    def num_parameters(self) -> int:
        """``Z*U + Z + O*Z + O``: for a window of ``k`` inputs of size ``D``, ``U = k*D``."""
        return sum(w.size for w in (self.W_1, self.b_1, self.W_2, self.b_2))


@dataclass(frozen=True, eq=False)
class MLPCache:
    u: np.ndarray  # (..., U) the inputs
    z: np.ndarray  # (..., Z) the hidden activations
    params: MLPParams


def init_mlp_params(
    input_size: int, hidden_size: int, output_size: int, *, seed: int | np.random.Generator
) -> MLPParams:
    """Random weights ``W_1 ~ N(0, 1/U)``, ``W_2 ~ N(0, 1/Z)``, zero biases."""
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("output_size", output_size)):
        check_positive(name, value, integer=True)
    rng = as_generator(seed)
    return MLPParams(
        W_1=rng.normal(0.0, 1.0 / np.sqrt(input_size), size=(hidden_size, input_size)),
        b_1=np.zeros(hidden_size),
        W_2=rng.normal(0.0, 1.0 / np.sqrt(hidden_size), size=(output_size, hidden_size)),
        b_2=np.zeros(output_size),
    )


def mlp_forward(u: np.ndarray, params: MLPParams) -> tuple[np.ndarray, MLPCache]:
    """``y = W_2 tanh(W_1 u + b_1) + b_2`` for inputs ``u`` of shape ``(..., U)``
    (for example ``(T, B, k*D)`` windows). Returns ``(y (..., O), cache)``."""
    if not isinstance(params, MLPParams):
        raise TypeError(f"params must be an MLPParams (see init_mlp_params); got {type(params).__name__}")
    u = np.asarray(u)
    u = as_array("u", u, (*["..."] * max(u.ndim - 1, 1), ("U", params.input_size)))
    z = np.tanh(u @ params.W_1.T + params.b_1)
    return z @ params.W_2.T + params.b_2, MLPCache(u, z, params)


def mlp_backward(dy: np.ndarray, cache: MLPCache) -> MLPParams:
    """Gradients of ``W_1, b_1, W_2, b_2`` given ``dy = dL/dy`` of shape ``(..., O)``.

    dW_2 = sum dy z^T     db_2 = sum dy     dz = W_2^T dy     da = dz * (1 - z^2)
    dW_1 = sum da u^T     db_1 = sum da     (sums over every leading index)
    """
    if not isinstance(cache, MLPCache):
        raise TypeError(f"cache must be the MLPCache returned by mlp_forward; got {type(cache).__name__}")
    p, u, z = cache.params, cache.u, cache.z
    expected = (*z.shape[:-1], p.W_2.shape[0])
    dy = as_array("dy", dy, None)
    if dy.shape != expected:
        raise ValueError(f"dy must have the shape of mlp_forward's output, {expected}; got {dy.shape}")
    dy2, z2, u2 = dy.reshape(-1, dy.shape[-1]), z.reshape(-1, z.shape[-1]), u.reshape(-1, u.shape[-1])
    da = (dy2 @ p.W_2) * (1.0 - z2 * z2)
    # Gradients mirror the parameters, so they are returned as an MLPParams record.
    return MLPParams(W_1=da.T @ u2, b_1=da.sum(axis=0), W_2=dy2.T @ z2, b_2=dy2.sum(axis=0))


def window_inputs(xs: np.ndarray, k: int) -> np.ndarray:
    """Stack the last ``k`` inputs at every step: ``u_t = [x_{t-k+1}; ...; x_t]``.

    Args:
        xs: inputs ``(T, B, D)``.
        k: the window size.

    Returns:
        ``(T, B, k*D)``; the oldest input comes first and steps before the
        sequence starts are zeros.
    """
    xs = as_array("xs", xs, ("T", "B", "D"))
    k = check_positive("k", k, integer=True)
    T, B, D = xs.shape
    padded = np.concatenate([np.zeros((k - 1, B, D), dtype=xs.dtype), xs])
    return np.concatenate([padded[j : j + T] for j in range(k)], axis=-1)


def window_mlp_loss_and_grads(
    params: MLPParams, xs: np.ndarray, targets: np.ndarray, window: int
) -> tuple[float, MLPParams]:
    """One training step's maths for a windowed MLP on a sequence classification task:
    windows of the last ``window`` inputs, forward, softmax cross-entropy, backward.

    Args:
        xs: inputs ``(T, B, D)``; targets: classes ``(T, B)``.

    Returns:
        ``(loss, grads)``, the gradients as a record mirroring ``params``.
    """
    from rnnlib.losses import softmax_cross_entropy

    if not isinstance(params, MLPParams):
        raise TypeError(f"params must be an MLPParams (see init_mlp_params); got {type(params).__name__}")
    window = check_positive("window", window, integer=True)
    xs = as_array("xs", xs, ("T", "B", "D"))
    if window * xs.shape[2] != params.input_size:
        raise ValueError(
            f"window={window} windows of D={xs.shape[2]} inputs make {window * xs.shape[2]} inputs, but params "
            f"reads U={params.input_size}: window * D must equal params.input_size"
        )
    y, cache = mlp_forward(window_inputs(xs, window), params)
    loss, dy = softmax_cross_entropy(y, targets)
    return loss, mlp_backward(dy, cache)
