"""The student edition has no solution code, still runs top to bottom, and every
exercise in it reports clearly that it is not done yet."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from notebook_client import NotebookClient  # noqa: E402
from student_edition import is_solution, write_student_edition  # noqa: E402

CHAPTERS = sorted(p for p in (ROOT / "chapters").glob("*.ipynb"))


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    target = tmp_path_factory.mktemp("student")
    written = write_student_edition(target)
    return {p.name: p for p in written}


def test_every_chapter_with_exercises_is_in_the_edition(edition):
    for chapter in CHAPTERS:
        if any(is_solution(c) for c in nbformat.read(chapter, as_version=4).cells):
            assert chapter.name in edition


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_no_solution_code_is_left(chapter, edition):
    original = nbformat.read(chapter, as_version=4)
    student = nbformat.read(edition[chapter.name], as_version=4)
    text = "\n".join(c.source for c in student.cells)
    kept_lines = {line.strip() for c in original.cells if not is_solution(c) for line in c.source.splitlines()}
    for cell in original.cells:
        if cell.cell_type == "code" and "solution" in cell.metadata.get("tags", []):
            assert cell.source not in text
            # Every line of the solution that the exercise stub does not also have.
            for line in cell.source.splitlines():
                if line.strip() and line.strip() not in kept_lines:
                    assert line not in text, f"solution line left in the student edition: {line!r}"
    assert "{solution-start}" not in text and "{solution-end}" not in text
    assert not any("solution" in c.metadata.get("tags", []) for c in student.cells)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_student_notebook_runs_and_reports_unfinished_exercises(chapter, edition):
    nb = nbformat.read(edition[chapter.name], as_version=4)
    assert all(c.get("execution_count") is None and not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    stubs = [c for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
    assert len(stubs) >= 3
    for cell in stubs:
        text = "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in cell.outputs)
        assert "] Not done yet: " in text, f"exercise cell output:\n{text}"
