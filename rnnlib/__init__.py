"""rnnlib: the small numpy library behind *Recurrent Neural Networks from the Ground Up*.

One module per idea of the book:

* :mod:`rnnlib.feedforward` a windowed MLP, and its limits (chapter 1)
* :mod:`rnnlib.cell`      the cell and its parameters (chapter 2)
* :mod:`rnnlib.unroll`    the forward pass over a sequence (chapter 3)
* :mod:`rnnlib.sharing`   weight sharing against an untied network (chapter 4)
* :mod:`rnnlib.losses`    output functions, losses and accuracy
* :mod:`rnnlib.bptt`      backpropagation through time (chapter 5)
* :mod:`rnnlib.gated`     the LSTM and the GRU (chapter 7)
* :mod:`rnnlib.models`    one interface over the three cells
* :mod:`rnnlib.text`      a character-level language model (chapter 8)
* :mod:`rnnlib.ngram`     the n-gram baseline it is measured against (chapter 8)
* :mod:`rnnlib.embedding` a learned embedding and dropout (chapters 8 and 9)
* :mod:`rnnlib.layers`    two directions, padded batches and stacked layers (chapter 9)
* :mod:`rnnlib.seq2seq`   an encoder and a decoder (chapter 9)
* :mod:`rnnlib.linear`    linear recurrences and their parallel scan (chapter 10)
* :mod:`rnnlib.dynamics`  fixed points and slow points of a cell (chapter 10)
* :mod:`rnnlib.gradcheck` finite-difference gradient checks
* :mod:`rnnlib.optim`     SGD, Adam, clipping and a training loop
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
    RNNLayerGrads,
    per_step_gradients,
    rnn_backward,
    rnn_layer_backward,
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
from rnnlib.gated import (
    GRUCache,
    GRUGrads,
    GRUParams,
    GRUStepCache,
    GRUStepGrads,
    LSTMCache,
    LSTMGrads,
    LSTMLayerGrads,
    LSTMParams,
    LSTMStepCache,
    LSTMStepGrads,
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
    init_gru_params,
    init_lstm_params,
    lstm_backward,
    lstm_forward,
    lstm_layer_backward,
    lstm_step_backward,
    lstm_step_forward,
    sigmoid,
)
from rnnlib.gradcheck import GradientCheckError, check_grads, gradient_errors, numerical_gradient, relative_error
from rnnlib.losses import accuracy, mean_squared_error, softmax, softmax_cross_entropy
from rnnlib.models import (
    final_state,
    forecast,
    init_params,
    sequence_backward,
    sequence_forward,
    sequence_loss_and_grads,
    state_gradient_by_lag,
)
from rnnlib.optim import AdamState, TrainingRun, adam_update, clip_grad_norm, global_norm, sgd_update, train
from rnnlib.sharing import init_untied_params, rnn_num_parameters, untied_forward, untied_num_parameters
from rnnlib.tasks import (
    binary_sequences,
    delayed_echo,
    look_ahead,
    noisy_sines,
    one_hot,
    remember_first,
    reversal,
)
from rnnlib.unroll import RNNCache, rnn_forward, rnn_forward_stepwise, rnn_generate

__version__ = "0.1.0"

__all__ = [
    "AdamState",
    "GRUCache",
    "GRUGrads",
    "GRUParams",
    "GRUStepCache",
    "GRUStepGrads",
    "GradientCheckError",
    "LSTMCache",
    "LSTMGrads",
    "LSTMLayerGrads",
    "LSTMParams",
    "LSTMStepCache",
    "LSTMStepGrads",
    "MLPParams",
    "NonFiniteError",
    "RNNCache",
    "RNNGrads",
    "RNNLayerGrads",
    "RNNParams",
    "StepCache",
    "StepGrads",
    "TrainingRun",
    "accuracy",
    "adam_update",
    "binary_sequences",
    "check_grads",
    "clip_grad_norm",
    "delayed_echo",
    "final_state",
    "forecast",
    "global_norm",
    "gradient_errors",
    "gru_backward",
    "gru_forward",
    "gru_step_backward",
    "gru_step_forward",
    "init_gru_params",
    "init_lstm_params",
    "init_mlp_params",
    "init_params",
    "init_rnn_params",
    "init_untied_params",
    "look_ahead",
    "lstm_backward",
    "lstm_forward",
    "lstm_layer_backward",
    "lstm_step_backward",
    "lstm_step_forward",
    "mean_squared_error",
    "mlp_backward",
    "mlp_forward",
    "noisy_sines",
    "numerical_gradient",
    "one_hot",
    "output_forward",
    "per_step_gradients",
    "relative_error",
    "remember_first",
    "reversal",
    "rnn_backward",
    "rnn_forward",
    "rnn_forward_stepwise",
    "rnn_generate",
    "rnn_layer_backward",
    "rnn_loss_and_grads",
    "rnn_num_parameters",
    "rnn_step_backward",
    "rnn_step_forward",
    "sequence_backward",
    "sequence_forward",
    "sequence_loss_and_grads",
    "sgd_update",
    "sigmoid",
    "softmax",
    "softmax_cross_entropy",
    "state_gradient_by_lag",
    "train",
    "truncated_bptt_loss_and_grads",
    "untied_forward",
    "untied_num_parameters",
    "window_inputs",
    "window_mlp_loss_and_grads",
]
