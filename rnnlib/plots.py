"""Figures for the book. Each function draws on ``ax`` (a new figure if omitted)
and returns the matplotlib ``Figure``; the explorers in :mod:`rnnlib.widgets`
call the same functions, so the static page and the live page agree.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from rnnlib._validate import as_array, check_activation
from rnnlib.cell import activate

# Colour-blind-safe palette (Okabe and Ito) used throughout the book.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

COURSE_STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": plt.cycler(color=PALETTE),
    "font.size": 10,
    "legend.frameon": False,
}


def use_course_style() -> None:
    """Apply the book's figure style. Chapters call this once; importing rnnlib never does."""
    plt.rcParams.update(COURSE_STYLE)


def _axes(ax: Axes | None, figsize: tuple[float, float] | None = None) -> tuple[Figure, Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def plot_activations(ax: Axes | None = None) -> Figure:
    """tanh and ReLU with their derivatives, on ``a`` in [-4, 4]."""
    fig, ax = _axes(ax)
    a = np.linspace(-4, 4, 401)
    ax.plot(a, np.tanh(a), color=PALETTE[0], label="tanh(a)")
    ax.plot(a, 1 - np.tanh(a) ** 2, color=PALETTE[0], ls="--", label="tanh'(a) = 1 - tanh(a)²")
    ax.plot(a, np.maximum(a, 0), color=PALETTE[1], label="ReLU(a) = max(0, a)")
    ax.plot(a, (a > 0).astype(float), color=PALETTE[1], ls="--", label="ReLU'(a)")
    ax.set(xlabel="pre-activation a", ylabel="value", ylim=(-1.5, 3), title="Activation functions")
    ax.legend(loc="upper left")
    return fig


def plot_cell_response(
    w_xh: float,
    w_hh: float,
    b_h: float,
    *,
    activation: str = "tanh",
    h_prev_values: tuple[float, ...] = (-1.0, -0.5, 0.0, 0.5, 1.0),
    x: float | None = None,
    h_prev: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The new state of a one-unit cell, ``h_t = f(w_xh x_t + w_hh h_{t-1} + b_h)``,
    as a function of the input ``x_t`` in [-3, 3], one curve per previous state.

    With ``x`` and ``h_prev`` given, that point is marked and labelled.
    """
    activation = check_activation(activation)
    fig, ax = _axes(ax)
    xs = np.linspace(-3, 3, 301)
    for i, hp in enumerate(h_prev_values):
        ax.plot(
            xs,
            activate(w_xh * xs + w_hh * hp + b_h, activation),
            color=PALETTE[i % len(PALETTE)],
            label=f"h_(t-1) = {hp:g}",
        )
    if x is not None and h_prev is not None:
        h = float(activate(np.array(w_xh * x + w_hh * h_prev + b_h), activation))
        ax.plot(
            xs,
            activate(w_xh * xs + w_hh * h_prev + b_h, activation),
            color="black",
            lw=2,
            label=f"h_(t-1) = {h_prev:.2f}",
        )
        ax.plot([x], [h], "o", color="black", ms=8)
        ax.annotate(f"h_t = {h:.3f}", (x, h), textcoords="offset points", xytext=(8, -14))
    ax.set(
        xlabel="input x_t",
        ylabel="new state h_t",
        title=f"{activation} cell: w_xh={w_xh:g}, w_hh={w_hh:g}, b_h={b_h:g}",
    )
    ax.legend(loc="upper left", fontsize=8)
    return fig


def plot_sequence(
    xs: np.ndarray,
    hs: np.ndarray,
    *,
    h0: float = 0.0,
    labels: tuple[str, str] = ("input x_t", "hidden state h_t"),
    ax: Axes | None = None,
) -> Figure:
    """One-dimensional inputs and hidden states of one sequence against time.

    ``xs`` and ``hs`` have shape ``(T,)`` (or ``(T, 1, 1)``); ``h_0`` is drawn at ``t = 0``.
    """
    xs = as_array("xs", np.ravel(xs), ("T",))
    hs = as_array("hs", np.ravel(hs), (("T", xs.shape[0]),))
    fig, ax = _axes(ax)
    t = np.arange(1, xs.shape[0] + 1)
    ax.bar(t, xs, width=0.6, color=PALETTE[4], alpha=0.6, label=labels[0])
    ax.plot(np.r_[0, t], np.r_[h0, hs], "o-", color=PALETTE[5], label=labels[1])
    ax.set(xlabel="time step t", xticks=np.r_[0, t])
    ax.legend(loc="upper left")
    return fig
