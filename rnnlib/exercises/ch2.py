"""The checkers of chapter 2's exercises."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from rnnlib.cell import activate
from rnnlib.exercises._common import CheckResult, _answer_dict_verdict, _call_for_array, _not_done, _ok, _wrong
from rnnlib.losses import softmax

# ---------------------------------------------------------------- exercise 2.1

_SHAPE_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y", "x_t", "h_t", "y_t", "xs", "num_parameters")


def check_cell_shapes(answer: dict) -> CheckResult:
    """Exercise 2.1: the shapes for ``D=3, H=5, O=2``, a batch of ``B=4``, ``T=7``.

    ``answer`` maps each name in ``W_xh, W_hh, b_h, W_hy, b_y, x_t, h_t, y_t,
    xs`` (batched, time-major) to a shape tuple, and ``num_parameters`` to an int.
    """
    ex = "Exercise 2.1"
    D, H, O, B, T = 3, 5, 2, 4, 7
    expected = {
        "W_xh": (H, D),
        "W_hh": (H, H),
        "b_h": (H,),
        "W_hy": (O, H),
        "b_y": (O,),
        "x_t": (B, D),
        "h_t": (B, H),
        "y_t": (B, O),
        "xs": (T, B, D),
        "num_parameters": H * D + H * H + H + O * H + O,
    }
    why = {
        "W_xh": "W_xh maps an input (size D) to the hidden space (size H): (H, D)",
        "W_hh": "W_hh maps the hidden state to itself: (H, H)",
        "b_h": "there is one bias per hidden unit: (H,)",
        "W_hy": "W_hy maps the hidden state (size H) to the output (size O): (O, H)",
        "b_y": "there is one bias per output: (O,)",
        "x_t": "one input row per example in the batch: (B, D)",
        "h_t": "one hidden state row per example: (B, H)",
        "y_t": "one output row per example: (B, O)",
        "xs": "time-major: (T, B, D)",
        "num_parameters": "add up the sizes of the five weights: H*D + H*H + H + O*H + O",
    }
    verdict = _answer_dict_verdict(ex, answer, _SHAPE_NAMES)
    if verdict is not None:
        return verdict
    for name in _SHAPE_NAMES:
        got = answer[name]
        want = expected[name]
        if name == "num_parameters":
            if got != want:
                return _wrong(ex, f"num_parameters: got {got!r}. Hint: {why[name]}.")
            continue
        try:
            got_t = tuple(int(n) for n in got)
        except (TypeError, ValueError):
            return _wrong(ex, f"{name}: a shape is a tuple of integers, like (4, 3); got {got!r}")
        if got_t != want:
            hint = "transposed? " if got_t == want[::-1] and len(want) == 2 else ""
            return _wrong(ex, f"{name}: got {got_t}. {hint}Hint: {why[name]} (here D=3, H=5, O=2, B=4, T=7).")
    return _ok(ex, f"every shape is right, and the model has {expected['num_parameters']} parameters whatever T is.")


# ---------------------------------------------------------------- exercise 2.2


def _reference_step(x, h, W_xh, W_hh, b_h, activation="tanh", bias=True):
    a = x @ W_xh.T + h @ W_hh.T + (b_h if bias else 0.0)
    return a if activation is None else activate(a, activation)


# Known mistakes and how to recognise them: (name, function of the same arguments).
_STEP_MISTAKES = (
    ("the bias b_h is missing", lambda x, h, Wx, Wh, b: _reference_step(x, h, Wx, Wh, b, bias=False)),
    (
        "tanh is missing: this is the pre-activation a_t",
        lambda x, h, Wx, Wh, b: _reference_step(x, h, Wx, Wh, b, activation=None),
    ),
    ("this is ReLU, not tanh", lambda x, h, Wx, Wh, b: _reference_step(x, h, Wx, Wh, b, activation="relu")),
    (
        "the weights are transposed: with one example per row, W_xh x_t is x @ W_xh.T",
        lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh + b),
    ),
    (
        "W_xh is transposed: with one example per row, W_xh x_t is x @ W_xh.T",
        lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh.T + b),
    ),
    (
        "W_hh is transposed: with one example per row, W_hh h_{t-1} is h_prev @ W_hh.T",
        lambda x, h, Wx, Wh, b: np.tanh(x @ Wx.T + h @ Wh + b),
    ),
    (
        "h_prev is not used: the new state must depend on the previous one",
        lambda x, h, Wx, Wh, b: np.tanh(x @ Wx.T + b),
    ),
)


def check_rnn_step(rnn_step: Callable) -> CheckResult:
    """Exercise 2.2: ``rnn_step(x, h_prev, W_xh, W_hh, b_h) -> h`` with tanh.

    Shapes: ``x (B, D)``, ``h_prev (B, H)``, ``W_xh (H, D)``, ``W_hh (H, H)``,
    ``b_h (H,)``; the result ``(B, H)``.
    """
    ex = "Exercise 2.2"
    rng = np.random.default_rng(22)
    # The square case (D = H) first: there the commonest mistake, x @ W_xh, runs and
    # can be named; H != D then catches by shape what a square case cannot.
    for B, D, H in ((3, 4, 4), (2, 3, 4), (1, 1, 1)):
        x, h = rng.normal(size=(B, D)), rng.normal(size=(B, H))
        W_xh, W_hh, b_h = rng.normal(size=(H, D)), rng.normal(size=(H, H)), rng.normal(size=H)
        args = (x.copy(), h.copy(), W_xh.copy(), W_hh.copy(), b_h.copy())
        got, verdict = _call_for_array(ex, rnn_step, tuple(args), (B, H), f"h for B={B}, H={H}")
        if verdict is not None:
            return verdict
        want = _reference_step(x, h, W_xh, W_hh, b_h)
        if np.allclose(got, want, atol=1e-8):
            continue
        for what, mistake in _STEP_MISTAKES:
            try:
                if np.allclose(got, mistake(x, h, W_xh, W_hh, b_h), atol=1e-8):
                    return _wrong(ex, f"{what}.")
            except ValueError:  # this mistake cannot produce these shapes
                pass
        i = np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
        return _wrong(
            ex,
            f"for B={B}, D={D}, H={H}, h[{i[0]}, {i[1]}] should be {want[i]:.4f}; got {got[i]:.4f}. "
            "Compare with h_t = tanh(W_xh x_t + W_hh h_(t-1) + b_h).",
        )
    return _ok(ex, "your step matches h_t = tanh(W_xh x_t + W_hh h_(t-1) + b_h) for every shape tried.")


# ---------------------------------------------------------------- exercise 2.3


def check_softmax(softmax_fn: Callable) -> CheckResult:
    """Exercise 2.3: a numerically stable ``softmax(z)`` over the last axis of ``(B, O)`` scores."""
    ex = "Exercise 2.3"
    cases = (
        ("small scores", np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])),
        ("one row", np.array([[-1.0, 0.5]])),
        ("large scores (1000 and up)", np.array([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])),
        ("a batch of rows on very different scales", np.array([[1000.0, 1001.0], [0.0, 1.0]])),
    )
    for label, z in cases:
        with np.errstate(all="ignore"):
            got, verdict = _call_for_array(ex, softmax_fn, (z.copy(),), z.shape, f"softmax of {z.shape} scores")
        if verdict is not None:
            return verdict
        if not np.all(np.isfinite(got)):
            if label.startswith("a batch"):  # finite on each scale alone: one maximum for the whole batch
                return _wrong(
                    ex,
                    f"on {label} your softmax gives {np.round(got, 4).tolist()}: subtract each row's own maximum "
                    "(z.max(axis=-1, keepdims=True)), not the largest score of the whole batch.",
                )
            if label.startswith("large"):  # the same function was finite on small scores
                return _wrong(
                    ex,
                    f"on {label} your softmax gives {got[0]}: exp overflowed. "
                    "Subtract the row's maximum before exp; it does not change the result.",
                )
            return _wrong(
                ex,
                f"on {label} your softmax gives {np.round(got, 4).tolist()}, which is not finite: "
                "is something divided by zero?",
            )
        if np.allclose(got.sum(axis=0), 1.0) and not np.allclose(got.sum(axis=-1), 1.0):
            return _wrong(
                ex, "the columns sum to 1, not the rows: normalise along the last axis (axis=-1, keepdims=True)."
            )
        if not np.allclose(got.sum(axis=-1), 1.0):
            return _wrong(ex, f"on {label} the rows should sum to 1; they sum to {np.round(got.sum(axis=-1), 4)}.")
        want = softmax(z)
        if not np.allclose(got, want, atol=1e-10):
            return _wrong(
                ex, f"on {label} expected {np.round(want[0], 4)} for the first row; got {np.round(got[0], 4)}."
            )
    return _ok(ex, "your softmax is right, and stable for large scores.")


# ---------------------------------------------------------------- exercise 2.4


def check_latch(W_xh: object, W_hh: object, b_h: object) -> CheckResult:
    """Exercise 2.4: a one-unit tanh cell, started at ``h_0 = 0``, whose state is
    above +0.5 once a 1 has been seen and below -0.5 until then.

    Every 0/1 sequence of length 8 is tried.
    """
    ex = "Exercise 2.4"
    weights = {}
    for name, value in (("W_xh", W_xh), ("W_hh", W_hh), ("b_h", b_h)):
        if value is Ellipsis:
            return _not_done(ex, f"set {name} to a number (replace the `...`).")
        try:
            weights[name] = float(np.asarray(value, dtype=np.float64).reshape(()))
        except (TypeError, ValueError):
            return _wrong(ex, f"{name} should be a single number (one input, one hidden unit); got {value!r}")
        if not np.isfinite(weights[name]):  # None becomes nan, and nan passes every comparison test below
            return _wrong(ex, f"{name} should be a finite number; got {value!r}")
    w, u, b = weights["W_xh"], weights["W_hh"], weights["b_h"]
    # Shortest sequences first, so a failure is reported on the shortest input that shows it.
    for seq in itertools.chain.from_iterable(itertools.product((0, 1), repeat=n) for n in range(1, 9)):
        h, seen = 0.0, False
        for x in seq:
            h = float(np.tanh(w * x + u * h + b))
            seen = seen or x == 1
        if seen and h <= 0.5 or not seen and h >= -0.5:
            want = "above +0.5 (a 1 has been seen)" if seen else "below -0.5 (no 1 yet)"
            return _wrong(ex, f"on inputs {''.join(map(str, seq))}, h_{len(seq)} = {h:.3f} but should be {want}.")
    return _ok(ex, "your cell remembers whether it has seen a 1, on every 0/1 sequence up to length 8.")
