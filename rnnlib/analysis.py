"""Measuring how gradients flow back through time (chapter 6).

Going back one step multiplies the gradient with respect to the state by the
step's Jacobian:

    dL/dh_{k-1} = (dh_k/dh_{k-1})^T dL/dh_k,     dh_k/dh_{k-1} = diag(f'(a_k)) W_hh

so over a lag of ``t - k`` steps

    dh_t/dh_k = prod_{j=k+1..t} diag(f'(a_j)) W_hh,
    ||dh_t/dh_k|| <= (gamma * sigma_max(W_hh))^(t-k)

with ``gamma = max |f'|`` (1 for tanh and ReLU) and ``sigma_max`` the largest
singular value of ``W_hh``. Below 1 the gradient must vanish geometrically with the
lag; above 1 it can explode.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from rnnlib._validate import (
    NonFiniteError,
    as_array,
    as_generator,
    check_function,
    check_int,
    check_number,
    check_positive,
)
from rnnlib.cell import activation_grad
from rnnlib.unroll import RNNCache


def spectral_radius(W: np.ndarray) -> float:
    """``rho(W)``: the largest absolute eigenvalue of the square matrix ``W``."""
    W = as_array("W", W, ("H", "H"))
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be square; got {W.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def scale_to_spectral_radius(W: np.ndarray, radius: float) -> np.ndarray:
    """``W * radius / rho(W)``: the same matrix, rescaled so its spectral radius is ``radius``."""
    radius = check_positive("radius", radius)
    W = as_array("W", W, ("H", "H"))
    rho = spectral_radius(W)
    if rho == 0:
        raise ValueError("W has spectral radius 0 (all eigenvalues zero); it cannot be rescaled")
    return W * (radius / rho)


def step_jacobians(cache: RNNCache) -> np.ndarray:
    """Every step's Jacobian ``dh_t/dh_{t-1} = diag(f'(a_t)) W_hh``, shape ``(T, B, H, H)``."""
    if not isinstance(cache, RNNCache):
        raise TypeError(f"cache must be the RNNCache returned by rnn_forward; got {type(cache).__name__}")
    fprime = activation_grad(cache.hs, cache.activation)  # (T, B, H)
    return fprime[..., :, None] * cache.params.W_hh  # row i of W_hh scaled by f'(a_t)_i


def gradient_norms_by_lag(cache: RNNCache, dh_last: np.ndarray | None = None) -> np.ndarray:
    """How the gradient with respect to the state shrinks or grows going back in time.

    Starting from ``dL/dh_T = dh_last`` (unit vectors in a fixed random direction if
    omitted) and going back with ``dL/dh_{k-1} = W_hh^T (f'(a_k) * dL/dh_k)``,
    returns ``||dL/dh_{T-lag}||`` for ``lag = 0..T`` (so ``T + 1`` values), averaged
    over the batch. At ``lag = T`` this is the gradient reaching ``h_0``.
    """
    if not isinstance(cache, RNNCache):
        raise TypeError(f"cache must be the RNNCache returned by rnn_forward; got {type(cache).__name__}")
    T, B, H = cache.hs.shape
    if dh_last is None:
        d = np.random.default_rng(0).normal(size=(B, H))
        dh_last = d / np.linalg.norm(d, axis=1, keepdims=True)
    dh = as_array("dh_last", dh_last, (("B", B), ("H", H)))
    fprime = activation_grad(cache.hs, cache.activation)
    norms = np.empty(T + 1)
    norms[0] = np.linalg.norm(dh, axis=1).mean()
    for lag in range(1, T + 1):
        t = T - lag  # index of h_{t+1} in hs
        dh = (dh * fprime[t]) @ cache.params.W_hh
        norms[lag] = np.linalg.norm(dh, axis=1).mean()
    if not np.all(np.isfinite(norms)):
        raise NonFiniteError(
            f"the gradient norms overflow float64: dh_last is too large (up to {np.abs(dh_last).max():.1e})"
        )
    return norms


def _flow_params(rng: np.random.Generator, radius: float | None, hidden_size: int, recurrent_init: str) -> object:
    """The network of :func:`gradient_flow`: its first draws from ``rng``."""
    from rnnlib.cell import RNNParams, init_rnn_params

    p = init_rnn_params(8, hidden_size, 2, seed=rng, recurrent_init=recurrent_init)
    W_hh = p.W_hh if radius is None else scale_to_spectral_radius(p.W_hh, radius)
    return RNNParams(p.W_xh, W_hh, p.b_h, p.W_hy, p.b_y)


def gradient_flow_weights(
    radius: float | None, *, hidden_size: int = 64, recurrent_init: str = "normal", seed: int = 0
) -> np.ndarray:
    """The ``W_hh`` that :func:`gradient_flow` runs with the same arguments (to draw its eigenvalues)."""
    hidden_size = check_int("hidden_size", hidden_size)
    if radius is not None:
        radius = check_positive("radius", radius)
    return _flow_params(as_generator(seed), radius, hidden_size, recurrent_init).W_hh


def gradient_flow(
    radius: float | None,
    *,
    length: int = 100,
    hidden_size: int = 64,
    input_scale: float = 0.1,
    recurrent_init: str = "normal",
    activation: str = "tanh",
    batch_size: int = 16,
    seed: int = 0,
) -> np.ndarray:
    """Chapter 6's experiment: ``||dL/dh_{T-lag}||`` for ``lag = 0..length`` in a random RNN.

    The network has ``hidden_size`` units, 8 inputs drawn from ``N(0, input_scale^2)``
    and ``W_hh`` from ``recurrent_init``, rescaled to spectral radius ``radius``
    (``None`` keeps the initialiser's own scale). Small inputs keep tanh near its
    linear range, where ``W_hh`` alone decides the outcome; large inputs saturate it.
    """
    from rnnlib.unroll import rnn_forward

    length = check_positive("length", length, integer=True)
    input_scale = check_positive("input_scale", input_scale)
    hidden_size = check_int("hidden_size", hidden_size)
    batch_size = check_int("batch_size", batch_size)
    if radius is not None:
        radius = check_positive("radius", radius)
    rng = as_generator(seed)
    p = _flow_params(rng, radius, hidden_size, recurrent_init)
    xs = input_scale * rng.normal(size=(length, batch_size, 8))
    _, cache = rnn_forward(xs, p, activation=activation)
    return gradient_norms_by_lag(cache)


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # = 1 / (1 + e^-a), with no overflow for large |a|


def one_unit_rnn(
    w: np.ndarray | float,
    b: np.ndarray | float,
    *,
    steps: int = 50,
    h0: float = 0.5,
    target: float = 0.7,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pascanu, Mikolov and Bengio's one-unit RNN, ``h_t = w * sigmoid(h_{t-1}) + b``
    with no input, and its loss ``(h_steps - target)^2``.

    ``w`` and ``b`` are numbers or arrays (broadcast together), so a whole grid of
    weights is one call. Returns ``(loss, dloss/dw, dloss/db)``, each of the broadcast
    shape; the gradient comes from backpropagation through the ``steps`` steps.
    """
    for name, value in (("w", w), ("b", b)):
        if isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be a number or an array of numbers; got {value!r}")
    w, b = as_array("w", w, None), as_array("b", b, None)
    try:
        shape = np.broadcast_shapes(w.shape, b.shape)
    except ValueError:
        raise ValueError(f"w and b must broadcast together; got shapes {w.shape} and {b.shape}") from None
    steps = check_positive("steps", steps, integer=True)
    h0, target = check_number("h0", h0), check_number("target", target)
    hs = [np.full(shape, h0)]
    for _ in range(steps):
        hs.append(w * _sigmoid(hs[-1]) + b)
    loss = (hs[-1] - target) ** 2
    dh = 2.0 * (hs[-1] - target)  # dloss/dh_t, from t = steps back to 1
    dw, db = np.zeros(shape), np.zeros(shape)
    for t in range(steps, 0, -1):
        s = _sigmoid(hs[t - 1])
        dw += dh * s
        db += dh
        dh = dh * w * s * (1.0 - s)
    if not (np.all(np.isfinite(loss)) and np.all(np.isfinite(dw)) and np.all(np.isfinite(db))):
        raise NonFiniteError(
            f"the loss or its gradient overflows float64: w and b are too large"
            f" (|w| up to {np.abs(w).max():.1e}, |b| up to {np.abs(b).max():.1e})"
        )
    return loss, dw, db


def window_recall_accuracy(window: int, delay: int, *, steps: int = 400, seed: int = 0) -> float:
    """Chapter 1's experiment: can a windowed MLP recall the token ``delay`` steps back?

    Trains an MLP with 32 hidden units reading the last ``window`` inputs
    (:func:`rnnlib.window_inputs`) on :func:`rnnlib.delayed_echo` with 5 tokens: plain
    SGD, learning rate 0.5, gradient clipped at norm 5, ``steps`` batches of 16
    sequences of 50 steps (batch ``i`` drawn with seed ``i``; weights from ``seed``).
    Returns its accuracy on 200 new sequences, on the steps that have a token to
    recall. Chance is 0.25; a window can only reach ``delay < window``.
    """
    from rnnlib.feedforward import init_mlp_params, mlp_forward, window_inputs, window_mlp_loss_and_grads
    from rnnlib.losses import accuracy
    from rnnlib.optim import train
    from rnnlib.tasks import delayed_echo

    window = check_positive("window", window, integer=True)
    delay = check_int("delay", delay, minimum=0)
    if delay >= 50:
        raise ValueError(f"delay must be below the 50 steps of each sequence; got {delay}")
    steps = check_positive("steps", steps, integer=True)
    seed = check_int("seed", seed, minimum=0)
    V = 5

    def step(params, i):
        xs, t = delayed_echo(50, 16, V, delay, seed=i)
        return window_mlp_loss_and_grads(params, xs, t, window)

    start = init_mlp_params(window * V, 32, V, seed=seed)
    params = train(start, step, steps=steps, lr=0.5, clip_norm=5.0).params
    xs, t = delayed_echo(50, 200, V, delay, seed=10_000)
    y, _ = mlp_forward(window_inputs(xs, window), params)
    return accuracy(y, t, from_step=delay)


def remember_first_accuracy(
    start: object,
    lag: int,
    *,
    seed: int,
    lr: float,
    steps: int = 300,
    clip_norm: float | None = 1.0,
    optimizer: str = "sgd",
    batch_size: int = 32,
    test_size: int = 500,
    test_seed: int = 123,
) -> float:
    """Chapters 6 and 7's experiment: can a network learn to recall over ``lag`` steps?

    Trains ``start`` (an RNN, LSTM or GRU) on :func:`rnnlib.remember_first` at this
    ``lag`` and returns its accuracy on ``test_size`` new sequences (chance is
    ``1/O``). The network's ``O`` outputs are the classes and its other ``D - O``
    input channels the distractors. Training batch ``i`` is drawn with seed
    ``seed * 10**6 + i``, so each ``seed`` is a separate run; every run is scored on
    the same test set (``test_seed``). Inputs are cast to the weights' dtype.
    """
    from rnnlib.losses import accuracy
    from rnnlib.models import cell_name, sequence_forward, sequence_loss_and_grads
    from rnnlib.optim import train
    from rnnlib.tasks import remember_first

    try:
        cell_name(start)
    except TypeError:
        raise TypeError(f"start must be an RNNParams, LSTMParams or GRUParams; got {type(start).__name__}") from None
    seed = check_int("seed", seed, minimum=0)
    test_seed = check_int("test_seed", test_seed, minimum=0)
    lag = check_int("lag", lag)
    batch_size = check_int("batch_size", batch_size)
    test_size = check_int("test_size", test_size)
    classes = start.output_size
    distractors = start.input_size - classes
    if distractors < 1:
        raise ValueError(
            "start must have more inputs than outputs (the D - O extra inputs are the distractors); "
            f"got D={start.input_size}, O={classes}"
        )
    dtype = start.dtype

    def task(size: int, task_seed: int) -> tuple[np.ndarray, np.ndarray]:
        xs, targets = remember_first(lag, size, classes, seed=task_seed, num_distractors=distractors)
        return xs.astype(dtype), targets

    def step(params: object, i: int) -> tuple[float, object]:
        xs, targets = task(batch_size, seed * 10**6 + i)
        loss, grads, _ = sequence_loss_and_grads(params, xs, targets, many_to_one=True)
        return loss, grads

    run = train(start, step, steps=steps, lr=lr, clip_norm=clip_norm, optimizer=optimizer)
    xs, targets = task(test_size, test_seed)
    ys, _ = sequence_forward(run.params, xs)
    return accuracy(ys[-1:], targets[None])


def train_delayed_echo(
    start: object,
    delay: int,
    *,
    seed: int,
    lr: float,
    steps: int,
    seq_len: int = 30,
    batch_size: int = 16,
    chunk: int | None = None,
    clip_norm: float | None = 1.0,
    optimizer: str = "adam",
) -> object:
    """Chapter 5's experiment: train an RNN to recall the token ``delay`` steps back.

    Each update draws a fresh batch of :func:`rnnlib.delayed_echo` sequences with
    seed ``seed * 10**6 + i``, so each ``seed`` is a separate run. With ``chunk``
    the gradient is truncated BPTT over chunks of that many steps
    (:func:`rnnlib.truncated_bptt_loss_and_grads`), else full BPTT. Returns the
    :class:`rnnlib.TrainingRun` (weights, losses, gradient norms).
    """
    from rnnlib.bptt import rnn_loss_and_grads, truncated_bptt_loss_and_grads
    from rnnlib.cell import RNNParams
    from rnnlib.optim import train
    from rnnlib.tasks import delayed_echo

    if not isinstance(start, RNNParams):
        raise TypeError(f"start must be an RNNParams; got {type(start).__name__}")
    seed = check_int("seed", seed, minimum=0)
    delay = check_int("delay", delay, minimum=0)
    seq_len = check_int("seq_len", seq_len)
    batch_size = check_int("batch_size", batch_size)
    if chunk is not None:
        chunk = check_positive("chunk", chunk, integer=True)
    vocab = start.input_size

    def step(params: object, i: int) -> tuple[float, object]:
        xs, targets = delayed_echo(seq_len, batch_size, vocab, delay, seed=seed * 10**6 + i)
        if chunk is None:
            return rnn_loss_and_grads(params, xs, targets)
        loss, grads, _ = truncated_bptt_loss_and_grads(params, xs, targets, chunk)
        return loss, grads

    return train(start, step, steps=steps, lr=lr, clip_norm=clip_norm, optimizer=optimizer)


def best_time(f: Callable[..., object], args: tuple = (), *, repeat: int = 3) -> float:
    """Seconds that ``f(*args)`` takes, the fastest of ``repeat`` calls: the timing figures'
    measure (chapters 9 and 10), the least disturbed by anything else the machine runs."""
    f = check_function("f", f)
    if not isinstance(args, tuple):
        raise TypeError(f"args must be a tuple of f's arguments; got {type(args).__name__}")
    repeat = check_int("repeat", repeat)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f(*args)
        times.append(time.perf_counter() - start)
    return min(times)
