"""One interface over the three cells, so that training code need not care which it runs.

The cell is chosen by the type of the parameters: :class:`~rnnlib.RNNParams` (the
vanilla tanh RNN), :class:`~rnnlib.LSTMParams` or :class:`~rnnlib.GRUParams`.
A *state* is what carries from one step to the next: the array ``h`` of shape
``(B, H)`` for the RNN and the GRU, the pair ``(h, c)`` for the LSTM.
"""

from __future__ import annotations

import numpy as np

from rnnlib._validate import as_array, check_choice, check_flag, check_positive
from rnnlib.bptt import LOSSES, RNNGrads, rnn_backward
from rnnlib.cell import RNNParams, init_rnn_params
from rnnlib.gated import (
    GRUCache,
    GRUParams,
    LSTMCache,
    LSTMParams,
    gru_backward,
    gru_forward,
    init_gru_params,
    init_lstm_params,
    lstm_backward,
    lstm_forward,
)
from rnnlib.losses import mean_squared_error, softmax_cross_entropy
from rnnlib.unroll import RNNCache, rnn_forward

CELLS = ("rnn", "lstm", "gru")

State = np.ndarray | tuple[np.ndarray, np.ndarray]


def init_params(
    cell: str, input_size: int, hidden_size: int, output_size: int, *, seed: int | np.random.Generator, **kw
) -> RNNParams | LSTMParams | GRUParams:
    """Initial weights for ``cell`` (``"rnn"``, ``"lstm"`` or ``"gru"``), passing ``kw`` to its initialiser."""
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}; got {cell!r}")
    init = {"rnn": init_rnn_params, "lstm": init_lstm_params, "gru": init_gru_params}[cell]
    return init(input_size, hidden_size, output_size, seed=seed, **kw)


def cell_name(params: object) -> str:
    """``"rnn"``, ``"lstm"`` or ``"gru"``, from the type of ``params``."""
    for cls, name in ((RNNParams, "rnn"), (LSTMParams, "lstm"), (GRUParams, "gru")):
        if isinstance(params, cls):
            return name
    raise TypeError(f"params must be an RNNParams, LSTMParams or GRUParams; got {type(params).__name__}")


def sequence_forward(
    params: RNNParams | LSTMParams | GRUParams, xs: np.ndarray, state: State | None = None
) -> tuple[np.ndarray, RNNCache | LSTMCache | GRUCache]:
    """Outputs ``(T, B, O)`` and a cache, for any of the three cells, from ``state`` (zeros if ``None``)."""
    cell = cell_name(params)
    if cell == "lstm":
        if state is None:
            return lstm_forward(xs, params)
        if not (isinstance(state, tuple) and len(state) == 2):
            raise TypeError(f"state for an LSTM must be the pair (h, c); got {type(state).__name__}")
        return lstm_forward(xs, params, *state)
    if isinstance(state, tuple):
        raise TypeError(f"state for {cell.upper()} must be one array h of shape (B, H); got a tuple")
    return rnn_forward(xs, params, state) if cell == "rnn" else gru_forward(xs, params, state)


def sequence_backward(dys: np.ndarray, cache: RNNCache | LSTMCache | GRUCache):
    """BPTT for whichever cell made ``cache``: :func:`rnn_backward`, :func:`lstm_backward` or :func:`gru_backward`."""
    if isinstance(cache, RNNCache):
        return rnn_backward(dys, cache)
    if isinstance(cache, LSTMCache):
        return lstm_backward(dys, cache)
    if isinstance(cache, GRUCache):
        return gru_backward(dys, cache)
    raise TypeError(f"cache must come from sequence_forward; got {type(cache).__name__}")


def final_state(cache: RNNCache | LSTMCache | GRUCache) -> State:
    """The state after the last step: ``h_T``, or ``(h_T, c_T)`` for the LSTM."""
    if isinstance(cache, LSTMCache):
        return cache.hs[-1], cache.cs[-1]
    if isinstance(cache, (RNNCache, GRUCache)):
        return cache.hs[-1]
    raise TypeError(f"cache must come from sequence_forward; got {type(cache).__name__}")


def sequence_loss_and_grads(
    params: RNNParams | LSTMParams | GRUParams,
    xs: np.ndarray,
    targets: np.ndarray,
    *,
    loss: str = "cross_entropy",
    many_to_one: bool = False,
    state: State | None = None,
) -> tuple[float, RNNGrads | object, State]:
    """Forward, loss and BPTT for any cell; also returns the final state.

    Truncated BPTT over a long text is this in a loop: pass each call's final state
    as the next call's ``state``. No gradient crosses between calls.

    Args:
        xs: inputs ``(T, B, D)``.
        targets: class indices ``(T, B)`` for ``"cross_entropy"``, values ``(T, B, O)``
            for ``"mse"`` (``(B,)`` and ``(B, O)`` if ``many_to_one``).

    Returns:
        ``(loss, grads, final_state)``.
    """
    check_choice("loss", loss, LOSSES)
    many_to_one = check_flag("many_to_one", many_to_one)
    ys, cache = sequence_forward(params, xs, state)
    loss_fn = softmax_cross_entropy if loss == "cross_entropy" else mean_squared_error
    value, dys = loss_fn(ys, targets, many_to_one=many_to_one)
    return value, sequence_backward(dys, cache), final_state(cache)


def state_at(cache: RNNCache | LSTMCache | GRUCache, k: int) -> State:
    """The state after ``k`` steps (``k = 0`` is the initial state)."""
    if not isinstance(cache, (RNNCache, LSTMCache, GRUCache)):
        raise TypeError(f"cache must come from sequence_forward; got {type(cache).__name__}")
    T = cache.hs.shape[0]
    if not (isinstance(k, (int, np.integer)) and 0 <= k <= T):
        raise ValueError(f"k must be an integer step in [0, {T}]; got {k!r}")
    if isinstance(cache, LSTMCache):
        return (cache.h0, cache.c0) if k == 0 else (cache.hs[k - 1], cache.cs[k - 1])
    if isinstance(cache, (RNNCache, GRUCache)):
        return cache.h0 if k == 0 else cache.hs[k - 1]
    raise TypeError(f"cache must come from sequence_forward; got {type(cache).__name__}")


def state_gradient_by_lag(
    params: RNNParams | LSTMParams | GRUParams, xs: np.ndarray, targets: np.ndarray
) -> np.ndarray:
    """How much of the loss's gradient reaches the state ``lag`` steps before the end.

    The loss is the many-to-one cross-entropy at the last step, as in
    :func:`~rnnlib.remember_first`. Returns ``||dL/ds_{T-lag}||`` for ``lag = 0..T``
    (``T + 1`` values), per example and averaged over the batch, where the state
    ``s`` is ``h`` for the RNN and the GRU and the pair ``(h, c)`` for the LSTM.
    """
    ys, cache = sequence_forward(params, xs)
    T, B = ys.shape[:2]
    _, dys = softmax_cross_entropy(ys, targets, many_to_one=True)
    norms = np.empty(T + 1)
    norms[0] = np.linalg.norm(B * dys[-1] @ params.W_hy, axis=1).mean()
    for lag in range(1, T + 1):
        _, grads, _ = sequence_loss_and_grads(
            params, xs[T - lag :], targets, many_to_one=True, state=state_at(cache, T - lag)
        )
        sq = np.sum(grads.h0**2, axis=1) + (np.sum(grads.c0**2, axis=1) if hasattr(grads, "c0") else 0.0)
        norms[lag] = B * np.sqrt(sq).mean()
    return norms


def forecast(params: RNNParams | LSTMParams | GRUParams, history: np.ndarray, steps: int) -> np.ndarray:
    """Read ``history`` ``(T, B, D)``, then predict ``steps`` more values, each fed back as the next input.

    The model must have been trained to output the next input (``O == D``). After the
    history it runs *closed loop*: it sees only its own predictions, so its errors
    compound, as in any long-range forecast. Returns the predictions ``(steps, B, D)``.
    """
    steps = check_positive("steps", steps, integer=True)
    cell_name(params)
    history = as_array("history", history, ("T", "B", ("D", params.input_size)))
    if params.output_size != params.input_size:
        raise ValueError(
            f"forecast feeds each output back as the next input, so the model needs output_size == input_size; "
            f"got {params.output_size} and {params.input_size}"
        )
    ys, cache = sequence_forward(params, history)
    out = np.empty((steps, *ys.shape[1:]), dtype=ys.dtype)
    out[0], state = ys[-1], final_state(cache)
    for k in range(1, steps):
        ys, cache = sequence_forward(params, out[k - 1 : k], state)
        out[k], state = ys[0], final_state(cache)
    return out
