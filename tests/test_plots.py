from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from rnnlib import plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("pattern", plots.PATTERNS)
def test_unrolled_diagram_draws_one_cell_per_step(pattern):
    fig = plots.draw_unrolled(5, pattern=pattern)
    texts = [t.get_text() for t in fig.axes[0].texts]
    # labels in mathtext, so that the subscripts are rendered: $h_{3}$ is h with subscript 3
    assert [f"$h_{{{t}}}$" if t else "$h_0$" for t in range(6)] == [
        t for t in texts if re.fullmatch(r"\$h_(\{\d\}|0)\$", t)
    ]
    outputs = [t for t in texts if re.fullmatch(r"\$y_\{\d\}\$", t)]
    assert outputs == (["$y_{5}$"] if pattern == "many-to-one" else [f"$y_{{{t}}}$" for t in range(1, 6)])
    assert texts.count("$W_{hh}$") == 5 + 1  # every transition, and the loop


def test_unrolled_diagram_rejects_an_unknown_pattern():
    with pytest.raises(
        ValueError, match=r"^pattern must be one of \('many-to-many', 'many-to-one', 'one-to-many'\); got 'two-to-two'$"
    ):
        plots.draw_unrolled(3, pattern="two-to-two")


def test_figures_are_returned_and_drawn_on_a_given_axes():
    fig, ax = plt.subplots()
    assert plots.plot_activations(ax=ax) is fig
    assert len(ax.lines) == 4
    hs = np.random.default_rng(0).normal(size=(8, 5))
    for make in (
        lambda ax: plots.plot_cell_response(1.0, 0.5, 0.0, x=1.0, h_prev=0.0, ax=ax),
        lambda ax: plots.plot_sequence(np.ones(4), np.arange(4.0), ax=ax),
        lambda ax: plots.plot_hidden_heatmap(hs, ax=ax),
        lambda ax: plots.plot_hidden_units(hs, (0, 3), ax=ax),
        lambda ax: plots.plot_accuracy_vs_delay(np.arange(4), np.ones(4), window=2, chance=0.25, ax=ax),
        lambda ax: plots.plot_parameter_counts(np.arange(1, 5), {"a": np.arange(1, 5)}, xlabel="T", ax=ax),
        lambda ax: plots.plot_window(4, 3, 1.0, ax=ax),
    ):
        fig, ax = plt.subplots()
        assert make(ax) is fig and isinstance(fig, Figure)


def test_lstm_cell_diagram_highlights_the_cell_state_path_only_when_asked():
    def label_colours(fig):
        return {t.get_text(): t.get_color() for t in fig.axes[0].texts}

    on = label_colours(plots.draw_lstm_cell(highlight_cell_path=True))
    off = label_colours(plots.draw_lstm_cell(highlight_cell_path=False))
    for label in ("$c_{t-1}$", "$c_t$", "$h_{t-1}$", "$h_t$", "$x_t$", "$f_t$", "$i_t$", "$g_t$", "$o_t$"):
        assert label in on and label in off, f"{label} missing from the diagram"
    assert on["$c_t$"] == on["$c_{t-1}$"] == plots.PALETTE[5] and on["$h_t$"] == "black"
    assert off["$c_t$"] == "black"


def test_lstm_cell_diagram_shows_the_joined_input_feeding_the_gates_and_both_states_leaving():
    fig = plots.draw_lstm_cell()
    fig.canvas.draw()  # every label is valid mathtext, or drawing raises
    ax = fig.axes[0]
    where = {t.get_text(): t.get_position() for t in ax.texts}
    gates = [where[f"${name}_t$"] for name in "ifgo"]
    joined = where["$[h_{t-1}, x_t]$"]
    assert all(joined[1] < y for _, y in gates), "the joined input sits below the gates it feeds"
    arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
    starts_on_bus = [a.xyann for a in arrows if a.xyann[1] == joined[1] and a.xy[1] > joined[1]]
    assert len(starts_on_bus) == 4, "an arrow rises from the joined input to each gate and the candidate"
    step = next(p for p in ax.patches if type(p).__name__ == "FancyBboxPatch" and p.get_width() > 5)
    left, right = step.get_x(), step.get_x() + step.get_width()
    for label in ("$c_{t-1}$", "$h_{t-1}$"):
        assert where[label][0] < left, f"{label} comes in from the left of the step"
    for label in ("$c_t$", "$h_t$"):
        assert where[label][0] > right, f"{label} leaves the step on the right"
    assert where["$x_t$"][1] < step.get_y(), "x_t comes in from below"


def test_text_activations_colour_each_character():
    fig = plots.plot_text_activations("ab\ncd", np.array([-1.0, 1.0, 0.0, 0.5, -0.5]), width=4)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["a", "b", "⏎", "c", "d"]
    faces = [p.get_facecolor() for p in ax.patches]
    assert len(faces) == 5
    assert faces[1][0] > faces[1][2] and faces[0][2] > faces[0][0]  # positive red, negative blue
    rows = sorted({round(t.get_position()[1], 1) for t in ax.texts})
    assert len(rows) == 2  # the newline starts a new row
    with pytest.raises(ValueError, match="values must have shape"):
        plots.plot_text_activations("abc", np.zeros(2))
    with pytest.raises(ValueError, match="text must be a non-empty string"):
        plots.plot_text_activations("", np.zeros(0))


def test_forecast_plot_draws_history_truth_and_forecast():
    fig = plots.plot_forecast(np.arange(5.0), np.ones(3), np.zeros(3))
    ax = fig.axes[0]
    assert [len(line.get_xdata()) for line in ax.lines[:3]] == [5, 3, 3]
    assert ax.lines[2].get_xdata()[0] == 5  # the forecast starts where the history ends
    with pytest.raises(ValueError, match="forecast must have shape"):
        plots.plot_forecast(np.arange(5.0), np.ones(3), np.zeros(4))


def test_bits_per_char_plot_smooths_the_training_loss():
    from rnnlib import text

    run = text.LanguageModelRun(
        params=None,
        losses=np.full(10, np.log(2.0) * 3),  # 3 bits per character at every step
        grad_norms=np.ones(10),
        eval_steps=np.array([5, 10]),
        eval_bits=np.array([3.5, 3.2]),
        best_params=None,
        best_step=10,
    )
    fig = plots.plot_bits_per_char(run, baseline=4.6, window=4)
    ax = fig.axes[0]
    training, held_out, baseline = ax.lines
    np.testing.assert_array_equal(training.get_xdata(), np.arange(4, 11))
    np.testing.assert_allclose(training.get_ydata(), 3.0)
    np.testing.assert_array_equal(held_out.get_ydata(), [3.5, 3.2])
    assert baseline.get_ydata()[0] == 4.6
    with pytest.raises(ValueError, match="window must be at most the number of training steps, 10"):
        plots.plot_bits_per_char(run, window=11)
    with pytest.raises(TypeError, match="run must be the LanguageModelRun"):
        plots.plot_bits_per_char(run.losses)


def test_plot_eigenvalues_draws_every_eigenvalue_and_the_unit_circle():
    W = np.diag([0.5, -0.9, 1.2])
    fig = plots.plot_eigenvalues(W)
    ax = fig.axes[0]
    circle, points = ax.get_lines()
    np.testing.assert_allclose(np.hypot(*circle.get_data()), 1.0)
    np.testing.assert_allclose(sorted(points.get_xdata()), [-0.9, 0.5, 1.2])
    assert ax.get_title() == "Eigenvalues of W_hh: largest |λ| = 1.20"
    with pytest.raises(ValueError, match=r"^W must be square; got \(2, 3\)$"):
        plots.plot_eigenvalues(np.zeros((2, 3)))
    plt.close(fig)


def test_gradient_flow_range_marks_where_a_curve_leaves_it():
    lags = np.arange(11.0)
    curves = {"falls": 10.0**-lags, "rises": 10.0 ** (lags / 2), "stays": np.ones(11)}
    ax = plots.plot_gradient_flow(curves, ylim=(1e-4, 1e3)).axes[0]
    assert ax.get_ylim() == pytest.approx((1e-4, 1e3))
    marks = {
        (line.get_marker(), line.get_color()): (line.get_xdata()[0], line.get_ydata()[0])
        for line in ax.lines
        if line.get_marker() in ("v", "^")
    }
    assert marks == {("v", plots.PALETTE[0]): (5, 1e-4), ("^", plots.PALETTE[1]): (7, 1e3)}


def test_gradient_flow_range_must_be_two_increasing_positive_numbers():
    curves = {"a": np.ones(3)}
    with pytest.raises(TypeError, match=r"^ylim must be a pair \(low, high\) of positive numbers; got 1e-08$"):
        plots.plot_gradient_flow(curves, ylim=1e-8)
    with pytest.raises(ValueError, match=r"^ylim\[0\] must be > 0; got 0"):
        plots.plot_gradient_flow(curves, ylim=(0, 1))
    with pytest.raises(ValueError, match=r"^ylim must have low < high; got \(10.0, 1.0\)$"):
        plots.plot_gradient_flow(curves, ylim=(10.0, 1.0))


def test_char_ticks_show_every_character_and_make_spaces_visible():
    fig = plots.plot_hidden_units(np.zeros((5, 3)), units=(0,))
    ax = fig.axes[0]
    plots.set_char_ticks(ax, "a b c")
    assert list(ax.get_xticks()) == [1, 2, 3, 4, 5]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "\u2423", "b", "\u2423", "c"]
    with pytest.raises(ValueError, match="^text must hold at least one character$"):
        plots.set_char_ticks(ax, "")
    with pytest.raises(TypeError, match="^ax must be a matplotlib Axes; got Figure$"):
        plots.set_char_ticks(fig, "abc")


def test_cell_response_colours_the_ordered_previous_states_in_order():
    ax = plots.plot_cell_response(1.0, 0.5, 0.0).axes[0]
    lines = [line for line in ax.lines if line.get_label().startswith("$h_{t-1}")]
    assert [line.get_label() for line in lines] == [f"$h_{{t-1}} = {v:g}$" for v in (-1.0, -0.5, 0.0, 0.5, 1.0)]
    # viridis runs from dark to light: each curve is lighter than the one for the state below it
    lightness = [sum(matplotlib.colors.to_rgb(line.get_color())) for line in lines]
    assert lightness == sorted(lightness) and len(set(lightness)) == 5


def test_curves_mark_the_measured_points_only_when_asked():
    x = np.array([1.0, 2.0, 4.0])
    plain = plots.plot_curves(x, {"a": x**2}, xlabel="x", ylabel="y").axes[0].lines[0]
    marked = plots.plot_curves(x, {"a": x**2}, xlabel="x", ylabel="y", markers=True).axes[0].lines[0]
    assert plain.get_marker() in (None, "None", "") and marked.get_marker() == "o"


@pytest.mark.parametrize("T", [12, 40])
def test_the_sequence_legend_sits_above_the_data(T):
    xs = (np.arange(T) % 3 == 0).astype(float)
    fig = plots.plot_sequence(xs, np.cumsum(xs))
    ax = fig.axes[0]
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert legend.y0 >= ax.get_window_extent().y1 - 1  # nothing it could cover
    ticks = ax.get_xticks()
    assert len(ticks) == (T + 1 if T <= 20 else len(ticks)) and np.all(ticks == np.round(ticks))
    plt.close(fig)


@pytest.mark.parametrize("delay, colour", [(3, plots.PALETTE[2]), (4, plots.PALETTE[5])])
def test_the_window_figure_outlines_the_target_inside_or_outside(delay, colour):
    fig = plots.plot_window(4, delay, 0.5, length=8)
    ax = fig.axes[0]
    outline = [p for p in ax.patches if type(p).__name__ == "Rectangle"]
    assert len(outline) == 1 and outline[0].get_x() == pytest.approx(8 - 1 - delay + 0.02)
    assert matplotlib.colors.to_hex(outline[0].get_edgecolor()) == colour.lower()
    shaded = [p for p in ax.patches if type(p).__name__ == "FancyBboxPatch" and p.get_facecolor()[:3] != (1, 1, 1)]
    assert len(shaded) == 4  # the window
    assert ax.get_title("left") == f"window k = 4, delay d = {delay}: accuracy 0.50 (chance 0.25)"
    with pytest.raises(ValueError, match=r"length must be more than window \(4\) and delay \(9\)"):
        plots.plot_window(4, 9, length=8)
