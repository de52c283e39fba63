from __future__ import annotations

import numpy as np
import pytest

import rnnlib

# (T, B, D, H, O): includes T=1, B=1, and H != D.
SHAPES = [(1, 1, 1, 1, 1), (1, 3, 2, 4, 3), (5, 1, 3, 2, 4), (4, 2, 3, 5, 2), (6, 3, 4, 4, 3)]


def random_problem(T, B, D, H, O, *, seed=0, dtype=np.float64, scale=1.0):
    """Parameters with non-zero biases, inputs, an initial state and class targets."""
    rng = np.random.default_rng(seed)
    p = rnnlib.init_rnn_params(D, H, O, seed=rng, dtype=dtype, recurrent_scale=scale)
    p = rnnlib.RNNParams(
        p.W_xh, p.W_hh, rng.normal(size=H).astype(dtype) * 0.1, p.W_hy, rng.normal(size=O).astype(dtype) * 0.1
    )
    xs = rng.normal(size=(T, B, D)).astype(dtype)
    h0 = (0.5 * rng.normal(size=(B, H))).astype(dtype)
    targets = rng.integers(0, O, size=(T, B))
    return p, xs, h0, targets


@pytest.fixture(params=SHAPES, ids=lambda s: "T{}-B{}-D{}-H{}-O{}".format(*s))
def shape(request):
    return request.param
