"""The checkers of chapter 7's exercises."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnlib.exercises._common import CheckResult, _call, _call_for_array, _first_difference, _known_mistake, _ok, _wrong


def check_gru_update(gru_update: Callable) -> CheckResult:
    """Exercise 7.1: ``gru_update(z, n, h_prev)`` returns the GRU's new state
    ``h_t = (1 - z_t) * n_t + z_t * h_{t-1}`` (all arrays of shape ``(B, H)``)."""
    ex = "Exercise 7.1"
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
    """Exercise 7.2: ``cell_update(f, i, g, c_prev)`` returns the LSTM's new cell state
    ``c_t = f_t * c_{t-1} + i_t * g_t`` (all of shape ``(B, H)``)."""
    ex = "Exercise 7.2"
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
    """Exercise 7.3: ``count_fn(D, H, O) -> (rnn, gru, lstm)``: the parameters of the
    three cells with their output layers, for input size ``D``, ``H`` units, ``O`` outputs."""
    ex = "Exercise 7.3"
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
    return _ok(ex, "one block of weights per gate: the GRU has three, the LSTM four, the RNN one.")
