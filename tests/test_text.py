"""The character-level language model's pieces: the shipped text, the vocabulary,
streams and chunks for truncated BPTT, bits per character, sampling, saving."""

from __future__ import annotations

import numpy as np
import pytest

import rnnlib
from rnnlib import text


def test_the_shipped_text_is_alice_without_the_gutenberg_licence():
    alice = text.load_text("alice")
    assert len(alice) == 144_430
    assert alice.startswith("ALICE'S ADVENTURES IN WONDERLAND\n\nLewis Carroll")
    assert alice.rstrip().endswith("THE END")
    assert "Gutenberg" not in alice and "\r" not in alice and "\ufeff" not in alice
    with pytest.raises(ValueError, match=r"name must be one of \('alice',\)"):
        text.load_text("hamlet")


def test_vocabulary_round_trip_and_messages():
    v = text.Vocabulary.from_text("hello world")
    assert v.chars == " dehlorw" and v.size == 8
    ids = v.encode("hello")
    assert ids.tolist() == [3, 2, 4, 4, 5]
    assert v.decode(ids) == "hello"
    with pytest.raises(ValueError, match="not in the vocabulary: 'xz'"):
        v.encode("xyz".replace("y", ""))
    with pytest.raises(ValueError, match=r"^ids must hold class indices in \[0, 8\); got 8 at index \(0,\)$"):
        v.decode(np.array([8]))
    with pytest.raises(ValueError, match="must not repeat"):
        text.Vocabulary("aa")


def test_bits_per_char_and_the_unigram_baseline():
    assert text.bits_per_char(np.log(2)) == pytest.approx(1.0)
    # Two equally frequent characters: one bit each (add-one smoothing keeps them equal).
    assert text.unigram_bits_per_char(np.array([0, 1] * 50), np.array([0, 1]), 2) == pytest.approx(1.0)
    alice = text.load_text()
    v = text.Vocabulary.from_text(alice)
    train, held = text.split(v.encode(alice))
    assert len(train) + len(held) == len(alice) and len(held) == pytest.approx(0.1 * len(alice), abs=1)
    assert 4.0 < text.unigram_bits_per_char(train, held, v.size) < 5.0


def test_streams_and_chunks_continue_each_stream():
    ids = np.arange(23)
    s = text.streams(ids, 3)  # 3 streams of 7, the last 2 tokens dropped
    assert s.shape == (7, 3)
    assert s[:, 1].tolist() == list(range(7, 14))
    xs, targets = text.chunk(s, 0, 4, 23)
    assert xs.shape == (4, 3, 23) and targets.tolist() == s[1:5].tolist()
    xs, targets = text.chunk(s, 4, 4, 23)  # the end: only 2 steps have a next character
    assert xs.shape == (2, 3, 23) and targets.tolist() == s[5:7].tolist()
    assert xs.argmax(-1).tolist() == s[4:6].tolist()
    with pytest.raises(ValueError, match="ids is too short for batch_size=20"):
        text.streams(ids, 20)
    with pytest.raises(ValueError, match="start must lie in"):
        text.chunk(s, 6, 4, 23)


def test_training_lowers_the_loss_and_keeps_the_best_weights():
    v = text.Vocabulary.from_text("abcabcabd ")
    ids = v.encode("abc abd " * 60)
    p = rnnlib.init_params("rnn", v.size, 16, v.size, seed=0)
    run = text.train_language_model(p, ids, steps=120, seq_len=8, batch_size=4, lr=0.01, held_out=ids, eval_every=40)
    assert run.losses[-10:].mean() < 0.5 * run.losses[:3].mean()
    assert run.eval_steps.tolist() == [40, 80, 120]
    assert run.best_step == run.eval_steps[np.argmin(run.eval_bits)]
    assert text.evaluate_bits_per_char(run.best_params, ids) == pytest.approx(run.eval_bits.min())


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_sampling_is_reproducible_and_temperature_sharpens(cell):
    v = text.Vocabulary.from_text("abcd")
    p = rnnlib.init_params(cell, 4, 6, 4, seed=0)
    a = text.sample(p, v, "ab", 30, temperature=0.5, seed=1)
    assert len(a) == 30 and set(a) <= set("abcd")
    assert a == text.sample(p, v, "ab", 30, temperature=0.5, seed=1)
    logits = np.array([1.0, 2.0, 0.0])
    cold, hot = text.temperature_softmax(logits, 0.1), text.temperature_softmax(logits, 10.0)
    assert cold[1] > 0.99 and np.ptp(hot) < 0.1
    np.testing.assert_allclose(text.temperature_softmax(logits, 1.0), rnnlib.softmax(logits))
    with pytest.raises(ValueError, match="temperature must be > 0"):
        text.temperature_softmax(logits, 0.0)
    with pytest.raises(
        ValueError,
        match="^vocab has 3 characters but the model reads 4 and outputs 4: vocab must be the one the model was trained with$",
    ):
        text.sample(p, text.Vocabulary("abc"), "a", 5, seed=0)


def test_hidden_activations_and_save_load(tmp_path):
    v = text.Vocabulary.from_text("hello world")
    p = rnnlib.init_params("lstm", v.size, 5, v.size, seed=0, dtype=np.float32)
    acts = text.hidden_activations(p, v, "hello", state="c")
    assert acts.shape == (5, 5) and np.all(np.abs(acts) < 1)
    with pytest.raises(TypeError, match="vocab must be a Vocabulary; got str"):
        text.hidden_activations(p, "hello world", "hello")
    with pytest.raises(ValueError, match="state='c' needs an LSTM"):
        text.hidden_activations(rnnlib.init_params("gru", v.size, 5, v.size, seed=0), v, "hello", state="c")
    path = str(tmp_path / "m.npz")
    text.save_model(path, p, v, steps=7, note="test")
    q, w, info = text.load_model(path)
    assert isinstance(q, rnnlib.LSTMParams) and w == v and info == {"steps": 7, "note": "test"}
    np.testing.assert_array_equal(q.W_h, p.W_h)


def test_the_shipped_model_loads_and_scores_what_it_records():
    params, vocab, info = text.load_model()
    alice = text.load_text()
    assert isinstance(params, rnnlib.LSTMParams) and params.hidden_size == info["hidden_size"] == 256
    assert params.input_size == vocab.size and params.dtype == np.float32  # the embedding folded in
    assert vocab == text.Vocabulary.from_text(alice)
    assert info["steps"] == info["eval_steps"][np.argmin(info["eval_bits"])]
    assert list(info["seeds"]) == [0, 1, 2] and info["seed"] == 0
    assert info["seed_bits"][0] == pytest.approx(info["held_out_bits_per_char"])
    _, held = text.split(vocab.encode(alice))
    assert text.evaluate_bits_per_char(params, held) == pytest.approx(info["held_out_bits_per_char"], rel=1e-6)


def test_inside_quotes_tells_quotes_from_apostrophes():
    s = "He said 'Alice's cat isn't here,' and left. 'Oh!'"
    flags = text.inside_quotes(s)
    marked = "".join(ch if f else "_" for ch, f in zip(s, flags, strict=True))
    assert marked == "________'Alice's cat isn't here,____________'Oh!_"
    assert text.inside_quotes("").shape == (0,)
    with pytest.raises(TypeError, match="text must be a string"):
        text.inside_quotes(["'a'"])


def test_unit_correlations_are_pearsons_r_for_every_unit():
    rng = np.random.default_rng(0)
    signal = (rng.random(200) < 0.3).astype(float)
    acts = np.column_stack([signal + 0.1 * rng.normal(size=200), rng.normal(size=200), -signal, np.full(200, 0.7)])
    r = text.unit_correlations(acts.astype(np.float32), signal)
    for u in range(3):
        assert r[u] == pytest.approx(np.corrcoef(acts[:, u], signal)[0, 1], abs=1e-6)
    assert r[2] == pytest.approx(-1.0) and r[3] == 0.0  # a unit that never changes
    with pytest.raises(ValueError, match="signal must vary"):
        text.unit_correlations(acts, np.ones(200))
    with pytest.raises(ValueError, match="signal must have shape"):
        text.unit_correlations(acts, signal[:-1])


def test_unigram_baseline_takes_ids_of_any_integer_width():
    # np.bincount needs the platform's index type, which is 32-bit in a browser.
    ids = np.array([0, 1, 1, 2, 2, 2])
    want = text.unigram_bits_per_char(ids, ids, 3)
    for dtype in (np.int8, np.int32, np.int64, np.uint16):
        assert text.unigram_bits_per_char(ids.astype(dtype), ids.astype(dtype), 3) == want


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint16])
def test_ids_are_given_to_numpy_as_the_platform_index_type(dtype):
    assert text._ids("ids", np.array([0, 2], dtype=dtype), 3).dtype == np.intp


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_bits_from_a_limited_context_equal_one_position_at_a_time(cell):
    rng = np.random.default_rng(3)
    ids = rng.integers(0, 5, size=40)
    p = rnnlib.init_params(cell, 5, 6, 5, seed=1)
    positions = np.array([4, 9, 17, 39, 4])
    for k in (1, 4):
        nats = []
        for t in positions:  # from the zero state, read ids[t - k : t], score ids[t]
            ys, _ = rnnlib.sequence_forward(p, rnnlib.one_hot(ids[t - k : t], 5)[:, None])
            nats.append(rnnlib.softmax_cross_entropy(ys[-1:], ids[t : t + 1][None])[0])
        want = text.bits_per_char(float(np.mean(nats)))
        assert text.context_bits_per_char(p, ids, k, positions) == pytest.approx(want, rel=1e-12)
    # more context changes the prediction: the state carries it
    assert text.context_bits_per_char(p, ids, 1, positions) != text.context_bits_per_char(p, ids, 4, positions)
    with pytest.raises(ValueError, match=r"^positions must be >= context=5, so that 5 characters precede each; got 4$"):
        text.context_bits_per_char(p, ids, 5, positions)


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_char_bits_are_the_loss_at_each_character(cell):
    rng = np.random.default_rng(4)
    ids = rng.integers(0, 5, size=30)
    p = rnnlib.init_params(cell, 5, 6, 5, seed=2)
    bits = text.char_bits(p, ids)
    assert bits.shape == (29,)
    ys, _ = rnnlib.sequence_forward(p, rnnlib.one_hot(ids[:-1], 5)[:, None])
    for t in (0, 7, 28):  # one position at a time: the cross-entropy of ids[t + 1]
        want = text.bits_per_char(rnnlib.softmax_cross_entropy(ys[t : t + 1], ids[t + 1 : t + 2][None])[0])
        assert bits[t] == pytest.approx(want, rel=1e-12)
    # their mean is the text's bits per character read as one stream
    nats = rnnlib.softmax_cross_entropy(ys, ids[1:, None])[0]
    assert bits.mean() == pytest.approx(text.bits_per_char(nats), rel=1e-12)
    with pytest.raises(
        ValueError, match=r"^ids must hold at least 2 characters, one to read and one to predict; got 1$"
    ):
        text.char_bits(p, ids[:1])


def test_a_run_keeps_the_weights_it_measured():
    rng = np.random.default_rng(5)
    ids = rng.integers(0, 4, size=400)
    p = rnnlib.init_params("rnn", 4, 5, 4, seed=0)
    run = text.train_language_model(p, ids[:300], steps=6, seq_len=5, batch_size=2, held_out=ids[300:], eval_every=2)
    assert run.eval_steps.tolist() == [2, 4, 6] and len(run.eval_params) == 3
    for weights, bits in zip(run.eval_params, run.eval_bits, strict=True):
        assert text.evaluate_bits_per_char(weights, ids[300:]) == bits
    assert run.eval_params[-1] is run.params
    assert run.eval_params[int(np.argmin(run.eval_bits))] is run.best_params
