"""The checkers of chapter 9's exercises."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnlib.exercises._common import (
    CheckResult,
    _as_number,
    _call,
    _call_for_array,
    _first_difference,
    _known_mistake,
    _ok,
    _wrong,
)


def check_embedding_grad(embedding_grad: Callable) -> CheckResult:
    """Exercise 9.1: ``embedding_grad(dxs, ids, vocab_size)`` returns ``dL/dE (vocab_size, D)``
    for the lookup ``x = E[ids]``: row ``k`` is the sum of ``dxs`` wherever ``ids == k``."""
    ex = "Exercise 9.1"
    rng = np.random.default_rng(91)
    cases = (
        (np.array([2, 0, 2, 2]), 4, 3),  # a repeated id, and a token (1, 3) never read
        (np.array([[1, 1], [0, 1], [3, 1]]), 5, 2),  # ids (T, B), as a batch of sequences
        (np.array([0, 1, 2]), 3, 4),
    )
    for ids, V, D in cases:
        dxs = rng.normal(size=(*ids.shape, D))
        got, verdict = _call_for_array(
            ex, embedding_grad, (dxs.copy(), ids.copy(), V), (V, D), f"dL/dE for ids {ids.tolist()}"
        )
        if verdict is not None:
            return verdict
        want = np.zeros((V, D))
        np.add.at(want, ids.reshape(-1), dxs.reshape(-1, D))
        if np.allclose(got, want):
            continue

        def assigned():
            out = np.zeros((V, D))
            out[ids.reshape(-1)] += dxs.reshape(-1, D)  # buffered: a repeated id keeps one term
            return out

        what = _known_mistake(
            got,
            [
                (
                    "a token read several times gets only one of its gradients: `dE[ids] += dxs` writes each "
                    "row once; np.add.at(dE, ids, dxs) adds every one",
                    assigned,
                ),
                (
                    "each row is the mean of its gradients; the loss adds every read of the token, so the "
                    "gradient is their sum",
                    lambda: want / np.maximum(np.bincount(ids.reshape(-1), minlength=V), 1)[:, None],
                ),
            ],
        )
        label = f"for ids {ids.tolist()}"
        return _wrong(ex, f"{label}: {what}." if what else f"{label}, {_first_difference(got, want)}.")
    return _ok(ex, "each row adds up the gradients of every place its token was read; unread rows stay zero.")


def check_reverse_padded(reverse_padded: Callable) -> CheckResult:
    """Exercise 9.2: ``reverse_padded(xs, lengths)`` reverses each example's first
    ``lengths[b]`` steps of ``xs (T, B, D)`` and leaves its padding where it is."""
    ex = "Exercise 9.2"
    rng = np.random.default_rng(92)
    for T, lengths in ((5, np.array([5, 3, 1])), (4, np.array([2, 4])), (3, np.array([3, 3]))):
        xs = rng.normal(size=(T, len(lengths), 2))
        xs[np.arange(T)[:, None] >= lengths] = 0.0
        got, verdict = _call_for_array(
            ex, reverse_padded, (xs.copy(), lengths.copy()), xs.shape, f"the result for lengths {lengths.tolist()}"
        )
        if verdict is not None:
            return verdict
        want = xs.copy()
        for b, n in enumerate(lengths):
            want[:n, b] = xs[:n, b][::-1]
        if np.allclose(got, want):
            continue
        label = f"for T={T} and lengths {lengths.tolist()}"
        if np.allclose(got, xs[::-1]):
            return _wrong(
                ex,
                f"{label}: that reverses the whole array, so a short example's padding comes first and its "
                "real steps move to the end; reverse only the first lengths[b] steps of each example.",
            )
        if np.allclose(got, xs):
            return _wrong(ex, f"{label}: nothing was reversed.")
        return _wrong(ex, f"{label}, {_first_difference(got, want)}.")
    return _ok(ex, "each example is read from its own last real step back to its first; its padding stays last.")


def check_masked_cross_entropy(masked_cross_entropy: Callable) -> CheckResult:
    """Exercise 9.3: ``masked_cross_entropy(logits, targets, mask)`` returns the mean of
    ``-log softmax(logits)[target]`` over the positions where ``mask`` is True."""
    ex = "Exercise 9.3"
    rng = np.random.default_rng(93)
    for (T, B, O), scale in (((4, 3, 5), 2.0), ((3, 2, 2), 2.0), ((5, 1, 3), 2.0), ((3, 2, 4), 1000.0)):
        logits = scale * rng.normal(size=(T, B, O))
        targets = rng.integers(0, O, size=(T, B))
        lengths = rng.integers(1, T + 1, size=B)
        lengths[0] = 1 if T > 1 else lengths[0]
        mask = np.arange(T)[:, None] < lengths
        with np.errstate(all="ignore"):
            out, verdict = _call(ex, masked_cross_entropy, logits.copy(), targets.copy(), mask.copy())
        if verdict is not None:
            return verdict
        got, verdict = _as_number(ex, out, "return one number, the mean loss")
        if verdict is not None:
            return verdict
        shifted = logits - logits.max(axis=-1, keepdims=True)
        nll = -(shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True)))
        per = np.take_along_axis(nll, targets[..., None], axis=-1)[..., 0]
        want = float(per[mask].mean())
        if np.isclose(got, want):
            continue
        label = f"for lengths {lengths.tolist()} over T={T} steps"
        if not np.isfinite(got):
            return _wrong(
                ex, f"{label}, with logits in the thousands, you got {got}: subtract each row's largest logit first."
            )
        if np.isclose(got, float(per.mean())):
            return _wrong(ex, f"{label}: the padded positions are scored too; keep only those where mask is True.")
        if np.isclose(got, float(per[mask].sum() / per.size)):
            return _wrong(
                ex,
                f"{label}: the sum over the real positions is divided by all T*B positions; divide by how many "
                "are real, mask.sum(), or a batch with more padding gets a smaller loss.",
            )
        if np.isclose(got, float(per[mask].sum())):
            return _wrong(ex, f"{label}: that is the sum; the loss is the mean over the real positions.")
        return _wrong(ex, f"{label} the loss is {want:.4f}; got {got:.4f}.")
    return _ok(ex, "padding changes neither the terms nor their count: the loss is the mean over real positions.")


def check_teacher_forced_inputs(teacher_forced_inputs: Callable) -> CheckResult:
    """Exercise 9.4: ``teacher_forced_inputs(targets, O)`` returns the decoder's one-hot
    inputs ``(T, B, O + 1)``: row 0 is ``GO`` (symbol ``O``), row ``t > 0`` is ``targets[t - 1]``."""
    ex = "Exercise 9.4"
    for targets, O in ((np.array([[2, 0], [1, 1], [0, 2]]), 3), (np.array([[1], [0], [1], [1]]), 2)):
        T, B = targets.shape
        got, verdict = _call_for_array(
            ex, teacher_forced_inputs, (targets.copy(), O), (T, B, O + 1), f"the inputs for targets {targets.tolist()}"
        )
        if verdict is not None:
            return verdict
        eye = np.eye(O + 1)
        previous = np.concatenate([np.full((1, B), O), targets[:-1]])
        want = eye[previous]
        if np.allclose(got, want):
            continue
        label = f"for targets {targets.tolist()}"
        if np.allclose(got, eye[targets]):
            return _wrong(
                ex,
                f"{label}: step t is fed its own answer, targets[t], so the decoder learns to copy its input "
                "and has nothing to say when decoding on its own; feed the answer of the step before.",
            )
        if np.allclose(got, eye[np.concatenate([np.zeros((1, B), dtype=int), targets[:-1]])]):
            return _wrong(ex, f"{label}: the first input should be GO, symbol O = {O}, not symbol 0.")
        if np.allclose(got, eye[np.concatenate([targets[1:], np.full((1, B), O)])]):
            return _wrong(ex, f"{label}: that is the next answer, a step ahead; feed the one before, GO first.")
        return _wrong(ex, f"{label}, {_first_difference(got, want)}.")
    return _ok(ex, "GO first, then each step reads the correct symbol of the step before, as in training.")
