from __future__ import annotations

import numpy as np
import pytest

import rnnlib


def test_numerical_gradient_of_a_known_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = rnnlib.numerical_gradient(lambda v: float(np.sum(v**3)), x)
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-8)
    np.testing.assert_array_equal(x, [[1.0, -2.0], [0.5, 3.0]])  # the argument is not changed


def test_relative_error():
    assert rnnlib.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rnnlib.relative_error(np.ones(3), -np.ones(3)) == pytest.approx(1.0)
    assert rnnlib.relative_error(np.array([1.0]), np.array([1.0 + 1e-9])) < 1e-9
    with pytest.raises(ValueError, match=r"^a and b must have the same shape; got a \(3,\) and b \(2,\)$"):
        rnnlib.relative_error(np.ones(3), np.ones(2))


def _problem():
    p = rnnlib.init_rnn_params(2, 3, 2, seed=0)
    rng = np.random.default_rng(1)
    xs, targets = rng.normal(size=(4, 2, 2)), rng.integers(0, 2, size=(4, 2))
    loss, grads = rnnlib.rnn_loss_and_grads(p, xs, targets)
    return p, grads, lambda q: rnnlib.rnn_loss_and_grads(q, xs, targets)[0]


def test_checker_accepts_the_right_gradient():
    p, grads, f = _problem()
    errors = rnnlib.check_grads(f, p, grads)
    assert list(errors) == ["W_xh", "W_hh", "b_h", "W_hy", "b_y"]
    assert max(errors.values()) < 1e-7


@pytest.mark.parametrize(
    "corrupt, field",
    [
        (lambda g: {"W_hh": g.W_hh.T}, "W_hh"),  # a transposed gradient
        (lambda g: {"b_h": g.b_h * 1.01}, "b_h"),  # one percent off
        (lambda g: {"W_xh": g.W_xh + 1e-4}, "W_xh"),  # a small bias in every entry
    ],
)
def test_checker_rejects_a_wrong_gradient(corrupt, field):
    import dataclasses

    p, grads, f = _problem()
    wrong = dataclasses.replace(grads, **corrupt(grads))
    with pytest.raises(rnnlib.GradientCheckError, match=rf"relative error above tol=1e-07\) for {field}: "):
        rnnlib.check_grads(f, p, wrong)
    assert rnnlib.gradient_errors(f, p, wrong)[field] > 1e-6


def test_checker_requires_mirroring_gradients():
    p, grads, f = _problem()
    with pytest.raises(ValueError, match=r"grads has no field 'W_hh'"):
        rnnlib.check_grads(f, p, {"W_xh": grads.W_xh})
    with pytest.raises(ValueError, match=r"grads.W_xh must have shape \(3, 2\) like params.W_xh; got \(2, 3\)"):
        rnnlib.check_grads(f, {"W_xh": p.W_xh}, {"W_xh": grads.W_xh.T})
