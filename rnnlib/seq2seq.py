"""Sequence to sequence (chapter 9): an encoder reads the input, a decoder writes the output.

An encoder RNN reads ``x_1..x_S`` and hands its last state to a decoder RNN as the
decoder's initial state; the decoder then writes one symbol at a time, scored by
``y_1..y_T`` (Sutskever et al. 2014; Cho et al. 2014):

    he_s = tanh(W_xh_e x_s + W_hh_e he_{s-1} + b_h_e)      s = 1..S, he_0 = 0
    hd_0 = he_S
    hd_t = tanh(W_xh_d u_t + W_hh_d hd_{t-1} + b_h_d)      t = 1..T
    y_t  = W_hy hd_t + b_y

The decoder's input ``u_t`` is the symbol written at step ``t - 1`` (a start symbol,
``GO``, at ``t = 1``). While training, ``u_t`` is the *correct* symbol, not the
decoder's own guess (**teacher forcing**, :func:`teacher_forced_inputs`), so every
step is trained on a correct history and the loss is one pass of ordinary BPTT.
Decoding a new input (:func:`decode`) feeds back the decoder's own choices, which it
never saw while training: the gap between the two is *exposure bias*.

Everything the decoder knows about the input passes through ``he_S``, ``H`` numbers
however long the input is: the fixed-size *bottleneck* that attention (Bahdanau et
al. 2015) removes by letting every decoder step read every encoder state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib._validate import as_array, as_generator, check_positive, store_fields
from rnnlib.bptt import rnn_backward, rnn_layer_backward
from rnnlib.cell import RNNParams, init_rnn_params
from rnnlib.losses import softmax_cross_entropy
from rnnlib.tasks import one_hot
from rnnlib.unroll import RNNCache, rnn_forward


@dataclass(frozen=True, eq=False)
class Seq2SeqParams:
    """An encoder cell (``_e``: ``W_xh_e (H, D)``, ``W_hh_e (H, H)``, ``b_h_e (H,)``) and a
    decoder cell with its output layer (``_d``: ``W_xh_d (H, O + 1)``, which reads the
    ``O`` output symbols and ``GO``, ``W_hh_d (H, H)``, ``b_h_d (H,)``; ``W_hy (O, H)``,
    ``b_y (O,)``)."""

    W_xh_e: np.ndarray
    W_hh_e: np.ndarray
    b_h_e: np.ndarray
    W_xh_d: np.ndarray
    W_hh_d: np.ndarray
    b_h_d: np.ndarray
    W_hy: np.ndarray
    b_y: np.ndarray

    def __post_init__(self) -> None:
        W_xh_e = as_array("W_xh_e", self.W_xh_e, ("H", "D"))
        H = W_xh_e.shape[0]
        checked = {"W_xh_e": W_xh_e}
        checked["W_hy"] = as_array("W_hy", self.W_hy, ("O", ("H", H)))
        O = checked["W_hy"].shape[0]
        for name, dims in (
            ("W_hh_e", (("H", H), ("H", H))),
            ("b_h_e", (("H", H),)),
            ("W_xh_d", (("H", H), ("O + 1", O + 1))),
            ("W_hh_d", (("H", H), ("H", H))),
            ("b_h_d", (("H", H),)),
            ("b_y", (("O", O),)),
        ):
            checked[name] = as_array(name, getattr(self, name), dims)
        store_fields(self, **checked)

    @property
    def input_size(self) -> int:
        """``D``, the size of one input vector of the encoder."""
        return self.W_xh_e.shape[1]

    @property
    def hidden_size(self) -> int:
        """``H``, the size of both states, and of the bottleneck between them."""
        return self.W_hh_e.shape[0]

    @property
    def output_size(self) -> int:
        """``O``, the number of output symbols (``GO`` is symbol ``O`` of the decoder's input)."""
        return self.W_hy.shape[0]

    def encoder(self) -> RNNParams:
        """The encoder cell as an ``RNNParams`` with a zero ``(1, H)`` output layer (it has none)."""
        H, dtype = self.hidden_size, self.W_hh_e.dtype
        return RNNParams(self.W_xh_e, self.W_hh_e, self.b_h_e, np.zeros((1, H), dtype), np.zeros(1, dtype))

    def decoder(self) -> RNNParams:
        """The decoder cell and the output layer as an ``RNNParams``."""
        return RNNParams(self.W_xh_d, self.W_hh_d, self.b_h_d, self.W_hy, self.b_y)


def init_seq2seq_params(
    input_size: int, hidden_size: int, output_size: int, *, seed: int | np.random.Generator, dtype: type = np.float64
) -> Seq2SeqParams:
    """Random initial weights, each cell as :func:`rnnlib.init_rnn_params` draws one
    (``W_hh`` orthogonal); the decoder reads ``output_size + 1`` symbols (``GO`` last)."""
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("output_size", output_size)):
        check_positive(name, value, integer=True)
    rng = as_generator(seed)
    e = init_rnn_params(input_size, hidden_size, 1, seed=rng, recurrent_init="orthogonal", dtype=dtype)
    d = init_rnn_params(output_size + 1, hidden_size, output_size, seed=rng, recurrent_init="orthogonal", dtype=dtype)
    return Seq2SeqParams(e.W_xh, e.W_hh, e.b_h, d.W_xh, d.W_hh, d.b_h, d.W_hy, d.b_y)


def teacher_forced_inputs(targets: np.ndarray, output_size: int, *, dtype: type = np.float64) -> np.ndarray:
    """The decoder's inputs under teacher forcing: ``GO`` at step 1, then the correct
    symbol of the step before, one-hot ``(T, B, O + 1)`` for targets ``(T, B)``."""
    output_size = check_positive("output_size", output_size, integer=True)
    targets = as_array("targets", targets, ("T", "B"), integer=True, below=output_size)
    previous = np.concatenate([np.full((1, targets.shape[1]), output_size), targets[:-1]])
    return one_hot(previous, output_size + 1).astype(dtype, copy=False)


@dataclass(frozen=True, eq=False)
class Seq2SeqCache:
    """The encoder's and the decoder's :class:`RNNCache`."""

    encoder: RNNCache
    decoder: RNNCache
    params: Seq2SeqParams


@dataclass(frozen=True, eq=False)
class Seq2SeqGrads:
    """Gradients mirroring :class:`Seq2SeqParams`."""

    W_xh_e: np.ndarray
    W_hh_e: np.ndarray
    b_h_e: np.ndarray
    W_xh_d: np.ndarray
    W_hh_d: np.ndarray
    b_h_d: np.ndarray
    W_hy: np.ndarray
    b_y: np.ndarray


def _check_seq2seq(params: object) -> Seq2SeqParams:
    if not isinstance(params, Seq2SeqParams):
        raise TypeError(f"params must be a Seq2SeqParams (see init_seq2seq_params); got {type(params).__name__}")
    return params


def seq2seq_forward(
    xs: np.ndarray, decoder_inputs: np.ndarray, params: Seq2SeqParams
) -> tuple[np.ndarray, Seq2SeqCache]:
    """Encode ``xs (S, B, D)``, then run the decoder over ``decoder_inputs (T, B, O + 1)``
    from the encoder's last state. Returns the logits ``(T, B, O)`` and the cache."""
    params = _check_seq2seq(params)
    xs = as_array("xs", xs, ("S", "B", ("D", params.input_size)))
    B = xs.shape[1]
    decoder_inputs = as_array("decoder_inputs", decoder_inputs, ("T", ("B", B), ("O + 1", params.output_size + 1)))
    _, enc = rnn_forward(xs, params.encoder())
    ys, dec = rnn_forward(decoder_inputs, params.decoder(), enc.hs[-1])
    return ys, Seq2SeqCache(enc, dec, params)


def seq2seq_backward(dys: np.ndarray, cache: Seq2SeqCache) -> Seq2SeqGrads:
    """BPTT through the decoder (:func:`rnnlib.rnn_backward`), whose gradient of ``hd_0``
    is the only gradient that reaches the encoder: ``dL/dhe_S``, at its last step
    (:func:`rnnlib.rnn_layer_backward`)."""
    if not isinstance(cache, Seq2SeqCache):
        raise TypeError(f"cache must be the Seq2SeqCache returned by seq2seq_forward; got {type(cache).__name__}")
    T, B, _ = cache.decoder.hs.shape
    dys = as_array("dys", dys, (("T", T), ("B", B), ("O", cache.params.output_size)))
    d = rnn_backward(dys, cache.decoder)
    dhs = np.zeros_like(cache.encoder.hs)
    dhs[-1] = d.h0
    e = rnn_layer_backward(dhs, cache.encoder)
    return Seq2SeqGrads(e.W_xh, e.W_hh, e.b_h, d.W_xh, d.W_hh, d.b_h, d.W_hy, d.b_y)


def seq2seq_loss_and_grads(params: Seq2SeqParams, xs: np.ndarray, targets: np.ndarray) -> tuple[float, Seq2SeqGrads]:
    """Teacher-forced cross-entropy over every output step, and its gradients."""
    params = _check_seq2seq(params)
    xs = as_array("xs", xs, ("S", "B", ("D", params.input_size)))
    targets = as_array("targets", targets, ("T", ("B", xs.shape[1])), integer=True, below=params.output_size)
    inputs = teacher_forced_inputs(targets, params.output_size, dtype=params.W_hh_d.dtype)
    ys, cache = seq2seq_forward(xs, inputs, params)
    loss, dys = softmax_cross_entropy(ys, targets)
    return loss, seq2seq_backward(dys, cache)


def decode(params: Seq2SeqParams, xs: np.ndarray, steps: int, *, targets: np.ndarray | None = None) -> np.ndarray:
    """The decoder's likeliest symbol at each of ``steps`` steps, ``(steps, B)``.

    Free-running (``targets`` omitted): each chosen symbol is the next step's input, as
    when the model meets a new input. With ``targets (steps, B)``, teacher-forced: the
    inputs are the correct symbols, as in training, and only the choices are returned.
    """
    params = _check_seq2seq(params)
    steps = check_positive("steps", steps, integer=True)
    xs = as_array("xs", xs, ("S", "B", ("D", params.input_size)))
    if targets is not None:
        targets = as_array(
            "targets", targets, (("T", steps), ("B", xs.shape[1])), integer=True, below=params.output_size
        )
        ys, _ = seq2seq_forward(xs, teacher_forced_inputs(targets, params.output_size), params)
        return ys.argmax(axis=-1)
    _, enc = rnn_forward(xs, params.encoder())
    h = enc.hs[-1]
    B, O = xs.shape[1], params.output_size
    symbol = np.full(B, O)
    eye = np.eye(O + 1, dtype=h.dtype)
    out = np.empty((steps, B), dtype=np.int64)
    for t in range(steps):
        h = np.tanh(eye[symbol] @ params.W_xh_d.T + h @ params.W_hh_d.T + params.b_h_d)
        symbol = (h @ params.W_hy.T + params.b_y).argmax(axis=-1)
        out[t] = symbol
    return out
