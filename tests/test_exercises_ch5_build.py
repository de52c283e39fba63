"""Chapter 5's build-it and predict-it checkers: exercise 5.3 (the whole of BPTT) accepts
the reference and names each classic mistake; exercise 5.5 (the shortest chunk) accepts
only the answer the longest path within a chunk gives."""

from __future__ import annotations

import numpy as np
import pytest

import rnnlib
from rnnlib import exercises as ex

NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


def msg(result) -> str:
    return repr(result).split(": ", 1)[1]


def backward(dys, cache, *, carry=True, transpose=False, keep="sum"):
    """BPTT written out, the right way by default; each option is one classic mistake."""
    p, xs, hs = cache.params, cache.xs, cache.hs
    T, B, _ = xs.shape
    h_prev = np.concatenate([cache.h0[None], hs[:-1]])
    g = {name: np.zeros_like(getattr(p, name)) for name in NAMES}
    dh_next = np.zeros_like(cache.h0)
    for t in reversed(range(T)):
        dh = dys[t] @ p.W_hy + (dh_next if carry else 0)
        da = dh * (1 - hs[t] ** 2)
        dh_next = da @ (p.W_hh.T if transpose else p.W_hh)
        terms = {
            "W_xh": da.T @ xs[t],
            "W_hh": da.T @ h_prev[t],
            "b_h": da.sum(axis=0),
            "W_hy": dys[t].T @ hs[t],
            "b_y": dys[t].sum(axis=0),
        }
        for name, term in terms.items():
            if keep == "overwrite" or (keep == "last" and t == T - 1):
                g[name] = term
            elif keep != "last":
                g[name] += term
    if keep == "mean":
        g = {name: v / T for name, v in g.items()}
    return g


def test_the_reference_passes():
    result = ex.check_rnn_backward(backward)
    assert result.passed and result.status == "Correct"
    assert repr(result) == (
        "[Exercise 5.3] Correct: all five gradients match rnnlib's BPTT, every one a sum over the time steps."
    )


def test_rnnlib_own_backward_passes_as_a_record():
    assert ex.check_rnn_backward(rnnlib.rnn_backward).passed
    assert ex.check_rnn_backward(rnnlib.bptt.rnn_backward_reference).passed


def test_the_learner_reference_agrees_with_check_grads():
    """The test's reference is right by finite differences, not only by rnnlib."""
    p = rnnlib.init_rnn_params(2, 3, 2, seed=0)
    rng = np.random.default_rng(1)
    xs, targets = rng.normal(size=(4, 2, 2)), rng.integers(0, 2, size=(4, 2))
    ys, cache = rnnlib.rnn_forward(xs, p)
    _, dys = rnnlib.softmax_cross_entropy(ys, targets)
    errors = rnnlib.check_grads(
        lambda q: rnnlib.softmax_cross_entropy(rnnlib.rnn_forward(xs, q)[0], targets)[0], p, backward(dys, cache)
    )
    assert all(err < 1e-8 for err in errors.values())


@pytest.mark.parametrize(
    ("mistake", "expected"),
    [
        (
            {"keep": "overwrite"},
            "the gradient of W_xh (for T=5, B=2): only one step's term (step 1, the last the backward loop "
            "visits): a weight used at every step gets the sum of every step's term, so add to it at each "
            "step (+=), do not overwrite it.",
        ),
        (
            {"keep": "last"},
            "the gradient of W_xh (for T=5, B=2): only the last step's term (step T=5): a weight used at "
            "every step gets the sum of every step's term.",
        ),
        (
            {"keep": "mean"},
            "the gradient of W_xh (for T=5, B=2): this is the sum divided by T=5, a mean over time: the "
            "gradient of a shared weight is the sum of its per-step terms.",
        ),
        (
            {"transpose": True},
            "the gradient of W_xh (for T=5, B=2): the gradient passed back uses W_hh where it needs its "
            "transpose W_hh^T: with one example per row, dh_next = da_t @ W_hh, not da_t @ W_hh.T.",
        ),
        (
            {"carry": False},
            "the gradient of W_xh (for T=5, B=2): no gradient flows back through the state: add dh_next = "
            "W_hh^T da_(t+1), the gradient from step t+1, to W_hy^T dy_t before going through tanh.",
        ),
    ],
    ids=["sum-overwritten", "only-last-step", "mean", "W_hh-not-transposed", "no-dh_next"],
)
def test_each_classic_mistake_is_named(mistake, expected):
    result = ex.check_rnn_backward(lambda dys, cache: backward(dys, cache, **mistake))
    assert result.status == "Not yet right"
    assert msg(result) == expected


def test_a_mistake_only_in_the_output_weights_is_named_there():
    def mean_over_time_and_batch(dys, cache):
        g = backward(dys, cache)
        T, B, _ = dys.shape
        return {**g, "W_hy": g["W_hy"] / (T * B)}

    assert msg(ex.check_rnn_backward(mean_over_time_and_batch)) == (
        "the gradient of W_hy (for T=5, B=2): this is the sum divided by T*B=10, a mean over time and batch: "
        "the loss already averages, so the gradient of a shared weight is the plain sum of its per-step terms."
    )


def test_an_unrecognised_mistake_gets_where_it_differs():
    def sign_flipped(dys, cache):
        g = backward(dys, cache)
        return {**g, "b_h": -g["b_h"]}

    result = ex.check_rnn_backward(sign_flipped)
    assert result.status == "Not yet right"
    assert msg(result).startswith("the gradient of b_h (for T=5, B=2): at index [")
    assert "] expected " in msg(result) and ", got " in msg(result)


def test_the_learner_cannot_spoil_the_check_by_writing_into_the_cache():
    def scribbles(dys, cache):
        g = backward(dys, cache)
        cache.params.W_hh[...] = 0
        cache.hs[...] = 0
        dys[...] = 0
        return {**g, "b_y": 2 * g["b_y"]}

    assert msg(ex.check_rnn_backward(scribbles)).startswith("the gradient of b_y (for T=5, B=2): at index [")


@pytest.mark.parametrize(
    ("answer", "status", "start"),
    [
        (lambda dys, cache: None, "Not yet right", "your function returned None"),
        (lambda dys, cache: ..., "Not done yet", "your function still returns `...`"),
        (lambda dys, cache: 1 / 0, "Not yet right", "your function raised ZeroDivisionError: division by zero"),
        (lambda dys, cache: [1, 2], "Not yet right", "return a dict with the keys ['W_xh', 'W_hh', 'b_h'"),
        (lambda dys, cache: {"W_xh": 0}, "Not yet right", "return a dict with the keys ['W_xh', 'W_hh', 'b_h'"),
        (
            lambda dys, cache: {k: v.T for k, v in backward(dys, cache).items()},
            "Not yet right",
            "the gradient of W_xh (for T=5, B=2) should have shape (4, 3); got (3, 4)",
        ),
        (
            lambda dys, cache: {k: np.zeros(7) for k in NAMES},
            "Not yet right",
            "the gradient of W_xh (for T=5, B=2) should have shape (4, 3); got (7,)",
        ),
        (
            lambda dys, cache: {k: "text" for k in NAMES},
            "Not yet right",
            "the gradient of W_xh (for T=5, B=2) should be a numeric array; got str",
        ),
        ("not a function", "Not yet right", "expected a function; got str"),
    ],
)
def test_garbage_gets_a_verdict_not_an_exception(answer, status, start):
    result = ex.check_rnn_backward(answer)
    assert isinstance(result, ex.CheckResult)
    assert result.status == status
    assert msg(result).startswith(start), msg(result)


def test_the_stub_is_not_done_yet():
    def stub(dys, cache):
        raise NotImplementedError

    assert ex.check_rnn_backward(stub).status == "Not done yet"


# ----------------------------------------------------------------- 5.5


def test_shortest_chunk():
    result = ex.check_shortest_chunk(4)
    assert result.passed
    assert msg(result) == (
        "within a chunk of 4 steps the longest gradient path is 3 steps, from its last step back to its first: "
        "just the 3 steps the echo needs. A chunk of 3 reaches only 2."
    )
    assert ex.check_shortest_chunk(np.int64(4)).passed
    assert msg(ex.check_shortest_chunk(3)) == (
        "within a chunk of 3 steps the longest gradient path is 2 steps, from its last step back to its first; "
        "the echo needs a path of 3 steps, from the output at t back to the input at t - 3."
    )
    assert msg(ex.check_shortest_chunk(5)) == (
        "a chunk of 5 steps can learn it, since its longest gradient path is 4 >= 3 steps, but a shorter chunk "
        "can too: find the smallest k."
    )
    assert msg(ex.check_shortest_chunk(0)) == "a chunk holds at least one step; got 0."
    assert msg(ex.check_shortest_chunk(4.0)).startswith("a chunk is a whole number of steps; got float 4.0")
    assert not ex.check_shortest_chunk(True).passed
    assert ex.check_shortest_chunk(...).status == "Not done yet"


def test_the_checkers_are_numbered_in_the_book_order():
    ch5 = [name for name in ex.CHECKERS if name.startswith("Exercise 5.")]
    assert ch5 == [f"Exercise 5.{n}" for n in range(1, 6)]
    assert ex.CHECKERS["Exercise 5.3"] is ex.check_rnn_backward
    assert ex.CHECKERS["Exercise 5.4"] is ex.check_central_difference
    assert ex.CHECKERS["Exercise 5.5"] is ex.check_shortest_chunk
