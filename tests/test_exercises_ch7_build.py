"""Chapter 7's build-it exercises (the LSTM step forward and backward) and its
prediction: the reference passes, each classic mistake, written out as a learner would
write it, gets its own message, and garbage gets a verdict instead of an exception."""

from __future__ import annotations

import numpy as np
import pytest

import rnnlib
from rnnlib import exercises as ex


def msg(result) -> str:
    return repr(result).split(": ", 1)[1]


def sig(a):
    return 1 / (1 + np.exp(-a))


# ---------------------------------------------------------------- the forward


def forward(x, h_prev, c_prev, params, *, blocks="ifgo", act=None, h_from="c"):
    """A learner's LSTM step. ``blocks`` names the gate the learner reads from each of the
    four stacked blocks; ``act`` overrides a gate's nonlinearity."""
    H = params.W_h.shape[1]
    a = x @ params.W_x.T + h_prev @ params.W_h.T + params.b
    act = {"i": sig, "f": sig, "g": np.tanh, "o": sig, **(act or {})}
    gate = {name: act[name](a[:, k * H : (k + 1) * H]) for k, name in enumerate(blocks)}
    c = gate["f"] * c_prev + gate["i"] * gate["g"]
    h = gate["o"] * np.tanh({"c": c, "c_prev": c_prev}[h_from])
    cache = {"x": x, "h_prev": h_prev, "c_prev": c_prev, "c": c, "params": params, **gate}
    return h, c, cache


def test_the_reference_forward_passes():
    assert ex.check_lstm_step_forward(rnnlib.lstm_step_forward).passed
    result = ex.check_lstm_step_forward(forward)
    assert result.passed, result


@pytest.mark.parametrize(
    "wrong, expected",
    [
        (dict(blocks="figo"), "i and f are swapped (either the blocks you read or their places in c_t"),
        (dict(blocks="ifog"), "g and o are swapped (the blocks you read)"),
        (dict(blocks="gifo"), "the stacked blocks are read in the wrong order (i from the rows of f, f from the rows"),
        (dict(act={"f": np.tanh}), "the forget gate f has a tanh: a gate is a sigmoid"),
        (dict(act={"o": np.tanh}), "the output gate o has a tanh"),
        (dict(act={"g": sig}), "the candidate g has a sigmoid"),
        (dict(h_from="c_prev"), "h_t is computed from c_{t-1}"),
        (dict(blocks="figo", act={"g": sig}), "i and f are swapped"),
    ],
)
def test_named_forward_mistakes(wrong, expected):
    result = ex.check_lstm_step_forward(lambda x, h, c, p: forward(x, h, c, p, **wrong))
    assert not result.passed and result.done
    assert expected in msg(result), msg(result)


def test_forward_with_both_a_swap_and_a_wrong_nonlinearity_names_both():
    result = ex.check_lstm_step_forward(lambda x, h, c, p: forward(x, h, c, p, blocks="figo", act={"g": sig}))
    assert "i and f are swapped" in msg(result) and "the candidate g has a sigmoid" in msg(result)


def test_forward_mistakes_found_by_where_they_differ():
    def c_squashed(x, h, c, p):
        h_, c_, cache = forward(x, h, c, p)
        return h_, np.tanh(c_), cache

    assert "c_t is wrong: look at i, f, g" in msg(ex.check_lstm_step_forward(c_squashed))

    def h_doubled(x, h, c, p):
        h_, c_, cache = forward(x, h, c, p)
        return 2 * h_, c_, cache

    assert "c_t is right but h_t is not" in msg(ex.check_lstm_step_forward(h_doubled))

    def swapped_outputs(x, h, c, p):
        h_, c_, cache = forward(x, h, c, p)
        return c_, h_, cache

    assert "h and c are returned in the wrong order" in msg(ex.check_lstm_step_forward(swapped_outputs))


def raises(*args):
    raise ValueError("oops")


@pytest.mark.parametrize(
    "garbage, expected",
    [
        (lambda x, h, c, p: None, "returned None"),
        (
            lambda x, h, c, p: (np.zeros((9, 9)), np.zeros((9, 9)), None),
            "h (the first thing returned) should have shape",
        ),
        (lambda x, h, c, p: np.zeros(3), "return a triple (h, c, cache)"),
        (lambda x, h, c, p: ("h", "c", None), "should be a numeric array"),
        (raises, "your function raised ValueError: oops"),
        (None, "expected a function"),
        (lambda x, h, c: (x, h, c), "your function raised TypeError"),
    ],
)
def test_forward_garbage_gets_a_verdict(garbage, expected):
    result = ex.check_lstm_step_forward(garbage)
    assert not result.passed and expected in msg(result), msg(result)


def test_unfinished_forward_is_not_done():
    def stub(x, h_prev, c_prev, params):
        raise NotImplementedError

    result = ex.check_lstm_step_forward(stub)
    assert not result.passed and not result.done


def test_a_forward_that_changes_its_arguments_is_still_judged_fairly():
    def mutating(x, h, c, p):
        out = forward(x, h, c, p)
        p.W_x[...] = 0.0
        p.b[...] = 0.0
        return out

    assert ex.check_lstm_step_forward(mutating).passed


# ---------------------------------------------------------------- the backward


def backward(
    dh,
    dc,
    cache,
    *,
    dc_prev="f",
    tanh_derivative=True,
    c_in_output="c",
    df_from="c_prev",
    d=None,
    order="ifgo",
    swap_if=False,
):
    """A learner's LSTM step backward, reading the cache of ``forward`` above."""
    i, f, g, o = (cache[k] for k in "ifgo")
    c, c_prev, x, h_prev, p = cache["c"], cache["c_prev"], cache["x"], cache["h_prev"], cache["params"]
    tc = np.tanh({"c": c, "c_prev": c_prev}[c_in_output])
    dc = dc + (dh * o * (1 - tc**2) if tanh_derivative else dh * o)
    local = {"i": dc * g, "f": dc * {"c_prev": c_prev, "c": c}[df_from], "g": dc * i, "o": dh * tc}
    if swap_if:
        local["i"], local["f"] = dc * c_prev, dc * g
    value = {"i": i, "f": f, "g": g, "o": o}
    deriv = {
        "i": lambda s: s * (1 - s),
        "f": lambda s: s * (1 - s),
        "g": lambda s: 1 - s**2,
        "o": lambda s: s * (1 - s),
    }
    deriv.update(d or {})
    da = np.concatenate([local[k] * deriv[k](value[k]) for k in order], axis=1)
    return {
        "x": da @ p.W_x,
        "h_prev": da @ p.W_h,
        "c_prev": {"f": dc * f, "none": dc, "zero": np.zeros_like(dc)}[dc_prev],
        "W_x": da.T @ x,
        "W_h": da.T @ h_prev,
        "b": da.sum(axis=0),
    }


def test_the_reference_backward_passes():
    assert ex.check_lstm_step_backward(rnnlib.lstm_step_backward).passed
    assert ex.check_lstm_step_backward(rnnlib.lstm_step_backward, rnnlib.lstm_step_forward).passed
    result = ex.check_lstm_step_backward(backward, forward)
    assert result.passed, result


def test_the_learners_backward_is_right_by_finite_differences_too():
    """The reference the checker holds to is itself right: a gradient check of ``backward``."""
    rng = np.random.default_rng(0)
    B, D, H = 2, 3, 4
    params = rnnlib.init_lstm_params(D, H, 1, seed=1)
    inputs = {
        "x": rng.normal(size=(B, D)),
        "h_prev": rng.normal(size=(B, H)),
        "c_prev": rng.normal(size=(B, H)),
        "W_x": params.W_x,
        "W_h": params.W_h,
        "b": params.b,
    }
    dh, dc = rng.normal(size=(B, H)), rng.normal(size=(B, H))

    def loss(v):
        p = rnnlib.LSTMParams(W_x=v["W_x"], W_h=v["W_h"], b=v["b"], W_hy=params.W_hy, b_y=params.b_y)
        h, c, _ = forward(v["x"], v["h_prev"], v["c_prev"], p)
        return float(np.sum(dh * h) + np.sum(dc * c))

    _, _, cache = forward(inputs["x"], inputs["h_prev"], inputs["c_prev"], params)
    rnnlib.check_grads(loss, inputs, backward(dh, dc, cache))
    with pytest.raises(rnnlib.GradientCheckError, match="c_prev"):
        rnnlib.check_grads(loss, inputs, backward(dh, dc, cache, dc_prev="none"))


def tanh_derivative_on(gate):
    return {gate: lambda s: 1 - s**2}


@pytest.mark.parametrize(
    "wrong, expected",
    [
        (dict(dc_prev="none"), "dc_prev is missing the forget gate"),
        (dict(dc_prev="zero"), "dc_prev is zero: the gradient must flow back along the cell-state path"),
        (dict(tanh_derivative=False), "the derivative of tanh(c_t) is missing on the output path"),
        (dict(c_in_output="c_prev"), "c_prev is used where c_t is needed: h_t = o * tanh(c_t)"),
        (dict(df_from="c"), "c_t is used where c_prev is needed"),
        (dict(d={"g": lambda s: s * (1 - s)}), "the candidate g gets the sigmoid's derivative"),
        (dict(d=tanh_derivative_on("f")), "the forget gate f gets the tanh's derivative"),
        (dict(d=tanh_derivative_on("i")), "the input gate i gets the tanh's derivative"),
        (dict(order="ifog"), "the gate gradients are stacked in the order i, f, o, g"),
        (dict(order="figo"), "the gate gradients are stacked in the order f, i, g, o"),
        (dict(swap_if=True), "i and f are swapped: di = dc_t * g and df = dc_t * c_prev"),
    ],
)
def test_named_backward_mistakes(wrong, expected):
    result = ex.check_lstm_step_backward(lambda dh, dc, cache: backward(dh, dc, cache, **wrong), forward)
    assert not result.passed and result.done
    assert expected in msg(result), msg(result)


def test_an_unknown_backward_mistake_is_located_gate_by_gate():
    def wrong_in_o(dh, dc, cache):
        grads = backward(dh, dc, cache)
        H = cache["c"].shape[1]
        for name in ("W_x", "W_h", "b"):
            grads[name] = grads[name].copy()
            grads[name][3 * H :] *= 2
        return grads

    text = msg(ex.check_lstm_step_backward(wrong_in_o, forward))
    assert "wrong: W_x (in the block of o), W_h (in the block of o), b (in the block of o)" in text, text
    assert "right: x, h_prev, c_prev" in text


def test_the_backward_accepts_a_record_and_needs_every_name():
    assert ex.check_lstm_step_backward(lambda dh, dc, cache: rnnlib.lstm_step_backward(dh, dc, cache)).passed

    def missing_b(dh, dc, cache):
        grads = backward(dh, dc, cache)
        del grads["b"]
        return grads

    assert "'b' is missing" in msg(ex.check_lstm_step_backward(missing_b, forward))

    def b_not_summed(dh, dc, cache):
        grads = backward(dh, dc, cache)
        H = cache["c"].shape[1]
        return {**grads, "b": np.broadcast_to(grads["b"] / len(dh), (len(dh), 4 * H))}

    assert "sum over the batch" in msg(ex.check_lstm_step_backward(b_not_summed, forward))


@pytest.mark.parametrize(
    "garbage, expected",
    [
        (lambda dh, dc, cache: None, "returned None"),
        (lambda dh, dc, cache: (dh, dc), "return a dict of gradients with the keys"),
        (
            lambda dh, dc, cache: {k: np.zeros((7,)) for k in ("x", "h_prev", "c_prev", "W_x", "W_h", "b")},
            "the gradient 'x' should have shape",
        ),
        (
            lambda dh, dc, cache: {k: "grad" for k in ("x", "h_prev", "c_prev", "W_x", "W_h", "b")},
            "should be a numeric array",
        ),
        (raises, "your function raised ValueError: oops"),
        (42, "expected a function"),
    ],
)
def test_backward_garbage_gets_a_verdict(garbage, expected):
    result = ex.check_lstm_step_backward(garbage, forward)
    assert not result.passed and expected in msg(result), msg(result)


def test_the_backward_waits_for_a_finished_forward():
    def stub(*args):
        raise NotImplementedError

    result = ex.check_lstm_step_backward(stub, stub)
    assert not result.passed and not result.done and "Exercise 7.2" in msg(result)
    result = ex.check_lstm_step_backward(backward, lambda x, h, c, p: forward(x, h, c, p, blocks="figo"))
    assert not result.passed and "your lstm_step_forward is not right yet" in msg(result)
    assert not ex.check_lstm_step_backward(stub, forward).done


# ---------------------------------------------------------------- the prediction


def test_forget_horizon():
    assert ex.check_forget_horizon(7, 95).passed
    assert ex.check_forget_horizon(np.int64(7), np.int64(95)).passed
    assert "0.5^6" not in msg(ex.check_forget_horizon(6, 95))
    assert "f^6 = 0.0156 is not yet below 0.01" in msg(ex.check_forget_horizon(6, 95))
    assert "but so is an earlier power" in msg(ex.check_forget_horizon(7, 96))
    assert "is for bias 1" in msg(ex.check_forget_horizon(7, 15))
    assert "sigma(0) = 0.5, not 0" in msg(ex.check_forget_horizon(1, 95))
    assert not ex.check_forget_horizon(..., 95).done
    for bad in (7.0, "7", None, True, [7]):
        result = ex.check_forget_horizon(bad, 95)
        assert not result.passed and result.done and "whole number" in msg(result)


def test_forget_horizon_answer_is_what_the_sigmoid_gives():
    for bias, n in ((0.0, 7), (3.0, 95)):
        f = rnnlib.sigmoid(np.array(bias))
        assert f**n < 0.01 <= f ** (n - 1)
