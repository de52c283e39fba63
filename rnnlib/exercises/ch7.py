"""The checkers of chapter 7's exercises."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from rnnlib.exercises._common import (
    CheckResult,
    _as_result_array,
    _call,
    _call_for_array,
    _first_difference,
    _known_mistake,
    _not_done,
    _ok,
    _wrong,
)
from rnnlib.gated import LSTMParams
from rnnlib.gated import lstm_step_forward as _reference_step_forward


def check_gru_update(gru_update: Callable) -> CheckResult:
    """Exercise 7.5: ``gru_update(z, n, h_prev)`` returns the GRU's new state
    ``h_t = (1 - z_t) * n_t + z_t * h_{t-1}`` (all arrays of shape ``(B, H)``)."""
    ex = "Exercise 7.5"
    rng = np.random.default_rng(71)
    for B, H in ((1, 3), (4, 5)):
        z = 1 / (1 + np.exp(-rng.normal(size=(B, H))))
        n, h_prev = np.tanh(rng.normal(size=(B, H))), np.tanh(rng.normal(size=(B, H)))
        got, verdict = _call_for_array(ex, gru_update, (z.copy(), n.copy(), h_prev.copy()), (B, H), "h_t")
        if verdict is not None:
            return verdict
        want = (1 - z) * n + z * h_prev
        if np.allclose(got, want):
            continue
        what = _known_mistake(
            got,
            [
                (
                    "z and 1 - z are swapped: in this course z_t near 1 keeps the old state, "
                    "h_t = (1 - z) * n + z * h_prev (PyTorch's documentation uses the same convention)",
                    lambda: z * n + (1 - z) * h_prev,
                ),
                ("the new state mixes both with weight 1: use (1 - z) * n, not n", lambda: n + z * h_prev),
                ("the old state is missing: h_t keeps z * h_prev of it", lambda: (1 - z) * n),
                ("this is a product, not a mix: add the two parts", lambda: (1 - z) * n * z * h_prev),
            ],
        )
        return _wrong(
            ex, f"for B={B}, H={H}: {what}." if what else f"for B={B}, H={H}, {_first_difference(got, want)}."
        )
    return _ok(ex, "h_t = (1 - z) * n + z * h_prev: where z is near 1 the unit keeps its state.")


def check_cell_update(cell_update: Callable) -> CheckResult:
    """Exercise 7.1: ``cell_update(f, i, g, c_prev)`` returns the LSTM's new cell state
    ``c_t = f_t * c_{t-1} + i_t * g_t`` (all of shape ``(B, H)``)."""
    ex = "Exercise 7.1"
    rng = np.random.default_rng(72)
    for B, H in ((1, 2), (3, 4)):
        f, i = (1 / (1 + np.exp(-rng.normal(size=(B, H)))) for _ in range(2))
        g, c_prev = np.tanh(rng.normal(size=(B, H))), 2 * rng.normal(size=(B, H))
        got, verdict = _call_for_array(ex, cell_update, (f.copy(), i.copy(), g.copy(), c_prev.copy()), (B, H), "c_t")
        if verdict is not None:
            return verdict
        want = f * c_prev + i * g
        if np.allclose(got, want):
            continue
        what = _known_mistake(
            got,
            [
                ("the forget gate is missing: c_prev must be multiplied by f", lambda: c_prev + i * g),
                ("the gates are swapped: f scales the old cell state, i the candidate g", lambda: i * c_prev + f * g),
                ("the input gate is missing: the candidate g enters as i * g", lambda: f * c_prev + g),
                ("c_t is not squashed: tanh belongs to h_t = o * tanh(c_t)", lambda: np.tanh(want)),
                ("this is a product: the cell state is updated by a sum", lambda: f * c_prev * i * g),
            ],
        )
        return _wrong(
            ex, f"for B={B}, H={H}: {what}." if what else f"for B={B}, H={H}, {_first_difference(got, want)}."
        )
    return _ok(ex, "c_t = f * c_prev + i * g: an additive update, with no weight matrix between c_prev and c_t.")


def check_gated_parameter_counts(count_fn: Callable) -> CheckResult:
    """Exercise 7.6: ``count_fn(D, H, O) -> (rnn, gru, lstm)``: the parameters of the
    three cells with their output layers, for input size ``D``, ``H`` units, ``O`` outputs."""
    ex = "Exercise 7.6"
    for D, H, O in ((1, 1, 1), (8, 32, 4), (71, 128, 71)):
        out, verdict = _call(ex, count_fn, D, H, O)
        if verdict is not None:
            return verdict
        if not (isinstance(out, tuple) and len(out) == 3):
            return _wrong(ex, f"return a triple (rnn, gru, lstm); got {out!r:.80}")
        block, head = H * D + H * H + H, O * H + O
        want = (block + head, 3 * block + head, 4 * block + head)
        if tuple(out) == want:
            continue
        for name, got, k in zip(("rnn", "gru", "lstm"), out, (1, 3, 4), strict=True):
            if got == k * block + head:
                continue
            if got == k * (block + head):
                return _wrong(ex, f"for D={D}, H={H}, O={O} the {name} count repeats the output layer per gate.")
            if got == k * (H * D + H * H) + O * H:
                return _wrong(ex, f"for D={D}, H={H}, O={O} the {name} count leaves out the biases.")
            return _wrong(
                ex,
                f"for D={D}, H={H}, O={O} the {name} count is {k * block + head}, got {got}: "
                f"{k} block(s) of H*D + H*H + H, plus the output layer O*H + O.",
            )
    return _ok(
        ex, "one block of weights for each gate and each candidate: the GRU has three, the LSTM four, the RNN one."
    )


# ------------------------------------------------------------ the LSTM step, built


_ROLES = ("i", "f", "g", "o")
_ROLE_NAMES = {"i": "the input gate i", "f": "the forget gate f", "g": "the candidate g", "o": "the output gate o"}


def _lstm_case(B: int, D: int, H: int, seed: int):
    """A small seeded LSTM step with every gate's weights and bias random, so that no two
    blocks, and no gate and its mistaken variants, give the same numbers."""
    rng = np.random.default_rng(seed)
    params = LSTMParams(
        W_x=rng.normal(0.0, 0.8, size=(4 * H, D)),
        W_h=rng.normal(0.0, 0.8, size=(4 * H, H)),
        b=rng.normal(0.0, 0.8, size=4 * H),
        W_hy=rng.normal(size=(1, H)),
        b_y=np.zeros(1),
    )
    x, h_prev = rng.normal(size=(B, D)), np.tanh(rng.normal(size=(B, H)))
    c_prev = 1.5 * rng.normal(size=(B, H))
    dh, dc = rng.normal(size=(B, H)), rng.normal(size=(B, H))
    return params, x, h_prev, c_prev, dh, dc


def _sig(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def _lstm_variant(x, h_prev, c_prev, p: LSTMParams, order=(0, 1, 2, 3), squash="ssts", h_from="c"):
    """The LSTM step with known mistakes switched on: gate ``k`` (in ``i, f, g, o``) read
    from block ``order[k]`` and squashed by ``squash[k]`` (``s`` sigmoid, ``t`` tanh; the
    reference is ``s, s, t, s``); ``h_from`` is ``"c"`` (right), ``"c_prev"`` or ``"raw"``."""
    H = p.hidden_size
    a = x @ p.W_x.T + h_prev @ p.W_h.T + p.b
    i, f, g, o = (
        (np.tanh if s == "t" else _sig)(a[:, k * H : (k + 1) * H]) for k, s in zip(order, squash.lower(), strict=True)
    )
    c = f * c_prev + i * g
    h = o * {"c": np.tanh(c), "c_prev": np.tanh(c_prev), "raw": c}[h_from]
    return h, c


def _describe_forward_mistake(order, squash, h_from) -> str:
    parts = []
    wrong = [k for k in range(4) if order[k] != k]
    if len(wrong) == 2 and order[wrong[0]] == wrong[1]:
        a, b = (_ROLES[k] for k in wrong)
        where = (
            "either the blocks you read or their places in c_t = f * c_prev + i * g"
            if {a, b} == {"i", "f"}
            else "the blocks you read"
        )
        parts.append(f"{a} and {b} are swapped ({where}); rnnlib stacks the blocks in the order i, f, g, o")
    elif wrong:
        used = ", ".join(f"{_ROLES[k]} from the rows of {_ROLES[order[k]]}" for k in wrong)
        parts.append(f"the stacked blocks are read in the wrong order ({used}): they are stacked i, f, g, o")
    for k, s in enumerate(squash.lower()):
        if k == 2 and s == "s":
            parts.append("the candidate g has a sigmoid: it is a tanh, so that it can write negative values")
        elif k != 2 and s == "t":
            parts.append(f"{_ROLE_NAMES[_ROLES[k]]} has a tanh: a gate is a sigmoid, between 0 and 1")
    if h_from == "c_prev":
        parts.append("h_t is computed from c_{t-1}: it is h_t = o * tanh(c_t), from the new cell state")
    elif h_from == "raw":
        parts.append("the tanh is missing in h_t = o * tanh(c_t)")
    return "; ".join(parts)


def _mistake_size(variant) -> int:
    order, squash, h_from = variant
    moved = sum(k != n for n, k in enumerate(order))
    return moved + sum(a != b for a, b in zip(squash, "ssts", strict=True)) + (h_from != "c")


# Every LSTM step with its blocks in any order, any gate or the candidate squashed by the
# other function, and h_t made from c_{t-1} or an unsquashed c_t: the simplest first, so
# that where two explain the same numbers (i * g = g * i) the fewer mistakes are named.
_FORWARD_VARIANTS = sorted(
    (
        v
        for v in itertools.product(
            itertools.permutations(range(4)),
            ("".join(s) for s in itertools.product("st", repeat=4)),
            ("c", "c_prev", "raw"),
        )
        if _mistake_size(v) > 0
    ),
    key=_mistake_size,
)


def _known_forward_mistake(h, c, x, h_prev, c_prev, p) -> str | None:
    """The description of the mistaken LSTM step that gives exactly ``(h, c)``, if one does."""
    for order, squash, h_from in _FORWARD_VARIANTS:
        want_h, want_c = _lstm_variant(x, h_prev, c_prev, p, order, squash, h_from)
        if np.allclose(h, want_h) and np.allclose(c, want_c):
            return _describe_forward_mistake(order, squash, h_from)
    return None


def _forward_outputs(ex: str, fn: Callable, args: tuple, B: int, H: int):
    """Call a learner's ``lstm_step_forward`` and read ``(h, c, cache)``; or a verdict."""
    out, verdict = _call(ex, fn, *(a.copy() if isinstance(a, np.ndarray) else a for a in args))
    if verdict is not None:
        return None, verdict
    if not (isinstance(out, (tuple, list)) and len(out) == 3):
        return None, _wrong(ex, f"return a triple (h, c, cache); got {type(out).__name__} {out!r:.60}")
    h, verdict = _as_result_array(ex, out[0], (B, H), "h (the first thing returned)")
    if verdict is not None:
        return None, verdict
    c, verdict = _as_result_array(ex, out[1], (B, H), "c (the second thing returned)")
    if verdict is not None:
        return None, verdict
    return (h, c, out[2]), None


def _forward_verdict(ex: str, fn: Callable, B: int, D: int, H: int, seed: int):
    """``(outputs, None)`` if the learner's forward is right on this case, else ``(None, verdict)``."""
    p, x, h_prev, c_prev, _, _ = _lstm_case(B, D, H, seed)
    outputs, verdict = _forward_outputs(ex, fn, (x, h_prev, c_prev, p), B, H)
    if verdict is not None:
        return None, verdict
    p, x, h_prev, c_prev, _, _ = _lstm_case(B, D, H, seed)  # afresh, whatever the learner's code changed
    h, c, _ = outputs
    want_h, want_c, _ = _reference_step_forward(x, h_prev, c_prev, p)
    if np.allclose(h, want_h) and np.allclose(c, want_c):
        return outputs, None
    label = f"for B={B}, D={D}, H={H}"
    if np.allclose(h, want_c) and np.allclose(c, want_h):
        return None, _wrong(ex, f"{label}: h and c are returned in the wrong order; return (h, c, cache).")
    what = _known_forward_mistake(h, c, x, h_prev, c_prev, p)
    if what:
        return None, _wrong(ex, f"{label}: {what}.")
    if np.allclose(c, want_c):
        return None, _wrong(
            ex,
            f"{label}: c_t is right but h_t is not: look at the output gate o and h_t = o * tanh(c_t); "
            f"h {_first_difference(h, want_h)}.",
        )
    return None, _wrong(
        ex, f"{label}: c_t is wrong: look at i, f, g and c_t = f * c_prev + i * g; c {_first_difference(c, want_c)}."
    )


_STEP_SHAPES = ((1, 2, 3), (3, 4, 2), (2, 3, 3))  # (B, D, H): one example, D > H, D = H


def check_lstm_step_forward(lstm_step_forward: Callable) -> CheckResult:
    """Exercise 7.2: ``lstm_step_forward(x, h_prev, c_prev, params)`` computes one LSTM
    step from ``x (B, D)``, ``h_prev, c_prev (B, H)`` and an :class:`~rnnlib.LSTMParams`
    (blocks ``i, f, g, o`` stacked in ``W_x (4H, D)``, ``W_h (4H, H)``, ``b (4H,)``) and
    returns ``(h, c, cache)``: ``h_t``, ``c_t`` and whatever your backward needs."""
    ex = "Exercise 7.2"
    for n, (B, D, H) in enumerate(_STEP_SHAPES):
        _, verdict = _forward_verdict(ex, lstm_step_forward, B, D, H, seed=720 + n)
        if verdict is not None:
            return verdict
    return _ok(
        ex,
        "h_t and c_t agree with rnnlib's for every shape: three sigmoid gates i, f, o, a tanh candidate g, "
        "c_t = f * c_prev + i * g and h_t = o * tanh(c_t).",
    )


_GRAD_FIELDS = ("x", "h_prev", "c_prev", "W_x", "W_h", "b")


def _grad_fields(ex: str, out: object, shapes: dict[str, tuple[int, ...]]):
    """The six gradients from a dict or a record with those names, as arrays; or a verdict."""
    got = {}
    for name in _GRAD_FIELDS:
        if isinstance(out, dict):
            if name not in out:
                return None, _wrong(ex, f"the gradients should have the keys {list(_GRAD_FIELDS)}; {name!r} is missing")
            value = out[name]
        elif hasattr(out, name):
            value = getattr(out, name)
        else:
            return None, _wrong(
                ex,
                f"return a dict of gradients with the keys {list(_GRAD_FIELDS)} (the names of what they are "
                f"gradients of); got {type(out).__name__}",
            )
        arr, verdict = _as_result_array(ex, value, shapes[name], f"the gradient {name!r}")
        if verdict is not None:
            if name == "b" and np.shape(value) == (shapes["x"][0], shapes["b"][0]):
                return None, _wrong(ex, f"the gradient 'b' should have shape {shapes['b']}: sum over the batch")
            return None, verdict
        got[name] = arr
    return got, None


def _lstm_backward_variant(dh, dc, x, h_prev, c_prev, p: LSTMParams, **mistake) -> dict[str, np.ndarray]:
    """The LSTM step's backward with one known mistake switched on (none: the reference)."""
    H = p.hidden_size
    a = x @ p.W_x.T + h_prev @ p.W_h.T + p.b
    i, f, g, o = (_sig(a[:, :H]), _sig(a[:, H : 2 * H]), np.tanh(a[:, 2 * H : 3 * H]), _sig(a[:, 3 * H :]))
    c = f * c_prev + i * g
    tc = np.tanh(c)
    t_out = np.tanh(c_prev) if mistake.get("c_prev_in") in ("both", "do") else tc
    t_der = np.tanh(c_prev) if mistake.get("c_prev_in") in ("both", "derivative") else tc
    through_h = {"right": dh * o * (1 - t_der**2), "no_tanh_derivative": dh * o, "none": 0.0}
    dc_total = dc + through_h[mistake.get("through_h", "right")]
    do = dh * t_out
    di, df, dg = dc_total * g, dc_total * (c if mistake.get("df_uses_c") else c_prev), dc_total * i
    if mistake.get("swap_if_locals"):
        di, df = dc_total * c_prev, dc_total * g
    d_sig = {k: (lambda s: s * (1 - s)) for k in "ifo"}
    d_sig["g"] = (lambda s: s * (1 - s)) if mistake.get("sigmoid_derivative_on_g") else (lambda s: 1 - s**2)
    for k in mistake.get("tanh_derivative_on", ""):
        d_sig[k] = lambda s: 1 - s**2
    blocks = [di * d_sig["i"](i), df * d_sig["f"](f), dg * d_sig["g"](g), do * d_sig["o"](o)]
    order = mistake.get("stack_order", (0, 1, 2, 3))
    da = np.concatenate([blocks[k] for k in order], axis=1)
    dc_prev = {
        "right": dc_total * f,
        "no_f": dc_total,
        "zero": np.zeros_like(dc),
        "later_only": dc * f,
    }[mistake.get("dc_prev", "right")]
    return {
        "x": da @ p.W_x,
        "h_prev": da @ p.W_h,
        "c_prev": dc_prev,
        "W_x": da.T @ x,
        "W_h": da.T @ h_prev,
        "b": da.sum(axis=0),
    }


_BACKWARD_MISTAKES = [
    (
        "dc_prev is missing the forget gate: the cell-state path gives dc_prev = f * dc_t, where dc_t already "
        "includes the gradient through h_t",
        dict(dc_prev="no_f"),
    ),
    (
        "dc_prev is zero: the gradient must flow back along the cell-state path, dc_prev = f * dc_t",
        dict(dc_prev="zero"),
    ),
    (
        "dc_prev = f * dc uses only the gradient from later steps: first add the gradient through "
        "h_t = o * tanh(c_t), dc_t = dc + dh * o * (1 - tanh(c_t)^2), then multiply by f",
        dict(dc_prev="later_only"),
    ),
    (
        "the derivative of tanh(c_t) is missing on the output path: h_t = o * tanh(c_t) gives "
        "dc_t += dh * o * (1 - tanh(c_t)^2), not dh * o",
        dict(through_h="no_tanh_derivative"),
    ),
    (
        "the gradient through h_t never reaches c_t: add dh * o * (1 - tanh(c_t)^2) to dc before the gates use it",
        dict(through_h="none"),
    ),
    (
        "c_prev is used where c_t is needed: h_t = o * tanh(c_t), so do = dh * tanh(c_t) and the derivative is "
        "1 - tanh(c_t)^2",
        dict(c_prev_in="both"),
    ),
    ("c_prev is used where c_t is needed: do = dh * tanh(c_t), from the new cell state", dict(c_prev_in="do")),
    (
        "c_prev is used where c_t is needed: the output path's derivative is 1 - tanh(c_t)^2, of the new cell state",
        dict(c_prev_in="derivative"),
    ),
    ("c_t is used where c_prev is needed: c_t = f * c_prev + ..., so df = dc_t * c_prev", dict(df_uses_c=True)),
    ("i and f are swapped: di = dc_t * g and df = dc_t * c_prev", dict(swap_if_locals=True)),
    (
        "the candidate g gets the sigmoid's derivative g(1 - g): it is a tanh, whose derivative is 1 - g^2",
        dict(sigmoid_derivative_on_g=True),
    ),
] + [
    (
        f"{_ROLE_NAMES[k]} gets the tanh's derivative 1 - {k}^2: it is a sigmoid, whose derivative is {k}(1 - {k})",
        dict(tanh_derivative_on=k),
    )
    for k in "ifo"
]


def _describe_stack_order(order) -> str:
    return (
        f"the gate gradients are stacked in the order {', '.join(_ROLES[k] for k in order)}: stack them "
        "i, f, g, o, the order of the rows of W_x, W_h and b"
    )


def _known_backward_mistake(got: dict, args: tuple) -> str | None:
    def same(want: dict) -> bool:
        return all(np.allclose(got[k], want[k]) for k in _GRAD_FIELDS)

    for what, mistake in _BACKWARD_MISTAKES:
        if same(_lstm_backward_variant(*args, **mistake)):
            return what
    for order in itertools.permutations(range(4)):
        if order != (0, 1, 2, 3) and same(_lstm_backward_variant(*args, stack_order=order)):
            return _describe_stack_order(order)
    return None


def _where_gradients_differ(got: dict, want: dict, H: int) -> str:
    """Which gradients are wrong, gate by gate for the stacked ones, and the first difference."""
    wrong, first = [], None
    for name in _GRAD_FIELDS:
        if np.allclose(got[name], want[name]):
            continue
        if name in ("W_x", "W_h", "b"):
            gates = [
                k
                for n, k in enumerate(_ROLES)
                if not np.allclose(got[name][n * H : (n + 1) * H], want[name][n * H : (n + 1) * H])
            ]
            wrong.append(f"{name} (in the block{'s' if len(gates) > 1 else ''} of {', '.join(gates)})")
        else:
            wrong.append(name)
        first = first or f"{name} {_first_difference(got[name], want[name])}"
    right = [n for n in _GRAD_FIELDS if np.allclose(got[n], want[n])]
    return f"wrong: {', '.join(wrong)}" + (f"; right: {', '.join(right)}" if right else "") + f". {first}"


def check_lstm_step_backward(lstm_step_backward: Callable, lstm_step_forward: Callable | None = None) -> CheckResult:
    """Exercise 7.3: ``lstm_step_backward(dh, dc, cache)`` takes ``dh = dL/dh_t`` and
    ``dc = dL/dc_t`` (each ``(B, H)``) and the cache of ``lstm_step_forward``, and returns
    the gradients as a dict (or record) with the names of what they are gradients of:
    ``x (B, D)``, ``h_prev, c_prev (B, H)``, ``W_x (4H, D)``, ``W_h (4H, H)``, ``b (4H,)``.

    Pass your own ``lstm_step_forward`` too, so that the cache is yours; without it the
    cache is rnnlib's :class:`~rnnlib.LSTMStepCache`."""
    ex = "Exercise 7.3"
    for n, (B, D, H) in enumerate(_STEP_SHAPES):
        p, x, h_prev, c_prev, dh, dc = _lstm_case(B, D, H, seed=730 + n)
        if lstm_step_forward is None:
            cache = _reference_step_forward(x, h_prev, c_prev, p)[2]
        else:
            outputs, verdict = _forward_verdict(ex, lstm_step_forward, B, D, H, seed=730 + n)
            if verdict is not None and not verdict.done:
                return _not_done(ex, f"{verdict.message} (This check runs your forward of Exercise 7.2 first.)")
            if verdict is not None:
                return _wrong(
                    ex, f"your lstm_step_forward is not right yet, so its cache is not either: {verdict.message}"
                )
            cache = outputs[2]
        out, verdict = _call(ex, lstm_step_backward, dh.copy(), dc.copy(), cache)
        if verdict is not None:
            return verdict
        p, x, h_prev, c_prev, dh, dc = _lstm_case(B, D, H, seed=730 + n)  # afresh, as above
        shapes = {"x": (B, D), "h_prev": (B, H), "c_prev": (B, H), "W_x": (4 * H, D), "W_h": (4 * H, H), "b": (4 * H,)}
        got, verdict = _grad_fields(ex, out, shapes)
        if verdict is not None:
            return verdict
        want = _lstm_backward_variant(dh, dc, x, h_prev, c_prev, p)
        if all(np.allclose(got[k], want[k]) for k in _GRAD_FIELDS):
            continue
        label = f"for B={B}, D={D}, H={H}"
        what = _known_backward_mistake(got, (dh, dc, x, h_prev, c_prev, p))
        if what:
            return _wrong(ex, f"{label}: {what}.")
        return _wrong(ex, f"{label}, {_where_gradients_differ(got, want, H)}")
    return _ok(
        ex,
        "every gradient agrees with rnnlib's, gate by gate; along the cell-state path dc_prev = f * dc_t, "
        "with no weight matrix in it.",
    )


# ------------------------------------------------------------ a prediction


def check_forget_horizon(steps_bias_0: object, steps_bias_3: object) -> CheckResult:
    """Exercise 7.4: with every forget gate at its starting value ``f = sigma(b_f)``, the
    number of steps ``n`` after which the product ``f^n`` along the cell-state path is
    first below 1%, for forget bias ``b_f = 0`` and for ``b_f = 3``."""
    ex = "Exercise 7.4"
    answers = {0: steps_bias_0, 3: steps_bias_3}
    if any(v is Ellipsis for v in answers.values()):
        return _not_done(ex, "replace each `...` with the number of steps you predict, before you run the measurement.")
    for bias, n in answers.items():
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            return _wrong(ex, f"a number of steps is a whole number; for bias {bias} got {type(n).__name__} {n!r:.40}")
    lines = []
    for bias, n in answers.items():
        f = float(_sig(np.float64(bias)))
        want = int(np.ceil(np.log(0.01) / np.log(f)))
        if n == want:
            continue
        if bias == 3 and n == int(np.ceil(np.log(0.01) / np.log(_sig(1.0)))):
            lines.append(f"{n} steps is for bias 1 (rnnlib's default, f = sigma(1) = 0.73); bias 3 gives f = {f:.4f}")
        elif bias == 0 and n <= 1:
            lines.append("bias 0 gives f = sigma(0) = 0.5, not 0: the cell keeps half its state each step")
        elif n < want:
            lines.append(f"for bias {bias}, f = {f:.4f} and f^{n} = {f**n:.4f} is not yet below 0.01")
        else:
            lines.append(f"for bias {bias}, f^{n} = {f**n:.2g} is below 0.01, but so is an earlier power: the first n")
    if lines:
        return _wrong(ex, "; ".join(lines) + ".")
    return _ok(
        ex,
        "f^n < 0.01 first at n = ln(0.01) / ln(f), rounded up: 0.5^7 = 0.0078 for bias 0, "
        "and 0.9526^95 = 0.0099 for bias 3. Now run the measurement below.",
    )
