"""rnnlib's unit tests on the numpy and matplotlib of the browser kernel.

    make unit-browser-numpy        (part of make test)
    python tools/browser_numpy.py --setup-only    (make test runs it beside the course's
                                                   own install, then the tests)

The live site runs rnnlib in Pyodide, whose numpy and matplotlib are older than the
versions the course pins (numpy 2.0.2 and matplotlib 3.8.4 in Pyodide 0.27.7). This
makes a second environment, .venv-browser-numpy, with those two versions, read from the
Pyodide lock the site ships (tools/lite/pyodide-lock.json), and every other package at
the course's pins, and runs rnnlib's unit tests there. The tests of the course's own
tooling (notebooks, builds, grading), which never run in the browser, are left out.

Where no wheel of those versions exists for this Python (numpy 2.0.2 has none beyond
Python 3.13), it says so and stops without failing: run it with an older Python
(make PYTHON=python3.12 unit-browser-numpy).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv-browser-numpy"
sys.path.insert(0, str(ROOT / "tools" / "lite"))
from distribution import canonical, pinned_lock  # noqa: E402

BROWSER_PACKAGES = ("numpy", "matplotlib")
# Tests of the course's tooling, not of rnnlib: they need the book's build tools.
TOOLING_TESTS = (
    "test_grade.py",
    "test_licence.py",
    "test_lite.py",
    "test_locks.py",
    "test_notebook_client.py",
    "test_notebooks.py",
    "test_portability.py",
    "test_repository_url.py",
    "test_student_edition.py",
    "test_workflow.py",
)
# What rnnlib's tests import beyond rnnlib's own dependencies (versions from the lock).
TEST_PACKAGES = ("pytest", "pytest-xdist", "hypothesis", "ipywidgets")


def browser_versions() -> dict[str, str]:
    packages = {canonical(name): meta for name, meta in pinned_lock()["packages"].items()}
    return {name: packages[name]["version"] for name in BROWSER_PACKAGES}


def main(argv: list[str]) -> int:
    setup_only = argv == ["--setup-only"]
    if argv and not setup_only:
        print(f"usage: {Path(__file__).name} [--setup-only]; got {' '.join(argv)}", file=sys.stderr)
        return 2
    versions = browser_versions()
    wanted = [f"{name}=={version}" for name, version in versions.items()]
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    if not stamp.exists() or stamp.read_text() != " ".join(wanted):
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        # The course's pins for everything else; the browser's versions for numpy and matplotlib.
        lock = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
        kept = [line for line in lock if not any(line.startswith(f"{name}==") for name in BROWSER_PACKAGES)]
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as constraints:
            constraints.write("\n".join(kept) + "\n")
        try:
            got = subprocess.run(
                [
                    str(python),
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--only-binary=numpy,matplotlib",
                    "-c",
                    constraints.name,
                    *wanted,
                    *TEST_PACKAGES,
                ],
                check=False,
            )
        finally:
            os.unlink(constraints.name)
        if got.returncode != 0:
            print(
                f"SKIPPED: {' and '.join(wanted)} could not be installed for Python "
                f"{sys.version_info.major}.{sys.version_info.minor} (no wheel?); rnnlib's tests on the "
                "browser's numpy need a Python that has one: make PYTHON=python3.12 unit-browser-numpy"
            )
            return 0
        # rnnlib from this checkout, by a path file rather than `pip install -e`: an editable
        # install writes rnnlib.egg-info into the checkout, as the course's own install does,
        # and make test runs the two installs at once.
        site = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        (Path(site) / "rnnlib-checkout.pth").write_text(str(ROOT) + "\n", encoding="utf-8")
        stamp.write_text(" ".join(wanted))
    if setup_only:
        return 0
    print(f"rnnlib's unit tests with {', '.join(wanted)} (the browser kernel's), in {VENV.name}")
    ignored = [f"--ignore=tests/{name}" for name in TOOLING_TESTS]
    jobs = min(2, os.cpu_count() or 1)
    return subprocess.run(
        [
            str(python),
            "-m",
            "pytest",
            "tests",
            "--ignore=tests/browser",
            "--ignore=tests/pdf",
            *ignored,
            "-n",
            str(jobs),
            "--dist",
            "worksteal",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "ignore::DeprecationWarning",
        ],
        cwd=ROOT,
        check=False,
    ).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
