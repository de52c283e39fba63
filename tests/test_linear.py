"""Chapter 10's linear recurrences: the parallel scan equals the loop, for dense and diagonal, real and complex A."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnlib import linear


def problems(seed=0, H=4, B=3, T=23):
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.normal(size=(H, H)))[0]
    dense = 0.95 * Q
    real_diagonal = rng.uniform(-0.99, 0.99, size=H)
    complex_diagonal = rng.uniform(0.5, 0.999, size=H) * np.exp(1j * rng.uniform(0, np.pi, size=H))
    u = rng.normal(size=(T, B, H))
    h0 = rng.normal(size=(B, H))
    return {"dense": dense, "real diagonal": real_diagonal, "complex diagonal": complex_diagonal}, u, h0


@pytest.mark.parametrize("kind", ["dense", "real diagonal", "complex diagonal"])
@pytest.mark.parametrize("with_h0", [False, True])
def test_the_scan_equals_the_loop(kind, with_h0):
    As, u, h0 = problems()
    A, h0 = As[kind], (h0 if with_h0 else None)
    loop = linear.linear_recurrence(A, u, h0)
    scan = linear.linear_scan(A, u, h0)
    assert scan.shape == loop.shape == u.shape and scan.dtype == loop.dtype
    np.testing.assert_allclose(scan, loop, rtol=1e-12, atol=1e-12)


def test_the_loop_is_the_closed_form():
    As, u, h0 = problems(T=6)
    A = As["dense"]
    hs = linear.linear_recurrence(A, u, h0)
    for t in range(6):
        want = h0 @ np.linalg.matrix_power(A, t + 1).T
        want = want + sum(u[k] @ np.linalg.matrix_power(A, t - k).T for k in range(t + 1))
        np.testing.assert_allclose(hs[t], want, rtol=1e-12, atol=1e-12)


def test_a_diagonal_is_the_diagonal_matrix():
    As, u, h0 = problems()
    d = As["complex diagonal"]
    np.testing.assert_allclose(
        linear.linear_scan(d, u, h0), linear.linear_recurrence(np.diag(d), u, h0), rtol=1e-12, atol=1e-12
    )


@settings(max_examples=40, deadline=None)
@given(T=st.integers(1, 70), H=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_the_scan_equals_the_loop_for_any_length(T, H, seed):
    rng = np.random.default_rng(seed)
    A = rng.uniform(0.1, 1.0, size=H) * np.exp(1j * rng.uniform(-np.pi, np.pi, size=H))
    u = rng.normal(size=(T, 2, H))
    np.testing.assert_allclose(linear.linear_scan(A, u), linear.linear_recurrence(A, u), rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize(("steps", "rounds"), [(1, 1), (2, 2), (3, 2), (4, 3), (7, 3), (8, 4), (1000, 10)])
def test_the_scan_takes_log2_rounds(steps, rounds, monkeypatch):
    assert linear.scan_rounds(steps) == rounds
    # and that is the number of vectorised updates the scan makes
    calls = []
    apply = linear._apply
    monkeypatch.setattr(linear, "_apply", lambda A, h, d: calls.append(1) or apply(A, h, d))
    linear.linear_scan(np.array([0.5]), np.ones((steps, 1, 1)))
    assert len(calls) == rounds


def test_the_recurrences_refuse_what_they_cannot_use():
    As, u, h0 = problems()
    with pytest.raises(ValueError, match="A must be a square matrix"):
        linear.linear_scan(np.zeros((4, 3)), u)
    with pytest.raises(ValueError, match=r"u must have shape"):
        linear.linear_recurrence(As["dense"], u[..., :3])
    with pytest.raises(ValueError, match="h0"):
        linear.linear_scan(As["complex diagonal"], u, h0[:2])
    with pytest.raises(ValueError, match="u must be finite"):
        linear.linear_scan(As["complex diagonal"], np.full((3, 1, 4), np.nan + 0j))
    with pytest.raises(ValueError, match="steps"):
        linear.scan_rounds(0)
    for recurrence in (linear.linear_recurrence, linear.linear_scan):
        with pytest.raises(ValueError, match="overflowed at step"):
            recurrence(np.array([3.0]), np.ones((800, 1, 1)))


# ---------------------------------------------------------------- the Linear Recurrent Unit


def lru_problem(seed=0, T=7, B=3, D=3, H=5, N=4, O=2):
    rng = np.random.default_rng(seed + 1)
    p = linear.init_lru_params(D, H, N, O, seed=seed)
    return p, rng.normal(size=(T, B, D)), rng.integers(0, O, size=(T, B))


@pytest.mark.parametrize("many_to_one", [False, True])
def test_lru_backward_is_the_gradient_of_every_weight(many_to_one):
    import rnnlib

    p, xs, targets = lru_problem()
    targets = targets[-1] if many_to_one else targets
    _, grads = linear.lru_loss_and_grads(p, xs, targets, many_to_one=many_to_one)
    # eps 1e-5: the gradient of nu_log is small (|lambda| is near 1), and at 1e-6 the
    # rounding of the finite difference alone reaches 1e-7 of it
    errors = rnnlib.check_grads(
        lambda q: linear.lru_loss_and_grads(q, xs, targets, many_to_one=many_to_one)[0], p, grads, eps=1e-5
    )
    assert set(errors) == set(vars(p)) and max(errors.values()) < 1e-7


def test_the_lru_runs_the_same_in_parallel_and_in_order():
    p, xs, _ = lru_problem(T=40)
    parallel, cache = linear.lru_forward(xs, p)
    in_order, _ = linear.lru_forward(xs, p, parallel=False)
    np.testing.assert_allclose(parallel, in_order, rtol=1e-12, atol=1e-12)
    assert np.iscomplexobj(cache.hs)


def test_the_lru_eigenvalues_stay_inside_the_unit_circle():
    p, _, _ = lru_problem()
    radius = np.abs(p.eigenvalues)
    assert np.all((radius >= 0.9 - 1e-12) & (radius <= 0.999 + 1e-12))
    # whatever nu_log is, |lambda| = exp(-exp(nu_log)) < 1
    for nu in (-30.0, -5.0, 0.0, 3.0):
        q = linear.LRUParams(**{**vars(p), "nu_log": np.full(5, nu)})
        assert np.all(np.abs(q.eigenvalues) < 1) or nu == -30.0  # exp(-exp(-30)) rounds to 1
    np.testing.assert_allclose(np.exp(p.gamma_log), np.sqrt(1 - radius**2))


def test_a_trained_lru_remembers_the_first_token():
    import rnnlib

    rng = np.random.default_rng(1)
    run = rnnlib.train(
        linear.init_lru_params(8, 16, 16, 4, seed=0),
        lambda q, k: linear.lru_loss_and_grads(q, *rnnlib.remember_first(20, 32, 4, seed=rng), many_to_one=True),
        steps=150,
        lr=0.005,
        clip_norm=5.0,
        optimizer="adam",
    )
    xs, classes = rnnlib.remember_first(20, 300, 4, seed=9)
    ys, _ = linear.lru_forward(xs, run.params)
    assert (ys[-1].argmax(axis=-1) == classes).mean() > 0.95


def test_the_lru_refuses_what_it_cannot_use():
    p, xs, targets = lru_problem()
    with pytest.raises(TypeError, match="LRUParams"):
        linear.lru_forward(xs, None)
    with pytest.raises(ValueError, match="xs"):
        linear.lru_forward(xs[..., :2], p)
    with pytest.raises(ValueError, match="C_im"):
        linear.LRUParams(**{**vars(p), "C_im": np.zeros((4, 4))})
    with pytest.raises(ValueError, match="r_max"):
        linear.init_lru_params(3, 5, 4, 2, seed=0, r_min=0.9, r_max=0.5)
    with pytest.raises(TypeError, match="LRUCache"):
        linear.lru_backward(np.zeros((7, 3, 2)), None)


def test_the_lru_state_gradient_by_lag_is_the_gradient_of_each_earlier_state():
    import rnnlib

    p, xs, targets = lru_problem()
    targets = targets[-1]
    T, B, _ = xs.shape
    norms = linear.lru_state_gradient_by_lag(p, xs, targets)
    assert norms.shape == (T + 1,)
    u = np.exp(p.gamma_log) * (xs @ (p.B_re + 1j * p.B_im).T)

    def loss(step, delta):  # adding delta to u_step adds it to h_step
        shifted = u.copy()
        shifted[step] += delta
        hs = linear.linear_recurrence(p.eigenvalues, shifted)
        zs = np.tanh((hs @ (p.C_re + 1j * p.C_im).T).real + xs @ p.D.T)
        return rnnlib.softmax_cross_entropy(zs @ p.W_hy.T + p.b_y, targets, many_to_one=True)[0]

    eps = 1e-6
    for lag in range(T):
        g = np.zeros((B, p.hidden_size), complex)
        for b in range(B):
            for k in range(p.hidden_size):
                for part in (1, 1j):
                    d = np.zeros_like(g)
                    d[b, k] = part * eps
                    g[b, k] += part * (loss(T - 1 - lag, d) - loss(T - 1 - lag, -d)) / (2 * eps)
        np.testing.assert_allclose(norms[lag], B * np.linalg.norm(g, axis=1).mean(), rtol=1e-7)
    # the last value is the gradient of h_0, |lambda| times the one of h_1, unit by unit
    assert norms[T] < norms[T - 1]
