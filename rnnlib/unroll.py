"""Unrolling the cell through time (chapter 3).

The same cell, with the same weights, is applied at every step:

    h_t = f(W_xh x_t + W_hh h_{t-1} + b_h),   t = 1..T
    y_t = W_hy h_t + b_y

Arrays are time-major: ``xs[t]`` is the batch of inputs at step ``t+1``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib._validate import as_array, as_generator, check_activation, check_positive
from rnnlib.cell import RNNParams, _check_params, activate, rnn_step_forward


@dataclass(frozen=True, eq=False)
class RNNCache:
    """What BPTT needs from the forward pass."""

    xs: np.ndarray  # (T, B, D) the inputs
    hs: np.ndarray  # (T, B, H) every hidden state h_1..h_T
    h0: np.ndarray  # (B, H)    the initial state
    params: RNNParams
    activation: str


def rnn_forward(
    xs: np.ndarray,
    params: RNNParams,
    h0: np.ndarray | None = None,
    *,
    activation: str = "tanh",
) -> tuple[np.ndarray, RNNCache]:
    """Run the RNN over a batch of sequences.

    Args:
        xs: inputs ``x_1..x_T``, shape ``(T, B, D)``.
        params: the shared weights.
        h0: the initial state ``h_0``, shape ``(B, H)``; zeros if omitted.
        activation: ``"tanh"`` (default) or ``"relu"``.

    Returns:
        ``(ys, cache)``: the outputs ``y_1..y_T`` before the output function,
        shape ``(T, B, O)``, and a cache whose ``hs`` holds every hidden state
        ``h_1..h_T``, shape ``(T, B, H)``.
    """
    params = _check_params(params)
    activation = check_activation(activation)
    xs = as_array("xs", xs, ("T", "B", ("D", params.input_size)))
    T, B, _ = xs.shape
    H = params.hidden_size
    dtype = np.result_type(xs, params.W_hh)
    h0 = np.zeros((B, H), dtype=dtype) if h0 is None else as_array("h0", h0, (("B", B), ("H", H)))

    # The input term W_xh x_t + b_h does not depend on h: one product for all T
    # steps, written straight into the array that will hold the states.
    hs = _flat_matmul(xs.astype(dtype, copy=False), params.W_xh.T.astype(dtype, copy=False))  # (T, B, H)
    hs += params.b_h
    # Inside the loop only W_hh h_{t-1} remains; every step writes in place (no allocation).
    W_hh_T = np.ascontiguousarray(params.W_hh.T, dtype=dtype)
    recurrent = np.empty((B, H), dtype=dtype)
    h = h0.astype(dtype, copy=False)
    tanh = activation == "tanh"
    for t in range(T):
        a = hs[t]
        a += np.matmul(h, W_hh_T, out=recurrent)  # a_t
        if tanh:
            np.tanh(a, out=a)  # h_t
        else:
            np.maximum(a, 0, out=a)
        h = a
    ys = _flat_matmul(hs, params.W_hy.T)  # (T, B, O)
    ys += params.b_y
    return ys, RNNCache(xs, hs, h0, params, activation)


def _flat_matmul(xs: np.ndarray, W_T: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``xs @ W_T`` for every step and example at once: ``(T, B, D) @ (D, K)`` as one
    ``(T*B, D)`` product (numpy runs a 3-D product as one small product per step).

    With ``D = 1`` (one input, as in forecasting a series, or one output read back) the
    product is an outer product, each entry a single multiplication: numpy's matrix
    product takes about three times as long over such a matrix as a broadcast multiply,
    which gives the same numbers to the bit (a test checks both)."""
    T, B, D = xs.shape
    flat_out = None if out is None else out.reshape(T * B, -1)
    if D == 1:
        flat = np.multiply(xs.reshape(T * B, 1), W_T, out=flat_out)
    else:
        flat = np.matmul(xs.reshape(T * B, D), W_T, out=flat_out)
    return flat.reshape(T, B, -1)


def rnn_forward_stepwise(
    xs: np.ndarray,
    params: RNNParams,
    h0: np.ndarray | None = None,
    *,
    activation: str = "tanh",
) -> np.ndarray:
    """The unrolled loop written with the one-step cell, as chapter 3 draws it.

    Returns every hidden state, shape ``(T, B, H)``. Slower than
    :func:`rnn_forward` and equal to it (a test checks this); it is here to be read.
    """
    params = _check_params(params)
    activation = check_activation(activation)
    xs = as_array("xs", xs, ("T", "B", ("D", params.input_size)))
    T, B, _ = xs.shape
    H = params.hidden_size
    h = (
        np.zeros((B, H), dtype=np.result_type(xs, params.W_hh))
        if h0 is None
        else as_array("h0", h0, (("B", B), ("H", H)))
    )
    states = []
    for t in range(T):
        h, _ = rnn_step_forward(xs[t], h, params, activation=activation)
        states.append(h)
    return np.stack(states)


def rnn_generate(
    params: RNNParams,
    first_input: np.ndarray,
    steps: int,
    *,
    h0: np.ndarray | None = None,
    activation: str = "tanh",
    rng: np.random.Generator | int | None = None,
    temperature: float = 1.0,
) -> np.ndarray:
    """One-to-many: feed one input, then feed each output back as the next input.

    At each step the output class is the highest score (``rng=None``) or is sampled
    from ``softmax(y_t / temperature)``, and its one-hot vector becomes ``x_{t+1}``;
    so the input and output sizes must agree (``D == O``).

    Args:
        first_input: ``x_1``, shape ``(B, D)``.
        steps: how many outputs to produce.

    Returns:
        The chosen classes, integers of shape ``(steps, B)``.
    """
    params = _check_params(params)
    activation = check_activation(activation)
    if params.input_size != params.output_size:
        raise ValueError(
            "rnn_generate feeds outputs back as inputs, so params need D == O; "
            f"got D={params.input_size}, O={params.output_size}"
        )
    steps = check_positive("steps", steps, integer=True)
    temperature = check_positive("temperature", temperature)
    if rng is not None:
        rng = as_generator(rng, "rng")
    x = as_array("first_input", first_input, ("B", ("D", params.input_size)))
    B, H = x.shape[0], params.hidden_size
    h = (
        np.zeros((B, H), dtype=np.result_type(x, params.W_hh))
        if h0 is None
        else as_array("h0", h0, (("B", B), ("H", H)))
    )
    eye = np.eye(params.output_size, dtype=h.dtype)
    out = np.empty((steps, B), dtype=np.int64)
    for t in range(steps):
        h = activate(x @ params.W_xh.T + h @ params.W_hh.T + params.b_h, activation)
        y = h @ params.W_hy.T + params.b_y
        if rng is None:
            out[t] = y.argmax(axis=-1)
        else:
            p = np.exp((y - y.max(axis=-1, keepdims=True)) / temperature)
            p /= p.sum(axis=-1, keepdims=True)
            out[t] = [rng.choice(params.output_size, p=row) for row in p]
        x = eye[out[t]]
    return out
