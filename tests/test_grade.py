"""make grade on a synthetic class: a full solution, an empty edition, named mistakes, a
hang, a kernel crash, a tampered checker call, a corrupted file, cells deleted and moved.

Chapters 1 and 2 only: they run in a few seconds each, and between them have every kind
of exercise (functions, a dict of shapes, numbers). One class, graded once (about 40 s).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import grade  # noqa: E402
from student_edition import is_solution, student_notebook  # noqa: E402

CH1, CH2 = "01_feedforward_limits", "02_rnn_cell"
CELL_TIMEOUT = 8  # seconds: the hang is stopped after this; every other cell here takes well under 1 s


def edition(stem: str) -> nbformat.NotebookNode:
    return student_notebook(nbformat.read(ROOT / "chapters" / f"{stem}.ipynb", as_version=4))


def solutions(stem: str) -> dict[str, str]:
    """Each exercise's solution cell, by the checker it calls."""
    nb = nbformat.read(ROOT / "chapters" / f"{stem}.ipynb", as_version=4)
    found = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and is_solution(cell):
            (checker,) = [n for n in grade.CHECKERS_BY_NAME if f"{n}(" in cell.source]
            found[checker] = cell.source
    return found


def stub(nb: nbformat.NotebookNode, checker: str) -> nbformat.NotebookNode:
    (cell,) = [c for c in nb.cells if "exercise" in c.metadata.get("tags", []) and f"{checker}(" in c.source]
    return cell


def filled(stem: str, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The student edition with the stubs of some exercises replaced by ``answers`` (by checker)."""
    nb = edition(stem)
    for checker, source in answers.items():
        stub(nb, checker).source = source
    return nb


STEP = "def rnn_step(x, h_prev, W_xh, W_hh, b_h):\n    return {}\n\n\ncheck_rnn_step(rnn_step)\n"
SOFTMAX = "def stable_softmax(z):\n{}\n\n\ncheck_softmax(stable_softmax)\n"
NO_BIAS = STEP.format("np.tanh(x @ W_xh.T + h_prev @ W_hh.T)")


def make_class(folder: Path) -> None:
    """The synthetic class: each file is one student; ``multi/`` hands in two chapters."""
    folder.mkdir(parents=True, exist_ok=True)
    full2 = solutions(CH2)
    write = lambda name, nb: nbformat.write(nb, folder / f"{name}.ipynb")  # noqa: E731
    write("full", filled(CH2, full2))
    write("empty", edition(CH2))
    shapes_transposed = full2["check_cell_shapes"].replace('"W_xh": (5, 3)', '"W_xh": (3, 5)')
    columns = "    e = np.exp(z - z.max(axis=-1, keepdims=True))\n    return e / e.sum(axis=0, keepdims=True)"
    write(
        "mistakes_a",
        filled(
            CH2,
            {
                "check_cell_shapes": shapes_transposed,
                "check_rnn_step": NO_BIAS,
                "check_softmax": SOFTMAX.format(columns),
            },
        ),
    )
    one_max = "    e = np.exp(z - z.max())\n    return e / e.sum(axis=-1, keepdims=True)"
    write(
        "mistakes_b",
        filled(
            CH2,
            {
                "check_rnn_step": NO_BIAS,
                "check_softmax": SOFTMAX.format(one_max),
                "check_latch": "W_xh, W_hh, b_h = 1.0, 1.0, 0.0\ncheck_latch(W_xh, W_hh, b_h)\n",
            },
        ),
    )
    write(
        "mistakes_c",
        filled(
            CH2,
            {
                "check_rnn_step": STEP.format("np.tanh(x @ W_xh + h_prev @ W_hh + b_h)"),
                "check_softmax": "def stable_softmax(z)\n    return z\n",
            },
        ),
    )
    hang = full2["check_rnn_step"].replace("check_rnn_step(rnn_step)", "while True:\n    pass")
    write(
        "hang",
        filled(
            CH2,
            {
                "check_cell_shapes": full2["check_cell_shapes"],
                "check_rnn_step": hang,
                "check_softmax": full2["check_softmax"],
            },
        ),
    )
    write(
        "crash",
        filled(CH2, {"check_cell_shapes": full2["check_cell_shapes"], "check_softmax": "import os\n\nos._exit(1)\n"}),
    )
    tampered = filled(
        CH2,
        {
            # The stub left undone, and the checker's call replaced by what it would print.
            "check_rnn_step": stub(edition(CH2), "check_rnn_step").source.replace(
                "check_rnn_step(rnn_step)", 'print("[Exercise 2.2] Correct: your step matches.")'
            ),
            # A wrong softmax, and the checkers redefined and patched to say it is right.
            "check_softmax": (
                "import rnnlib.exercises as ex\n\n"
                "def stable_softmax(z):\n    return np.exp(z)\n\n"
                "fake = lambda *a: ex.CheckResult('Exercise 2.3', True, 'ok')\n"
                "ex.check_softmax = ex.CHECKERS['Exercise 2.3'] = check_softmax = fake\n"
                "print(check_softmax(stable_softmax))\n"
            ),
        },
    )
    write("tampered", tampered)
    (folder / "broken_ch02.ipynb").write_text('{"cells": [ this is not JSON', encoding="utf-8")
    reordered = filled(CH2, {"check_rnn_step": full2["check_rnn_step"], "check_softmax": full2["check_softmax"]})
    reordered.cells.remove(stub(reordered, "check_cell_shapes"))  # deleted
    moved = stub(reordered, "check_softmax")  # moved above the cell that imports numpy
    reordered.cells.remove(moved)
    reordered.cells.insert(0, moved)
    write("reordered", reordered)
    (folder / "multi").mkdir()
    nbformat.write(filled(CH1, solutions(CH1)), folder / "multi" / f"{CH1}.ipynb")
    nbformat.write(filled(CH2, {"check_softmax": full2["check_softmax"]}), folder / "multi" / "homework.ipynb")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    make_class(base / "submissions")
    out = base / "grades"
    code = grade.main(
        [str(base / "submissions"), "--out", str(out), "--cell-timeout", str(CELL_TIMEOUT), "--notebook-timeout", "120"]
    )
    assert code == 0
    with (out / "gradebook.csv").open(encoding="utf-8") as f:
        rows = {row["id"]: row for row in csv.DictReader(f)}
    return out, rows


def row_of(rows, student: str, *labels: str) -> list[str]:
    return [rows[student][f"Exercise {label}"] for label in labels]


def test_the_gradebook_has_a_row_per_student_and_a_column_per_exercise(graded):
    out, rows = graded
    assert set(rows) == {
        "full",
        "empty",
        "mistakes_a",
        "mistakes_b",
        "mistakes_c",
        "hang",
        "crash",
        "tampered",
        "broken_ch02",
        "reordered",
        "multi",
    }
    with (out / "gradebook.csv").open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header == [
        "id",
        "Exercise 1.1",
        "Exercise 1.2",
        "Exercise 1.3",
        "Exercise 2.1",
        "Exercise 2.2",
        "Exercise 2.3",
        "Exercise 2.4",
        "total",
        "out_of",
        "notes",
    ]
    for row in rows.values():
        for label in header[1:-3]:
            assert row[label] in grade.ALL_STATUSES + ("",)


def test_full_solution_and_empty_edition(graded):
    _, rows = graded
    assert row_of(rows, "full", "2.1", "2.2", "2.3", "2.4") == ["Correct"] * 4
    assert (rows["full"]["total"], rows["full"]["out_of"]) == ("4", "4")
    assert row_of(rows, "full", "1.1") == [""]  # chapter 1 not handed in
    assert row_of(rows, "empty", "2.1", "2.2", "2.3", "2.4") == ["Not done yet"] * 4
    assert rows["empty"]["total"] == "0"


def test_named_mistakes_are_graded_with_the_checkers_messages(graded):
    out, rows = graded
    assert row_of(rows, "mistakes_a", "2.1", "2.2", "2.3", "2.4") == ["Not yet right"] * 3 + ["Not done yet"]
    feedback = (out / "feedback" / "mistakes_a.md").read_text(encoding="utf-8")
    assert "### Exercise 2.2: Not yet right\n\nthe bias b_h is missing." in feedback
    assert "the columns sum to 1, not the rows" in feedback
    assert "W_xh: got (3, 5). transposed?" in feedback
    b = (out / "feedback" / "mistakes_b.md").read_text(encoding="utf-8")
    assert "subtract each row's own maximum" in b and "on inputs 0, h_1 = 0.000 but should be below -0.5" in b
    c = (out / "feedback" / "mistakes_c.md").read_text(encoding="utf-8")
    assert "the weights are transposed" in c
    # A cell that raised before defining the answer cannot be graded: error, and why.
    assert row_of(rows, "mistakes_c", "2.3") == ["error"]
    assert "raised SyntaxError" in c and "'stable_softmax' is not defined" in c


def test_a_hang_is_stopped_and_the_rest_is_graded(graded):
    out, rows = graded
    assert row_of(rows, "hang", "2.1", "2.2", "2.3", "2.4") == ["Correct", "timeout", "Correct", "Not done yet"]
    assert f"stopped after {CELL_TIMEOUT} s" in rows["hang"]["notes"]


def test_a_crash_keeps_what_was_graded_before_it(graded):
    _, rows = graded
    assert row_of(rows, "crash", "2.1", "2.2", "2.3", "2.4") == ["Correct", "Not done yet", "error", "error"]
    assert "the kernel died" in rows["crash"]["notes"]


def test_a_tampered_checker_call_does_not_score(graded):
    out, rows = graded
    assert row_of(rows, "tampered", "2.2", "2.3") == ["Not done yet", "Not yet right"]
    assert rows["tampered"]["total"] == "0"
    assert "the rows should sum to 1" in (out / "feedback" / "tampered.md").read_text(encoding="utf-8")


def test_a_corrupted_file_is_an_error_row_and_the_run_goes_on(graded):
    out, rows = graded
    assert row_of(rows, "broken_ch02", "2.1", "2.2", "2.3", "2.4") == ["error"] * 4
    assert "could not be read as a notebook" in rows["broken_ch02"]["notes"]
    assert "could not be read" in (out / "feedback" / "broken_ch02.md").read_text(encoding="utf-8")


def test_deleted_and_reordered_cells_are_graded_as_far_as_they_go(graded):
    out, rows = graded
    assert row_of(rows, "reordered", "2.1", "2.2", "2.3", "2.4") == [
        "Not done yet",
        "Correct",
        "Not yet right",
        "Not done yet",
    ]
    text = (out / "feedback" / "reordered.md").read_text(encoding="utf-8")
    assert "cell is missing" in text and "name 'np' is not defined" in text


def test_a_folder_is_one_student_with_several_chapters(graded):
    _, rows = graded
    assert row_of(rows, "multi", "1.1", "1.2", "1.3", "2.1", "2.3") == ["Correct"] * 3 + ["Not done yet", "Correct"]
    assert (rows["multi"]["total"], rows["multi"]["out_of"]) == ("4", "7")


def test_the_summary_counts_correct_answers_and_names_the_commonest_mistake(graded):
    out, _ = graded
    text = (out / "summary.md").read_text(encoding="utf-8")
    assert "Class summary: 11 submissions" in text
    assert "Exercise 2.2: 2 of 11 correct (3 not yet right, 4 not done yet, 1 error, 1 timeout)" in text
    assert "most common mistake (2 of 11): the bias b_h is missing." in text


def test_bad_input_gets_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="is not a folder"):
        grade.main([str(tmp_path / "nowhere")])
    with pytest.raises(SystemExit, match="no notebooks"):
        grade.main([str(tmp_path)])


def test_a_notebook_past_its_time_limit_stops_there(tmp_path):
    nb = edition(CH2)
    hang = stub(nb, "check_rnn_step")
    hang.source = "while True:\n    pass\n"
    nb.cells = [hang]  # every other cell deleted
    nbformat.write(nb, tmp_path / "slow.ipynb")
    result = grade.grade_notebook(tmp_path / "slow.ipynb", grade.course_chapters(), cell_timeout=60, notebook_timeout=3)
    assert result.chapter.stem == CH2
    assert {label: v.status for label, v in result.verdicts.items()} == {
        f"Exercise 2.{n}": "timeout" for n in range(1, 5)
    }
    assert result.notes == ["the notebook's time limit (3 s) was reached"]
    assert result.seconds < 20


def test_kernels_graded_side_by_side_run_one_blas_thread_each(tmp_path, monkeypatch):
    """Two kernels at a time on the cores: OpenBLAS's idle threads would spin against each
    other, so each kernel gets one BLAS thread, unless the environment already says how many."""
    for n in range(2):
        nb = edition(CH2)
        cell = stub(nb, "check_rnn_step")  # its cell id says which chapter this is
        cell.source = (
            f"import os\nopen({str(tmp_path / f'threads{n}.txt')!r}, 'w')"
            ".write(os.environ.get('OPENBLAS_NUM_THREADS', 'unset'))"
        )
        nb.cells = [cell]
        nbformat.write(nb, tmp_path / f"student{n}.ipynb")
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    grade.grade_class(tmp_path, jobs=2, log=lambda *a: None)
    assert [(tmp_path / f"threads{n}.txt").read_text() for n in range(2)] == ["1", "1"]
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    grade.grade_class(tmp_path, jobs=2, log=lambda *a: None)
    assert [(tmp_path / f"threads{n}.txt").read_text() for n in range(2)] == ["3", "3"]
