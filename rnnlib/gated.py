"""Gated cells: the LSTM and the GRU (chapter 7).

Both keep the vanilla RNN's conventions: time-major inputs ``(T, B, D)``, one row
per example (``W x`` is written ``x @ W.T``), an output layer ``y_t = W_hy h_t + b_y``
scored by a loss from :mod:`rnnlib.losses`, and a backward pass that returns the
exact gradient of every parameter and of the initial state.

**LSTM** (Hochreiter and Schmidhuber 1997, with the forget gate of Gers et al. 2000).
With ``sigma`` the logistic sigmoid and ``*`` the elementwise product:

    i_t = sigma(W_xi x_t + W_hi h_{t-1} + b_i)      input gate
    f_t = sigma(W_xf x_t + W_hf h_{t-1} + b_f)      forget gate
    g_t = tanh (W_xg x_t + W_hg h_{t-1} + b_g)      candidate
    o_t = sigma(W_xo x_t + W_ho h_{t-1} + b_o)      output gate
    c_t = f_t * c_{t-1} + i_t * g_t                 cell state: an additive update
    h_t = o_t * tanh(c_t)

Three gates (``i``, ``f``, ``o``) and a candidate (``g``): their four blocks of weights are
stacked in the order ``i, f, g, o`` (PyTorch's order):
``W_x (4H, D)``, ``W_h (4H, H)``, ``b (4H,)``.

**GRU** (Cho et al. 2014):

    z_t = sigma(W_xz x_t + W_hz h_{t-1} + b_z)            update gate
    r_t = sigma(W_xr x_t + W_hr h_{t-1} + b_r)            reset gate
    n_t = tanh (W_xn x_t + W_hn (r_t * h_{t-1}) + b_n)    candidate
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}                 keep where z_t is near 1

Two gates (``z``, ``r``) and a candidate (``n``), stacked in the order ``z, r, n``:
``W_x (3H, D)``, ``W_h (3H, H)``, ``b (3H,)``.
(PyTorch's GRU applies the reset gate after the product, ``r_t * (W_hn h_{t-1} + b_hn)``,
a small variant with one more bias; this is the paper's form.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib._validate import as_array, as_generator, check_positive, store_fields
from rnnlib.bptt import _block_steps, _work
from rnnlib.unroll import _flat_matmul

LSTM_GATES = ("i", "f", "g", "o")
GRU_GATES = ("z", "r", "n")


def sigmoid(a: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-a))``, computed as ``(1 + tanh(a/2)) / 2`` so it never overflows."""
    return _sigmoid(as_array("a", a, None, allow_empty=True))


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * a))


@dataclass(frozen=True, eq=False)
class _GatedParams:
    """Stacked gate weights ``W_x (kH, D)``, ``W_h (kH, H)``, ``b (kH,)`` and the output layer."""

    W_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray
    W_hy: np.ndarray
    b_y: np.ndarray

    GATES = ()  # the gate names, in stacking order; set by each subclass (a class attribute, not a field)

    def __post_init__(self) -> None:
        k = len(self.GATES)
        W_h = as_array("W_h", self.W_h, (f"{k}H", "H"))
        H = W_h.shape[1]
        if W_h.shape[0] != k * H:
            raise ValueError(
                f"W_h must have shape ({k}H, H), the {k} gates {', '.join(self.GATES)} stacked; "
                f"got {W_h.shape}, and {W_h.shape[0]} != {k} * {H}"
            )
        W_x = as_array("W_x", self.W_x, ((f"{k}H", k * H), "D"))
        b = as_array("b", self.b, ((f"{k}H", k * H),))
        W_hy = as_array("W_hy", self.W_hy, ("O", ("H", H)))
        b_y = as_array("b_y", self.b_y, (("O", W_hy.shape[0]),))
        store_fields(self, W_x=W_x, W_h=W_h, b=b, W_hy=W_hy, b_y=b_y)

    @property
    def input_size(self) -> int:
        """``D``, the size of one input vector ``x_t``."""
        return self.W_x.shape[1]

    @property
    def hidden_size(self) -> int:
        """``H``, the size of the hidden state ``h_t``."""
        return self.W_h.shape[1]

    @property
    def output_size(self) -> int:
        """``O``, the size of one output vector ``y_t``."""
        return self.W_hy.shape[0]

    @property
    def dtype(self) -> np.dtype:
        return self.W_h.dtype

    def num_parameters(self) -> int:
        """``k(H*D + H*H + H) + O*H + O`` for ``k`` gates: independent of the sequence length."""
        return sum(w.size for w in (self.W_x, self.W_h, self.b, self.W_hy, self.b_y))

    def gate(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One gate's own ``(W_x, W_h, b)``: rows ``[k*H, (k+1)*H)`` of the stacked arrays."""
        if name not in self.GATES:
            raise ValueError(f"name must be one of the gates {self.GATES}; got {name!r}")
        H = self.hidden_size
        rows = slice(self.GATES.index(name) * H, (self.GATES.index(name) + 1) * H)
        return self.W_x[rows], self.W_h[rows], self.b[rows]


@dataclass(frozen=True, eq=False)
class LSTMParams(_GatedParams):
    """An LSTM's weights: gates ``i, f, g, o`` stacked in ``W_x (4H, D)``, ``W_h (4H, H)``,
    ``b (4H,)``; output layer ``W_hy (O, H)``, ``b_y (O,)``."""

    GATES = LSTM_GATES


@dataclass(frozen=True, eq=False)
class GRUParams(_GatedParams):
    """A GRU's weights: gates ``z, r, n`` stacked in ``W_x (3H, D)``, ``W_h (3H, H)``,
    ``b (3H,)``; output layer ``W_hy (O, H)``, ``b_y (O,)``."""

    GATES = GRU_GATES


def _init_gated(cls, gates, input_size, hidden_size, output_size, seed, dtype, biases):
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("output_size", output_size)):
        check_positive(name, value, integer=True)
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64; got {np.dtype(dtype)}")
    rng = as_generator(seed)
    D, H, O = input_size, hidden_size, output_size
    k = len(gates)
    W_x = rng.normal(0.0, 1.0 / np.sqrt(D), size=(k * H, D))
    # Each gate's recurrent block is orthogonal: the gated analogue of chapter 6's advice.
    blocks = []
    for _ in range(k):
        q, r = np.linalg.qr(rng.normal(size=(H, H)))
        blocks.append(q * np.sign(np.diag(r)))
    W_h = np.concatenate(blocks)
    b = np.zeros(k * H)
    for gate, value in biases.items():
        g = gates.index(gate)
        b[g * H : (g + 1) * H] = value
    W_hy = rng.normal(0.0, 1.0 / np.sqrt(H), size=(O, H))
    return cls(
        W_x=W_x.astype(dtype),
        W_h=W_h.astype(dtype),
        b=b.astype(dtype),
        W_hy=W_hy.astype(dtype),
        b_y=np.zeros(O, dtype=dtype),
    )


def init_lstm_params(
    input_size: int,
    hidden_size: int,
    output_size: int,
    *,
    seed: int | np.random.Generator,
    forget_bias: float = 1.0,
    dtype: type = np.float64,
) -> LSTMParams:
    """Random initial LSTM weights, reproducible from ``seed``.

    ``W_x ~ N(0, 1/D)``, each gate's block of ``W_h`` a random orthogonal matrix,
    ``W_hy ~ N(0, 1/H)``; biases zero except the forget gate's, ``forget_bias``
    (1 by default, so ``f_t = sigma(1) = 0.73`` at first and the cell starts out
    remembering: Gers et al. 2000, Jozefowicz et al. 2015).
    """
    _check_number("forget_bias", forget_bias)
    return _init_gated(
        LSTMParams, LSTM_GATES, input_size, hidden_size, output_size, seed, dtype, {"f": float(forget_bias)}
    )


def init_gru_params(
    input_size: int,
    hidden_size: int,
    output_size: int,
    *,
    seed: int | np.random.Generator,
    update_bias: float = 1.0,
    dtype: type = np.float64,
) -> GRUParams:
    """Random initial GRU weights, reproducible from ``seed``.

    ``W_x ~ N(0, 1/D)``, each gate's block of ``W_h`` orthogonal, ``W_hy ~ N(0, 1/H)``;
    biases zero except the update gate's, ``update_bias`` (1 by default, so
    ``z_t = sigma(1) = 0.73`` at first and the cell starts out keeping its state:
    the GRU's counterpart of the LSTM's forget bias).
    """
    _check_number("update_bias", update_bias)
    return _init_gated(
        GRUParams, GRU_GATES, input_size, hidden_size, output_size, seed, dtype, {"z": float(update_bias)}
    )


def _check_number(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number; got {type(value).__name__}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")


def _check_lstm(params: object) -> LSTMParams:
    if not isinstance(params, LSTMParams):
        raise TypeError(f"params must be an LSTMParams (see init_lstm_params); got {type(params).__name__}")
    return params


def _check_gru(params: object) -> GRUParams:
    if not isinstance(params, GRUParams):
        raise TypeError(f"params must be a GRUParams (see init_gru_params); got {type(params).__name__}")
    return params


def _state(name: str, value: object, B: int, H: int, dtype: np.dtype) -> np.ndarray:
    if value is None:
        return np.zeros((B, H), dtype=dtype)
    return as_array(name, value, (("B", B), ("H", H))).astype(dtype, copy=False)


# --------------------------------------------------------------------------- LSTM


@dataclass(frozen=True, eq=False)
class LSTMStepCache:
    """What one LSTM step's backward needs."""

    x: np.ndarray  # (B, D)
    h_prev: np.ndarray  # (B, H)
    c_prev: np.ndarray  # (B, H)
    gates: np.ndarray  # (B, 4H): i, f, g, o after their nonlinearities
    c: np.ndarray  # (B, H)
    params: LSTMParams


@dataclass(frozen=True, eq=False)
class LSTMStepGrads:
    """Gradients of one LSTM step; each field is the gradient of the argument of the same name."""

    x: np.ndarray  # (B, D)
    h_prev: np.ndarray  # (B, H)
    c_prev: np.ndarray  # (B, H)
    W_x: np.ndarray  # (4H, D)
    W_h: np.ndarray  # (4H, H)
    b: np.ndarray  # (4H,)


def lstm_step_forward(
    x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, params: LSTMParams
) -> tuple[np.ndarray, np.ndarray, LSTMStepCache]:
    """One LSTM step, written to be read (see the module docstring for the equations).

    Args:
        x: ``x_t``, shape ``(B, D)``; h_prev, c_prev: ``h_{t-1}`` and ``c_{t-1}``, ``(B, H)``.

    Returns:
        ``(h, c, cache)``: ``h_t`` and ``c_t``, each ``(B, H)``, and what
        :func:`lstm_step_backward` needs.
    """
    params = _check_lstm(params)
    H = params.hidden_size
    x = as_array("x", x, ("B", ("D", params.input_size)))
    h_prev = as_array("h_prev", h_prev, (("B", x.shape[0]), ("H", H)))
    c_prev = as_array("c_prev", c_prev, (("B", x.shape[0]), ("H", H)))
    a = x @ params.W_x.T + h_prev @ params.W_h.T + params.b  # (B, 4H)
    i = _sigmoid(a[:, :H])
    f = _sigmoid(a[:, H : 2 * H])
    g = np.tanh(a[:, 2 * H : 3 * H])
    o = _sigmoid(a[:, 3 * H :])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, LSTMStepCache(x, h_prev, c_prev, np.concatenate([i, f, g, o], axis=1), c, params)


def lstm_step_backward(dh: np.ndarray, dc: np.ndarray, cache: LSTMStepCache) -> LSTMStepGrads:
    """Backward through one LSTM step, given ``dh = dL/dh_t`` and ``dc = dL/dc_t`` (from later steps).

    dc_t += dh * o * (1 - tanh(c_t)^2)          h_t = o * tanh(c_t)
    do = dh * tanh(c_t)     di = dc_t * g     dg = dc_t * i     df = dc_t * c_{t-1}
    dL/dc_{t-1} = dc_t * f                       the additive path: only f, no W_h
    da = [di * i(1-i), df * f(1-f), dg * (1-g^2), do * o(1-o)]
    dL/dW_x = da^T x    dL/dW_h = da^T h_{t-1}    dL/db = sum_b da
    dL/dx = da W_x      dL/dh_{t-1} = da W_h
    """
    if not isinstance(cache, LSTMStepCache):
        raise TypeError(f"cache must be the LSTMStepCache returned by lstm_step_forward; got {type(cache).__name__}")
    B, H = cache.c.shape
    dh = as_array("dh", dh, (("B", B), ("H", H)))
    dc = as_array("dc", dc, (("B", B), ("H", H)))
    i, f, g, o = (cache.gates[:, k * H : (k + 1) * H] for k in range(4))
    tc = np.tanh(cache.c)
    dc = dc + dh * o * (1.0 - tc * tc)
    da = np.concatenate(
        [dc * g * i * (1 - i), dc * cache.c_prev * f * (1 - f), dc * i * (1 - g * g), dh * tc * o * (1 - o)], axis=1
    )
    p = cache.params
    return LSTMStepGrads(
        x=da @ p.W_x,
        h_prev=da @ p.W_h,
        c_prev=dc * f,
        W_x=da.T @ cache.x,
        W_h=da.T @ cache.h_prev,
        b=da.sum(axis=0),
    )


@dataclass(frozen=True, eq=False)
class LSTMCache:
    """What :func:`lstm_backward` needs from the forward pass."""

    xs: np.ndarray  # (T, B, D)
    gates: np.ndarray  # (T, B, 4H): i, f, g, o after their nonlinearities
    cs: np.ndarray  # (T, B, H) cell states c_1..c_T
    hs: np.ndarray  # (T, B, H) hidden states h_1..h_T
    h0: np.ndarray  # (B, H)
    c0: np.ndarray  # (B, H)
    params: LSTMParams
    tanh_cs: np.ndarray | None = None  # (T, B, H) tanh(c_t), if the forward pass kept it


@dataclass(frozen=True, eq=False)
class LSTMGrads:
    """Gradients of the loss, mirroring :class:`LSTMParams`, plus the initial states ``h0`` and ``c0``."""

    W_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray
    W_hy: np.ndarray
    b_y: np.ndarray
    h0: np.ndarray
    c0: np.ndarray


def lstm_forward(
    xs: np.ndarray,
    params: LSTMParams,
    h0: np.ndarray | None = None,
    c0: np.ndarray | None = None,
) -> tuple[np.ndarray, LSTMCache]:
    """Run the LSTM over a batch of sequences.

    The fast path of :func:`lstm_step_forward` (a test checks they agree): the input
    term of all ``T`` steps is one matrix product before the loop, and since
    ``sigma(a) = (1 + tanh(a/2)) / 2``, one ``tanh`` over all four gates at once
    (with the sigmoid gates' weights halved beforehand) serves every gate.

    Args:
        xs: inputs ``x_1..x_T``, shape ``(T, B, D)``.
        h0, c0: initial hidden and cell states ``(B, H)``; zeros if omitted.

    Returns:
        ``(ys, cache)``: outputs ``(T, B, O)`` before the output function, and a
        cache holding every state (``cache.hs``, ``cache.cs``) and gate (``cache.gates``).
    """
    params = _check_lstm(params)
    xs = as_array("xs", xs, ("T", "B", ("D", params.input_size)))
    T, B, _ = xs.shape
    H = params.hidden_size
    dtype = np.result_type(xs, params.W_h)
    h0 = _state("h0", h0, B, H, dtype)
    c0 = _state("c0", c0, B, H, dtype)
    scale = np.full(4 * H, 0.5, dtype=dtype)
    scale[2 * H : 3 * H] = 1.0  # g is a tanh; i, f, o are sigmoids: tanh of half the input
    shift = 1.0 - scale  # sigma(a) = tanh(a/2) * 0.5 + 0.5; g: tanh(a) * 1 + 0
    W_h_T = np.ascontiguousarray(params.W_h.T * scale)
    gates = _flat_matmul(xs.astype(dtype, copy=False), params.W_x.T * scale)  # (T, B, 4H)
    gates += params.b * scale
    hs = np.empty((T, B, H), dtype=dtype)
    cs = np.empty((T, B, H), dtype=dtype)
    tcs = np.empty((T, B, H), dtype=dtype)  # tanh(c_t), kept for the backward pass
    buf = np.empty((B, 4 * H), dtype=dtype)
    ig = np.empty((B, H), dtype=dtype)
    h, c = h0, c0
    for t in range(T):
        a = gates[t]
        a += np.matmul(h, W_h_T, out=buf)
        np.tanh(a, out=a)
        a *= scale  # i, f and o: tanh(a/2) * 0.5 + 0.5; g stays tanh(a)
        a += shift
        c = np.multiply(a[:, H : 2 * H], c, out=cs[t])
        c += np.multiply(a[:, :H], a[:, 2 * H : 3 * H], out=ig)
        h = np.multiply(a[:, 3 * H :], np.tanh(c, out=tcs[t]), out=hs[t])
    ys = _flat_matmul(hs, params.W_hy.T)
    ys += params.b_y
    return ys, LSTMCache(xs, gates, cs, hs, h0, c0, params, tcs)


def lstm_backward(dys: np.ndarray, cache: LSTMCache) -> LSTMGrads:
    """BPTT through the LSTM: the gradient of every parameter and of ``h0``, ``c0``.

    The recursion of :func:`lstm_step_backward`, run from ``t = T`` down to 1 with
    ``dh`` and ``dc`` carried back from each step to the one before. Time is walked in
    blocks of steps, last block first (as in :func:`rnnlib.rnn_backward`). For each
    block, every factor that does not depend on the carried gradients
    (``o(1 - tanh(c)^2)``, ``g i(1-i)``, ...) is computed for all its steps at once
    before its loop, and the weight gradients (sums over time) get one matrix product
    over all the block's rows after it; so only one block's working memory is held
    beyond the cache. A test checks it against chaining :func:`lstm_step_backward` by
    hand.

    Args:
        dys: ``dL/dy_t`` for every step, shape ``(T, B, O)``.
        cache: from :func:`lstm_forward`.
    """
    p = _check_cache(cache)
    T, B, H = cache.hs.shape
    dys = as_array("dys", dys, (("T", T), ("B", B), ("O", p.output_size)))
    W_hy = p.W_hy.astype(cache.hs.dtype, copy=False)

    def through_outputs(start: int, stop: int, out: np.ndarray) -> None:
        _flat_matmul(dys[start:stop], W_hy, out=out)  # dL/dh_t from y_t: dy_t W_hy

    grads, dh0, dc0, _ = _lstm_bptt(cache, through_outputs)
    flat_dy = dys.reshape(T * B, -1)
    return LSTMGrads(
        **grads,
        W_hy=flat_dy.T @ cache.hs.reshape(T * B, H),
        b_y=flat_dy.sum(axis=0),
        h0=dh0,
        c0=dc0,
    )


@dataclass(frozen=True, eq=False)
class LSTMLayerGrads:
    """What :func:`lstm_layer_backward` returns: the gradients of the gate weights, of
    the initial states and of the inputs ``xs`` (what a layer below needs)."""

    W_x: np.ndarray  # (4H, D)
    W_h: np.ndarray  # (4H, H)
    b: np.ndarray  # (4H,)
    h0: np.ndarray  # (B, H)
    c0: np.ndarray  # (B, H)
    xs: np.ndarray  # (T, B, D)


def lstm_layer_backward(dhs: np.ndarray, cache: LSTMCache) -> LSTMLayerGrads:
    """BPTT through the LSTM from ``dL/dh_t`` instead of ``dL/dy_t``, down to its inputs.

    For an LSTM used as one layer of something larger: its states ``h_1..h_T`` feed
    whatever comes next (a dropout mask and an output layer of the caller's, another
    layer), which supplies ``dhs``; its inputs may come from an embedding or a layer
    below, which gets ``xs``, ``dL/dx_t = da_t W_x``. The output layer in
    ``cache.params`` is not used. The recursion is :func:`lstm_backward`'s.

    Args:
        dhs: ``dL/dh_t`` from outside the recurrence, for every step, ``(T, B, H)``.
        cache: from :func:`lstm_forward`.
    """
    _check_cache(cache)
    T, B, H = cache.hs.shape
    dhs = as_array("dhs", dhs, (("T", T), ("B", B), ("H", H)))

    def given(start: int, stop: int, out: np.ndarray) -> None:
        out[...] = dhs[start:stop]

    grads, dh0, dc0, dxs = _lstm_bptt(cache, given, want_xs=True)
    return LSTMLayerGrads(**grads, h0=dh0, c0=dc0, xs=dxs)


def _check_cache(cache: object) -> LSTMParams:
    if not isinstance(cache, LSTMCache):
        raise TypeError(f"cache must be the LSTMCache returned by lstm_forward; got {type(cache).__name__}")
    return cache.params


def _lstm_bptt(cache: LSTMCache, outside, want_xs: bool = False):
    """The recursion shared by :func:`lstm_backward` and :func:`lstm_layer_backward`.

    ``outside(start, stop, out)`` writes ``dL/dh_t`` from outside the recurrence for
    steps ``start..stop-1`` into ``out``, ``(stop - start, B, H)``. Returns the
    gradients of ``W_x``, ``W_h`` and ``b``, then ``dL/dh0``, ``dL/dc0`` and, if
    ``want_xs``, ``dL/dxs`` (else ``None``).
    """
    p = cache.params
    T, B, H = cache.hs.shape
    D = p.input_size
    dtype = cache.hs.dtype
    W_x, W_h = p.W_x.astype(dtype, copy=False), p.W_h.astype(dtype, copy=False)
    gates = cache.gates.reshape(T, B, 4, H)
    grads = {name: np.zeros_like(getattr(p, name), dtype=dtype) for name in ("W_x", "W_h", "b")}
    dxs = np.empty((T, B, D), dtype=dtype) if want_xs else None
    block = _block_steps(T, B)
    dhs = _work("lstm.dhs", (block, B, H), dtype)  # dL/dh_t from outside, then + from t+1
    dc_from_dh = _work("lstm.dc_from_dh", (block, B, H), dtype)  # dc_t gets dh_t times this
    k_ifg = _work("lstm.k_ifg", (block, B, 3, H), dtype)  # da for gates i, f, g is dc_t times these
    k_o = _work("lstm.k_o", (block, B, H), dtype)  # da for gate o is dh_t times this
    das = _work("lstm.das", (block, B, 4, H), dtype)
    tmp = _work("lstm.tmp", (block, B, H), dtype)
    dh_next = np.zeros((B, H), dtype=dtype)  # dL/dh_t arriving from step t+1
    dc = np.zeros((B, H), dtype=dtype)  # dL/dc_t arriving from step t+1
    for stop in range(T, 0, -block):
        start = max(0, stop - block)
        n = stop - start
        i, f, g, o = (gates[start:stop, :, k] for k in range(4))
        tc = cache.tanh_cs[start:stop] if cache.tanh_cs is not None else np.tanh(cache.cs[start:stop])
        c_prev = _previous("lstm.c_prev", cache.cs, cache.c0, start, stop)
        one_minus = tmp[:n]
        np.multiply(tc, tc, out=one_minus)
        np.subtract(1, one_minus, out=one_minus)
        np.multiply(o, one_minus, out=dc_from_dh[:n])  # o (1 - tanh(c)^2)
        np.subtract(1, i, out=one_minus)
        np.multiply(g, i, out=k_ifg[:n, :, 0])
        k_ifg[:n, :, 0] *= one_minus  # g i (1 - i)
        np.subtract(1, f, out=one_minus)
        np.multiply(c_prev, f, out=k_ifg[:n, :, 1])
        k_ifg[:n, :, 1] *= one_minus  # c_{t-1} f (1 - f)
        np.multiply(g, g, out=one_minus)
        np.subtract(1, one_minus, out=one_minus)
        np.multiply(i, one_minus, out=k_ifg[:n, :, 2])  # i (1 - g^2)
        np.subtract(1, o, out=one_minus)
        np.multiply(tc, o, out=k_o[:n])
        k_o[:n] *= one_minus  # tanh(c) o (1 - o)
        outside(start, stop, dhs[:n])
        for t in reversed(range(n)):
            dh = dhs[t]
            dh += dh_next
            dc += np.multiply(dh, dc_from_dh[t], out=tmp[t])  # dc_t
            np.multiply(k_ifg[t], dc[:, None, :], out=das[t, :, :3])
            np.multiply(k_o[t], dh, out=das[t, :, 3])
            dc *= f[t]  # dc_{t-1}: the additive path, through f alone
            np.matmul(das[t].reshape(B, 4 * H), W_h, out=dh_next)
        # This block's share of the sums over time, as single products over its n*B rows.
        rows = das[:n].reshape(n * B, 4 * H)
        h_prev = _previous("lstm.h_prev", cache.hs, cache.h0, start, stop)
        grads["W_x"] += rows.T @ cache.xs[start:stop].reshape(n * B, D).astype(dtype, copy=False)
        grads["W_h"] += rows.T @ h_prev.reshape(n * B, H)
        grads["b"] += rows.sum(axis=0)
        if want_xs:
            np.matmul(rows, W_x, out=dxs[start:stop].reshape(n * B, D))
    return grads, dh_next, dc, dxs


def _previous(name: str, states: np.ndarray, first: np.ndarray, start: int, stop: int) -> np.ndarray:
    """States ``start-1..stop-2`` of ``states`` (``(T, B, H)``), with ``first`` as step ``-1``
    (then in the working array ``name``)."""
    if start > 0:
        return states[start - 1 : stop - 1]
    out = _work(name, (stop, *states.shape[1:]), states.dtype)
    out[0], out[1:] = first, states[: stop - 1]
    return out


# --------------------------------------------------------------------------- GRU


@dataclass(frozen=True, eq=False)
class GRUStepCache:
    """What one GRU step's backward needs."""

    x: np.ndarray  # (B, D)
    h_prev: np.ndarray  # (B, H)
    gates: np.ndarray  # (B, 3H): z, r, n after their nonlinearities
    params: GRUParams


@dataclass(frozen=True, eq=False)
class GRUStepGrads:
    """Gradients of one GRU step; each field is the gradient of the argument of the same name."""

    x: np.ndarray  # (B, D)
    h_prev: np.ndarray  # (B, H)
    W_x: np.ndarray  # (3H, D)
    W_h: np.ndarray  # (3H, H)
    b: np.ndarray  # (3H,)


def gru_step_forward(x: np.ndarray, h_prev: np.ndarray, params: GRUParams) -> tuple[np.ndarray, GRUStepCache]:
    """One GRU step, written to be read (see the module docstring for the equations).

    Args:
        x: ``x_t``, shape ``(B, D)``; h_prev: ``h_{t-1}``, ``(B, H)``.

    Returns:
        ``(h, cache)``: ``h_t`` of shape ``(B, H)`` and what :func:`gru_step_backward` needs.
    """
    params = _check_gru(params)
    H = params.hidden_size
    x = as_array("x", x, ("B", ("D", params.input_size)))
    h_prev = as_array("h_prev", h_prev, (("B", x.shape[0]), ("H", H)))
    W_xz, W_hz, b_z = params.gate("z")
    W_xr, W_hr, b_r = params.gate("r")
    W_xn, W_hn, b_n = params.gate("n")
    z = _sigmoid(x @ W_xz.T + h_prev @ W_hz.T + b_z)
    r = _sigmoid(x @ W_xr.T + h_prev @ W_hr.T + b_r)
    n = np.tanh(x @ W_xn.T + (r * h_prev) @ W_hn.T + b_n)
    h = (1 - z) * n + z * h_prev
    return h, GRUStepCache(x, h_prev, np.concatenate([z, r, n], axis=1), params)


def _gru_step_grads(dh, h_prev, z, r, n, W_h):
    """The GRU step's backward, shared by :func:`gru_step_backward` and :func:`gru_backward`.

    Returns ``(da, dh_prev, rh)``: the pre-activation gradients ``(B, 3H)``, ``dL/dh_{t-1}``,
    and ``r * h_{t-1}`` (what the candidate's ``W_hn`` multiplied).
    """
    H = h_prev.shape[1]
    dn = dh * (1 - z)
    dz = dh * (h_prev - n)
    da_n = dn * (1 - n * n)
    drh = da_n @ W_h[2 * H :]  # gradient of r * h_{t-1}
    da = np.concatenate([dz * z * (1 - z), drh * h_prev * r * (1 - r), da_n], axis=1)
    dh_prev = dh * z + drh * r + da[:, : 2 * H] @ W_h[: 2 * H]
    return da, dh_prev, r * h_prev


def _gru_weight_grads(da, xs, h_prev, rh, H):
    """``dL/dW_x``, ``dL/dW_h``, ``dL/db`` from pre-activation gradients ``da`` over rows ``(N, 3H)``."""
    dW_h = np.concatenate([da[:, : 2 * H].T @ h_prev, da[:, 2 * H :].T @ rh])
    return da.T @ xs, dW_h, da.sum(axis=0)


def gru_step_backward(dh: np.ndarray, cache: GRUStepCache) -> GRUStepGrads:
    """Backward through one GRU step, given ``dh = dL/dh_t``.

    dL/dh_{t-1} gets dh * z     directly: the gated shortcut, no weight in it
    dn = dh * (1 - z)    dz = dh * (h_{t-1} - n)    da_n = dn * (1 - n^2)
    d(r * h_{t-1}) = da_n W_hn    dr = d(r * h_{t-1}) * h_{t-1}
    da_z = dz * z(1-z)    da_r = dr * r(1-r)
    dL/dh_{t-1} = dh * z + d(r * h_{t-1}) * r + da_z W_hz + da_r W_hr
    """
    if not isinstance(cache, GRUStepCache):
        raise TypeError(f"cache must be the GRUStepCache returned by gru_step_forward; got {type(cache).__name__}")
    B, H = cache.h_prev.shape
    dh = as_array("dh", dh, (("B", B), ("H", H)))
    z, r, n = (cache.gates[:, k * H : (k + 1) * H] for k in range(3))
    p = cache.params
    da, dh_prev, rh = _gru_step_grads(dh, cache.h_prev, z, r, n, p.W_h)
    W_x, W_h, b = _gru_weight_grads(da, cache.x, cache.h_prev, rh, H)
    return GRUStepGrads(x=da @ p.W_x, h_prev=dh_prev, W_x=W_x, W_h=W_h, b=b)


@dataclass(frozen=True, eq=False)
class GRUCache:
    """What :func:`gru_backward` needs from the forward pass."""

    xs: np.ndarray  # (T, B, D)
    gates: np.ndarray  # (T, B, 3H): z, r, n after their nonlinearities
    hs: np.ndarray  # (T, B, H)
    h0: np.ndarray  # (B, H)
    params: GRUParams


@dataclass(frozen=True, eq=False)
class GRUGrads:
    """Gradients of the loss, mirroring :class:`GRUParams`, plus the initial state ``h0``."""

    W_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray
    W_hy: np.ndarray
    b_y: np.ndarray
    h0: np.ndarray


def gru_forward(xs: np.ndarray, params: GRUParams, h0: np.ndarray | None = None) -> tuple[np.ndarray, GRUCache]:
    """Run the GRU over a batch of sequences.

    Args:
        xs: inputs ``x_1..x_T``, shape ``(T, B, D)``.
        h0: the initial state ``(B, H)``; zeros if omitted.

    Returns:
        ``(ys, cache)``: outputs ``(T, B, O)`` before the output function, and a
        cache holding every state (``cache.hs``) and gate (``cache.gates``).
    """
    params = _check_gru(params)
    xs = as_array("xs", xs, ("T", "B", ("D", params.input_size)))
    T, B, _ = xs.shape
    H = params.hidden_size
    dtype = np.result_type(xs, params.W_h)
    h0 = _state("h0", h0, B, H, dtype)
    scale = np.full(3 * H, 0.5, dtype=dtype)
    scale[2 * H :] = 1.0  # z and r are sigmoids, (1 + tanh(a/2)) / 2; n is a tanh
    W_zr_T = np.ascontiguousarray(params.W_h[: 2 * H].T * scale[: 2 * H])
    W_hn_T = np.ascontiguousarray(params.W_h[2 * H :].T, dtype=dtype)
    gates = _flat_matmul(xs.astype(dtype, copy=False), params.W_x.T * scale)  # (T, B, 3H)
    gates += params.b * scale
    hs = np.empty((T, B, H), dtype=dtype)
    # Each step works in contiguous (B, 2H) and (B, H) buffers, then stores its gates:
    # ufuncs over the strided column blocks of gates[t] cost up to twice as much at B = 32.
    zr = np.empty((B, 2 * H), dtype=dtype)
    z, r = zr[:, :H], zr[:, H:]
    n = np.empty((B, H), dtype=dtype)
    rh = np.empty((B, H), dtype=dtype)
    h = h0
    for t in range(T):
        g = gates[t]
        np.matmul(h, W_zr_T, out=zr)
        zr += g[:, : 2 * H]
        np.tanh(zr, out=zr)
        zr += 1.0
        zr *= 0.5
        g[:, : 2 * H] = zr
        np.matmul(np.multiply(r, h, out=rh), W_hn_T, out=n)
        n += g[:, 2 * H :]
        np.tanh(n, out=n)
        g[:, 2 * H :] = n
        h_new = np.subtract(h, n, out=hs[t])  # h_t = n + z * (h_{t-1} - n)
        h_new *= z
        h = np.add(h_new, n, out=h_new)
    ys = _flat_matmul(hs, params.W_hy.T)
    ys += params.b_y
    return ys, GRUCache(xs, gates, hs, h0, params)


def gru_backward(dys: np.ndarray, cache: GRUCache) -> GRUGrads:
    """BPTT through the GRU: the gradient of every parameter and of ``h0``.

    The recursion of :func:`gru_step_backward` run from ``t = T`` down to 1, in blocks
    of steps as in :func:`lstm_backward`: each block's constant factors are computed at
    once before its loop, and its share of the weight gradients is one product over its
    rows after it. A test checks it against chaining :func:`gru_step_backward` by hand.

    Args:
        dys: ``dL/dy_t`` for every step, shape ``(T, B, O)``.
        cache: from :func:`gru_forward`.
    """
    if not isinstance(cache, GRUCache):
        raise TypeError(f"cache must be the GRUCache returned by gru_forward; got {type(cache).__name__}")
    p = cache.params
    T, B, H = cache.hs.shape
    dys = as_array("dys", dys, (("T", T), ("B", B), ("O", p.output_size)))
    D = p.input_size
    dtype = cache.hs.dtype
    W_hy = p.W_hy.astype(dtype, copy=False)
    W_zr, W_hn = (w.astype(dtype, copy=False) for w in (p.W_h[: 2 * H], p.W_h[2 * H :]))
    gates = cache.gates.reshape(T, B, 3, H)
    dW_x = np.zeros((3 * H, D), dtype=dtype)
    dW_h = np.zeros((3 * H, H), dtype=dtype)
    db = np.zeros(3 * H, dtype=dtype)
    block = _block_steps(T, B)
    dhs = _work("gru.dhs", (block, B, H), dtype)  # dL/dh_t through the outputs, then + from t+1
    k_z = _work("gru.k_z", (block, B, H), dtype)  # da_z = dh * k_z
    k_n = _work("gru.k_n", (block, B, H), dtype)  # da_n = dh * k_n
    k_r = _work("gru.k_r", (block, B, H), dtype)  # da_r = d(r * h_{t-1}) * k_r
    rh = _work("gru.rh", (block, B, H), dtype)  # r * h_{t-1}, what W_hn multiplied
    das = _work("gru.das", (block, B, 3, H), dtype)
    drh = np.empty((B, H), dtype=dtype)
    step = np.empty((B, H), dtype=dtype)
    dh_next = np.zeros((B, H), dtype=dtype)
    for stop in range(T, 0, -block):
        start = max(0, stop - block)
        m = stop - start
        z, r, n = (gates[start:stop, :, k] for k in range(3))
        h_prev = _previous("gru.h_prev", cache.hs, cache.h0, start, stop)
        one_minus = k_n[:m]
        np.subtract(1, z, out=one_minus)
        np.subtract(h_prev, n, out=k_z[:m])
        k_z[:m] *= z
        k_z[:m] *= one_minus  # (h_{t-1} - n) z (1 - z)
        np.subtract(1, r, out=k_r[:m])
        k_r[:m] *= r
        k_r[:m] *= h_prev  # h_{t-1} r (1 - r)
        np.multiply(r, h_prev, out=rh[:m])
        np.multiply(n, n, out=dhs[:m])
        np.subtract(1, dhs[:m], out=dhs[:m])
        one_minus *= dhs[:m]  # (1 - z)(1 - n^2)
        _flat_matmul(dys[start:stop], W_hy, out=dhs[:m])
        for t in reversed(range(m)):
            dh = dhs[t]
            dh += dh_next
            np.multiply(dh, k_z[t], out=das[t, :, 0])
            np.multiply(dh, k_n[t], out=das[t, :, 2])
            np.matmul(das[t, :, 2], W_hn, out=drh)  # gradient of r * h_{t-1}
            np.multiply(drh, k_r[t], out=das[t, :, 1])
            np.multiply(dh, z[t], out=dh_next)
            dh_next += np.multiply(drh, r[t], out=step)
            dh_next += np.matmul(das[t].reshape(B, 3 * H)[:, : 2 * H], W_zr, out=step)
        # This block's share of the sums over time, as single products over its m*B rows.
        W_x, W_h, b = _gru_weight_grads(
            das[:m].reshape(m * B, 3 * H),
            cache.xs[start:stop].reshape(m * B, D).astype(dtype, copy=False),
            h_prev.reshape(m * B, H),
            rh[:m].reshape(m * B, H),
            H,
        )
        dW_x += W_x
        dW_h += W_h
        db += b
    flat_dy = dys.reshape(T * B, -1)
    return GRUGrads(
        W_x=dW_x,
        W_h=dW_h,
        b=db,
        W_hy=flat_dy.T @ cache.hs.reshape(T * B, H),
        b_y=flat_dy.sum(axis=0),
        h0=dh_next,
    )
