from __future__ import annotations

import numpy as np
import pytest
from conftest import random_problem

import rnnlib


def test_parameter_counts():
    assert rnnlib.rnn_num_parameters(3, 5, 2) == rnnlib.init_rnn_params(3, 5, 2, seed=0).num_parameters() == 57
    assert rnnlib.untied_num_parameters(10, 3, 5, 2) == 570
    steps = rnnlib.init_untied_params(4, 3, 5, 2, seed=0)
    assert sum(p.num_parameters() for p in steps) == rnnlib.untied_num_parameters(4, 3, 5, 2)


def test_an_untied_network_with_equal_copies_is_the_rnn():
    p, xs, _, _ = random_problem(5, 2, 3, 4, 2)
    ys, _ = rnnlib.rnn_forward(xs, p)
    np.testing.assert_allclose(rnnlib.untied_forward(xs, [p] * 5), ys, rtol=1e-12)
    np.testing.assert_allclose(rnnlib.untied_forward(xs[:3], [p] * 5), ys[:3], rtol=1e-12)


def test_an_untied_network_cannot_read_a_longer_sequence():
    steps = rnnlib.init_untied_params(3, 2, 4, 2, seed=0)
    with pytest.raises(ValueError) as info:
        rnnlib.untied_forward(np.zeros((5, 1, 2)), steps)
    assert (
        str(info.value)
        == "xs has T=5 steps, but this untied network has weights for 3 steps only (there are no weights for steps 4..5)"
    )
    with pytest.raises(TypeError, match="step_params must be a non-empty list of RNNParams, one per step"):
        rnnlib.untied_forward(np.zeros((5, 1, 2)), [])
