"""Driving JupyterLite in the browser tests: open a notebook of the built site, run it all,
read its outputs back from the notebook model."""

from __future__ import annotations

import time

import nbformat
from conftest import SITE

KERNEL_START = 180_000  # ms; about 15 s here, far more on a loaded machine
KERNEL_IDLE = "() => window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'"

# Finished: the kernel idle and every code cell run, three polls in a row (an error stops run-all,
# leaving the cells after it unrun, so a notebook with an error never counts as finished).
CELLS_DONE = """() => { const nb = window.jupyterapp.shell.currentWidget; const cells = nb.content.model.cells;
  let busy = nb.sessionContext.session.kernel.status !== 'idle';
  for (let i = 0; i < cells.length; i++) { const c = cells.get(i);
    if (c.type === 'code' && (c.executionState === 'running' || c.executionCount === null)) busy = true; }
  window.__quiet = busy ? 0 : (window.__quiet || 0) + 1; return window.__quiet >= 3; }"""
OUTPUTS = """() => { const cells = window.jupyterapp.shell.currentWidget.content.model.cells; const out = [];
  for (let i = 0; i < cells.length; i++) { const c = cells.get(i); if (c.type !== 'code') continue;
    for (const o of c.toJSON().outputs) out.push(o.output_type === 'error' ? `ERROR ${o.ename}: ${o.evalue}`
      : JSON.stringify(o.text || (o.data && o.data['text/plain']) || '')); }
  return out; }"""


def run_notebook(tab, base: str, notebook: str, timeout: int) -> tuple[float, list[str]]:
    """Open ``notebook`` in JupyterLite, run all its cells; return the seconds taken and the outputs."""
    tab.goto(base + "lite/notebooks/index.html?path=" + notebook, wait_until="load")
    tab.wait_for_function(KERNEL_IDLE, timeout=KERNEL_START)
    assert tab.evaluate("() => window.jupyterapp.shell.currentWidget.context.path") == notebook
    t0 = time.monotonic()
    tab.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    try:
        tab.wait_for_function(CELLS_DONE, timeout=timeout, polling=1000)
    finally:
        outputs = tab.evaluate(OUTPUTS)
        errors = [o for o in outputs if o.startswith("ERROR")]
        assert not errors, f"{notebook} in the browser kernel: {errors}"
    return time.monotonic() - t0, outputs


def assert_ran_as_the_student_edition(notebook: str, outputs: list[str]) -> None:
    """The student edition has no solutions: every exercise's checker says so, once."""
    student = nbformat.read(SITE / "lite" / "files" / notebook, as_version=4)
    exercises = [c for c in student.cells if "exercise" in c.metadata.get("tags", [])]
    assert len(exercises) >= 3
    assert sum("Not done yet" in o for o in outputs) == len(exercises), outputs
