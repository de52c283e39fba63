"""Beyond one layer (chapter 9): two directions, and batches of sequences of different lengths.

**Bidirectional RNN** (Schuster and Paliwal 1997). One cell reads the sequence forwards,
a second, with weights of its own, reads it backwards, and the output at step ``t``
sees both states:

    hf_t = tanh(W_xh_f x_t + W_hh_f hf_{t-1} + b_h_f)      t = 1..T, from the start
    hb_t = tanh(W_xh_b x_t + W_hh_b hb_{t+1} + b_h_b)      t = T..1, from the end
    y_t  = W_hy [hf_t; hb_t] + b_y                        W_hy (O, 2H)

so ``y_t`` depends on every input, before ``t`` and after it. The backward direction
is an ordinary RNN run over the reversed sequence, and its states reversed back.

**Padded batches.** Sequences of lengths ``n_b <= T`` share one ``(T, B, D)`` array: the
steps after ``n_b`` are padding. Two things keep the padding from changing any result:

* the loss scores only real positions (:func:`length_mask`, and the ``mask`` of
  :func:`rnnlib.softmax_cross_entropy`); a forward cell reaches the padding only after
  the real steps, so nothing flows from it into them;
* the backward direction reverses each sequence *within its own length*
  (:func:`reverse_padded`), so that it too reads the padding last. Reversing the
  whole array would make it read the padding first, and every state it carries
  into the real steps would depend on how much padding there was.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib._validate import as_array, as_generator, check_positive, store_fields
from rnnlib.bptt import rnn_layer_backward
from rnnlib.cell import RNNParams, init_rnn_params
from rnnlib.losses import softmax_cross_entropy
from rnnlib.unroll import RNNCache, rnn_forward


def length_mask(lengths: np.ndarray, steps: int) -> np.ndarray:
    """Booleans ``(steps, B)``: True at step ``t`` of example ``b`` when ``t < lengths[b]``."""
    steps = check_positive("steps", steps, integer=True)
    lengths = _check_lengths(lengths, steps)
    return np.arange(steps)[:, None] < lengths[None, :]


def reverse_padded(xs: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Each example's first ``lengths[b]`` steps in reverse order; its padding stays where it is.

    ``xs`` is time-major, ``(T, B, ...)``. Applying it twice gives ``xs`` back. With every
    length ``T``, it is ``xs[::-1]``.
    """
    xs = as_array("xs", xs, None)
    if xs.ndim < 2:
        raise ValueError(f"xs must be time-major, of shape (T, B, ...); got shape {xs.shape}")
    T, B = xs.shape[:2]
    lengths = _check_lengths(lengths, T, B)
    return xs[_reversed_steps(lengths, T), np.arange(B)]


def _reversed_steps(lengths: np.ndarray, T: int) -> np.ndarray:
    """Index ``(T, B)``: step ``t`` of example ``b`` is read from step ``n_b - 1 - t`` (``t < n_b``), else ``t``."""
    t = np.arange(T)[:, None]
    return np.where(t < lengths, lengths - 1 - t, t)


def _check_lengths(lengths: object, T: int, B: int | None = None) -> np.ndarray:
    dims = ("B",) if B is None else (("B", B),)
    lengths = as_array("lengths", lengths, dims, integer=True)
    if lengths.min() < 1 or lengths.max() > T:
        raise ValueError(
            f"lengths must be between 1 and the number of steps T = {T}; got values from {lengths.min()} to "
            f"{lengths.max()}"
        )
    return lengths.astype(np.intp)


@dataclass(frozen=True, eq=False)
class BiRNNParams:
    """A bidirectional RNN's weights: a forward cell (``_f``), a backward cell (``_b``),
    each ``W_xh (H, D)``, ``W_hh (H, H)``, ``b_h (H,)``, and one output layer over both
    states, ``W_hy (O, 2H)`` (forward half first) and ``b_y (O,)``."""

    W_xh_f: np.ndarray
    W_hh_f: np.ndarray
    b_h_f: np.ndarray
    W_xh_b: np.ndarray
    W_hh_b: np.ndarray
    b_h_b: np.ndarray
    W_hy: np.ndarray
    b_y: np.ndarray

    def __post_init__(self) -> None:
        W_xh_f = as_array("W_xh_f", self.W_xh_f, ("H", "D"))
        H, D = W_xh_f.shape
        checked = {"W_xh_f": W_xh_f}
        for name, dims in (
            ("W_hh_f", (("H", H), ("H", H))),
            ("b_h_f", (("H", H),)),
            ("W_xh_b", (("H", H), ("D", D))),
            ("W_hh_b", (("H", H), ("H", H))),
            ("b_h_b", (("H", H),)),
            ("W_hy", ("O", ("2H", 2 * H))),
        ):
            checked[name] = as_array(name, getattr(self, name), dims)
        checked["b_y"] = as_array("b_y", self.b_y, (("O", checked["W_hy"].shape[0]),))
        store_fields(self, **checked)

    @property
    def input_size(self) -> int:
        return self.W_xh_f.shape[1]

    @property
    def hidden_size(self) -> int:
        """``H``, the size of each direction's state."""
        return self.W_hh_f.shape[0]

    @property
    def output_size(self) -> int:
        return self.W_hy.shape[0]

    def num_parameters(self) -> int:
        """``2(H*D + H*H + H) + O*2H + O``: twice a cell, and an output layer twice as wide."""
        return sum(getattr(self, f).size for f in self.__dataclass_fields__)

    def direction(self, which: str) -> RNNParams:
        """The cell of one direction, ``"forward"`` or ``"backward"``, as an ``RNNParams``
        whose output layer is that direction's half of ``W_hy`` (and no bias)."""
        if which not in ("forward", "backward"):
            raise ValueError(f"which must be 'forward' or 'backward'; got {which!r}")
        s, H = which[0], self.hidden_size
        half = self.W_hy[:, :H] if s == "f" else self.W_hy[:, H:]
        return RNNParams(
            getattr(self, f"W_xh_{s}"),
            getattr(self, f"W_hh_{s}"),
            getattr(self, f"b_h_{s}"),
            half,
            np.zeros(self.output_size, dtype=self.W_hy.dtype),
        )


def init_birnn_params(
    input_size: int,
    hidden_size: int,
    output_size: int,
    *,
    seed: int | np.random.Generator,
    dtype: type = np.float64,
) -> BiRNNParams:
    """Random initial weights: each direction as :func:`rnnlib.init_rnn_params` draws a cell
    (``W_hh`` orthogonal), ``W_hy ~ N(0, 1/(2H))``, biases zero."""
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("output_size", output_size)):
        check_positive(name, value, integer=True)
    rng = as_generator(seed)
    cells = [
        init_rnn_params(input_size, hidden_size, 1, seed=rng, recurrent_init="orthogonal", dtype=dtype)
        for _ in range(2)
    ]
    H = cells[0].hidden_size
    W_hy = rng.normal(0.0, 1.0 / np.sqrt(2 * H), size=(output_size, 2 * H)).astype(dtype)
    f, b = cells
    return BiRNNParams(f.W_xh, f.W_hh, f.b_h, b.W_xh, b.W_hh, b.b_h, W_hy, np.zeros(output_size, dtype=dtype))


@dataclass(frozen=True, eq=False)
class BiRNNCache:
    """What :func:`birnn_backward` needs: each direction's :class:`RNNCache` (the backward
    one in reversed time) and the lengths it reversed by."""

    forward: RNNCache
    backward: RNNCache
    lengths: np.ndarray  # (B,)
    params: BiRNNParams

    @property
    def hs_forward(self) -> np.ndarray:
        """``hf_1..hf_T``, ``(T, B, H)``."""
        return self.forward.hs

    @property
    def hs_backward(self) -> np.ndarray:
        """``hb_1..hb_T`` in the order of the inputs, ``(T, B, H)``."""
        return reverse_padded(self.backward.hs, self.lengths)


@dataclass(frozen=True, eq=False)
class BiRNNGrads:
    """Gradients mirroring :class:`BiRNNParams`, and of the inputs ``xs`` (for a layer below)."""

    W_xh_f: np.ndarray
    W_hh_f: np.ndarray
    b_h_f: np.ndarray
    W_xh_b: np.ndarray
    W_hh_b: np.ndarray
    b_h_b: np.ndarray
    W_hy: np.ndarray
    b_y: np.ndarray
    xs: np.ndarray


def birnn_forward(
    xs: np.ndarray, params: BiRNNParams, lengths: np.ndarray | None = None
) -> tuple[np.ndarray, BiRNNCache]:
    """Run both directions over a batch and combine them at every step.

    Args:
        xs: inputs ``(T, B, D)``; steps at or after ``lengths[b]`` are padding.
        lengths: each example's number of real steps, ``(B,)``; all ``T`` if omitted.

    Returns:
        ``(ys, cache)``: outputs ``(T, B, O)`` before the output function (those at
        padded steps mean nothing), and what :func:`birnn_backward` needs.
    """
    params = _check_birnn(params)
    xs = as_array("xs", xs, ("T", "B", ("D", params.input_size)))
    T, B, _ = xs.shape
    lengths = np.full(B, T, dtype=np.intp) if lengths is None else _check_lengths(lengths, T, B)
    _, fwd = rnn_forward(xs, params.direction("forward"))
    _, bwd = rnn_forward(reverse_padded(xs, lengths), params.direction("backward"))
    cache = BiRNNCache(fwd, bwd, lengths, params)
    both = np.concatenate([cache.hs_forward, cache.hs_backward], axis=2)  # (T, B, 2H)
    return both @ params.W_hy.T + params.b_y, cache


def birnn_backward(dys: np.ndarray, cache: BiRNNCache) -> BiRNNGrads:
    """BPTT through both directions: the gradient of every weight and of the inputs.

    The output layer splits ``dL/dy_t`` into ``dL/dhf_t = W_hy_f^T dy_t`` and
    ``dL/dhb_t = W_hy_b^T dy_t``; each direction then runs its own BPTT
    (:func:`rnnlib.rnn_layer_backward`), the backward one in its reversed time; the
    inputs' gradient is the sum of both directions' (reversed back).
    """
    if not isinstance(cache, BiRNNCache):
        raise TypeError(f"cache must be the BiRNNCache returned by birnn_forward; got {type(cache).__name__}")
    p = cache.params
    T, B, H = cache.forward.hs.shape
    dys = as_array("dys", dys, (("T", T), ("B", B), ("O", p.output_size)))
    f = rnn_layer_backward(dys @ p.W_hy[:, :H], cache.forward)
    b = rnn_layer_backward(reverse_padded(dys @ p.W_hy[:, H:], cache.lengths), cache.backward)
    both = np.concatenate([cache.hs_forward, cache.hs_backward], axis=2).reshape(T * B, 2 * H)
    flat_dy = dys.reshape(T * B, -1)
    return BiRNNGrads(
        W_xh_f=f.W_xh,
        W_hh_f=f.W_hh,
        b_h_f=f.b_h,
        W_xh_b=b.W_xh,
        W_hh_b=b.W_hh,
        b_h_b=b.b_h,
        W_hy=flat_dy.T @ both,
        b_y=flat_dy.sum(axis=0),
        xs=f.xs + reverse_padded(b.xs, cache.lengths),
    )


def birnn_loss_and_grads(
    params: BiRNNParams,
    xs: np.ndarray,
    targets: np.ndarray,
    *,
    lengths: np.ndarray | None = None,
    mask: np.ndarray | None = None,
) -> tuple[float, BiRNNGrads]:
    """Forward, cross-entropy over the scored positions, backward.

    ``mask`` (booleans ``(T, B)``) picks the positions scored; by default, every real
    step, ``length_mask(lengths, T)``.
    """
    ys, cache = birnn_forward(xs, params, lengths)
    if mask is None:
        mask = length_mask(cache.lengths, ys.shape[0])
    loss, dys = softmax_cross_entropy(ys, targets, mask=mask)
    return loss, birnn_backward(dys, cache)


def _check_birnn(params: object) -> BiRNNParams:
    if not isinstance(params, BiRNNParams):
        raise TypeError(f"params must be a BiRNNParams (see init_birnn_params); got {type(params).__name__}")
    return params
