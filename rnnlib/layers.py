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

**Stacked RNN.** ``M`` cells, one above the other: layer 1 reads the inputs, layer
``l + 1`` reads the state sequence of layer ``l``, and the output layer reads the top
states. Each layer has its own weights, ``W_xh_l (H, D_l)``, ``W_hh_l (H, H)``,
``b_h_l (H,)`` (``D_1 = D``, else ``H``), and the output layer ``W_hy (O, H)``, ``b_y``;
the weights are a dict with those keys, so :func:`rnnlib.train` and Adam take them as
they are. Dropout (Zaremba et al. 2014) acts on the connections *between* layers and
into the output layer, a fresh mask at every step, and never on the recurrent ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib._validate import as_array, as_generator, check_number, check_positive, fields_of, store_fields
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


# ---------------------------------------------------------------- stacked layers


def init_stacked_params(
    input_size: int,
    hidden_size: int,
    output_size: int,
    *,
    layers: int,
    seed: int | np.random.Generator,
    dtype: type = np.float64,
) -> dict[str, np.ndarray]:
    """Random initial weights of ``layers`` stacked cells, each drawn as
    :func:`rnnlib.init_rnn_params` draws one (``W_hh`` orthogonal), and an output layer
    ``W_hy ~ N(0, 1/H)``: a dict with keys ``W_xh_1, W_hh_1, b_h_1, ..., W_hy, b_y``."""
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("output_size", output_size)):
        check_positive(name, value, integer=True)
    layers = check_positive("layers", layers, integer=True)
    rng = as_generator(seed)
    params: dict[str, np.ndarray] = {}
    for layer in range(1, layers + 1):
        D = input_size if layer == 1 else hidden_size
        cell = init_rnn_params(D, hidden_size, 1, seed=rng, recurrent_init="orthogonal", dtype=dtype)
        params.update({f"W_xh_{layer}": cell.W_xh, f"W_hh_{layer}": cell.W_hh, f"b_h_{layer}": cell.b_h})
    params["W_hy"] = rng.normal(0.0, 1.0 / np.sqrt(hidden_size), size=(output_size, hidden_size)).astype(dtype)
    params["b_y"] = np.zeros(output_size, dtype=dtype)
    return params


def stacked_layers(params: object) -> list[RNNParams]:
    """The cells of a stacked RNN, bottom first, each as an ``RNNParams`` whose output
    layer is a zero ``(1, H)`` placeholder (only the top state reaches ``W_hy``)."""
    values = fields_of(params, "params")
    L = 0
    while f"W_xh_{L + 1}" in values:
        L += 1
    expected = {f"{w}_{layer}" for layer in range(1, L + 1) for w in ("W_xh", "W_hh", "b_h")} | {"W_hy", "b_y"}
    if L == 0 or set(values) != expected:
        raise ValueError(
            "params must be a stacked RNN's weights (see init_stacked_params): keys W_xh_l, W_hh_l, b_h_l for "
            f"l = 1..M, W_hy and b_y; got keys {sorted(values)}"
        )
    cells = []
    for layer in range(1, L + 1):
        W_xh = as_array(f"params['W_xh_{layer}']", values[f"W_xh_{layer}"], ("H", "D"))
        if layer > 1 and W_xh.shape[1] != cells[-1].hidden_size:
            raise ValueError(
                f"params['W_xh_{layer}'] must read the {cells[-1].hidden_size} states of layer {layer - 1}: "
                f"shape ({W_xh.shape[0]}, {cells[-1].hidden_size}); got {W_xh.shape}"
            )
        H = W_xh.shape[0]
        cells.append(
            RNNParams(
                W_xh,
                as_array(f"params['W_hh_{layer}']", values[f"W_hh_{layer}"], (("H", H), ("H", H))),
                as_array(f"params['b_h_{layer}']", values[f"b_h_{layer}"], (("H", H),)),
                np.zeros((1, H), dtype=W_xh.dtype),
                np.zeros(1, dtype=W_xh.dtype),
            )
        )
    H = cells[-1].hidden_size
    as_array("params['W_hy']", values["W_hy"], ("O", ("H", H)))
    as_array("params['b_y']", values["b_y"], (("O", np.shape(values["W_hy"])[0]),))
    return cells


@dataclass(frozen=True, eq=False)
class StackedCache:
    """What :func:`stacked_backward` needs: each layer's :class:`RNNCache` and the dropout
    mask applied to its states on the way up (``None`` without dropout)."""

    layers: tuple[RNNCache, ...]
    masks: tuple[np.ndarray | None, ...]
    top: np.ndarray  # (T, B, H): the top states as the output layer read them
    params: dict

    @property
    def final_states(self) -> tuple[np.ndarray, ...]:
        """Each layer's last state ``h_T``, bottom first: the ``states`` to carry into the next chunk."""
        return tuple(c.hs[-1] for c in self.layers)


def stacked_forward(
    xs: np.ndarray,
    params: dict,
    states: tuple[np.ndarray, ...] | None = None,
    *,
    dropout: float = 0.0,
    seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, StackedCache]:
    """Run the stack over a batch: each layer over the whole sequence, then the next.

    Args:
        xs: inputs ``(T, B, D)``.
        states: each layer's initial state ``(B, H)``, bottom first; zeros if omitted.
        dropout: the probability of dropping each state on its way up to the next layer
            or to the output layer (0 while measuring); masks are drawn from ``seed``.

    Returns:
        ``(ys, cache)``: outputs ``(T, B, O)`` before the output function, and the cache.
    """
    cells = stacked_layers(params)
    dropout = check_number("dropout", dropout, low=0.0, high=1.0, high_open=True)
    if dropout > 0 and seed is None:
        raise ValueError("seed must be given when dropout is on: it draws the dropout masks")
    rng = as_generator(seed) if dropout > 0 else None
    xs = as_array("xs", xs, ("T", "B", ("D", cells[0].input_size)))
    if states is not None and (not isinstance(states, (tuple, list)) or len(states) != len(cells)):
        raise ValueError(f"states must be a tuple of {len(cells)} arrays (B, H), one per layer; got {states!r:.60}")
    caches, masks, below = [], [], xs
    for layer, cell in enumerate(cells):
        h0 = (
            None
            if states is None
            else as_array(f"states[{layer}]", states[layer], (("B", xs.shape[1]), ("H", cell.hidden_size)))
        )
        _, cache = rnn_forward(below, cell, h0)
        mask = None
        below = cache.hs
        if rng is not None:
            mask = (rng.random(below.shape) >= dropout) / (1.0 - dropout)
            below = below * mask
        caches.append(cache)
        masks.append(mask)
    ys = below @ np.asarray(params["W_hy"]).T + params["b_y"]
    return ys, StackedCache(tuple(caches), tuple(masks), below, dict(params))


def stacked_backward(dys: np.ndarray, cache: StackedCache) -> dict[str, np.ndarray]:
    """BPTT through the stack, top layer first: the output layer gives ``dL/dh_t`` of the
    top layer; each layer's BPTT (:func:`rnnlib.rnn_layer_backward`) returns the
    gradient of its inputs, which is ``dL/dh_t`` of the layer below (through its
    dropout mask). Returns a dict with a gradient for every key of the weights."""
    if not isinstance(cache, StackedCache):
        raise TypeError(f"cache must be the StackedCache returned by stacked_forward; got {type(cache).__name__}")
    p = cache.params
    T, B, H = cache.top.shape
    dys = as_array("dys", dys, (("T", T), ("B", B), ("O", p["W_hy"].shape[0])))
    flat_dy = dys.reshape(T * B, -1)
    grads = {"W_hy": flat_dy.T @ cache.top.reshape(T * B, H), "b_y": flat_dy.sum(axis=0)}
    dhs = dys @ p["W_hy"]
    for layer in range(len(cache.layers), 0, -1):
        if cache.masks[layer - 1] is not None:
            dhs = dhs * cache.masks[layer - 1]
        g = rnn_layer_backward(dhs, cache.layers[layer - 1])
        grads.update({f"W_xh_{layer}": g.W_xh, f"W_hh_{layer}": g.W_hh, f"b_h_{layer}": g.b_h})
        dhs = g.xs
    return {name: grads[name] for name in p}


def stacked_loss_and_grads(
    params: dict,
    xs: np.ndarray,
    targets: np.ndarray,
    states: tuple[np.ndarray, ...] | None = None,
    *,
    dropout: float = 0.0,
    seed: int | np.random.Generator | None = None,
) -> tuple[float, dict[str, np.ndarray], tuple[np.ndarray, ...]]:
    """Forward, cross-entropy at every step, backward: ``(loss, grads, final_states)``,
    the last to carry into the next chunk of a stream (truncated BPTT)."""
    ys, cache = stacked_forward(xs, params, states, dropout=dropout, seed=seed)
    loss, dys = softmax_cross_entropy(ys, targets)
    return loss, stacked_backward(dys, cache), cache.final_states
