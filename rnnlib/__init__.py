"""rnnlib: the small numpy library behind *Recurrent Neural Networks from the Ground Up*.

One module per idea of the book:

* :mod:`rnnlib.cell`      the cell and its parameters (chapter 2)
* :mod:`rnnlib.unroll`    the forward pass over a sequence (chapter 3)
* :mod:`rnnlib.losses`    output functions and losses
* :mod:`rnnlib.bptt`      backpropagation through time (chapter 5)
* :mod:`rnnlib.gradcheck` finite-difference gradient checks
* :mod:`rnnlib.optim`     SGD, clipping and a training loop
* :mod:`rnnlib.tasks`     toy sequence data
* :mod:`rnnlib.plots`, :mod:`rnnlib.widgets`  figures and explorers
* :mod:`rnnlib.exercises` the exercise checkers

Arrays are time-major ``(T, B, D)``; weights have the shapes of the equations
``h_t = f(W_xh x_t + W_hh h_{t-1} + b_h)`` and ``y_t = W_hy h_t + b_y``.
Importing rnnlib changes nothing: no seeding, no plot styling.
"""

from __future__ import annotations

from rnnlib.bptt import RNNGrads, rnn_backward, rnn_loss_and_grads
from rnnlib.cell import (
    RNNParams,
    StepCache,
    StepGrads,
    init_rnn_params,
    output_forward,
    rnn_step_backward,
    rnn_step_forward,
)
from rnnlib.gradcheck import GradientCheckError, check_grads, gradient_errors, numerical_gradient, relative_error
from rnnlib.losses import mean_squared_error, softmax, softmax_cross_entropy
from rnnlib.optim import clip_grad_norm, global_norm, sgd_update, train
from rnnlib.tasks import binary_sequences, delayed_echo, one_hot
from rnnlib.unroll import RNNCache, rnn_forward, rnn_forward_stepwise

__version__ = "0.1.0"

__all__ = [
    "GradientCheckError",
    "RNNCache",
    "RNNGrads",
    "RNNParams",
    "StepCache",
    "StepGrads",
    "binary_sequences",
    "check_grads",
    "clip_grad_norm",
    "delayed_echo",
    "global_norm",
    "gradient_errors",
    "init_rnn_params",
    "mean_squared_error",
    "numerical_gradient",
    "one_hot",
    "output_forward",
    "relative_error",
    "rnn_backward",
    "rnn_forward",
    "rnn_forward_stepwise",
    "rnn_loss_and_grads",
    "rnn_step_backward",
    "rnn_step_forward",
    "sgd_update",
    "softmax",
    "softmax_cross_entropy",
    "train",
]
