"""Output functions and losses, each returning the loss and its gradient.

Both losses average over the positions they score: all ``T*B`` (step, example)
pairs for many-to-many, or the ``B`` last steps when ``many_to_one=True``
(sequence classification: only ``y_T`` is scored, and the gradient at every
other step is zero).
"""

from __future__ import annotations

import numpy as np

from rnnlib._validate import NonFiniteError, as_array, check_flag, check_int


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """``softmax(z)_k = exp(z_k) / sum_j exp(z_j)`` along ``axis``.

    Subtracting ``max_j z_j`` first leaves the result unchanged and keeps
    ``exp`` from overflowing for large scores.
    """
    z = as_array("z", z, None)
    axis = check_int("axis", axis, minimum=None)
    if not -max(z.ndim, 1) <= axis < max(z.ndim, 1) or z.ndim == 0:
        raise ValueError(f"axis must name one of z's {z.ndim} axes; got {axis}")
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_cross_entropy(
    logits: np.ndarray, targets: np.ndarray, *, many_to_one: bool = False, mask: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of ``softmax(logits)`` against integer class targets.

        L = -(1/N) sum_{t,b} log softmax(y_t^b)[c_t^b]
        dL/dy_t^b = (softmax(y_t^b) - onehot(c_t^b)) / N

    Args:
        logits: the scores ``y``, shape ``(T, B, O)``.
        targets: class indices in ``[0, O)``: shape ``(T, B)``, or ``(B,)`` when
            ``many_to_one`` (only the last step is scored).
        mask: for a padded batch (chapter 9), booleans ``(T, B)``, True where a
            position is scored. The sum runs over those positions only and ``N`` is
            their number; the gradient is zero at every other position, whose target
            may be any class (0, say).

    Returns:
        ``(loss, dlogits)`` with ``dlogits`` the shape of ``logits``.
    """
    many_to_one = check_flag("many_to_one", many_to_one)
    logits = as_array("logits", logits, ("T", "B", "O"))
    T, B, O = logits.shape
    tdims = (("B", B),) if many_to_one else (("T", T), ("B", B))
    targets = as_array("targets", targets, tdims, integer=True, below=O)
    if mask is not None:
        if many_to_one:
            raise ValueError("mask scores chosen positions of every step; it cannot be combined with many_to_one=True")
        mask = _check_mask(mask, T, B)

    # C order, so that the reshape below is a view of the buffer it writes into (for
    # a transposed or strided view of the logits it would otherwise be a copy, and the
    # in-place "- onehot" would be lost). A C-ordered input is not copied.
    scored = np.ascontiguousarray(logits[-1:] if many_to_one else logits)  # (T', B, O)
    classes = targets[None] if many_to_one else targets  # (T', B)
    n = classes.size if mask is None else int(mask.sum())  # the positions scored
    # One buffer, reused in place: shifted scores, then exp, then softmax, then the
    # gradient. Subtracting the row maximum first keeps exp from overflowing.
    grad = scored - scored.max(axis=-1, keepdims=True)
    rows = grad.reshape(-1, O)
    picked = rows[np.arange(classes.size), classes.reshape(-1)]  # shifted score of each target
    np.exp(grad, out=grad)
    sums = grad.sum(axis=-1, keepdims=True)
    if mask is None:
        loss = float(np.sum(np.log(sums)) - np.sum(picked)) / n  # -log softmax at the targets
    else:
        keep = mask.reshape(-1)
        loss = float(np.sum(np.log(sums).reshape(-1)[keep]) - np.sum(picked[keep])) / n
    grad /= sums  # softmax
    rows[np.arange(classes.size), classes.reshape(-1)] -= 1.0  # softmax - onehot
    grad *= 1.0 / n
    if mask is not None:
        grad *= mask[:, :, None]
    if not many_to_one:
        return loss, grad
    dlogits = np.zeros_like(logits)
    dlogits[-1] = grad[0]
    return loss, dlogits


def _check_mask(mask: object, T: int, B: int) -> np.ndarray:
    mask = as_array("mask", mask, (("T", T), ("B", B)))
    if not np.isin(mask, (0, 1)).all():
        raise ValueError("mask must hold only True and False (or 1 and 0): True where a position is scored")
    mask = mask.astype(bool)
    if not mask.any():
        raise ValueError("mask must be True at one position at least: with nothing scored, the mean loss is undefined")
    return mask


def mean_squared_error(ys: np.ndarray, targets: np.ndarray, *, many_to_one: bool = False) -> tuple[float, np.ndarray]:
    """Mean squared error with the identity output function.

        L = (1/(N*O)) sum_{t,b,o} (y_t^b - z_t^b)_o^2
        dL/dy_t^b = 2 (y_t^b - z_t^b) / (N*O)

    Args:
        ys: predictions, shape ``(T, B, O)``.
        targets: shape ``(T, B, O)``, or ``(B, O)`` when ``many_to_one``.

    Returns:
        ``(loss, dys)`` with ``dys`` the shape of ``ys``.
    """
    many_to_one = check_flag("many_to_one", many_to_one)
    ys = as_array("ys", ys, ("T", "B", "O"))
    T, B, O = ys.shape
    tdims = (("B", B), ("O", O)) if many_to_one else (("T", T), ("B", B), ("O", O))
    targets = as_array("targets", targets, tdims)
    diff = ys[-1] - targets if many_to_one else ys - targets
    with np.errstate(over="ignore"):
        loss = float(np.mean(diff**2))
    if not np.isfinite(loss):
        raise NonFiniteError(
            f"the squared error of ys against targets overflows; got {loss} (ys up to {np.abs(ys).max():.1e})"
        )
    ddiff = 2.0 * diff / diff.size
    if not many_to_one:
        return loss, ddiff
    dys = np.zeros_like(ys)
    dys[-1] = ddiff
    return loss, dys


def accuracy(logits: np.ndarray, targets: np.ndarray, *, from_step: int = 0) -> float:
    """Fraction of positions where the highest score is the target class.

    Args:
        logits: scores ``(T, B, O)``.
        targets: class indices ``(T, B)``.
        from_step: score only steps ``t >= from_step`` (0-based), e.g. to skip
            the first ``L`` steps of a task that has nothing to recall yet.
    """
    logits = as_array("logits", logits, ("T", "B", "O"))
    T, B, _ = logits.shape
    targets = as_array("targets", targets, (("T", T), ("B", B)), integer=True, below=logits.shape[2])
    from_step = check_int("from_step", from_step, minimum=0)
    if from_step >= T:
        raise ValueError(f"from_step must be an integer in [0, T={T}); got {from_step!r}")
    return float(np.mean(logits[from_step:].argmax(axis=-1) == targets[from_step:]))
