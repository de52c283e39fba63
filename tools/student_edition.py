"""Write the student edition: every chapter notebook without its solutions.

    python tools/student_edition.py [OUTPUT_DIR]      (default: _build/student)

The convention (README, "Contributing"): a solution is the code cell tagged
``solution`` together with the ``{solution-start}`` and ``{solution-end}`` markdown
cells around it. All three are removed; the exercise stubs and their checkers stay,
so each exercise reports "Not done yet" until the student fills it in. Outputs are
cleared, so students run the notebooks themselves.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTION_FENCE = re.compile(r"^\s*`{3,}\s*\{solution-(start|end)\}")


def is_solution(cell: nbformat.NotebookNode) -> bool:
    if cell.cell_type == "code":
        return "solution" in cell.metadata.get("tags", [])
    return cell.cell_type == "markdown" and bool(SOLUTION_FENCE.match(cell.source))


def student_notebook(nb: nbformat.NotebookNode, *, keep_outputs: bool = False) -> nbformat.NotebookNode:
    """A copy of ``nb`` without solutions and with every output cleared (kept with
    ``keep_outputs``, for the printed student edition, tools/print_book.py)."""
    out = nbformat.from_dict(nb)  # a deep copy
    out.cells = [c for c in out.cells if not is_solution(c)]
    for cell in out.cells:
        if cell.cell_type == "code" and not keep_outputs:
            cell.outputs = []
            cell.execution_count = None
    out.metadata.pop("widgets", None)
    note = nbformat.v4.new_markdown_cell(
        "*Student edition: the solutions are removed. Each exercise's checker tells you "
        "whether your answer is right, and what is wrong if it is not.*"
    )
    note["id"] = "student-edition-note"
    out.cells.insert(1, note)
    return out


def write_student_edition(target: Path) -> list[Path]:
    written = []
    for source in sorted((ROOT / "chapters").glob("*.ipynb")):
        nb = nbformat.read(source, as_version=4)
        if not any(is_solution(c) for c in nb.cells):
            continue
        path = target / source.name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_notebook(nb), path)
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else ROOT / "_build" / "student"
    for path in write_student_edition(target):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
