"""Re-execute notebooks in place, each top to bottom in a fresh kernel.

This is the only way the stored outputs are produced (`make execute`). Timing
metadata is not recorded, so re-running an unchanged notebook changes nothing
but what the code itself prints. Widget state is not stored: on the static site a
widget has no kernel to redraw its figure, and rendering it would need the widget
manager from a CDN. The site shows the static figure beside each explorer instead.

    python tools/execute_notebooks.py chapters/02_rnn_cell.ipynb [...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_client import NotebookClient  # noqa: E402


def merge_streams(nb: nbformat.NotebookNode) -> None:
    """Join consecutive stdout (or stderr) outputs of a cell into one.

    How a cell's prints are split into outputs depends on timing; merged, the
    stored notebook is the same on every run.
    """
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged: list = []
        for out in cell.outputs:
            prev = merged[-1] if merged else None
            if (
                out.output_type == "stream"
                and prev is not None
                and prev.output_type == "stream"
                and prev.name == out.name
            ):
                prev.text += out.text
            else:
                merged.append(out)
        cell.outputs = merged


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        # nbclient's Output-widget capture needs its widget bookkeeping on (it
        # fails with a KeyError otherwise); the state is dropped after the run.
        store_widget_state=True,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    merge_streams(nb)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return elapsed


def main(paths: list[str]) -> int:
    if not paths:
        print("usage: python tools/execute_notebooks.py NOTEBOOK.ipynb [...]", file=sys.stderr)
        return 2
    for p in paths:
        seconds = execute(Path(p))
        print(f"{seconds:6.1f} s  {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
