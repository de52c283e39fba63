"""The Kneser–Ney n-gram model: equal to a direct implementation of the definition,
a distribution everywhere, a case worked by hand, and its baseline on the shipped text."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnlib import ngram, text


def brute_force(ids, V, n):
    """p(w | h) for a context h of n - 1 tokens (V stands before the text), from the
    definition in rnnlib/ngram.py's docstring, with dicts and nothing shared with it."""
    s = [V] * (n - 1) + list(ids)
    counts = {n: Counter(tuple(s[i : i + n]) for i in range(len(ids)))}
    for k in range(n - 1, 0, -1):  # c_k(h w) = how many different x precede h w
        counts[k] = {g: len({x[0] for x in counts[k + 1] if x[1:] == g}) for g in {x[1:] for x in counts[k + 1]}}
    D = {}
    for k, c in counts.items():
        n1 = sum(v == 1 for v in c.values())
        n2 = sum(v == 2 for v in c.values())
        D[k] = n1 / (n1 + 2 * n2) if n1 else 0.5

    def p(w, h):
        k = len(h) + 1
        lower = 1 / V if k == 1 else p(w, h[1:])
        C = sum(v for g, v in counts[k].items() if g[:-1] == h)
        T = sum(1 for g in counts[k] if g[:-1] == h)
        if C == 0:
            return lower
        return max(counts[k].get((*h, w), 0) - D[k], 0) / C + D[k] * T / C * lower

    return p


@pytest.mark.parametrize("order", [1, 2, 3, 4])
@pytest.mark.parametrize("seed", range(4))
def test_equal_to_the_definition_computed_with_dicts(order, seed):
    rng = np.random.default_rng(10 * order + seed)
    V = int(rng.integers(2, 5))
    ids = rng.integers(0, V, size=int(rng.integers(1, 30)))
    held = rng.integers(0, V, size=12)
    model = ngram.fit(ids, V, order)
    p = brute_force(ids.tolist(), V, order)
    padded = [V] * (order - 1) + held.tolist()
    # every character of a held-out text, read from its start
    want = [-np.log2(p(w, tuple(padded[i : i + order - 1]))) for i, w in enumerate(held.tolist())]
    np.testing.assert_allclose(ngram.char_bits(model, held), want, rtol=0, atol=1e-12)
    # every context of the training text and the held-out one, at its start or not
    for text_ids in (ids, held):
        for t in range(len(text_ids) + 1):
            context = text_ids[:t]
            h = tuple(([V] * (order - 1) + context.tolist())[len(context) :]) if order > 1 else ()
            want = [p(w, h) for w in range(V)]
            np.testing.assert_allclose(ngram.distribution(model, context), want, rtol=0, atol=1e-12)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    V=st.integers(1, 6),
    order=st.integers(1, 7),
    data=st.data(),
)
def test_every_distribution_sums_to_one_and_gives_every_character_a_chance(V, order, data):
    ids = np.array(data.draw(st.lists(st.integers(0, V - 1), min_size=1, max_size=60)))
    context = np.array(data.draw(st.lists(st.integers(0, V - 1), max_size=10)), dtype=np.int64)
    model = ngram.fit(ids, V, order)
    p = ngram.distribution(model, context)
    assert p.shape == (V,)
    assert np.all(p > 0)
    assert abs(p.sum() - 1) < 1e-12
    assert 0 < model.discounts.min() and model.discounts.max() <= 1
    assert np.all(np.isfinite(ngram.char_bits(model, ids)))


def test_a_case_worked_by_hand():
    # "aab" over {a, b, c}, order 1: counts a=2, b=1, c=0; one count of 1 and one of 2,
    # so D = 1/(1 + 2) = 1/3; C = 3 and T = 2:
    # p(a) = (2 - 1/3)/3 + (1/3)(2/3)(1/3) = 17/27, p(b) = 8/27, p(c) = 2/27.
    unigram = [Fraction(17, 27), Fraction(8, 27), Fraction(2, 27)]
    model = ngram.fit(np.array([0, 0, 1]), 3, 1)
    np.testing.assert_allclose(ngram.distribution(model, []), [float(f) for f in unigram], rtol=1e-15)
    # Order 2 (before-text symbol ^): bigrams ^a, aa, ab, each seen once, so D_2 = 1;
    # the continuation counts of order 1 are a=2 (after ^ and a), b=1 (after a), so
    # p_1 is the unigram above. After "a": C = 2, T = 2, every bigram's count minus
    # D_2 is 0, and p(w | a) = (1)(2)/2 p_1(w) = p_1(w).
    model = ngram.fit(np.array([0, 0, 1]), 3, 2)
    assert model.discounts.tolist() == pytest.approx([1 / 3, 1.0])
    np.testing.assert_allclose(ngram.distribution(model, [0]), [float(f) for f in unigram], rtol=1e-15)
    bits = -np.log2([float(unigram[0]), float(unigram[0]), float(unigram[1])])
    np.testing.assert_allclose(ngram.char_bits(model, np.array([0, 0, 1])), bits, rtol=1e-14)


def test_only_the_last_order_minus_one_characters_count():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 4, size=200)
    model = ngram.fit(ids, 4, 3)
    np.testing.assert_array_equal(ngram.distribution(model, ids[:50]), ngram.distribution(model, ids[48:50]))
    # a shorter context is the start of a text: not the same as the same two characters mid-text
    assert not np.array_equal(ngram.distribution(model, ids[49:50]), ngram.distribution(model, ids[48:50]))


def test_on_the_shipped_text_higher_orders_predict_better_up_to_a_point():
    alice = text.load_text()
    vocab = text.Vocabulary.from_text(alice)
    train, held = text.split(vocab.encode(alice))
    bits = [ngram.bits_per_char(ngram.fit(train, vocab.size, n), held) for n in range(1, 7)]
    assert bits[0] == pytest.approx(text.unigram_bits_per_char(train, held, vocab.size), abs=0.01)
    assert all(a > b for a, b in zip(bits, bits[1:], strict=False))
    assert 2.0 < bits[-1] < 2.2


def test_bad_orders_are_refused_with_the_limit():
    assert ngram.max_order(71) == 10  # 72**10 < 2**63 <= 72**11
    assert ngram.max_order(1) == 63
    ids = np.array([0, 1, 2])
    with pytest.raises(ValueError, match=r"^order must be > 0; got 0$"):
        ngram.fit(ids, 3, 0)
    with pytest.raises(ValueError, match=r"^order must be at most 10 for vocab_size=71 .*; got 11$"):
        ngram.fit(ids, 71, 11)
    with pytest.raises(TypeError, match="order must be an integer"):
        ngram.fit(ids, 3, 2.0)
    with pytest.raises(ValueError, match=r"ids must hold class indices in \[0, 3\); got 3"):
        ngram.fit(np.array([0, 3]), 3, 2)
    with pytest.raises(ValueError, match="ids must not be empty"):
        ngram.fit(np.array([], dtype=np.int64), 3, 2)
    with pytest.raises(TypeError, match="ids must hold integers"):
        ngram.fit(np.array([0.0, 1.0]), 3, 2)
    with pytest.raises(TypeError, match="model must be an NGramModel"):
        ngram.bits_per_char("model", ids)
    with pytest.raises(ValueError, match=r"context must hold class indices in \[0, 3\)"):
        ngram.distribution(ngram.fit(ids, 3, 2), [5])
