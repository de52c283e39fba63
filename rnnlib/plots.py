"""Figures for the book. Each function draws on ``ax`` (a new figure if omitted)
and returns the matplotlib ``Figure``; the explorers in :mod:`rnnlib.widgets`
call the same functions, so the static page and the live page agree.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from rnnlib._validate import (
    as_array,
    check_activation,
    check_choice,
    check_flag,
    check_int,
    check_number,
    check_positive,
    check_text,
)
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
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes to draw into, or None for a new figure; got {type(ax).__name__}")
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def _curves(name: str, curves: object, length: int | None = None) -> dict[str, np.ndarray]:
    """``{label: values (N,)}``, checked: a non-empty dict of string labels and 1-D arrays."""
    if not isinstance(curves, dict):
        raise TypeError(f"{name} must be a dict of label -> values; got {type(curves).__name__}")
    if not curves:
        raise ValueError(f"{name} must hold at least one curve")
    out = {}
    for label, values in curves.items():
        check_text(f"every label of {name}", label)
        dims = ("N",) if length is None else (("N", length),)
        out[label] = as_array(f"{name}[{label!r}]", values, dims)
    return out


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
    w_xh, w_hh, b_h = (check_number(n, v) for n, v in (("w_xh", w_xh), ("w_hh", w_hh), ("b_h", b_h)))
    h_prev_values = as_array("h_prev_values", h_prev_values, ("K",), allow_empty=True)
    x = None if x is None else check_number("x", x)
    h_prev = None if h_prev is None else check_number("h_prev", h_prev)
    fig, ax = _axes(ax)
    xs = np.linspace(-3, 3, 301)
    # The previous states are ordered, so their colours are too: dark for the lowest, light for the highest.
    shades = matplotlib.colormaps["viridis"](np.linspace(0.0, 0.85, len(h_prev_values)))
    for hp, shade in zip(h_prev_values, shades, strict=True):
        ax.plot(xs, activate(w_xh * xs + w_hh * hp + b_h, activation), color=shade, label=f"$h_{{t-1}} = {hp:g}$")
    if x is not None and h_prev is not None:
        h = float(activate(np.array(w_xh * x + w_hh * h_prev + b_h), activation))
        ax.plot(
            xs,
            activate(w_xh * xs + w_hh * h_prev + b_h, activation),
            color="black",
            lw=2,
            label=f"$h_{{t-1}} = {h_prev:.2f}$",
        )
        ax.plot([x], [h], "o", color="black", ms=8)
        ax.annotate(f"$h_t = {h:.3f}$", (x, h), textcoords="offset points", xytext=(8, -14))
    ax.set(
        xlabel="input $x_t$",
        ylabel="new state $h_t$",
        title=f"{activation} cell: $w_{{xh}} = {w_xh:g}$, $w_{{hh}} = {w_hh:g}$, $b_h = {b_h:g}$",
    )
    ax.legend(loc="upper left", fontsize=8)
    return fig


def _series(name: str, values: object) -> np.ndarray:
    """One sequence of one unit: shape ``(T,)``, or ``(T, 1, 1)`` as rnnlib's functions return it."""
    arr = as_array(name, values, None)
    if arr.ndim == 0 or arr.size != arr.shape[0]:
        raise ValueError(f"{name} must have shape (T,) or (T, 1, 1), one value per step; got {arr.shape}")
    return arr.ravel()


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
    xs, hs = _series("xs", xs), _series("hs", hs)
    if hs.shape != xs.shape:
        raise ValueError(f"hs must hold one state per input of xs, T={xs.shape[0]}; got {hs.shape[0]}")
    h0 = check_number("h0", h0)
    if not (isinstance(labels, (tuple, list)) and len(labels) == 2 and all(isinstance(v, str) for v in labels)):
        raise TypeError(f"labels must be two strings (the input's and the state's); got {labels!r:.60}")
    fig, ax = _axes(ax)
    t = np.arange(1, xs.shape[0] + 1)
    ax.bar(t, xs, width=0.6, color=PALETTE[4], alpha=0.6, label=labels[0])
    ax.plot(np.r_[0, t], np.r_[h0, hs], "o-", color=PALETTE[5], label=labels[1])
    ax.set_xlabel("time step t")
    if xs.shape[0] <= 20:  # one tick a step while they fit
        ax.set_xticks(np.r_[0, t])
    else:
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncol=2, frameon=False)  # above the data, whatever it is
    return fig


PATTERNS = ("many-to-many", "many-to-one", "one-to-many")


def _node(ax: Axes, x: float, y: float, text: str, color: str, *, w: float = 0.7, h: float = 0.5) -> None:
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.05", fc=color, ec="black", lw=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], label: str = "", **kw: object) -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="-|>", color="black", lw=1, **kw))
    if label:
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        ax.text(mx + 0.08, my, label, fontsize=8, color="#444444", va="center")


def draw_unrolled(
    length: int = 4, *, pattern: str = "many-to-many", folded: bool = True, ax: Axes | None = None
) -> Figure:
    """The RNN as a loop (left) and unrolled into ``length`` copies of the same cell (right).

    ``pattern`` chooses which inputs and outputs exist: ``"many-to-many"`` (an output
    at every step), ``"many-to-one"`` (only ``y_T``) or ``"one-to-many"`` (only ``x_1``
    is given; each output is fed back, dashed, as the next input). Every copy carries
    the same weight labels.
    """
    length = check_positive("length", length, integer=True)
    check_choice("pattern", pattern, PATTERNS)
    folded = check_flag("folded", folded)
    T, step = length, 1.5
    offset = 2.4 if folded else 0.0
    fig, ax = _axes(ax, figsize=(0.9 + 1.1 * (T + 1) + 0.7 * offset, 3.0))
    x_col, h_col, y_col = "#d6ecf7", "#fbe3c0", "#d5efe3"
    if folded:
        _node(ax, 0.4, 0, "$x_t$", x_col)
        _node(ax, 0.4, 1.4, "$h_t$", h_col)
        _node(ax, 0.4, 2.8, "$y_t$", y_col)
        _arrow(ax, (0.4, 0.3), (0.4, 1.1), "$W_{xh}$")
        _arrow(ax, (0.4, 1.7), (0.4, 2.5), "$W_{hy}$")
        ax.annotate(
            "",
            xy=(0.8, 1.28),
            xytext=(0.8, 1.52),
            arrowprops=dict(
                arrowstyle="-|>", color="black", lw=1, connectionstyle="arc,angleA=0,angleB=0,armA=28,armB=28,rad=8"
            ),
        )
        ax.text(1.25, 1.4, "$W_{hh}$", fontsize=8, color="#444444", va="center")
        ax.text(1.95, 1.4, "=", fontsize=18, ha="center", va="center")
    xs = [offset + step * t + 0.4 for t in range(T + 1)]
    _node(ax, xs[0], 1.4, "$h_0$", "#eeeeee")
    for t in range(1, T + 1):
        x = xs[t]
        _node(ax, x, 1.4, f"$h_{{{t}}}$", h_col)
        _arrow(ax, (xs[t - 1] + 0.4, 1.4), (x - 0.4, 1.4))
        ax.text((xs[t - 1] + x) / 2, 1.5, "$W_{hh}$", fontsize=7, color="#444444", ha="center", va="bottom")
        fed_back = pattern == "one-to-many" and t > 1
        if pattern != "one-to-many" or t == 1 or fed_back:
            _node(ax, x, 0, f"$x_{{{t}}}$", "white" if fed_back else x_col)
            _arrow(ax, (x, 0.3), (x, 1.1), "$W_{xh}$")
        if fed_back:
            _arrow(ax, (xs[t - 1] + 0.4, 2.65), (x - 0.4, 0.15), ls="--")
        if pattern != "many-to-one" or t == T:
            _node(ax, x, 2.8, f"$y_{{{t}}}$", y_col)
            _arrow(ax, (x, 1.7), (x, 2.5), "$W_{hy}$")
    ax.set_xlim(-0.1, xs[-1] + 0.9)
    ax.set_ylim(-0.4, 3.2)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"{pattern}: the same cell and the same weights at all {T} steps", fontsize=10)
    return fig


def plot_hidden_heatmap(hs: np.ndarray, *, ax: Axes | None = None, title: str = "Hidden state over time") -> Figure:
    """Every unit of one sequence's hidden states ``hs (T, H)`` as a heatmap, time across."""
    hs = as_array("hs", hs, ("T", "H"))
    title = check_text("title", title)
    fig, ax = _axes(ax)
    lim = max(float(np.abs(hs).max()), 1e-12)
    im = ax.imshow(
        hs.T,
        aspect="auto",
        cmap="RdBu_r",
        vmin=-lim,
        vmax=lim,
        interpolation="nearest",
        extent=(0.5, hs.shape[0] + 0.5, hs.shape[1] - 0.5, -0.5),
    )
    ax.set(xlabel="time step t", ylabel="hidden unit", title=title)
    ax.grid(False)
    fig.colorbar(im, ax=ax, label="h_t")
    return fig


def set_char_ticks(ax: Axes, text: str) -> None:
    """Label the x ticks 1, ..., len(text) of ``ax`` with the characters of ``text``,
    each space drawn as "␣" so that it can be seen (time step t reads character t)."""
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes; got {type(ax).__name__}")
    text = check_text("text", text)
    if not text:
        raise ValueError("text must hold at least one character")
    ax.set_xticks(np.arange(1, len(text) + 1), ["␣" if ch == " " else ch for ch in text])


def plot_hidden_units(hs: np.ndarray, units: tuple[int, ...] = (0, 1, 2), *, ax: Axes | None = None) -> Figure:
    """A few hidden units of one sequence ``hs (T, H)`` as lines against time."""
    hs = as_array("hs", hs, ("T", "H"))
    if isinstance(units, (str, bytes)) or not isinstance(units, (tuple, list, np.ndarray)):
        raise TypeError(f"units must be a tuple of unit indices; got {type(units).__name__}")
    units = [check_int("units", u, minimum=0) for u in units]
    if not units or max(units) >= hs.shape[1]:
        raise ValueError(f"units must be one or more indices in [0, H={hs.shape[1]}); got {units}")
    fig, ax = _axes(ax)
    t = np.arange(1, hs.shape[0] + 1)
    for u in units:
        ax.plot(t, hs[:, u], marker=".", label=f"unit {u}")
    ax.set(xlabel="time step t", ylabel="h_t", title="A few hidden units")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))  # beside the axes: the lines fill them
    return fig


def plot_accuracy_vs_delay(
    delays: np.ndarray,
    accuracies: np.ndarray,
    *,
    window: int | None = None,
    chance: float | None = None,
    ax: Axes | None = None,
    label: str = "accuracy",
    ylabel: str = "accuracy",
) -> Figure:
    """Accuracy (or a success rate) against the delay ``L`` of a recall task, with the
    window size and chance level marked when given."""
    delays = as_array("delays", delays, ("N",))
    accuracies = as_array("accuracies", accuracies, (("N", delays.shape[0]),))
    window = None if window is None else check_positive("window", window, integer=True)
    chance = None if chance is None else check_number("chance", chance, low=0.0, high=1.0)
    label, ylabel = check_text("label", label), check_text("ylabel", ylabel)
    fig, ax = _axes(ax)
    ax.plot(delays, accuracies, "o-", label=label)
    if window is not None:
        ax.axvline(window - 0.5, color=PALETTE[5], ls="--", label=f"window k = {window}")
    if chance is not None:
        ax.axhline(chance, color="gray", ls=":", label=f"chance = {chance:g}")
    ax.set(xlabel="delay d (steps back to recall)", ylabel=ylabel, ylim=(-0.02, 1.05), xticks=delays)
    ax.legend(loc="center right")
    return fig


def plot_window(
    window: int, delay: int, accuracy: float | None = None, *, length: int = 12, ax: Axes | None = None
) -> Figure:
    """What a windowed MLP sees at step ``t``: the last ``length`` steps as boxes, the
    ``window`` it reads shaded, and the token ``delay`` steps back that it must recall
    outlined, green inside the window and red outside it. With ``accuracy``, the title
    gives the MLP's measured accuracy (chance is 0.25 for chapter 1's four tokens)."""
    window = check_positive("window", window, integer=True)
    delay = check_int("delay", delay, minimum=0)
    length = check_positive("length", length, integer=True)
    if length <= max(window, delay):
        raise ValueError(f"length must be more than window ({window}) and delay ({delay}), so both fit; got {length}")
    if accuracy is not None:
        accuracy = check_number("accuracy", accuracy, low=0.0, high=1.0)
    from matplotlib.patches import FancyBboxPatch, Rectangle

    fig, ax = _axes(ax, figsize=(8, 1.9))
    inside = delay < window
    for j in range(length):  # j steps back from t, drawn right to left
        x = length - 1 - j
        shaded = j < window
        ax.add_patch(
            FancyBboxPatch(
                (x + 0.08, 0.1),
                0.84,
                0.8,
                boxstyle="round,pad=0.02",
                facecolor="#D6EAF8" if shaded else "white",
                edgecolor="#777777",
                linewidth=1,
            )
        )
        ax.text(x + 0.5, 0.5, "$x_t$" if j == 0 else f"$x_{{t-{j}}}$", ha="center", va="center", fontsize=9)
    x = length - 1 - delay
    colour = PALETTE[2] if inside else PALETTE[5]
    ax.add_patch(Rectangle((x + 0.02, 0.02), 0.96, 0.96, fill=False, edgecolor=colour, linewidth=3))
    ax.annotate(
        f"target, {delay} back: " + ("in the window" if inside else "outside the window"),
        (x + 0.5, 0.98),
        xytext=(x + 0.5, 1.45),
        ha="center",
        color=colour,
        fontsize=9,
        arrowprops={"arrowstyle": "->", "color": colour},
    )
    ax.plot([length - window, length], [-0.12, -0.12], color=PALETTE[0], linewidth=3, solid_capstyle="butt")
    ax.text(
        length - window / 2, -0.3, "the window: what the MLP reads", ha="center", va="top", color=PALETTE[0], fontsize=9
    )
    title = f"window k = {window}, delay d = {delay}"
    if accuracy is not None:
        title += f": accuracy {accuracy:.2f} (chance 0.25)"
    ax.set_title(title, fontsize=10, loc="left")
    ax.set(xlim=(-0.1, length + 0.1), ylim=(-0.65, 1.75), aspect="equal")
    ax.axis("off")
    return fig


def plot_parameter_counts(
    x: np.ndarray, counts: dict[str, np.ndarray], *, xlabel: str, ax: Axes | None = None, logy: bool = True
) -> Figure:
    """Parameter counts of several models against a size (window or sequence length)."""
    x = as_array("x", x, ("N",))
    counts = _curves("counts", counts, x.shape[0])
    xlabel, logy = check_text("xlabel", xlabel), check_flag("logy", logy)
    fig, ax = _axes(ax)
    for name, c in counts.items():
        ax.plot(x, c, label=name)
    ax.set(xlabel=xlabel, ylabel="number of parameters")
    if logy:
        ax.set_yscale("log")
    ax.legend(loc="best")  # where it covers the fewest points of the curves
    return fig


def plot_step_contributions(norms: np.ndarray, *, ax: Axes | None = None, name: str = "W_hh") -> Figure:
    """The size of each time step's contribution to a shared weight's gradient, as bars."""
    norms = as_array("norms", norms, ("T",))
    name = check_text("name", name)
    fig, ax = _axes(ax)
    t = np.arange(1, norms.shape[0] + 1)
    ax.bar(t, norms, color=PALETTE[0])
    ax.set(
        xlabel="time step t",
        ylabel=f"‖contribution of step t to dL/d{name}‖",
        xticks=t,
        title=f"dL/d{name} is the sum of these {norms.shape[0]} contributions",
    )
    return fig


def plot_curves(
    x: np.ndarray,
    curves: dict[str, np.ndarray],
    *,
    xlabel: str,
    ylabel: str,
    logy: bool = False,
    title: str = "",
    markers: bool = False,
    ax: Axes | None = None,
) -> Figure:
    """Several named curves over the same ``x`` (loss curves, timings, norms).

    ``markers=True`` draws a marker at every measured point, for curves measured at a few
    ``x`` only, so the line between two markers is not read as measured.
    """
    x = as_array("x", x, ("N",))
    curves = _curves("curves", curves, x.shape[0])
    xlabel, ylabel, title = check_text("xlabel", xlabel), check_text("ylabel", ylabel), check_text("title", title)
    logy, markers = check_flag("logy", logy), check_flag("markers", markers)
    fig, ax = _axes(ax)
    for i, (name, y) in enumerate(curves.items()):
        ax.plot(x, y, label=name, color=PALETTE[i % len(PALETTE)], marker="o" if markers else None, ms=4)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if logy:
        ax.set_yscale("log")
    if len(curves) > 1:
        ax.legend(loc="best", fontsize=8)
    return fig


def plot_gradient_flow(
    curves: dict[str, np.ndarray],
    *,
    ax: Axes | None = None,
    title: str = "",
    ylim: tuple[float, float] | None = None,
) -> Figure:
    """``||dL/dh_{T-lag}||`` against the lag, one curve per setting, on a log scale
    (the output of :func:`rnnlib.analysis.gradient_flow`).

    ``ylim=(low, high)`` fixes the vertical range, so that one steep curve does not squeeze
    the others; a curve that leaves it is marked by a triangle, in its colour, on the edge
    where it leaves.
    """
    curves = _curves("curves", curves)
    title = check_text("title", title)
    if ylim is not None:
        ylim = _check_log_range("ylim", ylim)
    fig, ax = _axes(ax)
    for i, (name, norms) in enumerate(curves.items()):
        color = PALETTE[i % len(PALETTE)]
        shown = np.where(norms > 0, norms, np.nan)  # a gradient of exactly 0 has no log
        ax.plot(np.arange(norms.shape[0]), shown, label=name, color=color)
        if ylim is not None:
            for edge, outside, marker in ((ylim[0], norms < ylim[0], "v"), (ylim[1], norms > ylim[1], "^")):
                if outside.any():
                    lag = int(np.argmax(outside))  # the first lag outside the range
                    ax.plot(lag, edge, marker=marker, ms=8, color=color, clip_on=False, zorder=3)
    ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.axhline(1.0, color="gray", lw=0.8, ls=":")
    ax.set(
        xlabel="lag t - k (steps back from the last step)",
        ylabel="‖dL/dh_k‖",
        title=title or "Gradient reaching back in time",
    )
    ax.legend(loc="best", fontsize=8)
    return fig


def _check_log_range(name: str, value: object) -> tuple[float, float]:
    """``(low, high)`` for a log axis: two finite numbers with ``0 < low < high``."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (low, high) of positive numbers; got {value!r}")
    low, high = (check_positive(f"{name}[{i}]", v) for i, v in enumerate(value))
    if not low < high:
        raise ValueError(f"{name} must have low < high; got {value!r}")
    return float(low), float(high)


def plot_eigenvalues(W: np.ndarray, *, ax: Axes | None = None, title: str = "") -> Figure:
    """The eigenvalues of a square matrix ``W`` in the complex plane, with the unit circle:
    inside it, ``W^n`` shrinks every direction; outside, some direction grows."""
    W = as_array("W", W, ("H", "H"))
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be square; got {W.shape}")
    title = check_text("title", title)
    fig, ax = _axes(ax, figsize=(4.2, 4.2))
    eig = np.linalg.eigvals(W)
    rho = float(np.max(np.abs(eig)))
    angle = np.linspace(0.0, 2 * np.pi, 361)
    ax.plot(np.cos(angle), np.sin(angle), color="gray", lw=1.0, ls="--")
    ax.annotate("unit circle", (np.cos(0.8), np.sin(0.8)), xytext=(6, 6), textcoords="offset points", color="gray")
    ax.plot(eig.real, eig.imag, "o", ms=3.5, color=PALETTE[0])
    lim = max(1.3, 1.1 * rho)
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), xlabel="real part", ylabel="imaginary part", aspect="equal")
    ax.set_title(f"{title or 'Eigenvalues of W_hh'}: largest |λ| = {rho:.2f}")
    return fig


def _gate_node(ax: Axes, x: float, y: float, text: str, color: str) -> None:
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x - 0.34, y - 0.22), 0.68, 0.44, fc=color, ec="black", lw=1, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=10, zorder=4)


def _op_node(ax: Axes, x: float, y: float, text: str, *, color: str = "white", ec: str = "black") -> None:
    from matplotlib.patches import Circle

    ax.add_patch(Circle((x, y), 0.2, fc=color, ec=ec, lw=1.2, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=11, zorder=4)


def _line(ax: Axes, points: list[tuple[float, float]], *, color: str = "black", lw: float = 1.0, arrow=True) -> None:
    xs, ys = zip(*points, strict=True)
    if len(points) > 2:
        ax.plot(xs[:-1], ys[:-1], color=color, lw=lw, zorder=1, solid_capstyle="round")
    style = "-|>" if arrow else "-"
    ax.annotate("", xy=points[-1], xytext=points[-2], arrowprops=dict(arrowstyle=style, color=color, lw=lw), zorder=2)


def draw_lstm_cell(*, highlight_cell_path: bool = True, ax: Axes | None = None) -> Figure:
    """One LSTM step: ``h_{t-1}`` and ``x_t`` joined into ``[h_{t-1}, x_t]``, which feeds
    the three gates (``i_t``, ``f_t``, ``o_t``, sigmoids) and the candidate (``g_t``, a
    tanh); the cell state ``c_{t-1} -> c_t`` running along the top through one product
    and one sum; and ``c_t`` and ``h_t = o_t * tanh(c_t)`` leaving the step on the right.

    With ``highlight_cell_path`` the cell-state path is drawn thick and coloured: the
    only road from ``c_{t-1}`` to ``c_t``, with no weight matrix and no squashing
    function on it, so the gradient along it is multiplied by ``f_t`` alone.
    """
    from matplotlib.patches import FancyBboxPatch

    highlight_cell_path = check_flag("highlight_cell_path", highlight_cell_path)
    fig, ax = _axes(ax, figsize=(7.6, 4.6))
    path = PALETTE[5] if highlight_cell_path else "black"
    lw = 3.0 if highlight_cell_path else 1.2
    y_c, y_gate, y_in, x_out = 3.2, 1.0, 0.0, 7.0
    gx = {"f": 1.9, "i": 2.7, "g": 3.6, "o": 4.6}
    fill = {"f": "#fbe3c0", "i": "#d6ecf7", "g": "#d5efe3", "o": "#eadcf0"}
    squash = {"f": r"$\sigma$", "i": r"$\sigma$", "g": r"$\tanh$", "o": r"$\sigma$"}
    # the step itself: everything inside the box happens once per time step
    ax.add_patch(
        FancyBboxPatch((0.05, -0.5), 6.1, 4.15, boxstyle="round,pad=0.05", fc="#f7f7f7", ec="#999999", lw=1, zorder=0)
    )
    # the cell-state path along the top, in from the left and out on the right
    _line(ax, [(-0.8, y_c), (gx["f"] - 0.2, y_c)], color=path, lw=lw)
    _op_node(ax, gx["f"], y_c, "×", ec=path)
    _line(ax, [(gx["f"] + 0.2, y_c), (2.95, y_c)], color=path, lw=lw)
    _op_node(ax, 3.15, y_c, "+", ec=path)
    _line(ax, [(3.35, y_c), (x_out, y_c)], color=path, lw=lw)
    ax.text(-0.85, y_c, "$c_{t-1}$", ha="right", va="center", fontsize=12, color=path)
    ax.text(x_out + 0.05, y_c, "$c_t$", ha="left", va="center", fontsize=12, color=path)
    # h_{t-1} and x_t joined into one vector, which feeds every gate and the candidate
    _line(ax, [(-0.8, y_in), (0.22, y_in)])
    ax.text(-0.85, y_in, "$h_{t-1}$", ha="right", va="center", fontsize=12)
    _line(ax, [(0.8, -1.15), (0.8, -0.22)])
    ax.text(0.8, -1.2, "$x_t$", ha="center", va="top", fontsize=12)
    _node(ax, 0.8, y_in, "$[h_{t-1}, x_t]$", "white", w=1.1, h=0.34)
    _line(ax, [(1.4, y_in), (gx["o"], y_in)], arrow=False)
    for name, x in gx.items():
        _line(ax, [(x, y_in), (x, y_gate - 0.22)])
        _gate_node(ax, x, y_gate, squash[name], fill[name])
        ax.text(x - 0.08, y_gate + 0.42, f"${name}_t$", ha="right", va="center", fontsize=12)
    # f_t into the product on the path; i_t * g_t into the sum
    _line(ax, [(gx["f"], y_gate + 0.22), (gx["f"], y_c - 0.2)])
    _op_node(ax, 3.15, 2.1, "×")
    _line(ax, [(gx["i"], y_gate + 0.22), (gx["i"], 2.1), (2.95, 2.1)])
    _line(ax, [(gx["g"], y_gate + 0.22), (gx["g"], 2.1), (3.35, 2.1)])
    _line(ax, [(3.15, 2.3), (3.15, y_c - 0.2)])
    # h_t = o_t * tanh(c_t), out on the right
    _gate_node(ax, 5.4, 2.55, r"$\tanh$", "#eeeeee")
    _line(ax, [(5.4, y_c), (5.4, 2.77)])
    _op_node(ax, 5.4, 1.6, "×")
    _line(ax, [(5.4, 2.33), (5.4, 1.8)])
    _line(ax, [(gx["o"], y_gate + 0.22), (gx["o"], 1.6), (5.2, 1.6)])
    _line(ax, [(5.6, 1.6), (x_out, 1.6)])
    ax.text(x_out + 0.05, 1.6, "$h_t$", ha="left", va="center", fontsize=12)
    ax.text(
        3.15,
        y_c + 0.55,
        r"$c_t = f_t \odot c_{t-1} + i_t \odot g_t$" + ("   (the cell-state path)" if highlight_cell_path else ""),
        ha="center",
        va="bottom",
        fontsize=10,
        color=path,
    )
    ax.text(
        3.1,
        -1.55,
        r"gates ($\sigma$): $i_t$ input, $f_t$ forget, $o_t$ output;   candidate ($\tanh$): $g_t$",
        ha="center",
        va="top",
        fontsize=10,
    )
    ax.set_xlim(-1.7, 7.7)
    ax.set_ylim(-2.0, 4.1)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def plot_text_activations(
    text: str,
    values: np.ndarray,
    *,
    width: int = 64,
    ax: Axes | None = None,
    title: str = "",
    cmap: str = "RdBu_r",
) -> Figure:
    """A passage of text, each character on a background coloured by ``values``
    (one number in [-1, 1] per character: a hidden unit's activation there), red for
    positive and blue for negative; the extremes are kept light enough to read.

    Lines break at the text's newlines and after ``width`` characters; a newline
    shows as ``⏎``. The characters are sized to fill their squares, so on a figure as
    wide as the page a ``width`` of up to about 72 keeps them readable; make the axes'
    height about ``lines / width`` of their width, or the squares leave a blank band.
    """
    if not check_text("text", text):
        raise ValueError("text must be a non-empty string")
    values = as_array("values", values, (("N", len(text)),))
    width = check_positive("width", width, integer=True)
    title = check_text("title", title)
    if not isinstance(cmap, str) or cmap not in matplotlib.colormaps:
        raise (TypeError if not isinstance(cmap, str) else ValueError)(
            f"cmap must be the name of a matplotlib colormap, such as 'RdBu_r' or 'viridis'; got {cmap!r:.40}"
        )
    rows: list[list[tuple[str, float]]] = [[]]
    for ch, v in zip(text, values, strict=True):
        if len(rows[-1]) == width:
            rows.append([])
        rows[-1].append(("⏎" if ch == "\n" else ch, float(v)))
        if ch == "\n":
            rows.append([])
    if not rows[-1]:
        rows.pop()
    fig, ax = _axes(ax, figsize=(0.17 * width + 0.4, 0.17 * len(rows) + 0.5))
    # The glyphs fill their squares, whatever the size of the axes they are drawn in:
    # a square's side in points is the axes' width (or height, if that binds) over the
    # characters (or lines) it must hold.
    box = ax.get_position()
    side = 72 * min(box.width * fig.get_figwidth() / width, box.height * fig.get_figheight() / len(rows))
    fontsize = float(np.clip(0.9 * side, 5, 12))
    colours = plt.get_cmap(cmap)
    for r, row in enumerate(rows):
        for c, (ch, v) in enumerate(row):
            ax.add_patch(
                plt.Rectangle((c, -r - 1), 1, 1, fc=colours(0.5 + 0.4 * np.clip(v, -1, 1)), ec="none", zorder=1)
            )
            ax.text(c + 0.5, -r - 0.5, ch, ha="center", va="center", family="monospace", fontsize=fontsize, zorder=2)
    ax.set_xlim(0, width)
    ax.set_ylim(-len(rows), 0)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9, loc="left")
    return fig


def plot_forecast(
    history: np.ndarray,
    truth: np.ndarray,
    forecast: np.ndarray,
    *,
    ax: Axes | None = None,
    title: str = "",
) -> Figure:
    """A series' observed ``history``, then its true continuation against a model's
    ``forecast`` of the same length, with the forecast's start marked."""
    history = as_array("history", history, ("N",))
    truth = as_array("truth", truth, ("M",))
    forecast = as_array("forecast", forecast, (("M", truth.shape[0]),))
    title = check_text("title", title)
    fig, ax = _axes(ax, figsize=(8, 3.2))
    n, m = history.shape[0], truth.shape[0]
    ax.plot(np.arange(n), history, color=PALETTE[7], lw=1, label="observed (the model reads this)")
    ax.plot(np.arange(n, n + m), truth, color=PALETTE[7], lw=1, ls=":", label="what really came next")
    ax.plot(np.arange(n, n + m), forecast, color=PALETTE[5], lw=1.5, label="forecast (fed its own output)")
    ax.axvline(n - 0.5, color="gray", lw=0.8, ls="--")
    low = min(history.min(), truth.min(), forecast.min())
    high = max(history.max(), truth.max(), forecast.max())
    ax.set(xlabel="time step", ylabel="value", title=title, ylim=(low - 0.05, high + 0.45 * (high - low)))
    ax.legend(loc="upper left", fontsize=8, ncol=3)
    return fig


def plot_bits_per_char(
    run: object,
    *,
    baseline: float | None = None,
    baseline_label: str = "unigram baseline",
    window: int = 100,
    ax: Axes | None = None,
    ylim: tuple[float, float] | None = None,
) -> Figure:
    """A language model's training curve in bits per character: the training loss
    (a running mean over ``window`` steps, since single batches are noisy), the
    held-out text's score where it was measured, and a ``baseline`` line to beat.

    ``run`` is what :func:`rnnlib.text.train_language_model` returns.
    """
    from rnnlib.text import LN2, LanguageModelRun

    if not isinstance(run, LanguageModelRun):
        raise TypeError(f"run must be the LanguageModelRun from train_language_model; got {type(run).__name__}")
    window = check_positive("window", window, integer=True)
    baseline = None if baseline is None else check_number("baseline", baseline, low=0.0)
    baseline_label = check_text("baseline_label", baseline_label)
    if ylim is not None:
        if not (isinstance(ylim, (tuple, list)) and len(ylim) == 2):
            raise TypeError(f"ylim must be None or a pair (low, high); got {type(ylim).__name__} {ylim!r:.40}")
        ylim = (check_number("ylim", ylim[0]), check_number("ylim", ylim[1]))
        if not ylim[0] < ylim[1]:
            raise ValueError(f"ylim must be (low, high) with low < high; got {ylim}")
    losses = np.asarray(run.losses, dtype=float)
    if window > losses.shape[0]:
        raise ValueError(f"window must be at most the number of training steps, {losses.shape[0]}; got {window}")
    fig, ax = _axes(ax)
    smooth = np.convolve(losses, np.ones(window) / window, mode="valid") / LN2
    ax.plot(
        np.arange(window, losses.shape[0] + 1), smooth, color=PALETTE[0], label=f"training (mean of {window} steps)"
    )
    if len(run.eval_steps):
        ax.plot(run.eval_steps, run.eval_bits, "o-", color=PALETTE[5], label="held-out text")
    if baseline is not None:
        ax.axhline(baseline, color="gray", ls=":", label=baseline_label)
    ax.set(xlabel="training step", ylabel="bits per character")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.legend(loc="upper right")
    return fig
