"""Checkers of chapters 1, 3 and 4: the reference passes, typical mistakes are named."""

from __future__ import annotations

import numpy as np
import pytest

import rnnlib
from rnnlib import exercises as ex


def msg(result) -> str:
    return repr(result).split(": ", 1)[1]


# ----------------------------------------------------------------- chapter 1


def test_window_parameter_count():
    assert ex.check_window_parameter_count(lambda k, D, Z, O: Z * k * D + Z + O * Z + O).passed
    assert (
        msg(ex.check_window_parameter_count(lambda k, D, Z, O: Z * k * D + O * Z))
        == "for k=1, D=1, Z=1, O=1 expected 4, got 2: the biases b_1 (Z of them) and b_2 (O) are missing."
    )
    assert (
        msg(ex.check_window_parameter_count(lambda k, D, Z, O: Z * D + Z + O * Z + O))
        == "for k=4, D=5, Z=32, O=5 expected 837, got 357: the window is missing: W_1 reads k*D numbers, not D."
    )
    assert (
        msg(ex.check_window_parameter_count(lambda k, D, Z, O: 1.5)) == "the count should be an integer; got float 1.5"
    )


def test_window_inputs():
    assert ex.check_window_inputs(rnnlib.window_inputs).passed

    def newest_first(xs, k):
        u = rnnlib.window_inputs(xs, k)
        return np.concatenate(np.split(u, k, axis=-1)[::-1], axis=-1)

    def one_step_late(xs, k):
        return np.concatenate([np.zeros_like(xs[:1].repeat(k, -1)), rnnlib.window_inputs(xs, k)[:-1]])

    def wraps(xs, k):
        return np.concatenate([np.roll(xs, k - 1 - j, axis=0) for j in range(k)], axis=-1)

    assert (
        msg(ex.check_window_inputs(newest_first))
        == "for T=5, D=3, k=2: the newest input comes first; put the oldest, x_(t-k+1), first."
    )
    assert (
        msg(ex.check_window_inputs(one_step_late))
        == "for T=5, D=3, k=2: off by one in time: the window at step t must end with x_t itself, not x_(t-1)."
    )
    assert (
        msg(ex.check_window_inputs(wraps))
        == "for T=5, D=3, k=2: the first windows wrap around to the end of the sequence; use zeros before the start."
    )
    assert (
        msg(ex.check_window_inputs(lambda xs, k: xs))
        == "the windows for T=5, B=2, D=3, k=2 should have shape (5, 2, 6); got (5, 2, 3)"
    )


def test_can_tell_apart():
    assert ex.check_can_tell_apart(lambda a, b, k: a[-k:] != b[-k:]).passed
    assert (
        msg(ex.check_can_tell_apart(lambda a, b, k: a != b))
        == "for [1, 2, 3] and [9, 2, 3] with k=2 the answer is False: they differ 2 steps before the last, outside a window of 2. At the last step t the MLP sees only x_(t-k+1), ..., x_t, the last k inputs."
    )
    off_by_one = lambda a, b, k: a[-(k - 1) :] != b[-(k - 1) :] if k > 1 else a[-1] != b[-1]  # noqa: E731
    assert (
        msg(ex.check_can_tell_apart(off_by_one))
        == "for [1, 2, 3] and [9, 2, 3] with k=3 the answer is True: they differ 2 steps before the last, inside a window of 3. At the last step t the MLP sees only x_(t-k+1), ..., x_t, the last k inputs."
    )
    assert msg(ex.check_can_tell_apart(lambda a, b, k: 1)) == "the answer should be True or False; got int 1"


# ----------------------------------------------------------------- chapter 3


def reference_unroll(xs, params, h0):
    h, states = h0, []
    for x in xs:
        h, _ = rnnlib.rnn_step_forward(x, h, params)
        states.append(h)
    return np.stack(states)


def test_unroll():
    assert ex.check_unroll(reference_unroll).passed

    def from_h0(xs, params, h0):
        return np.stack([rnnlib.rnn_step_forward(x, h0, params)[0] for x in xs])

    def with_h0(xs, params, h0):
        return np.concatenate([h0[None], reference_unroll(xs, params, h0)])

    def shifted(xs, params, h0):
        return np.concatenate([h0[None], reference_unroll(xs, params, h0)[:-1]])

    assert (
        msg(ex.check_unroll(from_h0))
        == "for T=4, B=2, H=5: every step starts from h0: update h after each step so the next one reads it."
    )
    assert msg(ex.check_unroll(with_h0)) == "got 5 states for T=4: return h_1..h_T, without h_0."
    assert (
        msg(ex.check_unroll(shifted))
        == "for T=4, B=2, H=5: off by one: hs[t] holds h_(t-1); store the state each step returns."
    )
    assert (
        msg(ex.check_unroll(lambda xs, p, h0: reference_unroll(xs, p, h0)[-1]))
        == "hs for T=4, B=2, H=5 should have shape (4, 2, 5); got (2, 5)"
    )


def test_unroll_shapes():
    right = {
        "xs": (6, 2, 3), "xs[0]": (2, 3), "h0": (2, 4), "hs": (6, 2, 4), "ys": (6, 2, 5),
        "ys[-1]": (2, 5), "targets_many_to_many": (6, 2), "targets_many_to_one": (2,),
    }  # fmt: skip
    assert ex.check_unroll_shapes(right).passed
    assert (
        msg(ex.check_unroll_shapes({**right, "xs": (2, 6, 3)}))
        == "xs: got (2, 6, 3). Hint: time-major inputs: (T, B, D) (here T=6, B=2, D=3, H=4, O=5)."
    )
    assert (
        msg(ex.check_unroll_shapes({**right, "targets_many_to_one": (6,)}))
        == "targets_many_to_one: got (6,). Hint: one class per sequence: (B,) (here T=6, B=2, D=3, H=4, O=5)."
    )
    assert not ex.check_unroll_shapes(dict.fromkeys(right, ...)).done


@pytest.mark.parametrize(
    "value, message",
    [
        (3, "3: that is h_1."),
        (2.5, "2.5: that is h_2; one more step."),
        (4.5, "4.5: that is what you get without the bias b_h = 1."),
        (5, "5: that ignores the previous state: add w_hh * h_2."),
        (9, "9: the recurrent weight is 0.5, not 1."),
        (7, "7 is not h_3. Compute h_1 = relu(w_xh x_1 + w_hh h_0 + b_h) first, then h_2, then h_3."),
        ("six", "h_3 should be a single number; got 'six'"),
    ],
)
def test_h3(value, message):
    assert ex.check_h3(6.25).passed
    assert msg(ex.check_h3(value)) == message


# ----------------------------------------------------------------- chapter 4


def test_parameter_counts():
    def right(T, D, H, O):
        tied = H * D + H * H + H + O * H + O
        return tied, T * tied

    assert ex.check_parameter_counts(right).passed
    assert (
        msg(ex.check_parameter_counts(lambda T, D, H, O: (T * right(T, D, H, O)[0],) * 2))
        == "for T=10 the tied count 570 depends on T: the RNN uses the same weights at every step."
    )
    assert (
        msg(ex.check_parameter_counts(lambda T, D, H, O: (right(T, D, H, O)[0],) * 2))
        == "for T=10 the untied count equals the tied one: an untied network has a full set of weights per step."
    )
    assert (
        msg(ex.check_parameter_counts(lambda T, D, H, O: (H * D + H * H + O * H, 0)))
        == "for D=1, H=1, O=1 the tied count is 5, got 3: the biases b_h and b_y are missing."
    )
    assert msg(ex.check_parameter_counts(lambda T, D, H, O: 5)) == "return a pair (tied, untied); got 5"


def test_shared_gradient():
    assert ex.check_shared_gradient(lambda g: g.sum(axis=0)).passed
    assert (
        msg(ex.check_shared_gradient(lambda g: g.mean(axis=0)))
        == "for T=4, H=4: this is the mean over steps; the chain rule adds the contributions, it does not average them."
    )
    assert (
        msg(ex.check_shared_gradient(lambda g: g[-1]))
        == "for T=4, H=4: this is only the last step's contribution; every step uses W_hh, so every step contributes."
    )
    assert (
        msg(ex.check_shared_gradient(lambda g: g.sum(axis=1)))
        == "for T=4, H=4: this sums over the wrong axis: time is the first axis."
    )


def test_largest_hidden_size():
    assert msg(ex.check_largest_hidden_size(257)) == "H = 257 gives 99,781 parameters; H = 258 would give 100,427."
    assert msg(ex.check_largest_hidden_size(258)) == "H = 258 gives 100,427 parameters, over the budget of 100,000."
    assert (
        msg(ex.check_largest_hidden_size(200))
        == "H = 200 gives 66,265 parameters; a larger H still fits within 100,000."
    )
    assert msg(ex.check_largest_hidden_size(257.0)) == "H should be a whole number of units; got float 257.0"
