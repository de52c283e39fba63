from __future__ import annotations

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
    assert [f"h_{t}" for t in range(6)] == [t for t in texts if t.startswith("h_") and t[2:].isdigit()]
    outputs = [t for t in texts if t.startswith("y_") and t[2:].isdigit()]
    assert outputs == (["y_5"] if pattern == "many-to-one" else [f"y_{t}" for t in range(1, 6)])
    assert texts.count("W_hh") == 5 + 1  # every transition, and the loop


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
    ):
        fig, ax = plt.subplots()
        assert make(ax) is fig and isinstance(fig, Figure)
