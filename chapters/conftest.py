"""nbval over the chapters: print how long each notebook took, kernel start included,
so every test run shows the course's own run time."""

from __future__ import annotations

from collections import defaultdict

_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report) -> None:
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _seconds[path] += report.duration


def pytest_terminal_summary(terminalreporter) -> None:
    if not _seconds:
        return
    write = terminalreporter.write_line
    write("")
    write("Notebook run time (nbval: kernel start and every cell; budget 60 s each, 3 min in all):")
    for path, seconds in sorted(_seconds.items()):
        write(f"  {seconds:6.1f} s  {path}")
    write(f"  {sum(_seconds.values()):6.1f} s  all notebooks")
