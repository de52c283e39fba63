"""The stored notebooks are what the website shows and what nbval checks, so they
must be complete: every code cell executed in order, figures with alt text and a
caption, exercises wired to their checkers. nbval skips a cell that was never
executed, so without these tests an output-less notebook would pass."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]


def toc_files() -> set[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {toc["root"]}
    for part in toc.get("parts", []):
        files |= {entry["file"] for entry in part["chapters"]}
    return files


def code_cells(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def text_of(cell) -> str:
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out:
            parts.append(out.data.get("text/plain", ""))
    return "".join(parts)


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found under chapters/"


def test_every_page_is_in_the_toc_and_every_toc_entry_exists():
    listed = toc_files()
    for path in NOTEBOOKS:
        assert f"chapters/{path.stem}" in listed, f"{path.name} is not in _toc.yml"
    for entry in listed:
        assert (ROOT / f"{entry}.ipynb").exists() or (ROOT / f"{entry}.md").exists(), (
            f"_toc.yml lists {entry}, which does not exist"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_executed_top_to_bottom_in_one_fresh_kernel(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), f"execution counts {counts}: run `make execute`"
    for cell in nb.cells:
        assert "execution" not in cell.metadata, "timing metadata stored: run `make execute`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_streams_are_merged(path):
    """How prints split into outputs depends on timing; `make execute` merges them."""
    for cell in code_cells(path):
        kinds = [(o.output_type, o.get("name")) for o in cell.outputs]
        assert all(a != b or a[0] != "stream" for a, b in zip(kinds, kinds[1:], strict=False)), (
            f"split stream output:\n{cell.source}"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_errors_or_warnings_in_outputs(path):
    for cell in code_cells(path):
        for out in cell.outputs:
            assert out.output_type != "error", f"stored error in cell:\n{cell.source}"
            assert not (out.output_type == "stream" and out.name == "stderr"), (
                f"stderr in cell:\n{cell.source}\n{out.text}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_figure_has_alt_text_and_a_caption(path):
    for cell in code_cells(path):
        if any("image/png" in out.get("data", {}) for out in cell.outputs):
            if "nbval-ignore-output" in cell.metadata.get("tags", []):
                continue  # an explorer's own redraw; the static figure beside it carries the caption
            meta = cell.metadata.get("mystnb", {})
            assert meta.get("image", {}).get("alt", "").strip(), f"figure without alt text:\n{cell.source}"
            assert meta.get("figure", {}).get("caption", "").strip(), f"figure without caption:\n{cell.source}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_outputs_are_only_ignored_for_explorers(path):
    for cell in code_cells(path):
        tags = cell.metadata.get("tags", [])
        assert "nbval-skip" not in tags, f"nbval-skip hides a cell from the tests:\n{cell.source}"
        if "nbval-ignore-output" in tags:
            assert re.search(r"\w+_explorer\(", cell.source), (
                f"only widget explorers may ignore their output:\n{cell.source}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_chapter_structure(path):
    """Objectives first, at least three exercises, each with a checked stub and a hidden, checked solution."""
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Learning objectives" in nb.cells[0].source, "a chapter opens with its learning objectives"
    starts = re.findall(r"\{exercise-start\}[^\n]*\n:label: ([\w-]+)", markdown)
    assert len(starts) >= 3, f"a chapter has at least three exercises; found {len(starts)}"
    for label in starts:
        assert re.search(rf"\{{solution-start\}} {label}\n:class: dropdown", markdown), (
            f"{label} has no hidden solution"
        )
    assert markdown.count("{exercise-start}") == markdown.count("{exercise-end}")
    assert markdown.count("{solution-start}") == markdown.count("{solution-end}")
    exercises = [c for c in code_cells(path) if "exercise" in c.metadata.get("tags", [])]
    solutions = [c for c in code_cells(path) if "solution" in c.metadata.get("tags", [])]
    assert len(exercises) == len(solutions) == len(starts)
    for cell in exercises:
        assert re.match(r"\[Exercise [\d.]+\] Not done yet: ", text_of(cell)), f"stub output:\n{text_of(cell)}"
    for cell in solutions:
        assert re.match(r"\[Exercise [\d.]+\] Correct: ", text_of(cell)), f"solution output:\n{text_of(cell)}"
    # A quiz closes the chapter: at least three questions, each with its answer in a dropdown.
    assert "## Check your understanding" in nb.cells[-1].source, "the chapter ends with its quiz"
    assert nb.cells[-1].source.count(":::{dropdown} Answer") >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_code_fits_the_page_column(path):
    """Longer lines scroll sideways on the website."""
    for cell in code_cells(path):
        for line in cell.source.splitlines():
            assert len(line) <= 79, f"code line of {len(line)} characters:\n{line}"


def test_the_sanitizer_only_replaces_memory_addresses():
    """nbval compares every printed number: the sanitizer may not blank any of them."""
    text = (ROOT / "chapters" / "nbval-sanitize.cfg").read_text()
    rules = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("regex:")]
    assert rules == [r"\b0x[0-9a-fA-F]+\b"], f"only memory addresses may be sanitised; rules: {rules}"
