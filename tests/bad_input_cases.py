"""A valid call of every public function of rnnlib, for the bad-input property tests.

Each :class:`Case` builds the keyword arguments of one small, valid call. The kind of
each argument (a float array, an index array, an integer, a number, a flag, a name, a
text, a record, a function, a generator) is read off its valid value, and
``tests/test_bad_input.py`` draws, for one argument at a time, a change of layout, of
type, of dtype, of shape or of value. The few facts a value does not show (an argument
that may be ``None``, a number that may be negative, an array of any shape) are given
here, one keyword each.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import rnnlib
from rnnlib import analysis, dynamics, embedding, layers, linear, ngram, optim, plots, seq2seq, text

T, B, D, H, O = 3, 2, 3, 4, 3
ALICE = "Alice was beginning to get very tired of sitting by her sister on the bank."


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    func: Callable
    build: Callable[[], dict]
    optional: tuple[str, ...] = ()  # may be None
    signed: tuple[str, ...] = ()  # numbers or integers that may be negative
    any_shape: tuple[str, ...] = ()  # arrays of any number of dimensions
    empty_ok: tuple[str, ...] = ()  # arrays that may be empty
    any_values: tuple[str, ...] = ()  # index arrays with no upper bound
    fixed: tuple[str, ...] = ()  # arguments not to change (they only set the scene)
    texts: tuple[str, ...] = ()  # strings of free text (any other string is a name to choose)
    complex_ok: tuple[str, ...] = ()  # arrays that may be complex
    timed: bool = False  # the result is a wall-clock time: the same input gives another float

    def __repr__(self) -> str:
        return self.name


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def xs(shape=(T, B, D), seed=1):
    return rng(seed).normal(size=shape)


def params(cell="rnn", d=D, o=O):
    return rnnlib.init_params(cell, d, H, o, seed=0)


def targets(shape=(T, B), classes=O, seed=2):
    return rng(seed).integers(0, classes, size=shape)


def rnn_cache():
    return rnnlib.rnn_forward(xs(), params())[1]


def step(cell):
    x, h = xs((B, D)), 0.5 * xs((B, H), seed=3)
    if cell == "rnn":
        return rnnlib.rnn_step_forward(x, h, params())[1]
    if cell == "lstm":
        return rnnlib.lstm_step_forward(x, h, 0.5 * xs((B, H), seed=4), params("lstm"))[2]
    return rnnlib.gru_step_forward(x, h, params("gru"))[1]


def loss_fn(p):
    return rnnlib.rnn_loss_and_grads(p, xs(), targets())[0]


def grads():
    return rnnlib.rnn_loss_and_grads(params(), xs(), targets())[1]


def train_fn(p, _step):
    return rnnlib.rnn_loss_and_grads(p, xs(), targets())


VOCAB = text.Vocabulary.from_text(ALICE)
IDS = VOCAB.encode(ALICE)


def lm(cell="rnn"):
    return rnnlib.init_params(cell, VOCAB.size, H, VOCAB.size, seed=0)


def model_file(tmp=Path("/tmp")):
    path = tmp / "rnnlib-bad-input-model.npz"
    text.save_model(str(path), lm(), VOCAB, steps=1)
    return str(path)


def record_fields(cls, cell):
    p = params(cell)
    return {f.name: getattr(p, f.name) for f in dataclasses.fields(cls)}


def birnn():
    return layers.init_birnn_params(D, H, O, seed=0)


def stack():
    return layers.init_stacked_params(D, H, O, layers=2, seed=0)


def lru():
    return linear.init_lru_params(D, H, 3, O, seed=0)


def s2s():
    return seq2seq.init_seq2seq_params(D, H, O, seed=0)


def birnn_fields():
    p = birnn()
    return {f.name: getattr(p, f.name) for f in dataclasses.fields(p)}


C = Case
CASES: list[Case] = [
    # records: the constructors check their fields
    C("RNNParams", rnnlib.RNNParams, lambda: record_fields(rnnlib.RNNParams, "rnn")),
    C("LSTMParams", rnnlib.LSTMParams, lambda: record_fields(rnnlib.LSTMParams, "lstm")),
    C("GRUParams", rnnlib.GRUParams, lambda: record_fields(rnnlib.GRUParams, "gru")),
    C("Vocabulary", text.Vocabulary, lambda: {"chars": "abc"}, texts=("chars",)),
    C("Vocabulary.from_text", text.Vocabulary.from_text, lambda: {"text": ALICE}, texts=("text",)),
    C("Vocabulary.encode", VOCAB.encode, lambda: {"text": "Alice"}, texts=("text",)),
    C("Vocabulary.decode", VOCAB.decode, lambda: {"ids": IDS[:5]}, empty_ok=("ids",)),
    C("LSTMParams.gate", params("lstm").gate, lambda: {"name": "f"}),
    # chapter 1
    C("init_mlp_params", rnnlib.init_mlp_params, lambda: dict(input_size=6, hidden_size=H, output_size=O, seed=0)),
    C("window_inputs", rnnlib.window_inputs, lambda: dict(xs=xs(), k=2)),
    C(
        "mlp_forward",
        rnnlib.mlp_forward,
        lambda: dict(u=xs((T, B, 6)), params=rnnlib.init_mlp_params(6, H, O, seed=0)),
        any_shape=("u",),
    ),
    C(
        "mlp_backward",
        rnnlib.mlp_backward,
        lambda: dict(
            dy=xs((T, B, O)), cache=rnnlib.mlp_forward(xs((T, B, 6)), rnnlib.init_mlp_params(6, H, O, seed=0))[1]
        ),
    ),
    C(
        "window_mlp_loss_and_grads",
        rnnlib.window_mlp_loss_and_grads,
        lambda: dict(params=rnnlib.init_mlp_params(6, H, O, seed=0), xs=xs(), targets=targets(), window=2),
    ),
    # chapters 2-4
    C(
        "init_rnn_params",
        rnnlib.init_rnn_params,
        lambda: dict(input_size=D, hidden_size=H, output_size=O, seed=0, recurrent_init="normal", recurrent_scale=1.0),
    ),
    C(
        "rnn_step_forward",
        rnnlib.rnn_step_forward,
        lambda: dict(x=xs((B, D)), h_prev=xs((B, H), seed=3), params=params(), activation="tanh"),
    ),
    C("rnn_step_backward", rnnlib.rnn_step_backward, lambda: dict(dh=xs((B, H)), cache=step("rnn"))),
    C("output_forward", rnnlib.output_forward, lambda: dict(hs=xs((T, B, H)), params=params()), any_shape=("hs",)),
    C(
        "rnn_forward",
        rnnlib.rnn_forward,
        lambda: dict(xs=xs(), params=params(), h0=xs((B, H), seed=3), activation="tanh"),
        optional=("h0",),
    ),
    C(
        "rnn_forward_stepwise",
        rnnlib.rnn_forward_stepwise,
        lambda: dict(xs=xs(), params=params(), h0=xs((B, H), seed=3), activation="relu"),
        optional=("h0",),
    ),
    C(
        "rnn_generate",
        rnnlib.rnn_generate,
        lambda: dict(params=params(), first_input=np.eye(D)[[0, 1]], steps=4, rng=rng(5), temperature=1.0),
        optional=("rng",),
    ),
    C("rnn_num_parameters", rnnlib.rnn_num_parameters, lambda: dict(input_size=D, hidden_size=H, output_size=O)),
    C(
        "untied_num_parameters",
        rnnlib.untied_num_parameters,
        lambda: dict(length=T, input_size=D, hidden_size=H, output_size=O),
    ),
    C(
        "init_untied_params",
        rnnlib.init_untied_params,
        lambda: dict(length=T, input_size=D, hidden_size=H, output_size=O, seed=0),
    ),
    C(
        "untied_forward",
        rnnlib.untied_forward,
        lambda: dict(xs=xs(), step_params=rnnlib.init_untied_params(T, D, H, O, seed=0), activation="tanh"),
    ),
    # losses
    C("softmax", rnnlib.softmax, lambda: dict(z=xs(), axis=-1), signed=("axis",), any_shape=("z",)),
    C("sigmoid", rnnlib.sigmoid, lambda: dict(a=xs()), any_shape=("a",), empty_ok=("a",)),
    C(
        "softmax_cross_entropy",
        rnnlib.softmax_cross_entropy,
        lambda: dict(logits=xs((T, B, O)), targets=targets(), many_to_one=False),
    ),
    C(
        "softmax_cross_entropy(many_to_one)",
        rnnlib.softmax_cross_entropy,
        lambda: dict(logits=xs((T, B, O)), targets=targets((B,)), many_to_one=True),
    ),
    C(
        "mean_squared_error",
        rnnlib.mean_squared_error,
        lambda: dict(ys=xs((T, B, O)), targets=xs((T, B, O), seed=7), many_to_one=False),
    ),
    C("accuracy", rnnlib.accuracy, lambda: dict(logits=xs((T, B, O)), targets=targets(), from_step=1)),
    # chapter 5
    C("rnn_backward", rnnlib.rnn_backward, lambda: dict(dys=xs((T, B, O)), cache=rnn_cache())),
    C("per_step_gradients", rnnlib.per_step_gradients, lambda: dict(dys=xs((T, B, O)), cache=rnn_cache())),
    C(
        "rnn_loss_and_grads",
        rnnlib.rnn_loss_and_grads,
        lambda: dict(
            params=params(),
            xs=xs(),
            targets=targets(),
            loss="cross_entropy",
            many_to_one=False,
            h0=xs((B, H), seed=3),
            activation="tanh",
        ),
        optional=("h0",),
    ),
    C(
        "truncated_bptt_loss_and_grads",
        rnnlib.truncated_bptt_loss_and_grads,
        lambda: dict(params=params(), xs=xs((6, B, D)), targets=targets((6, B)), chunk=2, loss="cross_entropy"),
    ),
    C(
        "numerical_gradient",
        rnnlib.numerical_gradient,
        lambda: dict(f=lambda x: float(np.sum(x**3)), x=xs((2, 3))),
        any_shape=("x",),
    ),
    C(
        "relative_error",
        rnnlib.relative_error,
        lambda: dict(a=xs((2, 3)), b=xs((2, 3), seed=9)),
        any_shape=("a", "b"),
    ),
    C("gradient_errors", rnnlib.gradient_errors, lambda: dict(f=loss_fn, params=params(), grads=grads(), eps=1e-6)),
    C(
        "check_grads",
        rnnlib.check_grads,
        lambda: dict(f=loss_fn, params=params(), grads=grads(), eps=1e-6, tol=1e-6),
    ),
    # optimisers
    C("sgd_update", rnnlib.sgd_update, lambda: dict(params=params(), grads=grads(), lr=0.1)),
    C(
        "adam_update",
        rnnlib.adam_update,
        lambda: dict(params=params(), grads=grads(), state=None, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8),
        optional=("state",),
    ),
    C("global_norm", rnnlib.global_norm, lambda: dict(grads=grads(), names=["W_hh", "b_h"]), optional=("names",)),
    C(
        "clip_grad_norm",
        rnnlib.clip_grad_norm,
        lambda: dict(grads=grads(), max_norm=0.5, names=None),
        optional=("names",),
    ),
    C(
        "train",
        rnnlib.train,
        lambda: dict(
            params=params(),
            loss_and_grads=train_fn,
            steps=2,
            lr=0.1,
            clip_norm=1.0,
            optimizer="adam",
            lr_schedule="cosine",
        ),
        optional=("clip_norm",),
    ),
    C("window_recall_accuracy", analysis.window_recall_accuracy, lambda: dict(window=2, delay=1, steps=2, seed=0)),
    C("scheduled_lr", optim.scheduled_lr, lambda: dict(lr=0.1, step=3, steps=10, schedule="cosine")),
    # tasks
    C("binary_sequences", rnnlib.binary_sequences, lambda: dict(length=5, batch_size=2, seed=0, p=0.5)),
    C(
        "delayed_echo",
        rnnlib.delayed_echo,
        lambda: dict(length=6, batch_size=2, vocab_size=3, delay=2, seed=0),
    ),
    C(
        "remember_first",
        rnnlib.remember_first,
        lambda: dict(lag=4, batch_size=2, num_classes=3, seed=0, num_distractors=2),
    ),
    C("noisy_sines", rnnlib.noisy_sines, lambda: dict(length=6, batch_size=2, seed=0, noise=0.05)),
    C("one_hot", rnnlib.one_hot, lambda: dict(tokens=targets(), vocab_size=O), any_shape=("tokens",)),
    # chapter 7 and the shared interface
    C(
        "init_lstm_params",
        rnnlib.init_lstm_params,
        lambda: dict(input_size=D, hidden_size=H, output_size=O, seed=0, forget_bias=1.0),
        signed=("forget_bias",),
    ),
    C(
        "init_gru_params",
        rnnlib.init_gru_params,
        lambda: dict(input_size=D, hidden_size=H, output_size=O, seed=0, update_bias=1.0),
        signed=("update_bias",),
    ),
    C(
        "init_params",
        rnnlib.init_params,
        lambda: dict(cell="gru", input_size=D, hidden_size=H, output_size=O, seed=0),
    ),
    C(
        "lstm_step_forward",
        rnnlib.lstm_step_forward,
        lambda: dict(x=xs((B, D)), h_prev=xs((B, H), seed=3), c_prev=xs((B, H), seed=4), params=params("lstm")),
    ),
    C(
        "lstm_step_backward",
        rnnlib.lstm_step_backward,
        lambda: dict(dh=xs((B, H)), dc=xs((B, H), seed=5), cache=step("lstm")),
    ),
    C(
        "gru_step_forward",
        rnnlib.gru_step_forward,
        lambda: dict(x=xs((B, D)), h_prev=xs((B, H), seed=3), params=params("gru")),
    ),
    C("gru_step_backward", rnnlib.gru_step_backward, lambda: dict(dh=xs((B, H)), cache=step("gru"))),
    C(
        "lstm_forward",
        rnnlib.lstm_forward,
        lambda: dict(xs=xs(), params=params("lstm"), h0=xs((B, H), seed=3), c0=xs((B, H), seed=4)),
        optional=("h0", "c0"),
    ),
    C(
        "lstm_backward",
        rnnlib.lstm_backward,
        lambda: dict(dys=xs((T, B, O)), cache=rnnlib.lstm_forward(xs(), params("lstm"))[1]),
    ),
    C(
        "gru_forward",
        rnnlib.gru_forward,
        lambda: dict(xs=xs(), params=params("gru"), h0=xs((B, H), seed=3)),
        optional=("h0",),
    ),
    C(
        "gru_backward",
        rnnlib.gru_backward,
        lambda: dict(dys=xs((T, B, O)), cache=rnnlib.gru_forward(xs(), params("gru"))[1]),
    ),
    C(
        "sequence_forward",
        rnnlib.sequence_forward,
        lambda: dict(params=params("lstm"), xs=xs(), state=None),
        optional=("state",),
    ),
    C(
        "sequence_backward",
        rnnlib.sequence_backward,
        lambda: dict(dys=xs((T, B, O)), cache=rnnlib.sequence_forward(params("gru"), xs())[1]),
    ),
    C(
        "sequence_loss_and_grads",
        rnnlib.sequence_loss_and_grads,
        lambda: dict(params=params("lstm"), xs=xs(), targets=targets((B,)), loss="cross_entropy", many_to_one=True),
    ),
    C("final_state", rnnlib.final_state, lambda: dict(cache=rnnlib.lstm_forward(xs(), params("lstm"))[1])),
    C(
        "state_gradient_by_lag",
        rnnlib.state_gradient_by_lag,
        lambda: dict(params=params("gru"), xs=xs(), targets=targets((B,))),
    ),
    C("forecast", rnnlib.forecast, lambda: dict(params=params("gru", d=2, o=2), history=xs((T, B, 2)), steps=3)),
    # chapter 6: analysis
    C("spectral_radius", analysis.spectral_radius, lambda: dict(W=xs((H, H)))),
    C("best_time", analysis.best_time, lambda: dict(f=np.sum, args=(xs(),), repeat=2), fixed=("args",), timed=True),
    C("scale_to_spectral_radius", analysis.scale_to_spectral_radius, lambda: dict(W=xs((H, H)), radius=0.9)),
    C("step_jacobians", analysis.step_jacobians, lambda: dict(cache=rnn_cache())),
    C(
        "gradient_norms_by_lag",
        analysis.gradient_norms_by_lag,
        lambda: dict(cache=rnn_cache(), dh_last=xs((B, H))),
        optional=("dh_last",),
    ),
    C(
        "gradient_flow",
        analysis.gradient_flow,
        lambda: dict(radius=0.9, length=5, hidden_size=H, input_scale=0.1, batch_size=2, seed=0),
        optional=("radius",),
    ),
    C(
        "gradient_flow_weights",
        analysis.gradient_flow_weights,
        lambda: dict(radius=0.9, hidden_size=H, seed=0),
        optional=("radius",),
    ),
    C(
        "one_unit_rnn",
        analysis.one_unit_rnn,
        lambda: dict(w=np.linspace(4.0, 5.0, 3), b=-2.5, steps=5, h0=0.5, target=0.7),
        signed=("b", "h0", "target"),
        any_shape=("w", "b"),
    ),
    C(
        "remember_first_accuracy",
        analysis.remember_first_accuracy,
        lambda: dict(start=params(d=5, o=3), lag=3, seed=0, lr=0.1, steps=2, batch_size=4, test_size=8, test_seed=1),
        fixed=("start",),
    ),
    C(
        "train_delayed_echo",
        analysis.train_delayed_echo,
        lambda: dict(start=params(d=3, o=3), delay=1, seed=0, lr=0.01, steps=2, seq_len=6, batch_size=2, chunk=3),
        optional=("chunk",),
        fixed=("start",),
    ),
    # chapters 8 and 9: embeddings and dropout
    C("init_embedding", embedding.init_embedding, lambda: dict(vocab_size=5, dim=3, seed=0)),
    C("embed", embedding.embed, lambda: dict(E=xs((5, 3)), ids=targets((T, B), classes=5)), any_shape=("ids",)),
    C(
        "embedding_backward",
        embedding.embedding_backward,
        lambda: dict(dxs=xs((T, B, 3)), ids=targets((T, B), classes=5), vocab_size=5),
        any_shape=("dxs", "ids"),
    ),
    C("fold_embedding", embedding.fold_embedding, lambda: dict(params=params("lstm", d=3, o=5), E=xs((5, 3)))),
    C("dropout_mask", embedding.dropout_mask, lambda: dict(shape=(B, 3), p=0.3, seed=0)),
    C(
        "lstm_layer_backward",
        rnnlib.lstm_layer_backward,
        lambda: dict(dhs=xs((T, B, H)), cache=rnnlib.lstm_forward(xs(), params("lstm"))[1]),
        fixed=("cache",),
    ),
    # chapter 9: the RNN as a layer, two directions, padded batches
    C(
        "rnn_layer_backward",
        rnnlib.rnn_layer_backward,
        lambda: dict(dhs=xs((T, B, H)), cache=rnn_cache()),
        fixed=("cache",),
    ),
    C(
        "softmax_cross_entropy(mask)",
        rnnlib.softmax_cross_entropy,
        lambda: dict(
            logits=xs((T, B, O)), targets=targets(), mask=np.array([[True, True], [True, False], [False, False]])
        ),
        # The changes drawn here know no boolean arrays (they would read the mask as class
        # ids); test_layers.test_the_masked_loss_refuses_a_mask_it_cannot_use covers it.
        fixed=("mask",),
    ),
    C("length_mask", layers.length_mask, lambda: dict(lengths=np.array([3, 1]), steps=T)),
    C("reverse_padded", layers.reverse_padded, lambda: dict(xs=xs(), lengths=np.array([3, 1])), any_shape=("xs",)),
    C("BiRNNParams", layers.BiRNNParams, lambda: birnn_fields()),
    C("init_birnn_params", layers.init_birnn_params, lambda: dict(input_size=D, hidden_size=H, output_size=O, seed=0)),
    C(
        "birnn_forward",
        layers.birnn_forward,
        lambda: dict(xs=xs(), params=birnn(), lengths=np.array([3, 2])),
        optional=("lengths",),
    ),
    C(
        "birnn_backward",
        layers.birnn_backward,
        lambda: dict(dys=xs((T, B, O)), cache=layers.birnn_forward(xs(), birnn(), np.array([3, 2]))[1]),
        fixed=("cache",),
    ),
    C(
        "birnn_loss_and_grads",
        layers.birnn_loss_and_grads,
        lambda: dict(params=birnn(), xs=xs(), targets=targets(), lengths=np.array([3, 2]), mask=None),
        optional=("lengths", "mask"),
    ),
    C(
        "look_ahead",
        rnnlib.look_ahead,
        lambda: dict(length=5, batch_size=B, vocab_size=3, ahead=1, seed=0, min_length=3),
        optional=("min_length",),
    ),
    C(
        "init_stacked_params",
        layers.init_stacked_params,
        lambda: dict(input_size=D, hidden_size=H, output_size=O, layers=2, seed=0),
    ),
    C("stacked_layers", layers.stacked_layers, lambda: dict(params=stack())),
    C(
        "stacked_forward",
        layers.stacked_forward,
        lambda: dict(xs=xs(), params=stack(), states=None, dropout=0.3, seed=0),
        optional=("states",),
    ),
    C(
        "stacked_backward",
        layers.stacked_backward,
        lambda: dict(dys=xs((T, B, O)), cache=layers.stacked_forward(xs(), stack())[1]),
        fixed=("cache",),
    ),
    C(
        "stacked_loss_and_grads",
        layers.stacked_loss_and_grads,
        lambda: dict(params=stack(), xs=xs(), targets=targets(), states=None, dropout=0.0, seed=None),
        optional=("states",),
        fixed=("seed",),  # its refusals are stacked_forward's, whose case draws them
    ),
    C("reversal", rnnlib.reversal, lambda: dict(length=4, batch_size=B, vocab_size=3, seed=0)),
    C("Seq2SeqParams", seq2seq.Seq2SeqParams, lambda: dict(vars(s2s()))),
    C(
        "init_seq2seq_params",
        seq2seq.init_seq2seq_params,
        lambda: dict(input_size=D, hidden_size=H, output_size=O, seed=0),
    ),
    C("teacher_forced_inputs", seq2seq.teacher_forced_inputs, lambda: dict(targets=targets(), output_size=O)),
    C(
        "seq2seq_forward",
        seq2seq.seq2seq_forward,
        lambda: dict(xs=xs(), decoder_inputs=xs((T + 1, B, O + 1)), params=s2s()),
    ),
    C(
        "seq2seq_backward",
        seq2seq.seq2seq_backward,
        lambda: dict(dys=xs((T + 1, B, O)), cache=seq2seq.seq2seq_forward(xs(), xs((T + 1, B, O + 1)), s2s())[1]),
        fixed=("cache",),
    ),
    C("seq2seq_loss_and_grads", seq2seq.seq2seq_loss_and_grads, lambda: dict(params=s2s(), xs=xs(), targets=targets())),
    C("decode", seq2seq.decode, lambda: dict(params=s2s(), xs=xs(), steps=T, targets=targets()), optional=("targets",)),
    # chapter 10: linear recurrences
    C(
        "linear_recurrence",
        linear.linear_recurrence,
        lambda: dict(A=0.5 * np.eye(D), u=xs(), h0=xs((B, D), seed=3)),
        optional=("h0",),
        any_shape=("A",),  # a matrix (H, H) or its diagonal (H,)
        complex_ok=("A", "u", "h0"),
    ),
    C(
        "linear_scan",
        linear.linear_scan,
        lambda: dict(A=np.full(D, 0.5), u=xs(), h0=xs((B, D), seed=3)),
        optional=("h0",),
        any_shape=("A",),
        complex_ok=("A", "u", "h0"),
    ),
    C("scan_rounds", linear.scan_rounds, lambda: dict(steps=5)),
    C("LRUParams", linear.LRUParams, lambda: dict(vars(lru()))),
    C(
        "init_lru_params",
        linear.init_lru_params,
        lambda: dict(
            input_size=D, hidden_size=H, readout_size=3, output_size=O, seed=0, r_min=0.9, r_max=0.99, max_phase=0.3
        ),
    ),
    C("lru_forward", linear.lru_forward, lambda: dict(xs=xs(), params=lru(), parallel=True)),
    C(
        "lru_backward",
        linear.lru_backward,
        lambda: dict(dys=xs((T, B, O)), cache=linear.lru_forward(xs(), lru())[1]),
        fixed=("cache",),
    ),
    C(
        "lru_loss_and_grads",
        linear.lru_loss_and_grads,
        lambda: dict(params=lru(), xs=xs(), targets=targets(), many_to_one=False),
    ),
    C(
        "lru_state_gradient_by_lag",
        linear.lru_state_gradient_by_lag,
        lambda: dict(params=lru(), xs=xs(), targets=targets((B,))),
    ),
    # chapter 10: fixed points
    C("rnn_map", dynamics.rnn_map, lambda: dict(params=params(), h=xs((B, H)), x=xs((D,))), optional=("x",)),
    C("map_jacobian", dynamics.map_jacobian, lambda: dict(params=params(), h=xs((B, H)), x=None), optional=("x",)),
    C("speed", dynamics.speed, lambda: dict(params=params(), h=xs((B, H)), x=None), optional=("x",)),
    C(
        "find_fixed_points",
        dynamics.find_fixed_points,
        lambda: dict(params=params(), starts=xs((B, H)), x=None, steps=5, lr=0.01, newton_steps=2),
        optional=("x",),
    ),
    C("distinct", dynamics.distinct, lambda: dict(points=xs((B, H)), tol=1e-6)),
    # chapter 8: text
    C("load_text", text.load_text, lambda: dict(name="alice")),
    C("bits_per_char", text.bits_per_char, lambda: dict(nats=1.5)),
    C("split", text.split, lambda: dict(ids=IDS, held_out=0.2), any_values=("ids",)),
    C("streams", text.streams, lambda: dict(ids=IDS, batch_size=3), any_values=("ids",)),
    C(
        "chunk",
        text.chunk,
        lambda: dict(stream_ids=text.streams(IDS, 3), start=2, length=5, vocab_size=VOCAB.size),
        empty_ok=(),
    ),
    C(
        "temperature_softmax",
        text.temperature_softmax,
        lambda: dict(logits=xs((B, O)), temperature=0.7),
        any_shape=("logits",),
    ),
    C(
        "unigram_bits_per_char",
        text.unigram_bits_per_char,
        lambda: dict(train_ids=IDS[:50], eval_ids=IDS[50:], vocab_size=VOCAB.size),
    ),
    C(
        "evaluate_bits_per_char",
        text.evaluate_bits_per_char,
        lambda: dict(params=lm(), ids=IDS, batch_size=2, seq_len=10),
    ),
    C(
        "context_bits_per_char",
        text.context_bits_per_char,
        lambda: dict(params=lm(), ids=IDS, context=3, positions=np.array([3, 10, 40])),
    ),
    C(
        "text.char_bits",
        text.char_bits,
        lambda: dict(params=lm(), ids=IDS),
    ),
    C(
        "sample",
        text.sample,
        lambda: dict(params=lm(), vocab=VOCAB, prime="Alice", length=5, temperature=0.8, seed=0),
        texts=("prime",),
    ),
    C(
        "hidden_activations",
        text.hidden_activations,
        lambda: dict(params=lm("lstm"), vocab=VOCAB, text="Alice was", state="c"),
        texts=("text",),
    ),
    C("inside_quotes", text.inside_quotes, lambda: dict(text="'Oh!' said Alice"), texts=("text",)),
    C(
        "unit_correlations",
        text.unit_correlations,
        lambda: dict(activations=xs((10, H)), signal=xs((10,), seed=8)),
    ),
    C(
        "train_language_model",
        text.train_language_model,
        lambda: dict(
            params=lm(),
            train_ids=IDS[:40],
            steps=2,
            seq_len=5,
            batch_size=2,
            lr=0.01,
            clip_norm=5.0,
            optimizer="adam",
            held_out=IDS[40:],
            eval_every=1,
        ),
        optional=("clip_norm", "held_out"),
    ),
    C(
        "train_language_model, regularised",
        text.train_language_model,
        lambda: dict(
            params=rnnlib.init_params("lstm", 3, H, VOCAB.size, seed=0),
            train_ids=IDS[:40],
            steps=2,
            seq_len=5,
            batch_size=2,
            held_out=IDS[40:],
            eval_every=1,
            lr_schedule="cosine",
            embedding=rng(3).normal(size=(VOCAB.size, 3)),
            input_dropout=0.2,
            output_dropout=0.5,
            seed=0,
        ),
        optional=("held_out",),
    ),
    C(
        "save_model",
        text.save_model,
        lambda: dict(path="/tmp/rnnlib-bad-input-save.npz", params=lm(), vocab=VOCAB, steps=1, note="a test"),
        texts=("path",),
        fixed=("steps", "note"),  # info, which a test of its own covers
    ),
    C("load_model", text.load_model, lambda: dict(path=model_file()), texts=("path",), optional=("path",)),
    # chapter 8: the n-gram baseline
    C("ngram.max_order", ngram.max_order, lambda: dict(vocab_size=VOCAB.size)),
    C("ngram.fit", ngram.fit, lambda: dict(ids=IDS, vocab_size=VOCAB.size, order=3)),
    C(
        "ngram.distribution",
        ngram.distribution,
        lambda: dict(model=ngram.fit(IDS, VOCAB.size, 3), context=IDS[:5]),
        empty_ok=("context",),
    ),
    C("ngram.char_bits", ngram.char_bits, lambda: dict(model=ngram.fit(IDS, VOCAB.size, 3), ids=IDS[:20])),
    C("ngram.bits_per_char", ngram.bits_per_char, lambda: dict(model=ngram.fit(IDS, VOCAB.size, 3), ids=IDS[:20])),
]


def bits_run():
    return text.LanguageModelRun(
        params=lm(),
        losses=np.linspace(3.0, 2.0, 12),
        grad_norms=np.ones(12),
        eval_steps=np.array([5, 12]),
        eval_bits=np.array([3.5, 3.0]),
        best_params=lm(),
        best_step=12,
    )


# the figures (each call draws into a new figure, which the test closes)
PLOT_CASES: list[Case] = [
    C("plot_activations", plots.plot_activations, lambda: dict(ax=None), optional=("ax",)),
    C(
        "plot_cell_response",
        plots.plot_cell_response,
        lambda: dict(w_xh=1.0, w_hh=0.5, b_h=0.1, activation="tanh", h_prev_values=(-1.0, 0.0, 1.0), x=0.5, h_prev=0.2),
        optional=("x", "h_prev"),
        signed=("w_xh", "w_hh", "b_h", "x", "h_prev"),
        empty_ok=("h_prev_values",),
    ),
    C(
        "plot_sequence",
        plots.plot_sequence,
        lambda: dict(xs=xs((6,)), hs=xs((6,), seed=4), h0=0.0),
        signed=("h0",),
    ),
    C("draw_unrolled", plots.draw_unrolled, lambda: dict(length=3, pattern="many-to-one", folded=False)),
    C("plot_hidden_heatmap", plots.plot_hidden_heatmap, lambda: dict(hs=xs((6, H)), title="states"), texts=("title",)),
    C("plot_hidden_units", plots.plot_hidden_units, lambda: dict(hs=xs((6, H)), units=(0, 2))),
    C(
        "set_char_ticks",
        plots.set_char_ticks,
        lambda: dict(ax=plt.subplots()[1], text="a b"),
        fixed=("ax",),
        texts=("text",),
    ),
    C(
        "plot_accuracy_vs_delay",
        plots.plot_accuracy_vs_delay,
        lambda: dict(delays=np.arange(1, 5), accuracies=np.array([1.0, 0.9, 0.6, 0.5]), window=2, chance=0.5),
        optional=("window", "chance"),
        any_values=("delays",),
    ),
    C(
        "plot_window",
        plots.plot_window,
        lambda: dict(window=3, delay=2, accuracy=0.5, length=6),
        optional=("accuracy",),
    ),
    C(
        "plot_parameter_counts",
        plots.plot_parameter_counts,
        lambda: dict(x=np.arange(1.0, 5.0), counts={"RNN": np.array([5.0, 5, 5, 5])}, xlabel="T", logy=True),
        texts=("xlabel",),
    ),
    C(
        "plot_step_contributions",
        plots.plot_step_contributions,
        lambda: dict(norms=np.abs(xs((6,))), name="W_hh"),
        texts=("name",),
    ),
    C(
        "plot_curves",
        plots.plot_curves,
        lambda: dict(
            x=np.arange(6.0), curves={"loss": np.abs(xs((6,)))}, xlabel="step", ylabel="loss", logy=True, markers=True
        ),
        texts=("xlabel", "ylabel"),
    ),
    C(
        "plot_gradient_flow",
        plots.plot_gradient_flow,
        lambda: dict(curves={"rho=0.9": np.abs(xs((6,))) + 0.1}, title="flow", ylim=(1e-3, 1e3)),
        optional=("ylim",),
        texts=("title",),
    ),
    C("draw_lstm_cell", plots.draw_lstm_cell, lambda: dict(highlight_cell_path=True)),
    C("plot_eigenvalues", plots.plot_eigenvalues, lambda: dict(W=xs((H, H)), title="W"), texts=("title",)),
    C(
        "plot_text_activations",
        plots.plot_text_activations,
        lambda: dict(text="Alice was", values=np.tanh(xs((9,))), width=4, cmap="RdBu_r"),
        texts=("text",),
    ),
    C(
        "plot_forecast",
        plots.plot_forecast,
        lambda: dict(history=xs((5,)), truth=xs((4,), seed=3), forecast=xs((4,), seed=4), title="f"),
        texts=("title",),
    ),
    C(
        "plot_bits_per_char",
        plots.plot_bits_per_char,
        lambda: dict(run=bits_run(), baseline=4.5, window=3, ylim=(1.0, 5.0)),
        optional=("baseline", "ylim"),
    ),
]
