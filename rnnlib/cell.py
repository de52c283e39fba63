"""The vanilla (Elman) RNN cell: its parameters and one time step (chapter 2).

The cell computes, for a batch of ``B`` examples at once,

    a_t = W_xh x_t + W_hh h_{t-1} + b_h
    h_t = f(a_t)                      f = tanh or ReLU
    y_t = W_hy h_t + b_y              (the output function g is applied by the loss)

The prose writes column vectors; code stores one example per row, so
``W_xh x_t`` becomes ``x @ W_xh.T`` with ``x`` of shape ``(B, D)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib._validate import as_array, as_generator, check_activation, check_positive, store_fields


@dataclass(frozen=True, eq=False)
class RNNParams:
    """The five weights of the RNN, named as in the equations.

    Shapes: ``W_xh (H, D)``, ``W_hh (H, H)``, ``b_h (H,)``, ``W_hy (O, H)``,
    ``b_y (O,)`` for input size ``D``, hidden size ``H`` and output size ``O``.
    Construction checks that the five shapes agree with each other.
    """

    W_xh: np.ndarray
    W_hh: np.ndarray
    b_h: np.ndarray
    W_hy: np.ndarray
    b_y: np.ndarray

    def __post_init__(self) -> None:
        W_xh = as_array("W_xh", self.W_xh, ("H", "D"))
        H, D = W_xh.shape
        W_hh = as_array("W_hh", self.W_hh, (("H", H), ("H", H)))
        b_h = as_array("b_h", self.b_h, (("H", H),))
        W_hy = as_array("W_hy", self.W_hy, ("O", ("H", H)))
        b_y = as_array("b_y", self.b_y, (("O", W_hy.shape[0]),))
        store_fields(self, W_xh=W_xh, W_hh=W_hh, b_h=b_h, W_hy=W_hy, b_y=b_y)

    @property
    def input_size(self) -> int:
        """``D``, the size of one input vector ``x_t``."""
        return self.W_xh.shape[1]

    @property
    def hidden_size(self) -> int:
        """``H``, the size of the hidden state ``h_t``."""
        return self.W_hh.shape[0]

    @property
    def output_size(self) -> int:
        """``O``, the size of one output vector ``y_t``."""
        return self.W_hy.shape[0]

    @property
    def dtype(self) -> np.dtype:
        return self.W_hh.dtype

    def num_parameters(self) -> int:
        """``H*D + H*H + H + O*H + O``: independent of the sequence length."""
        return sum(w.size for w in (self.W_xh, self.W_hh, self.b_h, self.W_hy, self.b_y))


def init_rnn_params(
    input_size: int,
    hidden_size: int,
    output_size: int,
    *,
    seed: int | np.random.Generator,
    recurrent_init: str = "normal",
    recurrent_scale: float = 1.0,
    dtype: type = np.float64,
) -> RNNParams:
    """Random initial parameters, reproducible from ``seed``.

    Scale choices (Glorot-style fan-in scaling, so activations neither vanish
    nor saturate at the first step):

    * ``W_xh ~ N(0, 1/D)`` and ``W_hy ~ N(0, 1/H)``: each pre-activation has
      variance about 1 when its inputs do.
    * ``W_hh`` depends on ``recurrent_init``:
      ``"normal"``: ``N(0, 1/H)``, whose spectral radius is close to 1 for
      large ``H`` (the circular law); ``"orthogonal"``: a random orthogonal
      matrix (every singular value 1); ``"identity"``: the identity (Le et
      al. 2015, meant for ReLU). The result is multiplied by
      ``recurrent_scale``, the knob chapter 6 turns.
    * ``b_h`` and ``b_y`` are zero.

    ``seed`` is an integer or a ``numpy.random.Generator``; nothing else is random.
    """
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("output_size", output_size)):
        check_positive(name, value, integer=True)
    recurrent_scale = check_positive("recurrent_scale", recurrent_scale, allow_zero=True)
    if recurrent_init not in ("normal", "orthogonal", "identity"):
        raise ValueError(f"recurrent_init must be 'normal', 'orthogonal' or 'identity'; got {recurrent_init!r}")
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64; got {np.dtype(dtype)}")
    rng = as_generator(seed)

    D, H, O = input_size, hidden_size, output_size
    W_xh = rng.normal(0.0, 1.0 / np.sqrt(D), size=(H, D))
    if recurrent_init == "normal":
        W_hh = rng.normal(0.0, 1.0 / np.sqrt(H), size=(H, H))
    elif recurrent_init == "orthogonal":
        q, r = np.linalg.qr(rng.normal(size=(H, H)))
        W_hh = q * np.sign(np.diag(r))  # sign fix makes the distribution uniform (Haar)
    else:
        W_hh = np.eye(H)
    W_hy = rng.normal(0.0, 1.0 / np.sqrt(H), size=(O, H))
    return RNNParams(
        W_xh=W_xh.astype(dtype),
        W_hh=(recurrent_scale * W_hh).astype(dtype),
        b_h=np.zeros(H, dtype=dtype),
        W_hy=W_hy.astype(dtype),
        b_y=np.zeros(O, dtype=dtype),
    )


def activate(a: np.ndarray, activation: str) -> np.ndarray:
    """``f(a)``: ``tanh(a)`` or ``max(0, a)``, elementwise."""
    return np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)


def activation_grad(h: np.ndarray, activation: str) -> np.ndarray:
    """``f'(a)`` written with the output ``h = f(a)``: ``1 - h^2`` for tanh, ``[h > 0]`` for ReLU."""
    return 1.0 - h * h if activation == "tanh" else (h > 0).astype(h.dtype)


@dataclass(frozen=True, eq=False)
class StepCache:
    """What one step's backward needs: its inputs, its output and the weights it used."""

    x: np.ndarray  # (B, D)
    h_prev: np.ndarray  # (B, H)
    h: np.ndarray  # (B, H)
    W_xh: np.ndarray  # (H, D)
    W_hh: np.ndarray  # (H, H)
    activation: str


@dataclass(frozen=True, eq=False)
class StepGrads:
    """Gradients of one step; each field is the gradient of the argument of the same name."""

    x: np.ndarray  # (B, D)
    h_prev: np.ndarray  # (B, H)
    W_xh: np.ndarray  # (H, D)
    W_hh: np.ndarray  # (H, H)
    b_h: np.ndarray  # (H,)


def rnn_step_forward(
    x: np.ndarray, h_prev: np.ndarray, params: RNNParams, *, activation: str = "tanh"
) -> tuple[np.ndarray, StepCache]:
    """One step of the cell: ``h_t = f(W_xh x_t + W_hh h_{t-1} + b_h)``.

    Args:
        x: the input ``x_t``, shape ``(B, D)``.
        h_prev: the previous hidden state ``h_{t-1}``, shape ``(B, H)``.
        params: the cell's weights (only ``W_xh``, ``W_hh``, ``b_h`` are used).
        activation: ``"tanh"`` (default) or ``"relu"``.

    Returns:
        ``(h, cache)``: the new hidden state ``h_t`` of shape ``(B, H)`` and what
        :func:`rnn_step_backward` needs.
    """
    params = _check_params(params)
    activation = check_activation(activation)
    D, H = params.input_size, params.hidden_size
    x = as_array("x", x, ("B", ("D", D)))
    h_prev = as_array("h_prev", h_prev, (("B", x.shape[0]), ("H", H)))
    a = x @ params.W_xh.T + h_prev @ params.W_hh.T + params.b_h  # a_t, (B, H)
    h = activate(a, activation)
    return h, StepCache(x, h_prev, h, params.W_xh, params.W_hh, activation)


def rnn_step_backward(dh: np.ndarray, cache: StepCache) -> StepGrads:
    """Backward through one step, given ``dh = dL/dh_t`` of shape ``(B, H)``.

    With ``da = dh * f'(a_t)`` (elementwise), the chain rule gives

        dL/dW_xh = da^T x_t        dL/dW_hh = da^T h_{t-1}     dL/db_h = sum_b da
        dL/dx_t  = da W_xh         dL/dh_{t-1} = da W_hh
    """
    if not isinstance(cache, StepCache):
        raise TypeError(f"cache must be the StepCache returned by rnn_step_forward; got {type(cache).__name__}")
    dh = as_array("dh", dh, (("B", cache.h.shape[0]), ("H", cache.h.shape[1])))
    da = dh * activation_grad(cache.h, cache.activation)  # (B, H)
    return StepGrads(
        x=da @ cache.W_xh,
        h_prev=da @ cache.W_hh,
        W_xh=da.T @ cache.x,
        W_hh=da.T @ cache.h_prev,
        b_h=da.sum(axis=0),
    )


def output_forward(hs: np.ndarray, params: RNNParams) -> np.ndarray:
    """The output layer before ``g``: ``y_t = W_hy h_t + b_y``.

    ``hs`` has shape ``(..., H)`` (one state ``(B, H)`` or all of them
    ``(T, B, H)``); the result has shape ``(..., O)``.
    """
    params = _check_params(params)
    hs = np.asarray(hs)
    if hs.ndim not in (2, 3):
        raise ValueError(
            f"hs must have shape (B, H={params.hidden_size}) or (T, B, H={params.hidden_size}); got {hs.shape}"
        )
    hs = as_array("hs", hs, (*["T", "B"][3 - hs.ndim :], ("H", params.hidden_size)))
    return hs @ params.W_hy.T + params.b_y


def _check_params(params: object) -> RNNParams:
    if not isinstance(params, RNNParams):
        raise TypeError(f"params must be an RNNParams (see init_rnn_params); got {type(params).__name__}")
    return params
