"""A character-level language model: text in, text out (chapter 8).

The model reads one character at a time, as a one-hot vector, and outputs a
distribution over the next one; any of the three cells will do (see
:mod:`rnnlib.models`). A long text is cut into ``B`` contiguous streams read side by
side, and trained with truncated BPTT: chunks of ``T`` steps, the state carried from
one chunk to the next, the gradient not.

Losses are reported in **bits per character**: the cross-entropy in nats divided by
``ln 2``. A model that knows nothing but the letter frequencies (the *unigram*
model) scores about 4.6 bits on the shipped text (capitals and punctuation
included); one that always knew the next character would score 0.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from dataclasses import dataclass, fields
from importlib import resources

import numpy as np

from rnnlib._validate import as_array, as_generator, check_choice, check_int, check_number, check_positive
from rnnlib.embedding import dropout_mask, embedding_backward, fold_embedding
from rnnlib.gated import LSTMParams, lstm_forward, lstm_layer_backward
from rnnlib.losses import softmax, softmax_cross_entropy
from rnnlib.models import cell_name, final_state, sequence_forward, sequence_loss_and_grads
from rnnlib.optim import train
from rnnlib.tasks import one_hot

TEXTS = ("alice",)
LN2 = float(np.log(2.0))


def load_text(name: str = "alice") -> str:
    """A public-domain text shipped with rnnlib (source and status in ``rnnlib/data/README.md``).

    ``"alice"``: Lewis Carroll, *Alice's Adventures in Wonderland* (1865), Project
    Gutenberg eBook #11, 144,430 characters.
    """
    if name not in TEXTS:
        raise ValueError(f"name must be one of {TEXTS}; got {name!r}")
    return resources.files("rnnlib").joinpath("data", f"{name}.txt").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Vocabulary:
    """The characters a model knows, in a fixed order: character ``chars[k]`` is token ``k``."""

    chars: str

    def __post_init__(self) -> None:
        if not isinstance(self.chars, str) or not self.chars:
            raise ValueError(f"chars must be a non-empty string; got {self.chars!r}")
        if len(set(self.chars)) != len(self.chars):
            raise ValueError("chars must not repeat a character")

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """Every character that occurs in ``text``, sorted."""
        if not isinstance(text, str) or not text:
            raise ValueError(f"text must be a non-empty string; got {type(text).__name__} {text!r:.40}")
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        """``V``, the number of characters: the size of a one-hot input and of the output."""
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Characters -> token ids, an int64 array of ``len(text)``."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str; got {type(text).__name__}")
        index = {ch: k for k, ch in enumerate(self.chars)}
        unknown = sorted(set(text) - set(index))
        if unknown:
            raise ValueError(f"text contains characters that are not in the vocabulary: {''.join(unknown)!r}")
        return np.fromiter((index[ch] for ch in text), dtype=np.int64, count=len(text))

    def decode(self, ids: np.ndarray) -> str:
        """Token ids -> characters."""
        ids = as_array("ids", ids, ("N",), integer=True, below=self.size, allow_empty=True)
        return "".join(self.chars[k] for k in ids)


def bits_per_char(nats: float) -> float:
    """A cross-entropy per character in nats (what the loss reports) -> bits: ``nats / ln 2``."""
    return check_number("nats", nats, low=0.0) / LN2


def unigram_bits_per_char(train_ids: np.ndarray, eval_ids: np.ndarray, vocab_size: int) -> float:
    """Bits per character of the model that predicts every character from its frequency
    in ``train_ids`` alone, scored on ``eval_ids`` (add-one smoothing, so no character
    gets probability zero). The baseline a sequence model has to beat."""
    vocab_size = check_positive("vocab_size", vocab_size, integer=True)
    counts = np.bincount(_ids("train_ids", train_ids, vocab_size), minlength=vocab_size) + 1.0
    p = counts / counts.sum()
    return float(-np.mean(np.log2(p[_ids("eval_ids", eval_ids, vocab_size)])))


def _ids(name: str, ids: object, vocab_size: int | None = None, dims: tuple = ("N",)) -> np.ndarray:
    """Token ids, checked: integers in ``[0, vocab_size)`` (or just >= 0), as the platform's index type."""
    ids = as_array(name, ids, dims, integer=True, below=vocab_size)
    if vocab_size is None and ids.min() < 0:
        bad = np.argwhere(ids < 0)[0]
        raise ValueError(
            f"{name} must hold token ids >= 0; got {ids[tuple(bad)]} at index {tuple(int(i) for i in bad)}"
        )
    # The platform's index type: np.bincount refuses int64 where it is 32-bit (in a
    # browser, say). Every id is below vocab_size, so nothing is lost.
    return ids.astype(np.intp, copy=False)


def _check_streams(name: str, n_tokens: int, batch_size: int) -> None:
    """Raise unless ``n_tokens`` ids make ``batch_size`` streams of at least two tokens (an input and its target)."""
    if n_tokens // batch_size < 2:
        raise ValueError(
            f"{name} is too short for batch_size={batch_size}: {n_tokens} tokens give streams of "
            f"{n_tokens // batch_size}; it needs at least {2 * batch_size} tokens"
        )


def streams(ids: np.ndarray, batch_size: int) -> np.ndarray:
    """Cut a long text into ``batch_size`` contiguous streams, read side by side.

    Returns an array ``(N // B, B)``: column ``b`` is the ``b``-th slice of the text,
    in order, so consecutive chunks of rows continue each stream where the last
    stopped. The last ``N % B`` tokens are dropped.
    """
    ids = _ids("ids", ids)
    batch_size = check_positive("batch_size", batch_size, integer=True)
    _check_streams("ids", len(ids), batch_size)
    n = len(ids) // batch_size
    return ids[: n * batch_size].reshape(batch_size, n).T


def chunk(
    stream_ids: np.ndarray, start: int, length: int, vocab_size: int, *, dtype: type = np.float64
) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and next-character targets for rows ``start .. start + length`` of :func:`streams`.

    Returns ``(xs, targets)``: one-hot ``(T, B, V)`` and ids ``(T, B)`` with
    ``targets[t] = stream_ids[start + t + 1]``; ``T`` is shorter than ``length``
    at the end of the streams.
    """
    vocab_size = check_positive("vocab_size", vocab_size, integer=True)
    stream_ids = _ids("stream_ids", stream_ids, vocab_size, ("N", "B"))
    start = check_int("start", start, minimum=0)
    if not start < len(stream_ids) - 1:
        raise ValueError(f"start must lie in [0, {len(stream_ids) - 1}) for these streams; got {start!r}")
    length = check_positive("length", length, integer=True)
    ids, targets = _chunk_ids(stream_ids, start, length)
    return one_hot(ids, vocab_size).astype(dtype, copy=False), targets


def _chunk_ids(stream_ids: np.ndarray, start: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """The input ids and target ids ``(T, B)`` of :func:`chunk`, unchecked."""
    stop = min(start + length, len(stream_ids) - 1)
    return stream_ids[start:stop], stream_ids[start + 1 : stop + 1]


@dataclass(frozen=True, eq=False)
class LanguageModelRun:
    """What :func:`train_language_model` returns."""

    params: object  # the weights after the last step
    losses: np.ndarray  # training loss at every step, nats per character
    grad_norms: np.ndarray  # gradient norm at every step, before clipping
    eval_steps: np.ndarray  # the steps at which the held-out text was measured
    eval_bits: np.ndarray  # bits per character on the held-out text at those steps
    best_params: object  # the weights that scored best on the held-out text
    best_step: int
    eval_params: tuple = ()  # the weights at each of the eval_steps, in order


def train_language_model(
    params: object,
    train_ids: np.ndarray,
    *,
    steps: int,
    seq_len: int = 50,
    batch_size: int = 32,
    lr: float = 0.002,
    clip_norm: float | None = 5.0,
    optimizer: str = "adam",
    held_out: np.ndarray | None = None,
    eval_every: int = 500,
    lr_schedule: str = "constant",
    embedding: np.ndarray | None = None,
    input_dropout: float = 0.0,
    output_dropout: float = 0.0,
    seed: int | np.random.Generator | None = None,
) -> LanguageModelRun:
    """Truncated BPTT over a text with Adam and gradient clipping.

    The text is cut into ``batch_size`` :func:`streams`; step ``k`` trains on the next
    ``seq_len`` characters of every stream, starting from the state the previous
    step ended in (zeros at the start, and again whenever the streams wrap round).
    With ``held_out`` ids, the model is measured on them (:func:`evaluate_bits_per_char`)
    every ``eval_every`` steps and after the last, and the best weights are kept.
    ``lr_schedule`` is :func:`rnnlib.optim.scheduled_lr`'s.

    Regularisation, for an LSTM (what chapter 8's capstone model is trained with):

    - ``embedding``: a starting embedding ``E (V, D)`` (:func:`rnnlib.embedding.init_embedding`)
      for an LSTM whose ``input_size`` is ``D``; ``E`` is trained with the rest, and the
      weights returned are folded into a one-hot model (:func:`rnnlib.embedding.fold_embedding`),
      which every other function here reads.
    - ``input_dropout``, ``output_dropout``: variational dropout
      (:func:`rnnlib.embedding.dropout_mask`, one mask per stream and chunk) on the
      cell's inputs and on ``h_t`` where it enters the output layer, never on the
      recurrent connection; off when the held-out text is measured. The masks are
      drawn from ``seed``.

    Returns:
        A :class:`LanguageModelRun`; its ``losses`` are in nats per character
        (:func:`bits_per_char` converts them).
    """
    cell = cell_name(params)
    steps = check_positive("steps", steps, integer=True)
    seq_len = check_positive("seq_len", seq_len, integer=True)
    eval_every = check_positive("eval_every", eval_every, integer=True)
    batch_size = check_positive("batch_size", batch_size, integer=True)
    V = params.output_size
    train_ids = _ids("train_ids", train_ids, V)
    _check_streams("train_ids", len(train_ids), batch_size)
    data = streams(train_ids, batch_size)
    if held_out is not None:  # checked now, not after the training it would be measured at
        held_out = _ids("held_out", held_out, V)
        _check_streams("held_out", len(held_out), EVAL_BATCH)
    input_dropout = check_number("input_dropout", input_dropout, low=0.0, high=1.0, high_open=True)
    output_dropout = check_number("output_dropout", output_dropout, low=0.0, high=1.0, high_open=True)
    regularised = embedding is not None or input_dropout > 0 or output_dropout > 0
    if regularised and cell != "lstm":
        raise ValueError(f"embedding and dropout are implemented for the LSTM; params are a {cell.upper()}'s")
    if embedding is not None:
        embedding = as_array("embedding", embedding, (("V", V), ("D", params.input_size)))
    elif params.input_size != V:
        raise ValueError(
            f"params must read one-hot characters, input_size == output_size == {V}, or be given an embedding; "
            f"got input_size {params.input_size}"
        )
    if (input_dropout > 0 or output_dropout > 0) and seed is None:
        raise ValueError("seed must be given when dropout is on: it draws the dropout masks")
    rng = as_generator(seed) if seed is not None else None
    carry: dict[str, object] = {"state": None, "start": 0}
    evals: list[tuple[int, float, object]] = []

    def model(p: object) -> object:
        """The trained record as a one-hot model of the cell."""
        if not regularised:
            return p
        lstm = LSTMParams(**{k: v for k, v in p.items() if k != "E"})
        return lstm if embedding is None else fold_embedding(lstm, p["E"])

    def measure(p: object, step: int) -> None:
        if held_out is not None:
            folded = model(p)
            evals.append((step, evaluate_bits_per_char(folded, held_out), folded))

    def loss_and_grads(p: object, step: int) -> tuple[float, object]:
        if step > 0 and step % eval_every == 0:
            measure(p, step)  # the weights after `step` updates
        if carry["start"] >= len(data) - 1:
            carry["state"], carry["start"] = None, 0
        if regularised:
            loss, grads, carry["state"] = _dropout_loss_and_grads(
                p, data, carry["start"], seq_len, carry["state"], input_dropout, output_dropout, rng
            )
        else:
            xs, targets = chunk(data, carry["start"], seq_len, V, dtype=p.W_hy.dtype)
            loss, grads, carry["state"] = sequence_loss_and_grads(p, xs, targets, state=carry["state"])
        carry["start"] += seq_len
        return loss, grads

    start = params
    if regularised:
        start = {f.name: getattr(params, f.name) for f in fields(params)}
        if embedding is not None:
            start["E"] = embedding.astype(params.dtype)
    run = train(
        start, loss_and_grads, steps=steps, lr=lr, clip_norm=clip_norm, optimizer=optimizer, lr_schedule=lr_schedule
    )
    measure(run.params, steps)
    best = min(evals, key=lambda e: e[1]) if evals else (steps, np.nan, run.params)
    return LanguageModelRun(
        params=model(run.params),
        losses=run.losses,
        grad_norms=run.grad_norms,
        eval_steps=np.array([e[0] for e in evals], dtype=np.int64),
        eval_bits=np.array([e[1] for e in evals]),
        best_params=best[2],
        best_step=int(best[0]),
        eval_params=tuple(e[2] for e in evals),
    )


def _dropout_loss_and_grads(p, data, start, seq_len, state, input_dropout, output_dropout, rng):
    """One chunk of :func:`train_language_model` for an LSTM record ``p`` (a dict, with ``E``
    if it has an embedding), with variational dropout on the inputs and on ``h`` before
    the output layer: ``(loss, grads, final state)``."""
    E = p.get("E")
    lstm = LSTMParams(**{k: v for k, v in p.items() if k != "E"})
    dtype, V = lstm.dtype, lstm.output_size
    ids, targets = _chunk_ids(data, start, seq_len)
    T, B = ids.shape
    xs = E[ids] if E is not None else one_hot(ids, V).astype(dtype)
    m_in = dropout_mask((B, lstm.input_size), input_dropout, seed=rng, dtype=dtype)
    _, cache = lstm_forward(xs * m_in, lstm, *(state or ()))
    m_out = dropout_mask((B, lstm.hidden_size), output_dropout, seed=rng, dtype=dtype)
    hs = cache.hs * m_out
    loss, dys = softmax_cross_entropy(hs @ lstm.W_hy.T + lstm.b_y, targets)
    layer = lstm_layer_backward((dys @ lstm.W_hy) * m_out, cache)
    flat_dy = dys.reshape(T * B, V)
    grads = {
        "W_x": layer.W_x,
        "W_h": layer.W_h,
        "b": layer.b,
        "W_hy": flat_dy.T @ hs.reshape(T * B, -1),
        "b_y": flat_dy.sum(axis=0),
    }
    if E is not None:
        grads["E"] = embedding_backward(layer.xs * m_in, ids, V)
    return loss, grads, final_state(cache)


EVAL_BATCH = 16


def evaluate_bits_per_char(
    params: object, ids: np.ndarray, *, batch_size: int = EVAL_BATCH, seq_len: int = 200
) -> float:
    """Bits per character of the model on a held-out text, reading it as
    ``batch_size`` streams with the state carried across chunks (no training)."""
    cell_name(params)
    seq_len = check_positive("seq_len", seq_len, integer=True)
    V = params.output_size
    data = streams(_ids("ids", ids, V), batch_size)
    state, total, count = None, 0.0, 0
    for start in range(0, len(data) - 1, seq_len):
        xs, targets = chunk(data, start, seq_len, V, dtype=params.W_hy.dtype)
        ys, cache = sequence_forward(params, xs, state)
        loss, _ = softmax_cross_entropy(ys, targets)
        state = final_state(cache)
        total += loss * targets.size
        count += targets.size
    return bits_per_char(total / count)


def context_bits_per_char(params: object, ids: np.ndarray, context: int, positions: np.ndarray) -> float:
    """Bits per character at ``positions`` of a text of ids ``(N,)`` when each is
    predicted from the ``context`` characters just before it and nothing else.

    For every position ``t`` the model starts from the zero state, reads
    ``ids[t - context .. t - 1]`` and is scored on ``ids[t]``: how well it predicts
    from exactly that much context. All positions run side by side as one batch
    ``(context, P, V)``, one step at a time so that no cache of the whole batch is kept.
    The zero state in the middle of a text is something training never showed the
    model (except at the very start of its streams).
    """
    cell_name(params)
    context = check_positive("context", context, integer=True)
    V = params.output_size
    ids = _ids("ids", ids, V)
    positions = as_array("positions", positions, ("P",), integer=True, below=len(ids))
    if positions.min() < context:
        raise ValueError(
            f"positions must be >= context={context}, so that {context} characters precede each; got {positions.min()}"
        )
    windows = ids[positions[:, None] - context + np.arange(context + 1)]  # (P, context + 1): inputs, then the target
    state = None
    for t in range(context):
        xs = one_hot(windows[:, t : t + 1].T, V).astype(params.W_hy.dtype)  # (1, P, V)
        ys, cache = sequence_forward(params, xs, state)
        state = final_state(cache)
    loss, _ = softmax_cross_entropy(ys, windows[:, -1][None])
    return bits_per_char(loss)


def char_bits(params: object, ids: np.ndarray) -> np.ndarray:
    """``-log2 p(x_t | x_0 .. x_{t-1})`` for every character after the first of a text of
    ids ``(N,)``, read as one stream from the zero state: ``(N - 1,)`` bits, where entry
    ``t - 1`` is the model's surprise at ``ids[t]``.

    The first character has no prediction (the model has read nothing); compare with
    :func:`rnnlib.ngram.char_bits` at ``ids[1:]``.
    """
    cell_name(params)
    V = params.output_size
    ids = _ids("ids", ids, V)
    if len(ids) < 2:
        raise ValueError(f"ids must hold at least 2 characters, one to read and one to predict; got {len(ids)}")
    ys, _ = sequence_forward(params, one_hot(ids[:-1, None], V).astype(params.W_hy.dtype))  # (N - 1, 1, V)
    logits = ys[:, 0].astype(np.float64)
    logits -= logits.max(axis=1, keepdims=True)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(ids) - 1), ids[1:]] / np.log(2)


def temperature_softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(logits / temperature)`` over the last axis.

    Below 1 it sharpens the distribution towards the likeliest character; above 1
    it flattens it towards uniform; at 1 it is the model's own distribution.
    """
    temperature = check_positive("temperature", temperature)
    logits = as_array("logits", logits, None).astype(np.float64)
    if logits.ndim == 0:
        raise ValueError("logits must have at least one axis (the characters); got a scalar")
    return softmax(logits / temperature)


def sample(
    params: object,
    vocab: Vocabulary,
    prime: str,
    length: int,
    *,
    temperature: float = 1.0,
    seed: int | np.random.Generator,
) -> str:
    """Generate ``length`` characters after reading ``prime``.

    Each character is drawn from :func:`temperature_softmax` of the model's output
    and fed back as the next input. Returns the generated text (without the prime).
    """
    cell_name(params)
    _check_vocab(vocab, params)
    if not isinstance(prime, str):
        raise TypeError(f"prime must be a non-empty string to start from; got {type(prime).__name__}")
    if not prime:
        raise ValueError("prime must be a non-empty string to start from; got ''")
    length = check_positive("length", length, integer=True)
    temperature = check_positive("temperature", temperature)
    rng = as_generator(seed)
    ys, cache = sequence_forward(params, one_hot(_encode(vocab, "prime", prime), vocab.size)[:, None])
    state = final_state(cache)
    logits = ys[-1, 0]
    out = np.empty(length, dtype=np.int64)
    for k in range(length):
        out[k] = rng.choice(vocab.size, p=temperature_softmax(logits, temperature))
        ys, cache = sequence_forward(params, one_hot(out[k : k + 1], vocab.size)[:, None], state)
        state, logits = final_state(cache), ys[-1, 0]
    return vocab.decode(out)


def _check_vocab(vocab: object, params: object) -> None:
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a Vocabulary; got {type(vocab).__name__}")
    if vocab.size != params.output_size or vocab.size != params.input_size:
        raise ValueError(
            f"vocab has {vocab.size} characters but the model reads {params.input_size} and outputs "
            f"{params.output_size}: vocab must be the one the model was trained with"
        )


def _encode(vocab: Vocabulary, name: str, text: str) -> np.ndarray:
    """``vocab.encode(text)``, with a message that names the argument the text came from."""
    unknown = sorted(set(text) - set(vocab.chars))
    if unknown:
        raise ValueError(f"{name} contains characters that are not in the vocabulary: {''.join(unknown)!r}")
    return vocab.encode(text)


def hidden_activations(params: object, vocab: Vocabulary, text: str, *, state: str = "h") -> np.ndarray:
    """Every hidden unit's value at every character of ``text``: an array ``(len(text), H)``.

    ``state="h"`` gives the hidden state; for an LSTM, ``state="c"`` gives
    ``tanh(c_t)``, the cell state squashed into ``(-1, 1)`` (what the well-known
    pictures of character-level LSTMs colour).
    """
    cell_name(params)
    _check_vocab(vocab, params)
    check_choice("state", state, ("h", "c"))
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; got {type(text).__name__}")
    if not text:
        raise ValueError("text must not be empty")
    if state == "c" and cell_name(params) != "lstm":
        raise ValueError("state='c' needs an LSTM: only the LSTM has a cell state")
    _, cache = sequence_forward(params, one_hot(vocab.encode(text), vocab.size)[:, None])
    return (cache.hs if state == "h" else np.tanh(cache.cs))[:, 0]


def inside_quotes(text: str) -> np.ndarray:
    """1.0 at every character between an opening and a closing single quote, else 0.0.

    The shipped text quotes speech with ``'``, which also serves as the apostrophe.
    A quote opens where ``'`` follows a non-letter (``'Oh``), and closes where it
    comes before a non-letter (``dear!'``); an apostrophe inside a word (``Alice's``)
    does neither. The opening quote is counted as inside, the closing one is not.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string; got {type(text).__name__}")
    inside, flags = False, np.zeros(len(text))
    for k, ch in enumerate(text):
        before = text[k - 1] if k > 0 else " "
        after = text[k + 1] if k + 1 < len(text) else " "
        if ch == "'" and not inside and not before.isalpha():
            inside = True
        elif ch == "'" and inside and not after.isalpha():
            inside = False
        flags[k] = inside
    return flags


def unit_correlations(activations: np.ndarray, signal: np.ndarray) -> np.ndarray:
    """The correlation of each hidden unit with ``signal`` over the characters: ``(H,)``.

    ``activations`` is ``(N, H)`` (as from :func:`hidden_activations`), ``signal``
    ``(N,)``, a property of each character (1 inside a word, 0 outside, say). Each
    entry is Pearson's ``r`` in [-1, 1]; a unit that never changes has no
    correlation to measure and gets 0.
    """
    activations = as_array("activations", activations, ("N", "H"))
    signal = as_array("signal", signal, (("N", activations.shape[0]),))
    activations, signal = activations.astype(np.float64), signal.astype(np.float64)
    s = signal - signal.mean()
    if not np.any(s):
        raise ValueError("signal must vary: it has the same value at every character")
    a = activations - activations.mean(axis=0)
    # r does not change when a column is scaled; scaling each to at most 1 first keeps
    # the squares below from overflowing for huge values.
    s = s / np.abs(s).max()
    a = a / np.where(np.abs(a).max(axis=0) > 0, np.abs(a).max(axis=0), 1.0)
    spread = np.sqrt((a**2).sum(axis=0) * (s**2).sum())
    safe = np.where(spread > 0, spread, 1.0)
    return np.where(spread > 0, (a.T @ s) / safe, 0.0)


def split(ids: np.ndarray, held_out: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """The text's first ``1 - held_out`` for training and the rest, never trained on, for
    measuring: ``(train_ids, held_out_ids)``."""
    ids = _ids("ids", ids)
    held_out = check_number("held_out", held_out, low=0.0, high=1.0, low_open=True, high_open=True)
    cut = int(round(len(ids) * (1.0 - held_out)))
    return ids[:cut], ids[cut:]


def save_model(path: str, params: object, vocab: Vocabulary, **info: object) -> None:
    """Write a trained model, its vocabulary and ``info`` (how it was trained) to an ``.npz``.

    Each ``info`` value must be a string, a number, a bool, or a list or array of
    numbers: what :func:`load_model` can read back without running pickled code.
    """
    path = _check_path(path)
    cell = cell_name(params)
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a Vocabulary; got {type(vocab).__name__}")
    arrays = {f"param_{f.name}": np.asarray(getattr(params, f.name)) for f in fields(params)}
    meta = {}
    for key, value in info.items():
        arr = (
            np.asarray(value)
            if isinstance(value, (str, bool, int, float, list, tuple, np.ndarray, np.generic))
            else None
        )
        if arr is None or arr.dtype.kind not in "biufU":
            raise TypeError(
                f"{key} must be a string, a number, a bool, or a list or array of numbers, to be saved as info; "
                f"got {type(value).__name__}"
            )
        meta[f"info_{key}"] = arr
    np.savez_compressed(path, cell=np.asarray(cell), chars=np.asarray(vocab.chars), **arrays, **meta)


def _check_path(path: object) -> str:
    if not isinstance(path, (str, os.PathLike)) or isinstance(path, bytes):
        raise TypeError(f"path must be a file name (a str or a pathlib.Path); got {type(path).__name__}")
    return os.fspath(path)


def load_model(path: str | None = None) -> tuple[object, Vocabulary, dict[str, object]]:
    """Read a model written by :func:`save_model`: ``(params, vocab, info)``.

    With no ``path``, the model that ``make capstone`` trained and rnnlib ships
    (``rnnlib/data/alice_lstm.npz``).
    """
    from rnnlib.cell import RNNParams
    from rnnlib.gated import GRUParams, LSTMParams

    if path is not None:
        path = _check_path(path)
    shipped = resources.files("rnnlib").joinpath("data", "alice_lstm.npz")
    with resources.as_file(shipped) if path is None else nullcontext(path) as real, np.load(real) as data:
        cls = {"rnn": RNNParams, "lstm": LSTMParams, "gru": GRUParams}[str(data["cell"])]
        params = cls(**{k[len("param_") :]: data[k] for k in data.files if k.startswith("param_")})
        info = {k[len("info_") :]: data[k][()] for k in data.files if k.startswith("info_")}
        vocab = Vocabulary(str(data["chars"]))
    return params, vocab, {k: (v.item() if isinstance(v, np.generic) else v) for k, v in info.items()}
