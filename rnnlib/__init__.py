"""rnnlib: the small numpy library behind *Recurrent Neural Networks from the Ground Up*.

One module per idea of the book:

* :mod:`rnnlib.feedforward` a windowed MLP, and its limits (chapter 1)
* :mod:`rnnlib.cell`      the cell and its parameters (chapter 2)
* :mod:`rnnlib.unroll`    the forward pass over a sequence (chapter 3)
* :mod:`rnnlib.sharing`   weight sharing against an untied network (chapter 4)
* :mod:`rnnlib.losses`    output functions, losses and accuracy
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

from rnnlib._validate import NonFiniteError
from rnnlib.bptt import (
    RNNGrads,
    per_step_gradients,
    rnn_backward,
    rnn_loss_and_grads,
    truncated_bptt_loss_and_grads,
)
from rnnlib.cell import (
    RNNParams,
    StepCache,
    StepGrads,
    init_rnn_params,
    output_forward,
    rnn_step_backward,
    rnn_step_forward,
)
from rnnlib.feedforward import (
    MLPParams,
    init_mlp_params,
    mlp_backward,
    mlp_forward,
    window_inputs,
    window_mlp_loss_and_grads,
)
from rnnlib.gradcheck import GradientCheckError, check_grads, gradient_errors, numerical_gradient, relative_error
from rnnlib.losses import accuracy, mean_squared_error, softmax, softmax_cross_entropy
from rnnlib.optim import TrainingRun, clip_grad_norm, global_norm, sgd_update, train
from rnnlib.sharing import init_untied_params, rnn_num_parameters, untied_forward, untied_num_parameters
from rnnlib.tasks import binary_sequences, delayed_echo, one_hot, remember_first
from rnnlib.unroll import RNNCache, rnn_forward, rnn_forward_stepwise, rnn_generate

__version__ = "0.1.0"

__all__ = [
    "GradientCheckError",
    "MLPParams",
    "NonFiniteError",
    "RNNCache",
    "RNNGrads",
    "RNNParams",
    "StepCache",
    "StepGrads",
    "TrainingRun",
    "accuracy",
    "binary_sequences",
    "check_grads",
    "clip_grad_norm",
    "delayed_echo",
    "global_norm",
    "gradient_errors",
    "init_mlp_params",
    "init_rnn_params",
    "init_untied_params",
    "mean_squared_error",
    "mlp_backward",
    "mlp_forward",
    "numerical_gradient",
    "one_hot",
    "output_forward",
    "per_step_gradients",
    "relative_error",
    "remember_first",
    "rnn_backward",
    "rnn_forward",
    "rnn_forward_stepwise",
    "rnn_generate",
    "rnn_loss_and_grads",
    "rnn_num_parameters",
    "rnn_step_backward",
    "rnn_step_forward",
    "sgd_update",
    "softmax",
    "softmax_cross_entropy",
    "train",
    "truncated_bptt_loss_and_grads",
    "untied_forward",
    "untied_num_parameters",
    "window_inputs",
    "window_mlp_loss_and_grads",
]
