"""The printed editions (make pdf, tools/print_book.py): one chapter heading per chapter,
the equations typeset, the figures in, no widget placeholder, and no solution in the
student edition. Read with pdftotext (poppler-utils) and pypdf; run by `make pdf` after
it prints, not by `make unit` (it needs the built PDFs)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from print_book import TEACHER_ONLY, pages  # noqa: E402
from student_edition import is_solution  # noqa: E402

PDFS = {
    "full": ROOT / "_build" / "pdf" / "rnn-course.pdf",
    "student": ROOT / "_build" / "pdf" / "rnn-course-student.pdf",
}
RAW_TEX = ("$$", "\\frac", "\\begin{", "\\end{", "\\mathbf", "\\left", "\\partial", "\\tanh", "\\sum_", "\\(")
WIDGET_MARKERS = (
    "Loading widget",
    "application/vnd.jupyter.widget",
    "interactive(children",
    "IntSlider(",
    "FloatSlider(",
)


def title_of(docname: str) -> str:
    """The first heading of a page's source, as the PDF's outline must name it."""
    path = ROOT / f"{docname}.ipynb"
    if path.exists():
        text = next(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    else:
        text = (ROOT / f"{docname}.md").read_text(encoding="utf-8")
    return re.search(r"^# (.+)$", text, re.M).group(1).strip()


@pytest.fixture(scope="module", params=sorted(PDFS))
def edition(request):
    path = PDFS[request.param]
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make pdf`")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is not installed (Debian/Ubuntu: sudo apt-get install poppler-utils)")
    reader = PdfReader(path)
    texts = [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, len(reader.pages) + 1)
    ]
    return request.param, reader, texts


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def letters(text: str) -> str:
    """Only letters and digits: how a line of code compares with its printed copy, which
    pdftotext may return with other dashes, asterisks or quotes."""
    return re.sub(r"[^A-Za-z0-9]+", "", text)


def test_one_chapter_heading_per_chapter_in_book_order(edition):
    name, reader, texts = edition
    expected = [title_of(p.docname) for p in pages(student=name == "student")]
    outline = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    assert [t for t, _ in outline] == expected
    starts = [page for _, page in outline]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    # pdftotext joins a word hyphenated across a line ("character-" / "level").
    heading = lambda text: squash(text).replace("-", "")  # noqa: E731
    for title, page in outline:
        # The chapter's first page opens with its title, and no other page does.
        assert heading(texts[page]).startswith(heading(title)), (title, texts[page][:200])
        assert sum(heading(t).startswith(heading(title)) for t in texts[starts[0] :]) == 1, title
        # ... and the table of contents lists it.
        assert title in " ".join(texts[:3]).replace("\n", " ")


def test_the_equations_are_typeset(edition):
    _, _, texts = edition
    for n, text in enumerate(texts, start=1):
        for marker in RAW_TEX:
            assert marker not in text, f"page {n}: raw TeX {marker!r}"
    # Typeset maths is in the text: the cell's equation, with its subscripts.
    assert "ht = tanh (Wxh xt + Whh ht−1 + bh)" in " ".join(" ".join(t.split()) for t in texts)


def test_the_figures_are_in_and_no_widget_placeholder(edition):
    _, reader, texts = edition
    figures = len(list((ROOT / "_build" / "html" / "_images").glob("*.png")))
    assert sum(len(page.images) for page in reader.pages) >= figures > 10
    for n, text in enumerate(texts, start=1):
        for marker in WIDGET_MARKERS:
            assert marker not in text, f"page {n}: widget placeholder {marker!r}"
        for control in ("Start the live explorer", "Run this chapter in your browser"):
            assert control not in text, f"page {n}: the live site's control {control!r} is printed"


def solution_lines() -> list[str]:
    """Lines of solution code that no other cell of the chapters has, nor rnnlib, whose code
    the chapters print (chapter 3's listing of rnn_forward_stepwise has `states.append(h)`)."""
    library = {letters(line) for path in (ROOT / "rnnlib").rglob("*.py") for line in path.read_text().splitlines()}
    lines, shown = set(), []
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        others = {letters(line) for c in cells if not is_solution(c) for line in c.source.splitlines()}
        # every cell the student edition keeps, as one text: a solution line found inside a longer
        # line there (a check printed after the exercise, say) is not the solution's alone
        shown.append(letters(" ".join(c.source for c in cells if not is_solution(c))))
        for c in cells:
            if c.cell_type == "code" and is_solution(c):
                lines |= {letters(line) for line in c.source.splitlines() if len(letters(line)) > 12} - others - library
    kept = " ".join(shown) + letters(" ".join(p.read_text() for p in (ROOT / "rnnlib").rglob("*.py")))
    return sorted(line for line in lines if line not in kept)


def test_solutions_are_in_the_full_edition_only(edition):
    name, _, texts = edition
    text = letters(" ".join(texts))
    lines = solution_lines()
    assert len(lines) > 50
    found = [line for line in lines if line in text]
    if name == "full":
        assert len(found) >= 0.95 * len(lines), (
            f"solutions missing from the book: {sorted(set(lines) - set(found))[:5]}"
        )
        assert "SolutiontoExercise" in text
    else:
        assert not found, f"solution code in the student edition: {found[:5]}"
        assert "SolutiontoExercise" not in text
        assert letters("Not done yet") in text  # the stubs' stored outputs
        assert not any(letters(title_of(d)) in text[:2000] for d in TEACHER_ONLY)


def test_the_library_code_the_chapters_include_is_printed(edition):
    _, _, texts = edition
    text = squash(" ".join(texts))
    for function in ("rnn_step_forward", "rnn_forward_stepwise", "rnn_backward_reference", "gradient_norms_by_lag"):
        assert f"def{function}(" in text, f"the listing of {function} is missing"
