"""Weight sharing, by contrast with a network that does not share (chapter 4).

An *untied* unrolled network has its own weights at every step:

    h_t = tanh(W_xh^(t) x_t + W_hh^(t) h_{t-1} + b_h^(t)),   y_t = W_hy^(t) h_t + b_y^(t)

so its size grows with ``T`` and it has no weights at all for a step beyond the
``T`` it was built for. The RNN uses one set for every step.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rnnlib._validate import as_array, as_generator, check_activation, check_positive
from rnnlib.cell import RNNParams, activate, init_rnn_params


def rnn_num_parameters(input_size: int, hidden_size: int, output_size: int) -> int:
    """``H*D + H*H + H + O*H + O``, whatever the sequence length."""
    D, H, O = input_size, hidden_size, output_size
    for name, value in (("input_size", D), ("hidden_size", H), ("output_size", O)):
        check_positive(name, value, integer=True)
    return H * D + H * H + H + O * H + O


def untied_num_parameters(length: int, input_size: int, hidden_size: int, output_size: int) -> int:
    """``T`` times the RNN's count: one full set of weights per step."""
    length = check_positive("length", length, integer=True)
    return length * rnn_num_parameters(input_size, hidden_size, output_size)


def init_untied_params(
    length: int, input_size: int, hidden_size: int, output_size: int, *, seed: int | np.random.Generator
) -> list[RNNParams]:
    """One independent :class:`RNNParams` per step, ``length`` of them."""
    length = check_positive("length", length, integer=True)
    rng = as_generator(seed)
    return [init_rnn_params(input_size, hidden_size, output_size, seed=rng) for _ in range(length)]


def untied_forward(xs: np.ndarray, step_params: Sequence[RNNParams], *, activation: str = "tanh") -> np.ndarray:
    """Run an untied network: step ``t`` uses ``step_params[t]``. Returns ``ys (T, B, O)``.

    Raises ``ValueError`` for a sequence longer than the network: there are no
    weights for the extra steps.
    """
    activation = check_activation(activation)
    if (
        not isinstance(step_params, (list, tuple))
        or not step_params
        or not all(isinstance(p, RNNParams) for p in step_params)
    ):
        raise TypeError(
            f"step_params must be a non-empty list of RNNParams, one per step; got {type(step_params).__name__}"
        )
    D = step_params[0].input_size
    xs = as_array("xs", xs, ("T", "B", ("D", D)))
    T, B, _ = xs.shape
    if T > len(step_params):
        raise ValueError(
            f"xs has T={T} steps, but this untied network has weights for {len(step_params)} steps only "
            f"(there are no weights for steps {len(step_params) + 1}..{T})"
        )
    h = np.zeros((B, step_params[0].hidden_size))
    ys = []
    for t in range(T):
        p = step_params[t]
        h = activate(xs[t] @ p.W_xh.T + h @ p.W_hh.T + p.b_h, activation)
        ys.append(h @ p.W_hy.T + p.b_y)
    return np.stack(ys)
