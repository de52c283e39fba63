"""The checkers accept the reference solutions, reject typical wrong answers with
the message a learner would see, and never crash on the learner's code."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlib import exercises as ex

# ----------------------------------------------------------------- 2.1 shapes

RIGHT_SHAPES = {
    "W_xh": (5, 3),
    "W_hh": (5, 5),
    "b_h": (5,),
    "W_hy": (2, 5),
    "b_y": (2,),
    "x_t": (4, 3),
    "h_t": (4, 5),
    "y_t": (4, 2),
    "xs": (7, 4, 3),
    "num_parameters": 57,
}


def test_shapes_accepts_the_reference():
    result = ex.check_cell_shapes(RIGHT_SHAPES)
    assert result.passed
    assert (
        repr(result) == "[Exercise 2.1] Correct: every shape is right, and the model has 57 parameters whatever T is."
    )


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"W_xh": (3, 5)},
            "[Exercise 2.1] Not yet right: W_xh: got (3, 5). transposed? Hint: W_xh maps an input (size D) to the hidden space (size H): (H, D) (here D=3, H=5, O=2, B=4, T=7).",
        ),
        (
            {"xs": (4, 7, 3)},
            "[Exercise 2.1] Not yet right: xs: got (4, 7, 3). Hint: time-major: (T, B, D) (here D=3, H=5, O=2, B=4, T=7).",
        ),
        (
            {"num_parameters": 55},
            "[Exercise 2.1] Not yet right: num_parameters: got 55. Hint: add up the sizes of the five weights: H*D + H*H + H + O*H + O.",
        ),
        ({"b_h": 5}, "[Exercise 2.1] Not yet right: b_h: a shape is a tuple of integers, like (4, 3); got 5"),
    ],
)
def test_shapes_rejects_wrong_answers(change, message):
    result = ex.check_cell_shapes({**RIGHT_SHAPES, **change})
    assert not result.passed and repr(result) == message


def test_shapes_reports_unfinished_and_incomplete_answers():
    stub = dict.fromkeys(RIGHT_SHAPES, ...)
    result = ex.check_cell_shapes(stub)
    assert not result.passed and not result.done
    assert repr(result).startswith("[Exercise 2.1] Not done yet: replace the `...` for ['W_xh'")
    assert repr(ex.check_cell_shapes({"W_xh": (5, 3)})).startswith(
        "[Exercise 2.1] Not yet right: answer is missing ['W_hh'"
    )
    assert (
        repr(ex.check_cell_shapes(None))
        == "[Exercise 2.1] Not yet right: answer should be a dict from name to shape; got NoneType"
    )


# ----------------------------------------------------------------- 2.2 rnn_step


def reference_step(x, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x @ W_xh.T + h_prev @ W_hh.T + b_h)


def test_step_accepts_the_reference():
    assert ex.check_rnn_step(reference_step).passed


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda x, h, Wx, Wh, b: np.tanh(x @ Wx.T + h @ Wh.T), "the bias b_h is missing."),
        (lambda x, h, Wx, Wh, b: x @ Wx.T + h @ Wh.T + b, "tanh is missing: this is the pre-activation a_t."),
        (lambda x, h, Wx, Wh, b: np.maximum(x @ Wx.T + h @ Wh.T + b, 0), "this is ReLU, not tanh."),
        (
            lambda x, h, Wx, Wh, b: np.tanh(x @ Wx.T + h @ Wh + b),
            "W_hh is transposed: with one example per row, W_hh h_{t-1} is h_prev @ W_hh.T.",
        ),
        (
            lambda x, h, Wx, Wh, b: np.tanh(x @ Wx.T + b),
            "h_prev is not used: the new state must depend on the previous one.",
        ),
        (
            lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh + b),
            "the weights are transposed: with one example per row, W_xh x_t is x @ W_xh.T.",
        ),
        (
            lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh.T + b),
            "W_xh is transposed: with one example per row, W_xh x_t is x @ W_xh.T.",
        ),
        (
            lambda x, h, Wx, Wh, b: np.tanh(x @ Wx.T + h @ Wh.T + b).sum(axis=0),
            "h for B=3, H=4 should have shape (3, 4); got (4,)",
        ),
        (lambda x, h, Wx, Wh, b: None, "your function returned None: is a `return` statement missing?"),
        (lambda x, h, Wx, Wh, b: "h", "h for B=3, H=4 should be a numeric array; got str"),
        ("not a function", "expected a function; got str"),
    ],
)
def test_step_rejects_wrong_answers_without_crashing(wrong, message):
    result = ex.check_rnn_step(wrong)
    assert not result.passed and result.done
    assert repr(result) == f"[Exercise 2.2] Not yet right: {message}"


def test_step_reports_an_unknown_mistake_by_position_and_value():
    result = ex.check_rnn_step(lambda x, h, Wx, Wh, b: reference_step(x, h, Wx, Wh, b) + 0.01)
    assert repr(result).startswith("[Exercise 2.2] Not yet right: for B=3, D=4, H=4, h[")
    assert "Compare with h_t = tanh(W_xh x_t + W_hh h_(t-1) + b_h)." in repr(result)


def test_step_stub_is_not_done():
    def rnn_step(x, h_prev, W_xh, W_hh, b_h):
        raise NotImplementedError

    result = ex.check_rnn_step(rnn_step)
    assert not result.done
    assert (
        repr(result)
        == "[Exercise 2.2] Not done yet: rnn_step still raises NotImplementedError: replace that line with your code and run the cell again."
    )


# ----------------------------------------------------------------- 2.3 softmax


def reference_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_softmax_accepts_the_reference():
    assert (
        repr(ex.check_softmax(reference_softmax))
        == "[Exercise 2.3] Correct: your softmax is right, and stable for large scores."
    )


@pytest.mark.parametrize(
    "wrong, message",
    [
        (
            lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True),
            "on large scores (1000 and up) your softmax gives [nan nan nan]: exp overflowed. Subtract the row's maximum before exp; it does not change the result.",
        ),
        (
            lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=0, keepdims=True),
            "the columns sum to 1, not the rows: normalise along the last axis (axis=-1, keepdims=True).",
        ),
        (
            lambda z: np.exp(z - z.max(axis=-1, keepdims=True)),
            "on small scores the rows should sum to 1; they sum to [1.5032 3.    ].",
        ),
        (
            lambda z: z / z.sum(axis=-1, keepdims=True),
            "on small scores your softmax gives [[0.1667, 0.3333, 0.5], [nan, nan, nan]], which is not finite: is something divided by zero?",
        ),
    ],
)
def test_softmax_rejects_wrong_answers(wrong, message):
    result = ex.check_softmax(wrong)
    assert repr(result) == f"[Exercise 2.3] Not yet right: {message}"


# ----------------------------------------------------------------- 2.4 latch


def test_latch_accepts_the_reference():
    assert (
        repr(ex.check_latch(20.0, 10.0, -5.0))
        == "[Exercise 2.4] Correct: your cell remembers whether it has seen a 1, on every 0/1 sequence up to length 8."
    )


@pytest.mark.parametrize(
    "weights, message",
    [
        ((20.0, 10.0, 0.0), "on inputs 0, h_1 = 0.000 but should be below -0.5 (no 1 yet)."),  # no bias
        ((20.0, 0.0, -5.0), "on inputs 10, h_2 = -1.000 but should be above +0.5 (a 1 has been seen)."),  # no memory
        ((-20.0, 10.0, -5.0), "on inputs 1, h_1 = -1.000 but should be above +0.5 (a 1 has been seen)."),  # wrong sign
        ((np.ones(2), 10.0, -5.0), "W_xh should be a single number (one input, one hidden unit); got array([1., 1.])"),
        (("twenty", 10.0, -5.0), "W_xh should be a single number (one input, one hidden unit); got 'twenty'"),
    ],
)
def test_latch_rejects_wrong_answers(weights, message):
    assert repr(ex.check_latch(*weights)) == f"[Exercise 2.4] Not yet right: {message}"


def test_latch_rejects_missing_weights():
    """None converts to nan, which no comparison fails: it must not pass as correct."""
    assert (
        repr(ex.check_latch(None, None, None))
        == "[Exercise 2.4] Not yet right: W_xh should be a finite number; got None"
    )
    assert not ex.check_latch(20.0, np.inf, -5.0).passed


def test_latch_stub_is_not_done():
    assert (
        repr(ex.check_latch(..., 10.0, -5.0))
        == "[Exercise 2.4] Not done yet: set W_xh to a number (replace the `...`)."
    )


def test_softmax_names_the_batch_wide_maximum():
    # "Stable" only when every row has the same scale: the largest score of the whole batch.
    def global_max(z):
        e = np.exp(z - z.max())
        return e / e.sum(axis=-1, keepdims=True)

    assert repr(ex.check_softmax(global_max)) == (
        "[Exercise 2.3] Not yet right: on a batch of rows on very different scales your softmax gives "
        "[[0.2689, 0.7311], [nan, nan]]: subtract each row's own maximum (z.max(axis=-1, keepdims=True)), "
        "not the largest score of the whole batch."
    )
