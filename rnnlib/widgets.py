"""Interactive explorers. Thin: each calls a function of :mod:`rnnlib.plots` (the
sampling explorer, :func:`rnnlib.text.sample`), so the static output beside it in the
book is the same drawing, or the same text, at fixed values.

ipywidgets is imported when an explorer is made, not when rnnlib is imported.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from rnnlib.plots import plot_cell_response


def cell_explorer():
    """Sliders over the weights, the input ``x_t`` and the previous state of a
    one-unit cell, redrawing :func:`rnnlib.plots.plot_cell_response`."""
    import ipywidgets as widgets

    def slider(value: float, lo: float, hi: float, description: str) -> widgets.FloatSlider:
        return widgets.FloatSlider(
            value=value, min=lo, max=hi, step=0.1, description=description, continuous_update=False
        )

    def draw(w_xh: float, w_hh: float, b_h: float, x: float, h_prev: float, activation: str) -> None:
        plot_cell_response(w_xh, w_hh, b_h, activation=activation, x=x, h_prev=h_prev, h_prev_values=())
        plt.show()

    return widgets.interactive(
        draw,
        w_xh=slider(1.0, -3, 3, "w_xh"),
        w_hh=slider(0.5, -3, 3, "w_hh"),
        b_h=slider(0.0, -2, 2, "b_h"),
        x=slider(1.0, -3, 3, "x_t"),
        h_prev=slider(0.0, -1, 1, "h_(t-1)"),
        activation=widgets.ToggleButtons(options=["tanh", "relu"], description="f"),
    )


MAX_TYPED = 40  # the longest sequence the sequence explorer draws


def typed_bits(sequence: str) -> np.ndarray | str:
    """The 0/1 inputs ``(T,)`` of a typed sequence such as ``"0110 1"`` (spaces and
    commas ignored), or, for anything else, a sentence that says what to type."""
    digits = sequence.replace(" ", "").replace(",", "")
    if not digits:
        return "Type a sequence of 0s and 1s, such as 0110100111."
    wrong = sorted(set(digits) - {"0", "1"})
    if wrong:
        return f"Type only 0s and 1s; {', '.join(repr(ch) for ch in wrong)} cannot be an input here."
    if len(digits) > MAX_TYPED:
        return f"Type at most {MAX_TYPED} inputs; got {len(digits)}."
    return np.array([float(ch) for ch in digits])


def sequence_explorer():
    """Type a 0/1 sequence and choose ``w_hh`` and the activation of a one-unit cell
    with ``w_xh = 1`` and ``b_h = 0`` (chapter 2's counter when ``w_hh = 1`` with ReLU),
    redrawing :func:`rnnlib.plots.plot_sequence` of its inputs and states. It starts
    from chapter 2's figure: the counter reading the inputs of
    ``rnnlib.binary_sequences(12, 1, seed=3)``."""
    import ipywidgets as widgets

    from rnnlib.cell import RNNParams
    from rnnlib.plots import plot_sequence
    from rnnlib.unroll import rnn_forward

    def draw(sequence: str, w_hh: float, activation: str) -> None:
        bits = typed_bits(sequence)
        if isinstance(bits, str):
            print(bits)
            return
        cell = RNNParams(W_xh=[[1.0]], W_hh=[[w_hh]], b_h=[0.0], W_hy=[[1.0]], b_y=[0.0])
        _, cache = rnn_forward(bits[:, None, None], cell, activation=activation)
        plot_sequence(bits, cache.hs, labels=("input x_t (0 or 1)", f"state h_t ({activation}, w_hh = {w_hh:g})"))
        plt.show()

    return widgets.interactive(
        draw,
        sequence=widgets.Text(value="110011110110", description="inputs", continuous_update=False),
        w_hh=widgets.FloatSlider(value=1.0, min=0.0, max=1.5, step=0.05, description="w_hh", continuous_update=False),
        activation=widgets.ToggleButtons(options=["relu", "tanh"], description="f"),
    )


WINDOW_STEPS = 100  # training steps per setting in the window explorer: under a second in a browser


def window_explorer():
    """Sliders over the window ``k`` of chapter 1's windowed MLP and the delay ``d`` of
    the token it must recall: each setting trains one MLP
    (:func:`rnnlib.analysis.window_recall_accuracy`, :data:`WINDOW_STEPS` steps) and
    redraws :func:`rnnlib.plots.plot_window` with its accuracy."""
    import ipywidgets as widgets

    from rnnlib.analysis import window_recall_accuracy
    from rnnlib.plots import plot_window

    def draw(window: int, delay: int) -> None:
        plot_window(window, delay, window_recall_accuracy(window, delay, steps=WINDOW_STEPS))
        plt.show()

    return widgets.interactive(
        draw,
        window=widgets.IntSlider(value=4, min=1, max=8, description="window k", continuous_update=False),
        delay=widgets.IntSlider(value=3, min=0, max=10, description="delay d", continuous_update=False),
    )


def gradient_flow_explorer():
    """Sliders over the spectral radius of ``W_hh``, the sequence length and the input
    scale, redrawing the eigenvalues of ``W_hh`` against the unit circle
    (:func:`rnnlib.plots.plot_eigenvalues`) beside :func:`rnnlib.plots.plot_gradient_flow`
    for :func:`rnnlib.analysis.gradient_flow`."""
    import ipywidgets as widgets

    from rnnlib.analysis import gradient_flow, gradient_flow_weights
    from rnnlib.plots import plot_eigenvalues, plot_gradient_flow

    def draw(radius: float, length: int, input_scale: float) -> None:
        norms = gradient_flow(radius, length=length, input_scale=input_scale)
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [1, 1.4]})
        plot_eigenvalues(gradient_flow_weights(radius), ax=left)
        plot_gradient_flow({f"spectral radius {radius:.2f}": norms}, ax=right)
        fig.tight_layout()
        plt.show()

    return widgets.interactive(
        draw,
        radius=widgets.FloatSlider(
            value=1.0, min=0.1, max=2.5, step=0.05, description="radius", continuous_update=False
        ),
        length=widgets.IntSlider(value=100, min=10, max=300, step=10, description="T", continuous_update=False),
        input_scale=widgets.FloatLogSlider(
            value=0.1, base=10, min=-2, max=0.5, description="input scale", continuous_update=False
        ),
    )


SAMPLE_LENGTH = 300  # characters the sampling explorer writes after the prime


def sample_passage(params: object, vocab: object, prime: str, temperature: float, seed: int) -> str:
    """What :func:`sampling_explorer` shows: the prime and :data:`SAMPLE_LENGTH`
    characters sampled after it (:func:`rnnlib.text.sample`), or, for a prime the
    model cannot read, a sentence that says why."""
    from rnnlib.text import sample

    if not prime:
        return "Type a prime: the model reads it, then writes what it expects to follow."
    unknown = sorted({ch for ch in prime if ch not in vocab.chars})
    if unknown:
        return (
            f"The book never uses {', '.join(repr(ch) for ch in unknown)}, so the model cannot read "
            f"{'it' if len(unknown) == 1 else 'them'}: change the prime."
        )
    return prime + sample(params, vocab, prime, SAMPLE_LENGTH, temperature=temperature, seed=seed)


def sampling_explorer(params: object = None, vocab: object = None):
    """A prime to type, a temperature and a seed, printing :func:`sample_passage` from
    a character model (by default the LSTM that rnnlib ships, :func:`rnnlib.text.load_model`)."""
    import ipywidgets as widgets

    from rnnlib.text import load_model

    if (params is None) != (vocab is None):
        raise ValueError("give both params and vocab, or neither (for the model rnnlib ships)")
    if params is None:
        params, vocab, _ = load_model()

    def draw(prime: str, temperature: float, seed: int) -> None:
        print(sample_passage(params, vocab, prime, temperature, seed))

    return widgets.interactive(
        draw,
        prime=widgets.Text(value="Alice was ", description="prime", continuous_update=False),
        temperature=widgets.FloatSlider(
            value=0.8, min=0.1, max=2.0, step=0.05, description="temperature", continuous_update=False
        ),
        seed=widgets.IntSlider(value=0, min=0, max=20, description="seed", continuous_update=False),
    )
