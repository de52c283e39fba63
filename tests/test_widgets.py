"""The explorers build their widgets, and what each draws or prints is what the
chapters' static outputs show at the same values."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

import rnnlib
from rnnlib import text, widgets


@pytest.mark.parametrize("make", [widgets.cell_explorer, widgets.sequence_explorer, widgets.gradient_flow_explorer])
def test_the_figure_explorers_build_and_draw(make, monkeypatch):
    shown = []
    monkeypatch.setattr(plt, "show", lambda: (shown.append(len(plt.gcf().axes)), plt.close("all")))
    explorer = make()
    assert len([c for c in explorer.children if hasattr(c, "value")]) == len(explorer.kwargs)
    assert len(shown) == 1 and shown[0] >= 1  # drawn once when made, at the starting values
    slider = next(c for c in explorer.children if isinstance(c.value, float))
    slider.value = slider.value / 2 + 0.05  # the first slider moves
    assert len(shown) == 2 and shown[1] >= 1  # and it redraws


def test_the_window_explorer_trains_at_each_setting(monkeypatch):
    titles = []
    monkeypatch.setattr(plt, "show", lambda: (titles.append(plt.gca().get_title("left")), plt.close("all")))
    explorer = widgets.window_explorer()
    assert sorted(explorer.kwargs) == ["delay", "window"]
    assert titles == ["window k = 4, delay d = 3: accuracy 1.00 (chance 0.25)"]
    explorer.children[1].value = 4  # the delay moves out of the window
    assert titles[-1].startswith("window k = 4, delay d = 4: accuracy 0.2")
    explorer.children[0].value = 5  # and a wider window reaches it again
    assert titles[-1] == "window k = 5, delay d = 4: accuracy 1.00 (chance 0.25)"


def test_the_sampling_explorer_prints_a_passage(capsys):
    explorer = widgets.sampling_explorer()
    assert sorted(explorer.kwargs) == ["prime", "seed", "temperature"]
    explorer.children[0].value = "The Queen "  # a new prime redraws
    printed = capsys.readouterr().out.split("\r")[-1]  # after the clear-output codes
    assert printed.startswith("The Queen ") and len(printed) == len("The Queen ") + widgets.SAMPLE_LENGTH + 1


def test_the_sampling_explorer_prints_rnnlibs_sample():
    params, vocab, _ = text.load_model()
    got = widgets.sample_passage(params, vocab, "Alice was ", 0.8, 3)
    assert got == "Alice was " + text.sample(
        params, vocab, "Alice was ", widgets.SAMPLE_LENGTH, temperature=0.8, seed=3
    )
    assert widgets.sample_passage(params, vocab, "", 0.8, 0).startswith("Type a prime")
    assert widgets.sample_passage(params, vocab, "Zoë¢", 0.8, 0) == (
        "The book never uses '¢', 'ë', so the model cannot read them: change the prime."
    )


def test_the_sampling_explorer_takes_both_or_neither():
    params, vocab, _ = text.load_model()
    with pytest.raises(ValueError, match="give both params and vocab, or neither"):
        widgets.sampling_explorer(params)
    assert widgets.sampling_explorer(params, vocab).kwargs["prime"] == "Alice was "


def test_typed_sequences():
    assert widgets.typed_bits("0110, 1").tolist() == [0.0, 1.0, 1.0, 0.0, 1.0]
    assert widgets.typed_bits("  ").startswith("Type a sequence of 0s and 1s")
    assert widgets.typed_bits("01a2") == "Type only 0s and 1s; '2', 'a' cannot be an input here."
    assert widgets.typed_bits("1" * 41) == "Type at most 40 inputs; got 41."


def test_the_sequence_explorer_draws_chapter_2s_counter(monkeypatch):
    drawn = []
    monkeypatch.setattr(plt, "show", lambda: (drawn.append(plt.gca().lines[0].get_ydata().tolist()), plt.close("all")))
    explorer = widgets.sequence_explorer()
    assert drawn[-1] == [0, 1, 2, 2, 2, 3, 4, 5, 6, 6, 7, 8, 8]  # h_0, then the running count of the ones
    bits = rnnlib.binary_sequences(12, 1, seed=3).ravel()  # chapter 2's figure is its starting point
    assert explorer.kwargs["sequence"] == "".join(str(int(b)) for b in bits)
    explorer.children[0].value = "10x"
    assert len(drawn) == 1  # nothing drawn for a sequence that is not 0s and 1s
