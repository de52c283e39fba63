"""Counting instead of learning: a character n-gram model with interpolated Kneser–Ney smoothing (chapter 8).

An n-gram model predicts each character from the ``n - 1`` characters before it
(its *context* ``u``) by counting, in the training text, what followed that context.
Counts alone give probability zero to anything not seen, so the estimate of every
order ``k`` is *interpolated* with the one of order ``k - 1`` (the context shortened
by its oldest character), down to the uniform distribution over the ``V`` characters
(Kneser and Ney 1995; the interpolated form and one discount per order as in Chen and
Goodman 1999):

    p_k(s | u) = max(N_k(u s) - beta_k, 0) / N_k(u .)  +  beta_k N1_k(u .) / N_k(u .) * p_{k-1}(s | u')
    p_0(s)     = 1 / V

where ``u'`` is ``u`` without its first character, ``N_k(u .) = sum_s N_k(u s)``,
``N1_k(u .)`` is the number of characters ``s`` with ``N_k(u s) > 0``, and a context
never seen (``N_k(u .) = 0``) passes ``p_{k-1}`` on unchanged (chapter 8 writes
``N1`` as ``N_{1+}`` and ``beta`` as the Greek letter). At the top order
``N_n`` is the plain count; below it ``N_k(u s)`` is the *continuation count*, the
number of different characters seen just before ``u s``: a lower order is only
consulted when the longer context says little, so it should say how many contexts a
string completes, not how often it occurs. The discount of each order is
``beta_k = n_1 / (n_1 + 2 n_2)``, with ``n_1`` and ``n_2`` the numbers of ``k``-grams
whose (continuation) count is 1 and 2; an order with no count of 1, which only a
tiny or very repetitive text gives, uses ``beta_k = 1/2``. Since ``0 < beta_k <= 1``,
every character gets a probability above zero and every distribution sums to 1.

The text is preceded by ``n - 1`` copies of a *before-text* symbol (token ``V``),
so the first characters are predicted from contexts that say "the text starts
here"; :func:`char_bits` reads a held-out text the same way.

Contexts are counted as integers: a ``k``-gram of tokens in ``[0, V]`` is the number
it spells in base ``V + 1``, so sorting, ``np.unique`` and ``np.searchsorted`` do all
the counting and looking up, with no loop over the characters. The largest order is
the longest ``k``-gram that fits in 64 bits (:func:`max_order`: 10 for 71 characters).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib._validate import as_array, check_int, check_positive

SMALL_TEXT_DISCOUNT = 0.5  # beta_k for an order that has no count of 1


def max_order(vocab_size: int) -> int:
    """The largest order :func:`fit` takes for ``vocab_size`` characters: the longest
    ``k``-gram over ``vocab_size + 1`` symbols (the characters and the before-text
    symbol) whose number in base ``vocab_size + 1`` fits in a signed 64-bit integer."""
    base = check_positive("vocab_size", vocab_size, integer=True) + 1
    order = 0
    while base ** (order + 1) <= 2**63:  # keys go up to base**order - 1 <= 2**63 - 1
        order += 1
    return order


@dataclass(frozen=True, eq=False)
class NGramModel:
    """What :func:`fit` returns: the counts of every order ``k = 1 .. order``.

    Entry ``k - 1`` of each tuple belongs to order ``k``: ``grams`` the sorted keys of
    the ``k``-grams seen, ``counts`` their ``N_k`` (plain counts at the top order,
    continuation counts below), ``contexts`` the sorted keys of their contexts, with
    ``totals`` ``N_k(u .)`` and ``types`` ``N1_k(u .)``; ``discounts[k - 1]`` is ``beta_k``.
    """

    order: int
    vocab_size: int
    discounts: np.ndarray
    grams: tuple[np.ndarray, ...]
    counts: tuple[np.ndarray, ...]
    contexts: tuple[np.ndarray, ...]
    totals: tuple[np.ndarray, ...]
    types: tuple[np.ndarray, ...]

    @property
    def before_text(self) -> int:
        """The token that stands for "before the text": ``vocab_size``, never predicted."""
        return self.vocab_size


def _discount(counts: np.ndarray) -> float:
    """``D = n_1 / (n_1 + 2 n_2)``, or :data:`SMALL_TEXT_DISCOUNT` without a count of 1."""
    n1, n2 = int(np.sum(counts == 1)), int(np.sum(counts == 2))
    return n1 / (n1 + 2 * n2) if n1 else SMALL_TEXT_DISCOUNT


def fit(ids: np.ndarray, vocab_size: int, order: int) -> NGramModel:
    """Count a text of token ids ``(N,)`` in ``[0, vocab_size)`` for an interpolated
    Kneser–Ney model of ``order`` (it predicts from ``order - 1`` characters).

    ``order = 1`` is the unigram model: character frequencies, smoothed towards uniform.
    """
    vocab_size = check_positive("vocab_size", vocab_size, integer=True)
    ids = as_array("ids", ids, ("N",), integer=True, below=vocab_size).astype(np.int64)
    order = check_int("order", order)
    if order > max_order(vocab_size):
        raise ValueError(
            f"order must be at most {max_order(vocab_size)} for vocab_size={vocab_size} "
            f"(the longest n-gram rnnlib packs into 64 bits); got {order}"
        )
    base = vocab_size + 1
    windows = _windows(ids, order, vocab_size)
    # The top order: every position's n-gram, counted.
    grams, counts = np.unique(_keys(windows, order, base), return_counts=True)
    levels = [(grams, counts)]
    for k in range(order - 1, 0, -1):
        # N_k(u s): how many different (k+1)-grams x u s there are, i.e. how many
        # characters x were seen before u s. The suffix of a key is its remainder.
        grams, counts = np.unique(levels[0][0] % base**k, return_counts=True)
        levels.insert(0, (grams, counts))
    contexts, totals, types = [], [], []
    for grams, counts in levels:
        # The keys are sorted, so the grams of one context h = key // base sit together.
        ctx, first, n_types = np.unique(grams // base, return_index=True, return_counts=True)
        contexts.append(ctx)
        totals.append(np.add.reduceat(counts, first))
        types.append(n_types)
    return NGramModel(
        order=order,
        vocab_size=vocab_size,
        discounts=np.array([_discount(counts) for _, counts in levels]),
        grams=tuple(g for g, _ in levels),
        counts=tuple(c for _, c in levels),
        contexts=tuple(contexts),
        totals=tuple(totals),
        types=tuple(types),
    )


def _windows(ids: np.ndarray, order: int, before_text: int) -> np.ndarray:
    """``(N, order)``: row ``i`` is ``ids[i]`` (last column) after the ``order - 1``
    tokens before it, the before-text symbol standing in where the text has none."""
    padded = np.concatenate([np.full(order - 1, before_text, dtype=np.int64), ids])
    return np.lib.stride_tricks.sliding_window_view(padded, order)


def _keys(windows: np.ndarray, k: int, base: int) -> np.ndarray:
    """The keys of the ``k``-grams that end each row of ``windows``: their last ``k`` tokens in base ``base``."""
    key = np.zeros(len(windows), dtype=np.int64)
    for column in range(windows.shape[1] - k, windows.shape[1]):
        key = key * base + windows[:, column]
    return key


def _lookup(sorted_keys: np.ndarray, keys: np.ndarray, *values: np.ndarray) -> list[np.ndarray]:
    """For each of ``keys``, the entries of ``values`` at its place in ``sorted_keys`` (0 where it is absent)."""
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    found = sorted_keys[at] == keys
    return [np.where(found, v[at], 0) for v in values]


def _probabilities(model: NGramModel, windows: np.ndarray) -> np.ndarray:
    """``p_n(w | h)`` for each row of ``windows`` ``(M, order)``: the context ``h``, then ``w``."""
    base = model.vocab_size + 1
    p = np.full(len(windows), 1.0 / model.vocab_size)  # p_0, uniform
    key = np.zeros(len(windows), dtype=np.int64)
    for k in range(1, model.order + 1):
        key = windows[:, model.order - k] * base ** (k - 1) + key  # the k-gram u s
        (c,) = _lookup(model.grams[k - 1], key, model.counts[k - 1])
        total, types = _lookup(model.contexts[k - 1], key // base, model.totals[k - 1], model.types[k - 1])
        D = model.discounts[k - 1]
        seen = total > 0
        p = np.where(seen, (np.maximum(c - D, 0.0) + D * types * p) / np.where(seen, total, 1), p)
    return p


def _check_model(model: object) -> NGramModel:
    if not isinstance(model, NGramModel):
        raise TypeError(f"model must be an NGramModel (from ngram.fit); got {type(model).__name__}")
    return model


def distribution(model: NGramModel, context: np.ndarray) -> np.ndarray:
    """``p(w | context)`` for every character ``w``: an array ``(V,)`` that sums to 1.

    ``context`` holds the ids of the text so far, from its start (it may be empty:
    the distribution of the first character); only its last ``order - 1`` are read.
    A context shorter than that is the start of a text.
    """
    model = _check_model(model)
    if isinstance(context, (list, tuple)) and len(context) == 0:
        context = np.zeros(0, dtype=np.int64)
    context = as_array("context", context, ("N",), integer=True, below=model.vocab_size, allow_empty=True)
    n, V = model.order, model.vocab_size
    padded = np.concatenate([np.full(n - 1, model.before_text, dtype=np.int64), context.astype(np.int64)])
    h = padded[len(padded) - (n - 1) :]  # the last n - 1 tokens
    windows = np.concatenate([np.broadcast_to(h, (V, n - 1)), np.arange(V, dtype=np.int64)[:, None]], axis=1)
    return _probabilities(model, windows)


def char_bits(model: NGramModel, ids: np.ndarray) -> np.ndarray:
    """``-log2 p(x_t | x_{<t})`` at every character of a text of ids ``(N,)``: ``(N,)`` bits.

    The text is read from its start, as :func:`fit` read the training text.
    """
    model = _check_model(model)
    ids = as_array("ids", ids, ("N",), integer=True, below=model.vocab_size).astype(np.int64)
    return -np.log2(_probabilities(model, _windows(ids, model.order, model.before_text)))


def bits_per_char(model: NGramModel, ids: np.ndarray) -> float:
    """The mean of :func:`char_bits` over a text of ids ``(N,)``: the cross-entropy in bits per character."""
    return float(np.mean(char_bits(model, ids)))
