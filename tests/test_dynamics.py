"""Chapter 10's fixed points: the speed and its gradient, the map's Jacobian, and the search."""

from __future__ import annotations

import numpy as np
import pytest

import rnnlib
from rnnlib import dynamics


def net(H=6, D=2, gain=1.5, bias=0.1, seed=0):
    p = rnnlib.init_rnn_params(D, H, 2, seed=seed)
    return rnnlib.RNNParams(p.W_xh, gain * p.W_hh, p.b_h + bias, p.W_hy, p.b_y)


def test_the_speeds_gradient_is_its_derivative():
    p, x = net(), np.array([0.3, -0.7])
    h = np.random.default_rng(1).uniform(-1, 1, size=(4, 6))
    _, grad = dynamics.speed(p, h, x)
    errors = rnnlib.check_grads(lambda a: float(dynamics.speed(p, a["h"], x)[0].sum()), {"h": h}, {"h": grad})
    assert errors["h"] < 1e-8


def test_the_maps_jacobian_is_its_derivative():
    p, x = net(), np.array([0.3, -0.7])
    h = np.random.default_rng(2).uniform(-1, 1, size=(3, 6))
    J = dynamics.map_jacobian(p, h, x)
    eps = 1e-6
    for i in range(6):
        d = np.zeros(6)
        d[i] = eps
        column = (dynamics.rnn_map(p, h + d, x) - dynamics.rnn_map(p, h - d, x)) / (2 * eps)
        np.testing.assert_allclose(J[:, :, i], column, rtol=1e-7, atol=1e-9)


def test_one_unit_with_weight_two_has_three_fixed_points():
    # h = tanh(2h): 0 and +-0.9575..., the solution of the one-dimensional equation
    p = rnnlib.RNNParams(np.zeros((1, 1)), np.array([[2.0]]), np.zeros(1), np.zeros((1, 1)), np.zeros(1))
    found = dynamics.find_fixed_points(p, np.linspace(-1.5, 1.5, 9)[:, None])
    points = np.sort(dynamics.distinct(found.fixed(1e-20)).ravel())
    assert len(points) == 3 and points[1] == 0.0
    np.testing.assert_allclose(np.tanh(2 * points), points, atol=1e-14)
    # the outer two attract (|J| < 1), the one at zero repels (J = 2)
    slopes = dynamics.map_jacobian(p, points[:, None])[:, 0, 0]
    np.testing.assert_allclose(np.abs(slopes), [2 * (1 - points[0] ** 2), 2.0, 2 * (1 - points[0] ** 2)])
    assert abs(slopes[0]) < 1 < slopes[1]


def test_every_fixed_point_found_is_one():
    p = net(H=12)
    found = dynamics.find_fixed_points(p, np.random.default_rng(3).uniform(-1, 1, size=(60, 12)), steps=500)
    fixed = found.fixed(1e-12)
    assert len(fixed) > 0
    np.testing.assert_allclose(dynamics.rnn_map(p, fixed), fixed, atol=1e-5)
    assert np.all(found.speeds >= 0) and found.points.shape == found.starts.shape == (60, 12)


def test_a_contracting_cell_has_one_attracting_fixed_point():
    p = net(H=8, gain=0.5)  # spectral radius 0.5: the map is a contraction
    found = dynamics.find_fixed_points(p, np.random.default_rng(4).uniform(-1, 1, size=(20, 8)), steps=300)
    points = dynamics.distinct(found.fixed(1e-20), tol=1e-9)
    assert len(points) == 1
    assert np.abs(np.linalg.eigvals(dynamics.map_jacobian(p, points)[0])).max() < 1


def test_the_search_refuses_what_it_cannot_use():
    p = net()
    with pytest.raises(ValueError, match="starts"):
        dynamics.find_fixed_points(p, np.zeros((3, 5)))
    with pytest.raises(ValueError, match="x"):
        dynamics.rnn_map(p, np.zeros((3, 6)), np.zeros(3))
    with pytest.raises(ValueError, match="steps"):
        dynamics.find_fixed_points(p, np.zeros((3, 6)), steps=0)
    with pytest.raises(TypeError, match="params"):
        dynamics.speed(None, np.zeros((3, 6)))
