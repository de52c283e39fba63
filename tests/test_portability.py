"""The portability check (tools/portability): which configurations it picks for a
machine, that it refuses one that did not take effect, that its figure comparison sees
a visible change and nothing smaller, and that the figure recorder records what a
figure is drawn from."""

from __future__ import annotations

import io
import json
import runpy
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "portability"))
import run as portability  # noqa: E402

AVX512_FEATURES = ["SSE42", "AVX", "AVX2", "FMA3", "AVX512F", "AVX512_SKX"]
AVX512_MACHINE = {
    "blas": "openblas",
    "kernel": "SkylakeX",
    "threads": 2,
    "dispatch": ["X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"],
    "features": AVX512_FEATURES,
    "numpy": "2.4.6",
}


def test_an_avx512_machine_gets_four_configurations(monkeypatch):
    monkeypatch.setattr(portability.platform, "machine", lambda: "x86_64")
    configs, skipped = portability.choose_configurations(AVX512_MACHINE)
    assert [c.name for c in configs] == [
        "as is",
        "one BLAS thread",
        "OpenBLAS Haswell, numpy without X86_V4/AVX512_ICL/AVX512_SPR",
        "OpenBLAS Sandybridge, numpy baseline loops only",
    ]
    assert configs[0].env == {}
    assert configs[2].env["NPY_DISABLE_CPU_FEATURES"] == "X86_V4 AVX512_ICL AVX512_SPR"
    assert configs[3].env["NPY_DISABLE_CPU_FEATURES"] == "X86_V3 X86_V4 AVX512_ICL AVX512_SPR"
    assert skipped == []


def test_a_machine_whose_environment_sets_haswell_gets_another_kernel(monkeypatch):
    # As on the AMD machines with OPENBLAS_CORETYPE=Haswell: the other kernel must differ.
    monkeypatch.setattr(portability.platform, "machine", lambda: "x86_64")
    configs, _ = portability.choose_configurations({**AVX512_MACHINE, "kernel": "Haswell"})
    kernels = [c.env.get("OPENBLAS_CORETYPE") for c in configs]
    assert kernels == [None, None, "SkylakeX", "Sandybridge"]


def test_an_avx2_machine_lowers_numpy_to_its_baseline(monkeypatch):
    monkeypatch.setattr(portability.platform, "machine", lambda: "x86_64")
    machine = {**AVX512_MACHINE, "kernel": "Haswell", "dispatch": ["X86_V3"], "features": AVX512_FEATURES[:4]}
    configs, skipped = portability.choose_configurations(machine)
    assert configs[2].name == "OpenBLAS Sandybridge, numpy without X86_V3"
    assert len(configs) == 3
    assert skipped == []


def test_an_arm_machine_says_what_it_skips(monkeypatch):
    monkeypatch.setattr(portability.platform, "machine", lambda: "arm64")
    machine = {**AVX512_MACHINE, "blas": "accelerate", "kernel": None, "dispatch": ["ASIMDHP", "ASIMDDP"]}
    configs, skipped = portability.choose_configurations(machine)
    assert [c.name for c in configs] == ["as is", "numpy without ASIMDDP", "numpy baseline loops only"]
    assert any("one BLAS thread" in s for s in skipped)
    assert any("other BLAS kernels" in s for s in skipped)


def test_a_configuration_that_did_not_take_effect_is_refused():
    config = portability.Configuration("x", {}, expect_kernel="Haswell", expect_disabled=["X86_V4"])
    seen = {**AVX512_MACHINE, "dispatch": ["X86_V3"]}
    assert portability.verify(config, seen) == "asked for OpenBLAS kernel Haswell, got SkylakeX"
    seen = {**AVX512_MACHINE, "kernel": "Haswell"}
    assert portability.verify(config, seen) == "numpy still dispatches X86_V4"
    seen = {**AVX512_MACHINE, "kernel": "Haswell", "dispatch": ["X86_V3"]}
    assert portability.verify(config, seen) is None


def figure(lines, texts=("a",)):
    return {
        "texts": [],
        "axes": [{"texts": list(texts), "lines": lines, "collections": [], "patches": [], "images": []}],
    }


def test_the_figure_comparison_sees_a_visible_move_and_ignores_a_tiny_one():
    ref = {"nb": [figure([[[0.0, 0.5], [1.0, 0.5]]])]}
    assert portability.compare_figures(ref, {"nb": [figure([[[0.0, 0.505], [1.0, 0.5]]])]}) == []
    moved = portability.compare_figures(ref, {"nb": [figure([[[0.0, 0.53], [1.0, 0.5]]])]})
    assert moved == ["nb, figure 1, axes 1: lines moved by 0.030 of the axes (at most 0.01)"]


def test_the_figure_comparison_sees_changed_text_counts_and_gaps():
    ref = {"nb": [figure([[[0.0, 0.5]]], texts=("loss", "0.5"))]}
    assert (
        "text differs" in portability.compare_figures(ref, {"nb": [figure([[[0.0, 0.5]]], texts=("loss", "0.6"))]})[0]
    )
    assert "2 figures drawn, 1 as is" in portability.compare_figures(ref, {"nb": ref["nb"] * 2})[0]
    gap = {"nb": [figure([[[0.0, None]]], texts=("loss", "0.5"))]}
    assert "differ in number or length" in portability.compare_figures(ref, gap)[0]
    missing = {"nb": [figure([], texts=("loss", "0.5"))]}
    assert "differ in number or length" in portability.compare_figures(ref, missing)[0]


def test_timing_figures_are_compared_by_title_only():
    title = next(iter(portability.TIMING_FIGURES))
    ref = {"nb": [figure([[[0.0, 0.1]]], texts=(title, "0.01"))]}
    other = {"nb": [figure([[[0.0, 0.9]]], texts=(title, "0.02"))]}
    assert portability.compare_figures(ref, other) == []
    assert "one configuration only" in portability.compare_figures(ref, {"nb": [figure([[[0.0, 0.1]]])]})[0]


def test_the_recorder_records_a_rendered_figure(tmp_path, monkeypatch):
    from matplotlib.backend_bases import FigureCanvasBase

    monkeypatch.setenv("RNNCOURSE_FIGURE_DIR", str(tmp_path))
    monkeypatch.setenv("RNNCOURSE_NOTEBOOK", "chapters/01_demo.ipynb")
    monkeypatch.setattr(FigureCanvasBase, "print_figure", FigureCanvasBase.print_figure)
    runpy.run_path(str(ROOT / "tools" / "portability" / "figure_record.py"))
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [0, 1, float("nan")], label="curve")
    ax.set(xlim=(0, 2), ylim=(0, 2), title="demo")
    ax.bar([1], [1.0])
    ax.legend()
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
    (record,) = [json.loads(line) for line in (tmp_path / "01_demo.jsonl").read_text().splitlines()]
    axes = record["axes"][0]
    assert "demo" in axes["texts"] and "curve" in axes["texts"]
    assert axes["lines"][0] == [[0.0, 0.0], [0.5, 0.5], [None, None]]  # axes fractions; NaN is a gap
    assert len(axes["patches"]) == 1


def test_the_recorder_does_nothing_outside_the_check(monkeypatch):
    from matplotlib.backend_bases import FigureCanvasBase

    monkeypatch.delenv("RNNCOURSE_FIGURE_DIR", raising=False)
    before = FigureCanvasBase.print_figure
    runpy.run_path(str(ROOT / "tools" / "portability" / "figure_record.py"))
    assert FigureCanvasBase.print_figure is before


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ([1, [2, 3]], [1, [2, 3.5]], 0.5),
        ([1], [1, 2], None),
        ("x", "y", None),
        # a collection (a colour bar's cells, say): compared value by value, not as a whole
        (
            {"offsets": [[0.0, 0.5]], "paths": [[[0.0, 0.04688]]]},
            {"offsets": [[0.0, 0.5]], "paths": [[[0.0, 0.04687]]]},
            1e-5,
        ),
        (
            {"offsets": [[0.0, 0.5]], "paths": [[[0.0, 0.1]]]},
            {"offsets": [[0.0, 0.5]], "paths": [[[0.0, 0.1]], [[0.2, 0.3]]]},
            None,
        ),
        ({"offsets": []}, {"paths": []}, None),
    ],
)
def test_largest_move(a, b, expected):
    assert portability.largest_move(a, b) == (None if expected is None else pytest.approx(expected))


NBVAL_OUTPUT = """\
chapters/01_a.ipynb ....                                                 [ 50%]
chapters/02_b.ipynb ....                                                 [100%]

Notebook run time (nbval: kernel start and every cell; target under 30 s each):
     3.7 s  chapters/01_a.ipynb
    31.2 s  chapters/02_b.ipynb
    34.9 s  all notebooks
============================== 8 passed in 35.10s ==============================
"""


def test_each_notebooks_time_is_read_from_nbvals_table():
    assert portability.notebook_seconds(NBVAL_OUTPUT) == {"chapters/01_a.ipynb": 3.7, "chapters/02_b.ipynb": 31.2}
    assert portability.notebook_seconds("a crash before the table") == {}


def test_the_table_has_every_notebook_under_every_configuration_and_marks_the_slow_ones():
    times = [portability.notebook_seconds(NBVAL_OUTPUT), {"chapters/01_a.ipynb": 4.0}]
    rows = portability.notebook_table(["as is", "one BLAS thread"], times)
    assert "target under 30 s" in rows[0]
    assert rows[1].split() == ["notebook", "(1)", "(2)"]
    assert rows[2].split() == ["01_a", "3.7", "4.0"]
    assert rows[3].split() == ["02_b", "31.2*", "-"]  # over the target; missing where it did not run
    assert rows[4].split() == ["all", "notebooks", "34.9", "4.0"]
    assert rows[5:7] == ["  (1) as is", "  (2) one BLAS thread"]
    assert rows[7] == "  over the target: 02_b 31.2 s under (1)"
    fast = portability.notebook_table(["as is"], [{"chapters/01_a.ipynb": 3.7}])
    assert fast[-1] == "  over the target: none"
