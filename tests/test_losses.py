from __future__ import annotations

import numpy as np
import pytest

import rnnlib


def test_softmax_sums_to_one_and_is_stable():
    z = np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0]])
    p = rnnlib.softmax(z)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    np.testing.assert_allclose(p[0], p[1])  # shifting every score leaves softmax unchanged
    assert np.all(np.isfinite(p))


def test_cross_entropy_value():
    logits = np.log(np.array([[[0.5, 0.25, 0.25]], [[0.1, 0.1, 0.8]]]))  # (T=2, B=1, O=3)
    loss, _ = rnnlib.softmax_cross_entropy(logits, np.array([[0], [2]]))
    assert loss == pytest.approx(-(np.log(0.5) + np.log(0.8)) / 2)


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[[1e4, 0.0]], [[0.0, 1e4]]])
    loss, grad = rnnlib.softmax_cross_entropy(logits, np.array([[1], [1]]))
    assert loss == pytest.approx(1e4 / 2) and np.all(np.isfinite(grad))


def test_many_to_one_scores_only_the_last_step():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4, 3, 5))
    targets = rng.integers(0, 5, size=3)
    loss, grad = rnnlib.softmax_cross_entropy(logits, targets, many_to_one=True)
    last, _ = rnnlib.softmax_cross_entropy(logits[-1:], targets[None])
    assert loss == pytest.approx(last)
    assert not np.any(grad[:-1])
    ys, zs = rng.normal(size=(4, 3, 2)), rng.normal(size=(3, 2))
    mse, dys = rnnlib.mean_squared_error(ys, zs, many_to_one=True)
    assert mse == pytest.approx(np.mean((ys[-1] - zs) ** 2)) and not np.any(dys[:-1])


def test_mse_value():
    loss, _ = rnnlib.mean_squared_error(np.ones((2, 1, 2)), np.zeros((2, 1, 2)))
    assert loss == 1.0


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: rnnlib.softmax_cross_entropy(np.zeros((2, 3)), np.zeros((2, 3), int)),
            ValueError,
            "logits must have shape (T, B, O); got (2, 3)",
        ),
        (
            lambda: rnnlib.softmax_cross_entropy(np.zeros((2, 3, 4)), np.zeros((3, 2), int)),
            ValueError,
            "targets must have shape (T=2, B=3); got (3, 2)",
        ),
        (
            lambda: rnnlib.softmax_cross_entropy(np.zeros((2, 3, 4)), np.zeros((2, 3), int), many_to_one=True),
            ValueError,
            "targets must have shape (B=3,); got (2, 3)",
        ),
        (
            lambda: rnnlib.softmax_cross_entropy(np.zeros((2, 3, 4)), np.full((2, 3), 4)),
            ValueError,
            "targets must hold class indices in [0, 4); got 4 at index (0, 0)",
        ),
        (
            lambda: rnnlib.softmax_cross_entropy(np.zeros((2, 3, 4)), np.zeros((2, 3))),
            TypeError,
            "targets must hold integers (class indices); got dtype float64",
        ),
        (
            lambda: rnnlib.mean_squared_error(np.zeros((2, 3, 4)), np.zeros((2, 3))),
            ValueError,
            "targets must have shape (T=2, B=3, O=4); got (2, 3)",
        ),
        (
            lambda: rnnlib.mean_squared_error(np.zeros((2, 3, 4)), np.full((2, 3, 4), np.nan)),
            ValueError,
            "targets must be finite; got nan at index (0, 0, 0)",
        ),
        (
            lambda: rnnlib.rnn_loss_and_grads(
                rnnlib.init_rnn_params(1, 2, 2, seed=0), np.zeros((2, 1, 1)), np.zeros((2, 1), int), loss="hinge"
            ),
            ValueError,
            "loss must be one of ('cross_entropy', 'mse'); got 'hinge'",
        ),
    ],
)
def test_losses_reject_bad_input(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


def test_accuracy():
    logits = np.array([[[1.0, 0.0]], [[0.0, 1.0]], [[0.0, 1.0]]])  # predicts 0, 1, 1
    targets = np.array([[1], [1], [0]])
    assert rnnlib.accuracy(logits, targets) == pytest.approx(1 / 3)
    assert rnnlib.accuracy(logits, targets, from_step=1) == pytest.approx(1 / 2)
    with pytest.raises(ValueError, match=r"^from_step must be an integer in \[0, T=3\); got 3$"):
        rnnlib.accuracy(logits, targets, from_step=3)


@pytest.mark.parametrize("layout", ["swapped", "fortran", "strided", "read-only"])
@pytest.mark.parametrize("many_to_one", [False, True])
def test_cross_entropy_is_the_same_for_every_memory_layout(layout, many_to_one):
    # A transposed view once lost the "- onehot" term: the in-place write went to a copy.
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4, 3, 5))
    targets = rng.integers(0, 5, size=(3,) if many_to_one else (4, 3))
    if layout == "swapped":
        other = np.swapaxes(np.ascontiguousarray(np.swapaxes(logits, 0, 1)), 0, 1)
    elif layout == "fortran":
        other = np.asfortranarray(logits)
    elif layout == "strided":
        wide = np.zeros((4, 3, 10))
        wide[..., ::2] = logits
        other = wide[..., ::2]
    else:
        other = logits.copy()
        other.flags.writeable = False
    assert not other.flags.c_contiguous or layout == "read-only"
    loss, grad = rnnlib.softmax_cross_entropy(logits, targets, many_to_one=many_to_one)
    loss_o, grad_o = rnnlib.softmax_cross_entropy(other, targets, many_to_one=many_to_one)
    assert loss_o == loss
    np.testing.assert_array_equal(grad_o, grad)
    numeric = rnnlib.numerical_gradient(
        lambda z: rnnlib.softmax_cross_entropy(z, targets, many_to_one=many_to_one)[0], logits.copy()
    )
    assert rnnlib.relative_error(grad_o, numeric) < 1e-7
