"""The checkers of chapter 3's exercises."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnlib.exercises._common import (
    CheckResult,
    _answer_dict_verdict,
    _as_result_array,
    _call,
    _first_difference,
    _known_mistake,
    _not_done,
    _ok,
    _wrong,
)


def check_unroll(unroll_fn: Callable) -> CheckResult:
    """Exercise 3.1: ``unroll_fn(xs, params, h0)`` returns every hidden state ``(T, B, H)``,
    built from :func:`rnnlib.rnn_step_forward`."""
    from rnnlib.cell import init_rnn_params
    from rnnlib.unroll import rnn_forward_stepwise

    ex = "Exercise 3.1"
    rng = np.random.default_rng(31)
    for T, B, D, H in ((4, 2, 3, 5), (1, 1, 2, 2), (6, 3, 1, 4)):
        params = init_rnn_params(D, H, 2, seed=rng)
        xs, h0 = rng.normal(size=(T, B, D)), rng.normal(size=(B, H))
        out, verdict = _call(ex, unroll_fn, xs.copy(), params, h0.copy())
        if verdict is not None:
            return verdict
        if np.shape(out) == (T + 1, B, H):
            return _wrong(ex, f"got {T + 1} states for T={T}: return h_1..h_T, without h_0.")
        got, verdict = _as_result_array(ex, out, (T, B, H), f"hs for T={T}, B={B}, H={H}")
        if verdict is not None:
            return verdict
        want = rnn_forward_stepwise(xs, params, h0)
        if np.allclose(got, want):
            continue
        h_prev = np.concatenate([h0[None], want[:-1]])
        from_h0 = lambda: np.tanh(xs @ params.W_xh.T + h0 @ params.W_hh.T + params.b_h)  # noqa: E731
        what = _known_mistake(
            got,
            [
                ("every step starts from h0: update h after each step so the next one reads it", from_h0),
                ("off by one: hs[t] holds h_(t-1); store the state each step returns", lambda: h_prev),
                (
                    "all entries are the last state: store a copy of h at each step",
                    lambda: np.broadcast_to(want[-1], want.shape),
                ),
            ],
        )
        where = f"for T={T}, B={B}, H={H}"
        return _wrong(ex, f"{where}: {what}." if what else f"{where}, {_first_difference(got, want)}.")
    return _ok(ex, "your loop matches rnnlib's unrolled forward.")


_UNROLL_SHAPES = {
    "xs": ((6, 2, 3), "time-major inputs: (T, B, D)"),
    "xs[0]": ((2, 3), "the inputs of one step, for every sequence of the batch: (B, D)"),
    "h0": ((2, 4), "one initial state per sequence: (B, H)"),
    "hs": ((6, 2, 4), "every hidden state h_1..h_T: (T, B, H)"),
    "ys": ((6, 2, 5), "an output at every step: (T, B, O)"),
    "ys[-1]": ((2, 5), "the last step's outputs, what many-to-one scores: (B, O)"),
    "targets_many_to_many": ((6, 2), "one class per step and sequence: (T, B)"),
    "targets_many_to_one": ((2,), "one class per sequence: (B,)"),
}


def check_unroll_shapes(answer: dict) -> CheckResult:
    """Exercise 3.2: shapes of every array of an unrolled RNN for T=6, B=2, D=3, H=4, O=5."""
    ex = "Exercise 3.2"
    verdict = _answer_dict_verdict(ex, answer, _UNROLL_SHAPES)
    if verdict is not None:
        return verdict
    for name, (want, why) in _UNROLL_SHAPES.items():
        try:
            got = tuple(int(n) for n in answer[name])
        except (TypeError, ValueError):
            return _wrong(ex, f"{name}: a shape is a tuple of integers, like (6, 2); got {answer[name]!r}")
        if got != want:
            return _wrong(ex, f"{name}: got {got}. Hint: {why} (here T=6, B=2, D=3, H=4, O=5).")
    return _ok(ex, "every shape is right.")


def check_h3(h3: object) -> CheckResult:
    """Exercise 3.3: ``h_3`` of a one-unit ReLU cell with ``w_xh = 1``, ``w_hh = 0.5``,
    ``b_h = 1``, ``h_0 = 0`` and inputs ``x = (2, 0, 4)``."""
    ex = "Exercise 3.3"
    if h3 is Ellipsis:
        return _not_done(ex, "replace the `...` with your value of h_3.")
    try:
        value = float(np.asarray(h3, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        return _wrong(ex, f"h_3 should be a single number; got {h3!r}")

    def run(w_xh=1.0, w_hh=0.5, b=1.0, xs=(2.0, 0.0, 4.0), h=0.0):
        states = []
        for x in xs:
            h = max(0.0, w_xh * x + w_hh * h + b)
            states.append(h)
        return states

    h1, h2, want = run()
    if np.isclose(value, want):
        return _ok(ex, "h_1 = 3, h_2 = 2.5, h_3 = 4 + 0.5 * 2.5 + 1 = 6.25.")
    mistakes = [
        (h1, "that is h_1"),
        (h2, "that is h_2; one more step"),
        (run(b=0.0)[-1], "that is what you get without the bias b_h = 1"),
        (run(w_hh=0.0)[-1], "that ignores the previous state: add w_hh * h_2"),
        (run(w_hh=1.0)[-1], "the recurrent weight is 0.5, not 1"),
        (run(xs=(4.0, 0.0, 2.0))[-1], "the inputs are taken in reverse order; x_1 = 2 comes first"),
    ]
    for v, what in mistakes:
        if np.isclose(value, v):
            return _wrong(ex, f"{value:g}: {what}.")
    return _wrong(ex, f"{value:g} is not h_3. Compute h_1 = relu(w_xh x_1 + w_hh h_0 + b_h) first, then h_2, then h_3.")
