"""The checkers of chapter 8's exercises."""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from rnnlib._validate import fields_of, with_fields
from rnnlib.exercises._common import (
    CheckResult,
    _as_number,
    _as_result_array,
    _call,
    _call_for_array,
    _first_difference,
    _not_done,
    _ok,
    _wrong,
)
from rnnlib.losses import softmax


def check_unigram_bits(unigram_bits: Callable) -> CheckResult:
    """Exercise 8.1: ``unigram_bits(counts)`` returns the entropy in bits,
    ``-sum_k p_k log2 p_k`` with ``p = counts / counts.sum()``, skipping characters
    that never occur."""
    ex = "Exercise 8.1"
    for counts in (np.array([5, 5]), np.array([1, 2, 1, 0]), np.array([10, 3, 3, 2, 2, 0, 1])):
        out, verdict = _call(ex, unigram_bits, counts.copy())
        if verdict is not None:
            return verdict
        got, verdict = _as_number(ex, out, "return one number of bits")
        if verdict is not None:
            return verdict
        p = counts[counts > 0] / counts.sum()
        want = float(-(p * np.log2(p)).sum())
        if np.isclose(got, want):
            continue
        label = f"for counts {counts.tolist()}"
        if np.isnan(got):
            return _wrong(ex, f"{label} you got nan: a count of 0 gives 0 * log 0; leave those characters out.")
        if np.isclose(got, want * np.log(2)):
            return _wrong(ex, f"{label}: that is in nats (natural log); bits use log2.")
        q = counts[counts > 0]
        if np.isclose(got, float(-(q * np.log2(q)).sum())):
            return _wrong(ex, f"{label}: turn the counts into probabilities first, p = counts / counts.sum().")
        return _wrong(ex, f"{label} the entropy is {want:.4f} bits; got {got:.4f}.")
    return _ok(ex, "two equally likely characters cost one bit each; skewed counts cost less.")


def check_temperature_softmax(temperature_softmax: Callable) -> CheckResult:
    """Exercise 8.2: ``temperature_softmax(logits, T)`` returns ``softmax(logits / T)`` over
    the last axis, without overflowing for large logits."""
    ex = "Exercise 8.2"
    cases = (
        (np.array([1.0, 2.0, 0.5]), 1.0),
        (np.array([1.0, 2.0, 0.5]), 0.5),
        (np.array([[3.0, 0.0], [0.0, 1.0]]), 2.0),
    )
    cases += ((np.array([1000.0, 990.0]), 0.5),)
    for logits, T in cases:
        with np.errstate(all="ignore"):
            got, verdict = _call_for_array(
                ex, temperature_softmax, (logits.copy(), T), logits.shape, "the probabilities"
            )
        if verdict is not None:
            return verdict
        want = softmax(logits / T)
        if np.allclose(got, want):
            continue
        label = f"for logits {logits.tolist()} and T={T}"
        if not np.all(np.isfinite(got)):
            return _wrong(ex, f"{label} you got {got.tolist()}: subtract the largest logit before exp.")
        if np.allclose(got, softmax(logits * T)):
            return _wrong(ex, f"{label}: divide the logits by T; multiplying sharpens where it should flatten.")
        if np.allclose(got, softmax(logits)):
            return _wrong(ex, f"{label}: the temperature is not used.")
        return _wrong(ex, f"{label}, {_first_difference(got, want)}.")
    return _ok(ex, "T < 1 sharpens the distribution, T > 1 flattens it, and large logits do not overflow.")


def check_one_hot_text(encode: Callable) -> CheckResult:
    """Exercise 8.3: ``encode(text, chars)`` returns the one-hot matrix ``(len(text), len(chars))``
    with a 1 in row ``t`` at the position of ``text[t]`` in ``chars``."""
    ex = "Exercise 8.3"
    for s, chars in (("abca", "abc"), ("hello world", " dehlorw"), ("yxz", "zxy")):
        shape = (len(s), len(chars))
        out, verdict = _call(ex, encode, s, chars)
        if verdict is not None:
            return verdict
        if np.shape(out) == shape[::-1] and shape[0] != shape[1]:
            return _wrong(ex, f"for {s!r} the shape is transposed: one row per character of the text, {shape}.")
        got, verdict = _as_result_array(ex, out, shape, f"the encoding of {s!r}")
        if verdict is not None:
            return verdict
        want = np.eye(len(chars))[[chars.index(c) for c in s]]
        if np.array_equal(got, want):
            continue
        if np.allclose(got.sum(axis=1), 1) and np.allclose(
            got, np.eye(len(chars))[[sorted(chars).index(c) for c in s]]
        ):
            return _wrong(ex, f"for {s!r}: use the order of chars as given, {chars!r}.")
        return _wrong(ex, f"for {s!r} with chars {chars!r}, {_first_difference(got, want)}.")
    return _ok(ex, "one row per character, a single 1 at its index in the vocabulary.")


# ---------------------------------------------------------------- 8.4: the sampling loop

_SAMPLE_CHARS = "abcdefgh ."
# (cell, prime, length, temperature): a gated and a vanilla cell, a sharpening and a
# flattening temperature.
_SAMPLE_CASES = (("lstm", "ab cd", 30, 0.7), ("rnn", "h.ge", 25, 1.6))


def _sampling_model(cell: str, seed: int):
    """A small model whose next-character distribution depends strongly on its state."""
    from rnnlib.models import init_params
    from rnnlib.text import Vocabulary

    vocab = Vocabulary.from_text(_SAMPLE_CHARS)
    params = init_params(cell, vocab.size, 8, vocab.size, seed=seed)
    # sharper outputs, so that each mistake changes the draws
    return with_fields(params, W_hy=params.W_hy * 3.0, b_y=params.b_y * 3.0), vocab


def _sample_variant(params, vocab, prime: str, length: int, temperature: float, seed: int, mistake: str = "") -> str:
    """The sampling loop of rnnlib.text.sample with one known mistake switched on."""
    from rnnlib.models import final_state, sequence_forward
    from rnnlib.tasks import one_hot

    def step(ids, state):
        ys, cache = sequence_forward(params, one_hot(np.asarray(ids), vocab.size)[:, None], state)
        return ys[-1, 0], final_state(cache)

    rng = np.random.default_rng(seed)
    prime_ids = vocab.encode(prime)
    logits, state = step(prime_ids[-1:] if mistake == "prime_last_only" else prime_ids, None)
    T = 1.0 if mistake == "temperature_ignored" else temperature
    out = []
    for _ in range(length):
        scaled = logits * T if mistake == "temperature_multiplied" else logits / T
        if mistake == "greedy":
            k = int(np.argmax(logits))
        else:
            k = int(rng.choice(vocab.size, p=softmax(scaled.astype(np.float64))))
        out.append(k)
        fed = prime_ids[-1] if mistake == "no_feedback" else k
        logits, state = step([fed], None if mistake == "state_reset" else state)
    return vocab.decode(np.array(out))


_SAMPLE_MISTAKES = (
    (
        "state_reset",
        "the state is not carried from one character to the next: pass each step's final "
        "state into the next call of sequence_forward",
    ),
    (
        "prime_last_only",
        "only the prime's last character is read: run the whole prime through the network "
        "first, so the state holds all of it",
    ),
    ("no_feedback", "the character you drew is not fed back: the next input is the character just sampled"),
    (
        "greedy",
        "you took the likeliest character (argmax) every time: draw it from the distribution, "
        "rng.choice(vocab.size, p=probs)",
    ),
    ("temperature_ignored", "the temperature is not used: the probabilities are softmax(logits / temperature)"),
    ("temperature_multiplied", "the logits are multiplied by the temperature: divide them by it"),
)


def _seeded_verdict(ex: str, label: str, got: str, sample_text: Callable, args: tuple) -> CheckResult | None:
    """The verdict when a second call with the same seed gives other text than ``got``."""
    again, verdict = _call(ex, sample_text, *args)
    if verdict is not None:
        return verdict
    if again != got:
        return _wrong(
            ex,
            f"{label}: two calls with the same seed gave different text; make the generator from the seed, "
            "rng = np.random.default_rng(seed), and draw only from it.",
        )
    return None


def check_sample_text(sample_text: Callable) -> CheckResult:
    """Exercise 8.4: ``sample_text(params, vocab, prime, length, temperature, seed)`` reads
    ``prime``, then draws ``length`` characters one at a time from
    ``softmax(logits / temperature)`` with ``rng = np.random.default_rng(seed)`` and
    ``rng.choice(vocab.size, p=probs)``, feeding each back with the state carried, and
    returns them as a string (without the prime)."""
    ex = "Exercise 8.4"
    for n, (cell, prime, length, temperature) in enumerate(_SAMPLE_CASES):
        params, vocab = _sampling_model(cell, seed=840 + n)
        seed = 84 + n
        label = f"for the {cell.upper()} primed with {prime!r}, {length} characters at temperature {temperature}"
        got, verdict = _call(ex, sample_text, params, vocab, prime, length, temperature, seed)
        if verdict is not None:
            return verdict
        if isinstance(got, (list, tuple, np.ndarray)):
            return _wrong(
                ex, f"{label}: return the text, a string (vocab.decode turns ids into one); got {type(got).__name__}"
            )
        if not isinstance(got, str):
            return _wrong(ex, f"{label}: return the generated text as a string; got {type(got).__name__}")
        want = _sample_variant(params, vocab, prime, length, temperature, seed)
        if got == want:
            verdict = _seeded_verdict(ex, label, got, sample_text, (params, vocab, prime, length, temperature, seed))
            if verdict is not None:
                return verdict
            continue
        if got == prime + want:
            return _wrong(ex, f"{label}: return only the generated characters, without the prime.")
        if len(got) != length:
            return _wrong(ex, f"{label}: expected {length} characters; got {len(got)}.")
        for mistake, message in _SAMPLE_MISTAKES:
            if got == _sample_variant(params, vocab, prime, length, temperature, seed, mistake):
                return _wrong(ex, f"{label}: {message}.")
        verdict = _seeded_verdict(ex, label, got, sample_text, (params, vocab, prime, length, temperature, seed))
        if verdict is not None:
            return verdict
        first = next(i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b)
        return _wrong(
            ex,
            f"{label}: the text first differs at character {first} (expected {want[first]!r}, got "
            f"{got[first]!r}). Draw exactly once per character, with rng.choice(vocab.size, p=probs), "
            "so that your draws use the generator as rnnlib's do.",
        )
    return _ok(
        ex,
        "the prime is read into the state, every character is drawn at the temperature from the "
        "carried state and fed back, and the same seed gives the same text.",
    )


# ---------------------------------------------------------------- 8.5: one training step

# (cell, rows of streams, streams, start, seq_len, lr, clip_norm): clipping on for the
# first two (the gradient norm is far above clip_norm), off for the last (far below).
_STEP_CASES = (
    ("rnn", 40, 3, 11, 6, 0.1, 0.05),
    ("lstm", 40, 4, 7, 5, 0.05, 0.02),
    ("lstm", 30, 2, 3, 4, 0.1, 1e3),
)


def _train_step_variant(params, data, start, state, seq_len, lr, clip_norm, mistake: str = ""):
    """One truncated-BPTT step with SGD and norm clipping, with one known mistake switched on."""
    from rnnlib.models import sequence_loss_and_grads
    from rnnlib.text import chunk

    xs, targets = chunk(data, 0 if mistake == "start_ignored" else start, seq_len, params.output_size)
    loss, grads, final = sequence_loss_and_grads(
        params, xs, targets, state=None if mistake == "state_dropped" else state
    )
    g = fields_of(grads, "grads")
    norm = float(np.sqrt(sum(np.sum(v**2) for v in g.values())))
    if mistake == "per_array":
        scale = {n: min(1.0, clip_norm / max(float(np.sqrt(np.sum(v**2))), 1e-300)) for n, v in g.items()}
    elif mistake == "always_scaled":
        scale = dict.fromkeys(g, clip_norm / norm)
    elif mistake == "not_clipped":
        scale = dict.fromkeys(g, 1.0)
    else:
        scale = dict.fromkeys(g, min(1.0, clip_norm / norm))
    sign = -1.0 if mistake == "ascent" else 1.0
    new = with_fields(params, **{n: w - sign * lr * scale[n] * g[n] for n, w in fields_of(params).items()})
    return new, float(loss), (state if mistake == "old_state" else final)


_STEP_PARAM_MISTAKES = (
    (
        "not_clipped",
        "the weights moved by the unclipped gradient: when the global norm "
        "sqrt(sum of every squared gradient entry) is above clip_norm, scale every gradient by clip_norm / norm",
    ),
    (
        "per_array",
        "each gradient array was clipped by its own norm: clip by the global norm, over all "
        "the arrays together, so that the direction of the whole step is kept",
    ),
    (
        "always_scaled",
        "the gradient was scaled to clip_norm although its norm is below it: clip only "
        "when the norm is above clip_norm",
    ),
    ("ascent", "the weights moved uphill: subtract lr * gradient"),
)


def _state_arrays(state: object) -> list[np.ndarray] | None:
    if isinstance(state, tuple):
        return [np.asarray(s, dtype=np.float64) for s in state]
    if state is None:
        return None
    return [np.asarray(state, dtype=np.float64)]


def _same_state(a: object, b: object) -> bool:
    xa, xb = _state_arrays(a), _state_arrays(b)
    if xa is None or xb is None:
        return xa is xb
    return len(xa) == len(xb) and all(
        u.shape == v.shape and np.allclose(u, v, atol=1e-10) for u, v in zip(xa, xb, strict=True)
    )


def check_train_step(train_step: Callable) -> CheckResult:
    """Exercise 8.5: ``train_step(params, data, start, state, seq_len, lr, clip_norm)`` takes
    one step of truncated BPTT on the chunk of the streams ``data`` that starts at row
    ``start``, from ``state``: the loss and gradients, the gradients clipped to global norm
    ``clip_norm``, one SGD update. Returns ``(new_params, loss, final_state)``."""
    from rnnlib.models import final_state as end_state
    from rnnlib.models import init_params, sequence_forward

    ex = "Exercise 8.5"
    for n, (cell, rows, B, start, seq_len, lr, clip_norm) in enumerate(_STEP_CASES):
        rng = np.random.default_rng(850 + n)
        V, H = 6, 5
        params = init_params(cell, V, H, V, seed=850 + n)
        data = rng.integers(0, V, size=(rows, B))
        warm = np.eye(V)[rng.integers(0, V, size=(4, B))]  # a state carried in from earlier chunks
        state = end_state(sequence_forward(params, warm)[1])
        label = f"for {cell.upper()} chunks of {seq_len} rows from row {start} (clip_norm {clip_norm:g}, lr {lr:g})"
        want_params, want_loss, want_state = _train_step_variant(params, data, start, state, seq_len, lr, clip_norm)
        # Copies: a step that updates the weights or the state in place must not change what
        # the diagnostics below compare against.
        out, verdict = _call(
            ex, train_step, copy.deepcopy(params), data.copy(), start, copy.deepcopy(state), seq_len, lr, clip_norm
        )
        if verdict is not None:
            return verdict
        if not isinstance(out, tuple) or len(out) != 3:
            return _wrong(
                ex,
                f"return three things, (new_params, loss, final_state); got {type(out).__name__}"
                + (f" of length {len(out)}" if isinstance(out, tuple) else ""),
            )
        got_params, got_loss, got_state = out
        if isinstance(got_loss, (bool, np.bool_)) or np.ndim(got_loss) != 0:
            return _wrong(ex, f"{label}: the loss should be one number; got {type(got_loss).__name__}")
        got_loss = float(got_loss)
        if not np.isclose(got_loss, want_loss, rtol=1e-9, atol=0):
            for mistake, message in (
                (
                    "state_dropped",
                    "the chunk was read from a zero state: pass the state carried in, "
                    "sequence_loss_and_grads(..., state=state)",
                ),
                (
                    "start_ignored",
                    "the chunk starts at row 0: take the rows from start, text.chunk(data, start, seq_len, vocab_size)",
                ),
            ):
                if np.isclose(
                    got_loss,
                    _train_step_variant(params, data, start, state, seq_len, lr, clip_norm, mistake)[1],
                    rtol=1e-9,
                    atol=0,
                ):
                    return _wrong(ex, f"{label}: the loss is {got_loss:.6f}, not {want_loss:.6f}; {message}.")
            return _wrong(
                ex,
                f"{label}: the loss should be {want_loss:.6f} (sequence_loss_and_grads on the chunk "
                f"from the carried state); got {got_loss:.6f}.",
            )
        if not _same_state(got_state, want_state):
            if _same_state(got_state, state):
                return _wrong(
                    ex,
                    f"{label}: you returned the state you were given; return the state at the end "
                    "of this chunk, the third thing sequence_loss_and_grads returns.",
                )
            return _wrong(
                ex,
                f"{label}: the final state is not the state at the end of the chunk, the third "
                "thing sequence_loss_and_grads returns.",
            )
        if type(got_params) is not type(params):
            return _wrong(
                ex,
                f"{label}: return the updated weights as a {type(params).__name__}, as "
                f"rnnlib.sgd_update does; got {type(got_params).__name__}",
            )
        got, want = fields_of(got_params), fields_of(want_params)
        bad = [
            k
            for k in want
            if np.shape(got[k]) != want[k].shape
            or not np.allclose(np.asarray(got[k], dtype=np.float64), want[k], rtol=1e-7, atol=1e-12)
        ]
        if not bad:
            continue
        for mistake, message in _STEP_PARAM_MISTAKES:
            other = fields_of(_train_step_variant(params, data, start, state, seq_len, lr, clip_norm, mistake)[0])
            if all(
                np.shape(got[k]) == other[k].shape
                and np.allclose(np.asarray(got[k], dtype=np.float64), other[k], rtol=1e-7, atol=1e-12)
                for k in other
            ):
                return _wrong(ex, f"{label}: {message}.")
        if all(np.array_equal(got[k], v) for k, v in fields_of(params).items()):
            return _wrong(ex, f"{label}: the weights did not change; apply the update, W - lr * clipped gradient.")
        return _wrong(
            ex,
            f"{label}: the loss and state are right but the updated weights are not; "
            f"{bad[0]} is the first that differs from W - lr * clipped gradient.",
        )
    return _ok(
        ex,
        "each step reads its chunk from the carried state, clips the whole gradient to clip_norm only "
        "when it is longer, takes one SGD step, and hands the final state to the next chunk.",
    )


# ---------------------------------------------------------------- 8.6: a prediction

TENTH_ORDER = 6  # the order whose score on the full training text the chapter's table shows
TENTH_TOLERANCE = 0.25  # bits per character either side of the measured value


def tenth_of_text_bits(order: int = TENTH_ORDER) -> tuple[float, float]:
    """Held-out bits per character of the Kneser–Ney model of ``order`` counted on the
    first tenth of chapter 8's training text, and on all of it: ``(tenth, full)``."""
    from rnnlib import ngram, text

    book = text.load_text("alice")
    vocab = text.Vocabulary.from_text(book)
    train_ids, held_out = text.split(vocab.encode(book))
    tenth = train_ids[: len(train_ids) // 10]
    return tuple(ngram.bits_per_char(ngram.fit(ids, vocab.size, order), held_out) for ids in (tenth, train_ids))


def check_tenth_prediction(bits: object) -> CheckResult:
    """Exercise 8.6: your prediction of the held-out bits per character of the order-6
    Kneser–Ney model when it counts only the first tenth of the training text (within
    0.25 bits of the measured value)."""
    ex = "Exercise 8.6"
    if bits is Ellipsis:
        return _not_done(
            ex, "replace the `...` with your prediction, in bits per character, before you run the measurement."
        )
    if isinstance(bits, (bool, np.bool_)) or not isinstance(bits, (int, float, np.integer, np.floating)):
        return _wrong(ex, f"a prediction in bits per character is one number; got {type(bits).__name__} {bits!r:.40}")
    bits = float(bits)
    if not np.isfinite(bits) or bits <= 0:
        return _wrong(ex, f"bits per character are a positive number; got {bits!r}")
    tenth, full = tenth_of_text_bits()
    if abs(bits - tenth) <= TENTH_TOLERANCE:
        return _ok(
            ex,
            f"{tenth:.2f} bits per character, {tenth - full:.2f} worse than with the whole text "
            f"({full:.2f}). Now run the measurement to see why.",
        )
    if bits < tenth:
        if bits <= full + TENTH_TOLERANCE:
            hint = "you expected the counts to lose almost nothing"
        else:
            hint = "it loses more than you predicted"
        return _wrong(
            ex,
            f"{hint}: a model that counts contexts of five characters needs to have seen each "
            "context, and a tenth of the text holds far fewer of them. Think again before you run "
            "the measurement.",
        )
    return _wrong(
        ex,
        "it loses less than that: where a long context was never seen, Kneser-Ney falls back on "
        "shorter ones, and even the unigram model scores about 4.6. Think again before you run the "
        "measurement.",
    )
