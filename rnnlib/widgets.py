"""Interactive explorers. Thin: each calls a function of :mod:`rnnlib.plots`,
so the static figure beside it in the book is the same drawing at fixed values.

ipywidgets is imported when an explorer is made, not when rnnlib is imported.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

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
