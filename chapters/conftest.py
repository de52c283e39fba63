"""nbval over the chapters: print how long each notebook took, kernel start included,
so every test run shows the course's own run time."""

from __future__ import annotations

import os
from collections import defaultdict

import pytest

_seconds: dict[str, float] = defaultdict(float)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item) -> None:
    """Tell the notebook's kernel, before nbval starts it, which notebook it runs.

    The portability check's figure recorder (tools/portability/figure_record.py)
    files each figure under this name; it does nothing unless the check is running.
    """
    if os.environ.get("RNNCOURSE_FIGURE_DIR"):
        os.environ["RNNCOURSE_NOTEBOOK"] = item.nodeid.split("::")[0]


def pytest_runtest_logreport(report) -> None:
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _seconds[path] += report.duration


def pytest_terminal_summary(terminalreporter) -> None:
    if not _seconds:
        return
    write = terminalreporter.write_line
    write("")
    write("Notebook run time (nbval: kernel start and every cell; target under 30 s each):")
    for path, seconds in sorted(_seconds.items()):
        write(f"  {seconds:6.1f} s  {path}")
    write(f"  {sum(_seconds.values()):6.1f} s  all notebooks")
