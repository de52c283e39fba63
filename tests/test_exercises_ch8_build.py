"""Chapter 8's build-it exercises (the sampling loop and one training step) and its
prediction: the reference passes, each classic mistake, written out as a learner would
write it, gets its own message, and garbage gets a verdict instead of an exception."""

from __future__ import annotations

import numpy as np
import pytest

import rnnlib
from rnnlib import exercises as ex
from rnnlib import text
from rnnlib.exercises import ch8


def msg(result) -> str:
    return repr(result).split(": ", 1)[1]


# ---------------------------------------------------------------- the sampling loop


def sample_text(
    params,
    vocab,
    prime,
    length,
    temperature,
    seed,
    *,
    reset=False,
    last_only=False,
    no_feedback=False,
    greedy=False,
    times=False,
    rng=None,
    with_prime=False,
    as_ids=False,
):
    """A learner's sampling loop; each keyword switches on one mistake."""
    rng = np.random.default_rng(seed) if rng is None else rng
    ids = vocab.encode(prime)

    def forward(ids, state):
        ys, cache = rnnlib.sequence_forward(params, rnnlib.one_hot(np.asarray(ids), vocab.size)[:, None], state)
        return ys[-1, 0], rnnlib.final_state(cache)

    logits, state = forward(ids[-1:] if last_only else ids, None)
    out = []
    for _ in range(length):
        a = logits * temperature if times else logits / temperature
        p = np.exp(a - a.max())
        p /= p.sum()
        out.append(int(np.argmax(p)) if greedy else int(rng.choice(vocab.size, p=p)))
        logits, state = forward([ids[-1]] if no_feedback else out[-1:], None if reset else state)
    if as_ids:
        return out
    return (prime if with_prime else "") + vocab.decode(out)


def test_the_reference_sampler_passes():
    def reference(params, vocab, prime, length, temperature, seed):
        return text.sample(params, vocab, prime, length, temperature=temperature, seed=seed)

    assert ex.check_sample_text(reference).passed
    result = ex.check_sample_text(sample_text)
    assert result.passed, result


def test_the_checkers_own_loop_is_rnnlibs():
    for n, (cell, prime, length, temperature) in enumerate(ch8._SAMPLE_CASES):
        params, vocab = ch8._sampling_model(cell, seed=840 + n)
        want = text.sample(params, vocab, prime, length, temperature=temperature, seed=7)
        assert ch8._sample_variant(params, vocab, prime, length, temperature, 7) == want
        # every named mistake changes the text, so that each can be told apart
        variants = {
            m: ch8._sample_variant(params, vocab, prime, length, temperature, 7, m) for m, _ in ch8._SAMPLE_MISTAKES
        }
        assert want not in variants.values()
        assert len(set(variants.values())) == len(variants)


@pytest.mark.parametrize(
    "wrong, expected",
    [
        (dict(reset=True), "the state is not carried from one character to the next"),
        (dict(last_only=True), "only the prime's last character is read"),
        (dict(no_feedback=True), "the character you drew is not fed back"),
        (dict(greedy=True), "you took the likeliest character (argmax) every time"),
        (dict(times=True), "the logits are multiplied by the temperature: divide them by it"),
        (dict(with_prime=True), "return only the generated characters, without the prime"),
        (dict(as_ids=True), "return the text, a string (vocab.decode turns ids into one); got list"),
    ],
)
def test_named_sampling_mistakes(wrong, expected):
    result = ex.check_sample_text(lambda *args: sample_text(*args, **wrong))
    assert not result.passed and result.done
    assert expected in msg(result), msg(result)
    assert "for the LSTM primed with 'ab cd', 30 characters at temperature 0.7" in msg(result)


def test_the_temperature_left_out():
    result = ex.check_sample_text(lambda p, v, prime, n, T, seed: sample_text(p, v, prime, n, 1.0, seed))
    assert "the temperature is not used" in msg(result)


def test_a_generator_not_made_from_the_seed():
    shared = np.random.default_rng(0)  # one generator for every call: two calls differ
    result = ex.check_sample_text(lambda *args: sample_text(*args, rng=shared))
    assert not result.passed
    assert "two calls with the same seed gave different text" in msg(result)


def test_other_draws_are_told_to_use_rng_choice():
    def inverse_cdf(params, vocab, prime, length, temperature, seed):
        rng = np.random.default_rng(seed)
        state, out = None, []
        ys, cache = rnnlib.sequence_forward(params, rnnlib.one_hot(vocab.encode(prime), vocab.size)[:, None])
        for _ in range(length):
            p = text.temperature_softmax(ys[-1, 0], temperature)
            out.append(int(np.searchsorted(np.cumsum(p), 1 - rng.random())))
            state = rnnlib.final_state(cache)
            ys, cache = rnnlib.sequence_forward(params, rnnlib.one_hot(np.array(out[-1:]), vocab.size)[:, None], state)
        return vocab.decode(np.minimum(out, vocab.size - 1))

    result = ex.check_sample_text(inverse_cdf)
    assert not result.passed
    assert "the text first differs at character" in msg(result)
    assert "rng.choice(vocab.size, p=probs)" in msg(result)


def test_too_few_characters():
    result = ex.check_sample_text(lambda *args: sample_text(*args)[:-1])
    assert "expected 30 characters; got 29" in msg(result)


# ---------------------------------------------------------------- one training step


def train_step(
    params,
    data,
    start,
    state,
    seq_len,
    lr,
    clip_norm,
    *,
    zero_state=False,
    from_row_0=False,
    keep_state=False,
    clip="global",
    sign=1.0,
):
    """A learner's training step; each keyword switches on one mistake."""
    xs, targets = text.chunk(data, 0 if from_row_0 else start, seq_len, params.output_size)
    loss, grads, final = rnnlib.sequence_loss_and_grads(params, xs, targets, state=None if zero_state else state)
    g = vars(grads)
    norm = np.sqrt(sum(np.sum(v**2) for v in g.values()))
    if clip == "global":
        scale = dict.fromkeys(g, min(1.0, clip_norm / norm))
    elif clip == "per_array":
        scale = {k: min(1.0, clip_norm / np.sqrt(np.sum(v**2))) for k, v in g.items()}
    elif clip == "always":
        scale = dict.fromkeys(g, clip_norm / norm)
    else:
        scale = dict.fromkeys(g, 1.0)
    new = type(params)(**{k: w - sign * lr * scale[k] * g[k] for k, w in vars(params).items()})
    return new, loss, state if keep_state else final


def test_the_reference_step_passes():
    def with_rnnlib(params, data, start, state, seq_len, lr, clip_norm):
        xs, targets = text.chunk(data, start, seq_len, params.output_size)
        loss, grads, state = rnnlib.sequence_loss_and_grads(params, xs, targets, state=state)
        return rnnlib.sgd_update(params, rnnlib.clip_grad_norm(grads, clip_norm)[0], lr), loss, state

    assert ex.check_train_step(with_rnnlib).passed
    result = ex.check_train_step(train_step)
    assert result.passed, result


def test_clipping_is_on_in_the_first_cases_and_off_in_the_last():
    for n, (cell, rows, B, start, seq_len, _, clip_norm) in enumerate(ch8._STEP_CASES):
        rng = np.random.default_rng(850 + n)
        params = rnnlib.init_params(cell, 6, 5, 6, seed=850 + n)
        data = rng.integers(0, 6, size=(rows, B))
        warm = np.eye(6)[rng.integers(0, 6, size=(4, B))]  # as the checker draws it
        state = rnnlib.final_state(rnnlib.sequence_forward(params, warm)[1])
        xs, targets = text.chunk(data, start, seq_len, 6)
        norm = rnnlib.global_norm(rnnlib.sequence_loss_and_grads(params, xs, targets, state=state)[1])
        assert (norm > 5 * clip_norm) if n < 2 else (norm < clip_norm / 5), (n, norm)


@pytest.mark.parametrize(
    "wrong, expected",
    [
        (dict(zero_state=True), "the chunk was read from a zero state: pass the state carried in"),
        (dict(from_row_0=True), "the chunk starts at row 0: take the rows from start"),
        (dict(keep_state=True), "you returned the state you were given"),
        (dict(clip="none"), "the weights moved by the unclipped gradient"),
        (dict(clip="per_array"), "each gradient array was clipped by its own norm"),
        (dict(clip="always"), "scaled to clip_norm although its norm is below it"),
        (dict(sign=-1.0), "the weights moved uphill"),
    ],
)
def test_named_step_mistakes(wrong, expected):
    result = ex.check_train_step(lambda *args: train_step(*args, **wrong))
    assert not result.passed and result.done
    assert expected in msg(result), msg(result)


def in_place_step(params, data, start, state, seq_len, lr, clip_norm, *, clip=True):
    """A learner who updates the weights they were given, in place, and returns them."""
    xs, targets = text.chunk(data, start, seq_len, params.output_size)
    loss, grads, final = rnnlib.sequence_loss_and_grads(params, xs, targets, state=state)
    if clip:
        grads, _ = rnnlib.clip_grad_norm(grads, clip_norm)
    for name, w in vars(params).items():
        w -= lr * getattr(grads, name)
    return params, loss, final


def test_a_step_in_place_is_judged_like_any_other():
    assert ex.check_train_step(in_place_step).passed
    result = ex.check_train_step(lambda *args: in_place_step(*args, clip=False))
    assert not result.passed and "the weights moved by the unclipped gradient" in msg(result), msg(result)


def test_a_step_that_does_not_update():
    result = ex.check_train_step(lambda *args: (args[0],) + train_step(*args)[1:])
    assert "the weights did not change" in msg(result)


@pytest.mark.parametrize(
    "returns, expected",
    [
        (lambda out: out[:2], "return three things, (new_params, loss, final_state); got tuple of length 2"),
        (lambda out: list(out), "return three things, (new_params, loss, final_state); got list"),
        (lambda out: (out[0], np.array([out[1]] * 2), out[2]), "the loss should be one number; got ndarray"),
        (lambda out: (vars(out[0]), out[1], out[2]), "return the updated weights as a RNNParams"),
        (lambda out: (out[0], out[1] + 0.1, out[2]), "the loss should be"),
        (lambda out: (out[0], out[1], None), "the final state is not the state at the end of the chunk"),
    ],
)
def test_wrong_returns(returns, expected):
    result = ex.check_train_step(lambda *args: returns(train_step(*args)))
    assert not result.passed
    assert expected in msg(result), msg(result)


# ---------------------------------------------------------------- the prediction


def test_the_prediction_is_the_measurement():
    tenth, full = ch8.tenth_of_text_bits()
    assert 2.9 < tenth < 3.05 and 2.05 < full < 2.15  # the values the chapter prints
    assert ex.check_tenth_prediction(tenth).passed
    assert ex.check_tenth_prediction(np.float32(tenth + 0.2)).passed
    assert ex.check_tenth_prediction(tenth - 0.2).passed
    assert "0.87 worse than with the whole text (2.10)" in msg(ex.check_tenth_prediction(3))
    assert "you expected the counts to lose almost nothing" in msg(ex.check_tenth_prediction(2.2))
    assert "it loses more than you predicted" in msg(ex.check_tenth_prediction(2.6))
    assert "it loses less than that" in msg(ex.check_tenth_prediction(3.3))
    assert not ex.check_tenth_prediction(...).done
    for bad in ("3", True, None, [3.0], float("inf"), 0):
        result = ex.check_tenth_prediction(bad)
        assert not result.passed and result.done
