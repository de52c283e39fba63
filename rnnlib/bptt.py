"""Backpropagation through time (chapter 5).

Walking the unrolled graph backwards from ``t = T`` to ``1``. At step ``t``,
``dh_next = W_hh^T da_{t+1} = (dh_{t+1}/dh_t)^T dL/dh_{t+1}`` is the part of
``dL/dh_t`` that flows in from step ``t+1`` (zero at ``t = T``):

    dh_t = W_hy^T dy_t + dh_next           (the output at t, and the future)
    da_t = dh_t * f'(a_t)
    dh_next <- W_hh^T da_t                 (the dh_next of step t-1)

Each shared weight is used at every step, so its gradient is the sum of the
per-step contributions:

    dL/dW_xh = sum_t da_t x_t^T     dL/dW_hh = sum_t da_t h_{t-1}^T
    dL/db_h  = sum_t da_t           dL/dW_hy = sum_t dy_t h_t^T     dL/db_y = sum_t dy_t
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np

from rnnlib._validate import as_array, check_choice, check_positive
from rnnlib.cell import RNNParams, _check_params, activation_grad
from rnnlib.losses import mean_squared_error, softmax_cross_entropy
from rnnlib.unroll import RNNCache, _flat_matmul, rnn_forward

LOSSES = ("cross_entropy", "mse")


@dataclass(frozen=True, eq=False)
class RNNGrads:
    """Gradients of the loss; each field mirrors the parameter of the same name.

    ``h0`` is the gradient with respect to the initial state, shape ``(B, H)``.
    """

    W_xh: np.ndarray  # (H, D)
    W_hh: np.ndarray  # (H, H)
    b_h: np.ndarray  # (H,)
    W_hy: np.ndarray  # (O, H)
    b_y: np.ndarray  # (O,)
    h0: np.ndarray  # (B, H)


def rnn_backward(dys: np.ndarray, cache: RNNCache) -> RNNGrads:
    """BPTT: the gradient of every parameter and of ``h_0``, given ``dys = dL/dy``.

    Args:
        dys: gradient of the loss with respect to the outputs ``y_1..y_T``,
            shape ``(T, B, O)`` (as returned by a loss in :mod:`rnnlib.losses`).
        cache: from :func:`rnnlib.rnn_forward`.

    The same recursion as :func:`rnn_backward_reference`, arranged for speed and
    memory: each step writes into preallocated buffers, and the weight gradients,
    sums over time, are one matrix product per block of steps over all their
    ``steps * B`` rows. Only one block of ``da_t`` is ever held, so the memory beyond
    the cache is a small fraction of the ``T * B * H`` hidden states.

    The gradient is exact: no clipping happens here (that is the optimiser's job).
    """
    p = _check_cache(cache)
    T, B, H = cache.hs.shape
    dys = as_array("dys", dys, (("T", T), ("B", B), ("O", p.output_size)))
    W_hy = p.W_hy.astype(cache.hs.dtype, copy=False)

    def through_outputs(start: int, stop: int, out: np.ndarray) -> None:
        _flat_matmul(dys[start:stop], W_hy, out=out)  # W_hy^T dy_t for each step

    grads, dh0, _ = _rnn_bptt(cache, through_outputs)
    dys2 = dys.reshape(T * B, -1)
    return RNNGrads(
        **grads,
        W_hy=dys2.T @ cache.hs.reshape(T * B, H),
        b_y=dys2.sum(axis=0),
        h0=dh0,
    )


@dataclass(frozen=True, eq=False)
class RNNLayerGrads:
    """What :func:`rnn_layer_backward` returns: the gradients of the cell's weights, of
    the initial state and of the inputs ``xs`` (what a layer below needs)."""

    W_xh: np.ndarray  # (H, D)
    W_hh: np.ndarray  # (H, H)
    b_h: np.ndarray  # (H,)
    h0: np.ndarray  # (B, H)
    xs: np.ndarray  # (T, B, D)


def rnn_layer_backward(dhs: np.ndarray, cache: RNNCache) -> RNNLayerGrads:
    """BPTT through the RNN from ``dL/dh_t`` instead of ``dL/dy_t``, down to its inputs.

    For a cell used as one layer of something larger (chapter 9): its states
    ``h_1..h_T`` feed whatever comes next (an output layer of the caller's, a layer
    above, a second direction's read-out), which supplies ``dhs``; its inputs may come
    from a layer below, which gets ``xs``, ``dL/dx_t = W_xh^T da_t``. The output layer
    in ``cache.params`` is not used. The recursion is :func:`rnn_backward`'s.

    Args:
        dhs: ``dL/dh_t`` from outside the recurrence, for every step, ``(T, B, H)``.
        cache: from :func:`rnnlib.rnn_forward`.
    """
    _check_cache(cache)
    T, B, H = cache.hs.shape
    dhs = as_array("dhs", dhs, (("T", T), ("B", B), ("H", H)))

    def given(start: int, stop: int, out: np.ndarray) -> None:
        out[...] = dhs[start:stop]

    grads, dh0, dxs = _rnn_bptt(cache, given, want_xs=True)
    return RNNLayerGrads(**grads, h0=dh0, xs=dxs)


def _check_cache(cache: object) -> RNNParams:
    if not isinstance(cache, RNNCache):
        raise TypeError(f"cache must be the RNNCache returned by rnn_forward; got {type(cache).__name__}")
    return cache.params


def _rnn_bptt(cache: RNNCache, outside, want_xs: bool = False):
    """The recursion shared by :func:`rnn_backward` and :func:`rnn_layer_backward`.

    ``outside(start, stop, out)`` writes ``dL/dh_t`` from outside the recurrence for
    steps ``start..stop-1`` into ``out``, ``(stop - start, B, H)``.
    Returns the gradients of ``W_xh``, ``W_hh``, ``b_h``, then ``dL/dh0`` and, if
    ``want_xs``, ``dL/dxs`` (else ``None``).
    """
    p, xs, hs = cache.params, cache.xs, cache.hs
    T, B, H = hs.shape
    D = p.input_size
    dtype = hs.dtype
    W_hh = p.W_hh.astype(dtype, copy=False)
    W_xh = p.W_xh.astype(dtype, copy=False)
    dxs = np.empty((T, B, D), dtype=dtype) if want_xs else None

    grads = {name: np.zeros_like(getattr(p, name), dtype=dtype) for name in ("W_xh", "W_hh", "b_h")}
    block = _block_steps(T, B)  # steps per block of da_t
    das = _work("rnn.das", (block, B, H), dtype)
    fprime = _work("rnn.fprime", (block, B, H), dtype)
    dh_next = np.zeros((B, H), dtype=dtype)  # at step t: W_hh^T da_{t+1}, the part of dL/dh_t from t+1
    for stop in range(T, 0, -block):
        start = max(0, stop - block)
        n = stop - start
        # f'(a_t) for the block's steps at once: it does not depend on the carried gradient.
        if cache.activation == "tanh":
            np.multiply(hs[start:stop], hs[start:stop], out=fprime[:n])
            np.subtract(1, fprime[:n], out=fprime[:n])  # 1 - h_t^2
        else:
            np.greater(hs[start:stop], 0, out=fprime[:n], casting="unsafe")
        outside(start, stop, das[:n])  # W_hy^T dy_t, say: from the output at t
        for k in reversed(range(n)):
            da = das[k]
            da += dh_next  # ... and from the future
            da *= fprime[k]  # da_t
            np.matmul(da, W_hh, out=dh_next)  # W_hh^T da_t: the dh_next of step t-1
        # This block's share of the sums over time, as single products over n*B rows.
        rows = das[:n].reshape(n * B, H)
        if start > 0:
            h_prev = hs[start - 1 : stop - 1]
        else:
            h_prev = _work("rnn.h_prev", (n, B, H), dtype)
            h_prev[0], h_prev[1:] = cache.h0, hs[: stop - 1]
        grads["W_xh"] += rows.T @ xs[start:stop].reshape(n * B, D).astype(dtype, copy=False)
        grads["W_hh"] += rows.T @ h_prev.reshape(n * B, H)
        grads["b_h"] += rows.sum(axis=0)
        if want_xs:
            np.matmul(rows, W_xh, out=dxs[start:stop].reshape(n * B, D))
    return grads, dh_next, dxs


# Rows (steps x batch) of da_t held at once in rnn_backward (and the gated cells'
# backward passes): large enough that the weight-gradient products are efficient,
# small enough to add little memory.
_BLOCK_ROWS = 2048


def _block_steps(T: int, B: int) -> int:
    """Steps per block of a backward pass: ``_BLOCK_ROWS`` rows of ``B`` examples each."""
    return max(1, min(T, _BLOCK_ROWS // max(B, 1)))


# The backward passes' working arrays, kept from one call to the next (one set per
# thread). Training calls a backward pass thousands of times with the same shapes, and
# new arrays of a few hundred KB can come from the operating system as fresh pages at
# every call: at T=25, B=32, H=96, float64, rnn_backward took 420 page faults a call,
# and half its time.
# Arrays above _KEEP_BYTES are not kept: at that size the arithmetic dominates.
_KEEP_BYTES = 4 << 20
_kept = threading.local()


def _work(name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """An array like ``np.empty(shape, dtype)`` (its contents are arbitrary), reusing the
    memory of the last one asked for by ``name`` on this thread if it is large enough.

    Each caller gives its own names, and writes every element it reads.
    """
    dtype = np.dtype(dtype)
    size = math.prod(shape)
    if size * dtype.itemsize > _KEEP_BYTES:
        return np.empty(shape, dtype)
    arrays = _kept.__dict__.setdefault("arrays", {})
    flat = arrays.get((name, dtype))
    if flat is None or flat.size < size:
        flat = arrays[name, dtype] = np.empty(size, dtype)
    return flat[:size].reshape(shape)


def _forget_work() -> None:
    """Drop this thread's kept working arrays (``make bench`` does, before it measures
    the memory a step allocates, so that the count includes them)."""
    _kept.__dict__.pop("arrays", None)


def rnn_backward_reference(dys: np.ndarray, cache: RNNCache) -> RNNGrads:
    """BPTT, written to be read: the gradient of every parameter and of ``h_0``.

    This is the version chapter 5 walks through. :func:`rnn_backward` computes
    the same numbers (a test checks they agree to rounding) faster and in less
    memory.

    Args:
        dys: gradient of the loss with respect to the outputs ``y_1..y_T``,
            shape ``(T, B, O)`` (as returned by a loss in :mod:`rnnlib.losses`).
        cache: from :func:`rnnlib.rnn_forward`.

    The gradient is exact: no clipping happens here (that is the optimiser's job).
    """
    if not isinstance(cache, RNNCache):
        raise TypeError(f"cache must be the RNNCache returned by rnn_forward; got {type(cache).__name__}")
    p, xs, hs = cache.params, cache.xs, cache.hs
    T, B, H = hs.shape
    dys = as_array("dys", dys, (("T", T), ("B", B), ("O", p.output_size)))

    dhs = dys @ p.W_hy  # dL/dh_t through the output at t, (T, B, H)
    fprime = activation_grad(hs, cache.activation)  # f'(a_t) for all t, (T, B, H)
    das = np.empty_like(dhs)
    dh_next = np.zeros((B, H), dtype=dhs.dtype)  # at step t: W_hh^T da_{t+1}; 0 at t = T
    for t in reversed(range(T)):
        das[t] = (dhs[t] + dh_next) * fprime[t]  # da_t = (W_hy^T dy_t + dh_next) * f'(a_t)
        dh_next = das[t] @ p.W_hh  # W_hh^T da_t: the dh_next of step t-1

    # The sums over time, as single products over all T*B rows.
    h_prev = np.concatenate([cache.h0[None], hs[:-1]])  # h_0..h_{T-1}, (T, B, H)
    flat = lambda a: a.reshape(T * B, a.shape[-1])  # noqa: E731
    return RNNGrads(
        W_xh=flat(das).T @ flat(xs),
        W_hh=flat(das).T @ flat(h_prev),
        b_h=das.sum(axis=(0, 1)),
        W_hy=flat(dys).T @ flat(hs),
        b_y=dys.sum(axis=(0, 1)),
        h0=dh_next,
    )


def rnn_loss_and_grads(
    params: RNNParams,
    xs: np.ndarray,
    targets: np.ndarray,
    *,
    loss: str = "cross_entropy",
    many_to_one: bool = False,
    h0: np.ndarray | None = None,
    activation: str = "tanh",
) -> tuple[float, RNNGrads]:
    """One training step's maths: forward, loss, BPTT.

    Args:
        params: the weights.
        xs: inputs, shape ``(T, B, D)``.
        targets: for ``"cross_entropy"``, class indices ``(T, B)`` (``(B,)`` if
            ``many_to_one``); for ``"mse"``, values ``(T, B, O)`` (``(B, O)``).
        loss: ``"cross_entropy"`` (softmax outputs) or ``"mse"`` (identity outputs).

    Returns:
        ``(loss, grads)``.
    """
    check_choice("loss", loss, LOSSES)
    _check_params(params)
    ys, cache = rnn_forward(xs, params, h0, activation=activation)
    loss_fn = softmax_cross_entropy if loss == "cross_entropy" else mean_squared_error
    value, dys = loss_fn(ys, targets, many_to_one=many_to_one)
    return value, rnn_backward(dys, cache)


def per_step_gradients(dys: np.ndarray, cache: RNNCache) -> dict[str, np.ndarray]:
    """Each time step's own contribution to the gradients of the shared weights.

    The recurrent weights are used once per step, so BPTT's gradient is a sum over
    ``t``; this returns the terms of that sum before they are added up:
    ``W_xh (T, H, D)``, ``W_hh (T, H, H)``, ``b_h (T, H)``, ``W_hy (T, O, H)``,
    ``b_y (T, O)``. Summing over the first axis gives :func:`rnn_backward`'s result.
    """
    if not isinstance(cache, RNNCache):
        raise TypeError(f"cache must be the RNNCache returned by rnn_forward; got {type(cache).__name__}")
    p, hs = cache.params, cache.hs
    T, B, H = hs.shape
    dys = as_array("dys", dys, (("T", T), ("B", B), ("O", p.output_size)))
    fprime = activation_grad(hs, cache.activation)
    das = np.empty_like(hs)
    dh_next = np.zeros((B, H), dtype=hs.dtype)
    for t in reversed(range(T)):
        das[t] = (dys[t] @ p.W_hy + dh_next) * fprime[t]
        dh_next = das[t] @ p.W_hh
    h_prev = np.concatenate([cache.h0[None], hs[:-1]])
    return {
        "W_xh": np.einsum("tbh,tbd->thd", das, cache.xs),
        "W_hh": np.einsum("tbh,tbk->thk", das, h_prev),
        "b_h": das.sum(axis=1),
        "W_hy": np.einsum("tbo,tbh->toh", dys, hs),
        "b_y": dys.sum(axis=1),
    }


def truncated_bptt_loss_and_grads(
    params: RNNParams,
    xs: np.ndarray,
    targets: np.ndarray,
    chunk: int,
    *,
    loss: str = "cross_entropy",
    h0: np.ndarray | None = None,
    activation: str = "tanh",
) -> tuple[float, RNNGrads, np.ndarray]:
    """Truncated BPTT over a long sequence, ``chunk`` steps at a time.

    The forward pass carries the hidden state from each chunk into the next, so
    every step sees the whole past; the backward pass runs within each chunk only,
    treating the state it starts from as a constant, so no gradient crosses a chunk
    boundary: within a chunk of ``k`` steps the longest path a gradient travels is
    ``k - 1`` steps, from the chunk's last step back to its first. Memory holds one
    chunk's states instead of all ``T``. The loss is the
    mean over all ``T*B`` positions, as with :func:`rnn_loss_and_grads`, which this
    equals when ``chunk >= T``.

    Args:
        xs: inputs ``(T, B, D)``; targets: ``(T, B)`` classes or ``(T, B, O)`` values.
        chunk: steps per chunk (the truncation length).

    Returns:
        ``(loss, grads, h_last)``: ``grads.h0`` is the gradient with respect to ``h0``
        through the first chunk; ``h_last`` is the final state, to start the next call.
    """
    params = _check_params(params)
    chunk = check_positive("chunk", chunk, integer=True)
    check_choice("loss", loss, LOSSES)
    xs = as_array("xs", xs, ("T", "B", ("D", params.input_size)))
    T, B, _ = xs.shape
    O = params.output_size
    if loss == "cross_entropy":
        targets = as_array("targets", targets, (("T", T), ("B", B)), integer=True, below=O)
    else:
        targets = as_array("targets", targets, (("T", T), ("B", B), ("O", O)))
    loss_fn = softmax_cross_entropy if loss == "cross_entropy" else mean_squared_error
    total, sums, h, dh0 = 0.0, None, h0, None
    for start in range(0, T, chunk):
        stop = min(start + chunk, T)
        ys, cache = rnn_forward(xs[start:stop], params, h, activation=activation)
        value, dys = loss_fn(ys, targets[start:stop])
        weight = (stop - start) / T  # each chunk's mean, weighted to the mean over all T
        grads = rnn_backward(dys * weight, cache)
        total += weight * value
        sums = (
            grads
            if sums is None
            else RNNGrads(*(a + b for a, b in zip(_grad_arrays(sums), _grad_arrays(grads), strict=True)))
        )
        dh0 = grads.h0 if dh0 is None else dh0
        h = cache.hs[-1]  # carried forward; no gradient flows back through it
    return total, RNNGrads(sums.W_xh, sums.W_hh, sums.b_h, sums.W_hy, sums.b_y, dh0), h


def _grad_arrays(g: RNNGrads) -> tuple[np.ndarray, ...]:
    return (g.W_xh, g.W_hh, g.b_h, g.W_hy, g.b_y, g.h0)
