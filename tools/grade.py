"""Grade a class's notebooks with the exercise checkers: a gradebook, feedback, a summary.

    python tools/grade.py SUBMISSIONS [--out DIR] [--cell-timeout S] [--notebook-timeout S] [--jobs N]

(`make grade SUBMISSIONS=dir/`). SUBMISSIONS is a folder holding, for each student,
either one notebook (``ada.ipynb``) or a folder of notebooks (``ada/02_rnn_cell.ipynb``,
``ada/03_unrolling.ipynb``, ...): the student edition (`make student`), filled in. The
student's identifier is the file's or the folder's name. A notebook's chapter is
recognised from its exercise cells (their cell ids, kept by every notebook editor, or
the checkers they call), else from its file name (``02_rnn_cell``, ``ch02``, ...).

Each notebook is executed in its own fresh kernel, in an empty temporary working
directory, cell by cell in the order the student left them, with a time limit per cell
and per notebook. The grade does not come from what the notebook prints: after each
exercise cell the grader runs a cell of its own, which the student never sees, that
calls that exercise's checker (imported before any of the student's code runs) on the
names the stub defines (``rnn_step``, ``answer``, ...) and hands back the verdict as
data. An exercise whose cell is missing is graded at the end on whatever the notebook
defined by then. A cell that errors does not stop the notebook; a cell that runs past
its time limit is interrupted; a kernel that dies, a notebook past its time limit or a
file that is not a notebook end that notebook's grading, and the run goes on.

Each exercise gets one of: Correct, Not yet right, Not done yet (the checkers' own
verdicts), error (the exercise could not be graded: its cell raised before defining the
answer, the kernel died first, the file could not be read) or timeout (its cell, or the
notebook, ran out of time). Written to DIR (default ``_build/grades``):

- ``gradebook.csv``: one row per student: id, one column per exercise of every chapter
  handed in, ``total`` (exercises correct), ``out_of`` and ``notes``;
- ``feedback/<id>.md``: for each exercise the verdict and the checker's own message;
- ``summary.md``: per exercise, how many are correct and the most common mistake, also
  printed at the end of the run.

The checkers run in the student's kernel, so a submission cannot score by printing
"Correct" or by redefining a checker; a student determined to patch numpy or rnnlib
itself from inside the notebook is out of scope.
"""

from __future__ import annotations

import argparse
import ast
import collections
import concurrent.futures
import csv
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient.exceptions import DeadKernelError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from notebook_client import NotebookClient  # noqa: E402
from student_edition import student_notebook  # noqa: E402

from rnnlib.exercises import CHECKERS, STATUSES  # noqa: E402

ERROR, TIMEOUT = "error", "timeout"
TIMED_OUT = "GraderCellTimeout"  # the ename of the reply to a cell stopped at its time limit
ALL_STATUSES = (*STATUSES, ERROR, TIMEOUT)
CHECKERS_BY_NAME = {fn.__name__: label for label, fn in CHECKERS.items()}  # check_rnn_step -> Exercise 2.2
CELL_TIMEOUT = 120  # seconds; the slowest cell of the course takes about 15
NOTEBOOK_TIMEOUT = 600  # seconds; the slowest chapter runs in about 40


@dataclass(frozen=True)
class Exercise:
    label: str  # "Exercise 2.2"
    checker: str  # "check_rnn_step"
    args: tuple[str, ...]  # the stub's arguments to the checker, as source: ("rnn_step",)
    cell_id: str  # the stub cell's id in the student edition


@dataclass(frozen=True)
class Chapter:
    stem: str  # "02_rnn_cell"
    exercises: tuple[Exercise, ...]


@dataclass
class Verdict:
    status: str
    message: str


@dataclass
class NotebookGrade:
    path: Path
    chapter: Chapter | None
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


# ------------------------------------------------------------------ the course's exercises


def exercises_of(nb: nbformat.NotebookNode) -> tuple[Exercise, ...]:
    """The exercises of a student-edition notebook, from its stub cells (tagged ``exercise``)."""
    by_checker = CHECKERS_BY_NAME
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "exercise" not in cell.metadata.get("tags", []):
            continue
        calls = [
            node
            for node in ast.walk(ast.parse(cell.source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in by_checker
        ]
        if len(calls) != 1:
            raise ValueError(f"exercise cell {cell.get('id')} should call one checker; it calls {len(calls)}")
        (call,) = calls
        args = tuple(ast.get_source_segment(cell.source, a) for a in call.args)
        found.append(Exercise(by_checker[call.func.id], call.func.id, args, cell.get("id", "")))
    return tuple(found)


def course_chapters() -> dict[str, Chapter]:
    chapters = {}
    for source in sorted((ROOT / "chapters").glob("*.ipynb")):
        exercises = exercises_of(student_notebook(nbformat.read(source, as_version=4)))
        if exercises:
            chapters[source.stem] = Chapter(source.stem, exercises)
    return chapters


def recognise(nb: nbformat.NotebookNode | None, path: Path, chapters: dict[str, Chapter]) -> Chapter | None:
    """The chapter a submitted notebook is: by its exercise cells, else by its file name."""
    if nb is not None:
        ids = {c.get("id") for c in nb.get("cells", [])}
        text = "\n".join(str(c.get("source", "")) for c in nb.get("cells", []))
        score = {
            stem: sum((e.cell_id in ids) + (f"{e.checker}(" in text) for e in ch.exercises)
            for stem, ch in chapters.items()
        }
        best = max(score, key=score.get, default=None)
        if best is not None and score[best] > 0:
            return chapters[best]
    name = path.stem.lower()
    for stem, chapter in chapters.items():
        number = stem.split("_")[0]
        if stem in name or re.search(rf"(^|[^0-9])(ch|chapter)[_ -]?0*{int(number)}([^0-9]|$)", name):
            return chapter
    return None


# ------------------------------------------------------------------ grading one notebook

# Runs first, before any of the student's code: the checkers are bound here, so a student
# who redefines or deletes a checker changes only their own name for it.
SETUP = """\
def {name}():
    import contextlib, io, json
    from rnnlib.exercises import CHECKERS, CheckResult
    checkers = dict(CHECKERS)

    def grade(label, answers):
        try:
            args = answers()
        except NameError as exc:
            print({mark!r} + json.dumps({{"status": "missing", "message": str(exc)}}))
            return
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                result = checkers[label](*args)
            if type(result) is not CheckResult:
                raise TypeError(f"the checker returned {{type(result).__name__}}")
            verdict = {{"status": result.status, "message": result.message}}
        except BaseException as exc:  # the checkers never raise; if one does, say so
            verdict = {{"status": "error", "message": f"the checker failed: {{type(exc).__name__}}: {{exc}}"}}
        print({mark!r} + json.dumps(verdict))

    return grade


{name} = {name}()
"""


def _hidden_cell(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source)


def _verdict_from(cell: nbformat.NotebookNode, mark: str) -> dict | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stdout":
            for line in out.get("text", "").splitlines():
                if line.startswith(mark):
                    return json.loads(line[len(mark) :])
    return None


def _error_of(cell: nbformat.NotebookNode) -> str | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename')}: {out.get('evalue')}"
    return None


def _match_cells(cells: list, chapter: Chapter) -> dict[str, int]:
    """Which submitted code cell is each exercise's stub: the same cell id, else the first
    code cell that calls its checker."""
    where: dict[str, int] = {}
    for ex in chapter.exercises:
        for i, c in enumerate(cells):
            if c.cell_type == "code" and c.get("id") == ex.cell_id:
                where[ex.label] = i
                break
        else:
            for i, c in enumerate(cells):
                if c.cell_type == "code" and f"{ex.checker}(" in c.source and i not in where.values():
                    where[ex.label] = i
                    break
    return where


def read_submission(path: Path) -> tuple[nbformat.NotebookNode | None, str | None]:
    """The notebook, or None and why it could not be read."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook, unreadable bytes ...
        return None, f"{path.name} could not be read as a notebook ({type(exc).__name__}: {str(exc)[:200]})"
    if not isinstance(nb.get("cells"), list):
        return None, f"{path.name} has no list of cells"
    return nb, None


def grade_notebook(
    path: Path,
    chapters: dict[str, Chapter],
    *,
    cell_timeout: float = CELL_TIMEOUT,
    notebook_timeout: float = NOTEBOOK_TIMEOUT,
    default_chapter: Chapter | None = None,
    kernel_env: dict[str, str] | None = None,
) -> NotebookGrade:
    start = time.monotonic()
    nb, problem = read_submission(path)
    chapter = recognise(nb, path, chapters) or default_chapter
    grade = NotebookGrade(path, chapter)
    if chapter is None:
        grade.notes.append(problem or f"{path.name}: no chapter of the course recognised in it")
        return grade
    if nb is None:
        grade.notes.append(problem)
        grade.verdicts = {e.label: Verdict(ERROR, problem) for e in chapter.exercises}
        return grade
    try:
        _execute_and_grade(nb, chapter, grade, cell_timeout, notebook_timeout, kernel_env)
    finally:
        grade.seconds = time.monotonic() - start
    return grade


def _execute_and_grade(
    nb,
    chapter: Chapter,
    grade: NotebookGrade,
    cell_timeout: float,
    notebook_timeout: float,
    kernel_env: dict[str, str] | None = None,
):
    token = secrets.token_hex(8)
    mark, name = f"@@grade-{token}@@", f"_grade_{token}"
    cells = [c for c in nb.cells if c.get("cell_type") in ("code", "markdown", "raw")]
    for c in cells:  # tolerate cells a hand edit left without the usual fields
        c.setdefault("metadata", {})
        if c.cell_type == "code":
            c.source = c.get("source", "") if isinstance(c.get("source", ""), str) else "".join(c.source)
    stubs = _match_cells(cells, chapter)
    exercises = {ex.label: ex for ex in chapter.exercises}
    by_cell = {i: exercises[label] for label, i in stubs.items()}

    # The cells to run: set-up, the student's code cells in their order, and after each
    # exercise cell the grading cell; the exercises whose cell is missing at the end.
    plan: list[tuple[str, object, nbformat.NotebookNode]] = [
        ("setup", None, _hidden_cell(SETUP.format(name=name, mark=mark)))
    ]
    for i, c in enumerate(cells):
        if c.cell_type != "code":
            continue
        c.outputs, c.execution_count = [], None
        plan.append(("student", i, c))
        if i in by_cell:
            plan.append(("grade", by_cell[i].label, _grade_cell(name, by_cell[i])))
    for ex in chapter.exercises:
        if ex.label not in stubs:
            plan.append(("grade", ex.label, _grade_cell(name, ex)))

    with tempfile.TemporaryDirectory(prefix="grade-") as workdir:
        run = nbformat.v4.new_notebook(cells=[cell for _, _, cell in plan])
        replies: list[dict] = []
        client = NotebookClient(
            run,
            timeout=int(cell_timeout),
            kernel_name="python3",
            resources={"metadata": {"path": workdir}},
            allow_errors=True,
            record_timing=False,
            iopub_timeout=5,
            # At a cell's time limit: interrupt the kernel and carry on with an error reply
            # that says so (raising instead would leave nbclient's output reader running,
            # and it would swallow the next cells' outputs).
            interrupt_on_timeout=True,
            error_on_timeout={"ename": TIMED_OUT, "evalue": "", "traceback": []},
            on_cell_executed=lambda cell, cell_index, execute_reply: replies.append(execute_reply or {}),
        )

        def execute(cell, index: int, seconds: float) -> bool:
            """Run one cell; False if it ran out of time and was interrupted."""
            client.timeout = max(1, int(seconds))
            replies.clear()
            client.execute_cell(cell, index)
            return not (replies and replies[-1].get("content", {}).get("ename") == TIMED_OUT)

        deadline = time.monotonic() + notebook_timeout
        stopped: tuple[str, str] | None = None  # (status, why) for every exercise not yet graded
        limit = (TIMEOUT, f"the notebook's time limit ({notebook_timeout:g} s) was reached")
        timed_out: set[int] = set()
        # The kernel's own log (a notice about its transport) would drown the progress lines.
        with client.setup_kernel(stderr=subprocess.DEVNULL, **({"env": kernel_env} if kernel_env else {})):
            for index, (kind, key, cell) in enumerate(plan):
                left = deadline - time.monotonic()
                if left <= 0:
                    stopped = limit
                    break
                try:
                    if not execute(cell, index, min(cell_timeout, left)):
                        if left < cell_timeout:  # it was the notebook's limit that ran out
                            stopped = limit
                            break
                        timed_out.add(index)
                        if kind == "student":
                            grade.notes.append(
                                f"code cell {_code_number(cells, key)} was stopped after {cell_timeout:g} s"
                            )
                        # The interrupt must have stopped it, or every later cell would wait.
                        if not execute(_hidden_cell("pass"), index, 10):
                            stopped = (TIMEOUT, "a cell ran past its time limit and did not stop when interrupted")
                            break
                except DeadKernelError:
                    where = f"code cell {_code_number(cells, key)}" if kind == "student" else f"grading {key}"
                    stopped = (ERROR, f"the kernel died (crashed or exited) while running {where}")
                    break
                if kind == "setup" and _error_of(cell):
                    stopped = (ERROR, f"the grader could not start: {_error_of(cell)}")
                    break
                if kind == "grade":
                    grade.verdicts[key] = _verdict(cell, index, mark, key, plan, stubs, cells, timed_out, cell_timeout)
        if stopped:
            grade.notes.append(stopped[1])
            for label in exercises:
                grade.verdicts.setdefault(label, Verdict(stopped[0], f"not graded: {stopped[1]}."))


def _grade_cell(name: str, ex: Exercise) -> nbformat.NotebookNode:
    args = "".join(f"{a}," for a in ex.args)
    return _hidden_cell(f"{name}({ex.label!r}, lambda: ({args}))")


def _code_number(cells: list, index: int) -> int:
    """The 1-based number of a cell among the notebook's code cells, as an instructor counts them."""
    return sum(1 for c in cells[: index + 1] if c.cell_type == "code")


def _verdict(cell, index, mark, label, plan, stubs, cells, timed_out, cell_timeout) -> Verdict:
    if index in timed_out:
        return Verdict(TIMEOUT, f"checking this exercise took longer than {cell_timeout:g} s.")
    stub_index = stubs.get(label)
    stub_plan = next((j for j, (k, key, _) in enumerate(plan) if k == "student" and key == stub_index), None)
    if stub_plan is not None and stub_plan in timed_out:
        return Verdict(TIMEOUT, f"the exercise's cell was still running after {cell_timeout:g} s and was stopped.")
    got = _verdict_from(cell, mark)
    if got is None:
        why = _error_of(cell) or "it gave no verdict"
        return Verdict(ERROR, f"the grader could not check it ({why}).")
    if got["status"] != "missing":
        return Verdict(got["status"], got["message"])
    # A name the checker needs is not defined.
    if stub_index is None:
        return Verdict(NOT_DONE, f"the exercise's cell is missing from the notebook, and {got['message']}.")
    raised = _error_of(cells[stub_index])
    if raised:
        return Verdict(ERROR, f"the exercise's cell raised {raised}, so {got['message']}.")
    return Verdict(NOT_DONE, f"{got['message']}: define it in the exercise's cell.")


NOT_DONE = "Not done yet"


# ------------------------------------------------------------------ a class


@dataclass
class Student:
    id: str
    notebooks: list[Path]
    grades: list[NotebookGrade] = field(default_factory=list)


def find_students(folder: Path) -> list[Student]:
    if not folder.is_dir():
        raise SystemExit(f"grade: SUBMISSIONS must be a folder of notebooks; {folder} is not a folder")
    students = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        if entry.is_dir():
            notebooks = sorted(p for p in entry.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            if notebooks:
                students.append(Student(entry.name, notebooks))
        elif entry.suffix == ".ipynb":
            students.append(Student(entry.stem, [entry]))
    if not students:
        raise SystemExit(f"grade: no notebooks (*.ipynb, or folders of them) in {folder}")
    return students


def grade_class(
    folder: Path,
    *,
    cell_timeout: float = CELL_TIMEOUT,
    notebook_timeout: float = NOTEBOOK_TIMEOUT,
    jobs: int = 1,
    log=print,
) -> tuple[list[Student], list[Exercise]]:
    chapters = course_chapters()
    students = find_students(folder)
    # A notebook that cannot be recognised (not JSON, say) is taken to be the chapter every
    # other submission is, when the class handed in one chapter only.
    seen = set()
    for s in students:
        for p in s.notebooks:
            nb, _ = read_submission(p)
            ch = recognise(nb, p, chapters)
            if ch:
                seen.add(ch.stem)
    default = chapters[next(iter(seen))] if len(seen) == 1 else None
    # Kernels graded side by side share the cores, and OpenBLAS's idle threads spin while
    # they wait: one BLAS thread a kernel, unless the environment says otherwise (four
    # chapter 5 notebooks, two at a time on two cores: 83 s with a thread per core in each
    # kernel, 34 s with one). The checkers' verdicts do not depend on it.
    kernel_env = (
        {**os.environ, "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1")} if jobs > 1 else None
    )

    def work(item: tuple[Student, Path]) -> tuple[Student, NotebookGrade]:
        student, path = item
        g = grade_notebook(
            path,
            chapters,
            cell_timeout=cell_timeout,
            notebook_timeout=notebook_timeout,
            default_chapter=default,
            kernel_env=kernel_env,
        )
        counts = collections.Counter(v.status for v in g.verdicts.values())
        what = g.chapter.stem if g.chapter else "?"
        log(
            f"{student.id:>20}  {what:<24} {g.seconds:6.1f} s  "
            + ", ".join(f"{n} {s}" for s, n in sorted(counts.items(), key=lambda kv: ALL_STATUSES.index(kv[0])))
            + (f"  ({'; '.join(g.notes)})" if g.notes else "")
        )
        return student, g

    items = [(s, p) for s in students for p in s.notebooks]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for student, g in pool.map(work, items):
            student.grades.append(g)
    for s in students:  # one notebook per chapter and student: the first by name
        kept, stems = [], set()
        for g in s.grades:
            if g.chapter is not None and g.chapter.stem in stems:
                kept[0].notes.append(f"{g.path.name} is a second notebook for {g.chapter.stem}: not graded")
                continue
            stems.add(g.chapter.stem if g.chapter else None)
            kept.append(g)
        s.grades = kept
    handed_in = {g.chapter.stem for s in students for g in s.grades if g.chapter}
    columns = [e for stem, ch in chapters.items() if stem in handed_in for e in ch.exercises]
    return students, columns


def verdicts_of(student: Student) -> dict[str, Verdict]:
    return {label: v for g in student.grades for label, v in g.verdicts.items()}


def write_gradebook(path: Path, students: list[Student], columns: list[Exercise]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", *(e.label for e in columns), "total", "out_of", "notes"])
        for s in students:
            v = verdicts_of(s)
            graded = [e for e in columns if e.label in v]
            w.writerow(
                [
                    s.id,
                    *(v[e.label].status if e.label in v else "" for e in columns),
                    sum(v[e.label].status == "Correct" for e in graded),
                    len(graded),
                    "; ".join(n for g in s.grades for n in g.notes),
                ]
            )


def feedback_markdown(student: Student) -> str:
    lines = [f"# Feedback for {student.id}", ""]
    for g in student.grades:
        title = g.chapter.stem if g.chapter else "not recognised"
        lines += [f"## {g.path.name} ({title})", ""]
        for note in g.notes:
            lines += [f"*Note: {note}.*", ""]
        if g.chapter is None:
            continue
        correct = sum(v.status == "Correct" for v in g.verdicts.values())
        lines += [f"{correct} of {len(g.chapter.exercises)} exercises correct.", ""]
        for e in g.chapter.exercises:
            v = g.verdicts.get(e.label, Verdict(ERROR, "not graded."))
            lines += [f"### {e.label}: {v.status}", "", v.message, ""]
    return "\n".join(lines)


def summary(students: list[Student], columns: list[Exercise]) -> str:
    lines = [f"Class summary: {len(students)} submissions", ""]
    for e in columns:
        vs = [verdicts_of(s)[e.label] for s in students if e.label in verdicts_of(s)]
        counts = collections.Counter(v.status for v in vs)
        head = f"{e.label}: {counts['Correct']} of {len(vs)} correct"
        rest = [f"{counts[s]} {s.lower()}" for s in ALL_STATUSES[1:] if counts[s]]
        lines.append(head + (f" ({', '.join(rest)})" if rest else ""))
        mistakes = collections.Counter(v.message for v in vs if v.status == "Not yet right")
        if mistakes:
            message, n = mistakes.most_common(1)[0]
            lines.append(f"    most common mistake ({n} of {len(vs)}): {message}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, help="a folder of notebooks, or of folders of notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "grades", help="default: _build/grades")
    parser.add_argument("--cell-timeout", type=float, default=CELL_TIMEOUT, help="seconds (default %(default)s)")
    parser.add_argument(
        "--notebook-timeout", type=float, default=NOTEBOOK_TIMEOUT, help="seconds (default %(default)s)"
    )
    parser.add_argument("--jobs", type=int, default=1, help="notebooks graded at once (default 1)")
    args = parser.parse_args(argv)
    for name in ("cell_timeout", "notebook_timeout", "jobs"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive; got {getattr(args, name)}")
    students, columns = grade_class(
        args.submissions, cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout, jobs=args.jobs
    )
    write_gradebook(args.out / "gradebook.csv", students, columns)
    (args.out / "feedback").mkdir(parents=True, exist_ok=True)
    for s in students:
        (args.out / "feedback" / f"{s.id}.md").write_text(feedback_markdown(s), encoding="utf-8")
    text = summary(students, columns)
    (args.out / "summary.md").write_text(text, encoding="utf-8")
    print()
    print(text, end="")
    out = args.out
    print(f"\nwrote {out / 'gradebook.csv'}, {out / 'summary.md'} and {len(students)} files in {out / 'feedback'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
