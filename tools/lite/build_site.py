"""Prepare the JupyterLite folder that jupyterlite-sphinx turns into ``_build/html/lite``.

    python tools/lite/build_site.py [LITE_DIR]      (default: _build/lite)

It writes, from a clean folder each time (an incremental JupyterLite build once fell back
to a CDN for Pyodide):

- ``jupyter-lite.json`` and ``jupyter_lite_config.json`` from this folder: Pyodide is loaded
  from the site itself (``pyodideUrl``) and never from PyPI (``disablePyPIFallback``);
- ``static/pyodide/``: the checked Pyodide distribution (``distribution.py``) and, added to
  its lock, the course's own wheels: rnnlib, built from this checkout, and ipywidgets and
  comm at the versions pinned in requirements.lock. The kernel loads a package of the lock
  when a cell imports it; rnnlib is declared to depend on ipywidgets, because its explorers
  import ipywidgets inside a function, where the kernel cannot see it;
- ``content/``: the student edition of every chapter (``tools/student_edition.py``), which
  the site opens as JupyterLite notebooks, each saying how long it takes in the browser.

The Sphinx extension ``tools/sphinx/live_kernel.py`` runs this at the start of every build.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tools"))
from distribution import CACHE, DistributionError, assemble, canonical  # noqa: E402

# Seconds each chapter took to run top to bottom in the browser kernel (make browser-full,
# headless Chromium on 2 shared cores); the notebooks tell the reader before they run them.
BROWSER_SECONDS = {
    "01_feedforward_limits": 20,
    "02_rnn_cell": 9,
    "03_unrolling": 8,
    "04_weight_sharing": 8,
    "05_bptt": 113,
    "06_vanishing_exploding": 66,
    "07_gated_cells": 134,
    "08_char_language_model": 407,
    "09_beyond_one_layer": 290,
    "10_dynamical_systems": 61,
}

# The cells that take 20 seconds or more in the browser kernel, and about how long: each
# cell's time in CPython (nbclient's timing, 2 cores) times its chapter's ratio of
# BROWSER_SECONDS to the CPython run, 3.9 to 15.9. The browser notebook says so above each.
HEAVY_CELLS = {
    "05_bptt": {"cell-017": 49, "cell-014": 23, "8daa74eb": 21},
    "06_vanishing_exploding": {"cell-010": 42},
    "07_gated_cells": {"4d24eabe": 114},
    "08_char_language_model": {"efd51106": 122, "3092cfab": 149},
    "09_beyond_one_layer": {"ch9-stack-exp": 155, "ch9-bi-exp": 25, "ch9-s2s-exp": 66},
    "10_dynamical_systems": {"ch10-lru-exp": 26},
}

# Pure-Python wheels the kernel needs beyond Pyodide's own packages (versions from the lock).
COURSE_WHEELS = ("ipywidgets", "comm")
# Dependencies a cell's imports do not show the kernel.
EXTRA_DEPENDS = {"rnnlib": ["ipywidgets"]}


def locked_version(name: str) -> str:
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        match = re.match(r"([A-Za-z0-9_.-]+)==([^\s;]+)\s*(;.*)?$", line.strip())
        if match and canonical(match.group(1)) == canonical(name) and not match.group(3):
            return match.group(2)
    raise DistributionError(f"requirements.lock pins no {name} for every platform")


def course_wheels(work: Path) -> list[Path]:
    """rnnlib's wheel from this checkout, and the pinned ipywidgets and comm wheels."""
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob("rnnlib-*.whl"):
        old.unlink()
    pip = [sys.executable, "-m", "pip", "--quiet"]
    # Built from a copy, so setuptools leaves no build/ folder in the checkout.
    source = work / "rnnlib-source"
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(ROOT / "rnnlib", source / "rnnlib", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    wheel = ["wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(work), str(source)]
    subprocess.run([*pip, *wheel], check=True)
    shutil.rmtree(source)
    wanted = [f"{name}=={locked_version(name)}" for name in COURSE_WHEELS]
    missing = [w for w in wanted if not list(work.glob(w.replace("==", "-") + "-*.whl"))]
    if missing:
        download = ["download", "--no-deps", "--only-binary", ":all:", "--dest", str(work), *missing]
        subprocess.run([*pip, *download], check=True)
    wheels = sorted(work.glob("rnnlib-*.whl")) + [next(work.glob(w.replace("==", "-") + "-*.whl")) for w in wanted]
    return wheels


def add_to_lock(pyodide: Path, wheels: list[Path]) -> list[str]:
    """Copy ``wheels`` into ``pyodide`` and list them in its lock, as Pyodide lists its own."""
    lock_path = pyodide / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    known = {canonical(k) for k in lock["packages"]}
    metadata = {}
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as z:
            names = z.namelist()
            meta = Parser().parsestr(z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode())
        tops = {n.split("/")[0] for n in names}
        tops = sorted(t.removesuffix(".py") for t in tops if not t.endswith((".dist-info", ".data")))
        metadata[canonical(meta["Name"])] = (wheel, meta, tops)
    added = []
    for name, (wheel, meta, imports) in metadata.items():
        depends = []
        for requirement in meta.get_all("Requires-Dist") or []:
            if ";" in requirement and "extra" in requirement.split(";", 1)[1]:
                continue  # an optional extra
            dep = canonical(re.match(r"[A-Za-z0-9_.-]+", requirement).group(0))
            if dep in known or dep in metadata:
                depends.append(dep)  # what the browser has; widgetsnbextension & co. are lab-side only
        depends += [d for d in EXTRA_DEPENDS.get(name, []) if d not in depends]
        shutil.copy2(wheel, pyodide / wheel.name)
        lock["packages"][name] = {
            "name": name,
            "version": meta["Version"],
            "file_name": wheel.name,
            "install_dir": "site",
            "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
            "package_type": "package",
            "imports": imports,
            "depends": depends,
            "unvendored_tests": False,
            "shared_library": False,
        }
        needs = ", ".join(depends) or "nothing"
        added.append(f"{name} {meta['Version']} (imports {', '.join(imports)}; depends on {needs})")
    lock_path.write_text(json.dumps(lock), encoding="utf-8")
    return added


def heavy_cell_note(seconds: int) -> str:
    """The note above a cell that takes ``seconds`` in the browser kernel."""
    minutes = round(seconds / 60)
    if seconds < 50:
        took = f"about {round(seconds, -1)} seconds"
    else:
        took = f"about {minutes} minute{'s' if minutes > 1 else ''}"
    return (
        f"*In your browser, the next cell takes {took}* (it trains networks); the cells after it wait "
        "for it. The page shows it is busy with [*] beside the cell."
    )


def browser_note(stem: str) -> str:
    seconds = BROWSER_SECONDS.get(stem)
    took = (
        f"about {round(seconds / 60)} minutes"
        if seconds and seconds >= 90
        else f"about {seconds} seconds"
        if seconds
        else "a while"
    )
    slow = " Most of that is training networks, in the cells that train." if seconds and seconds >= 90 else ""
    return (
        "*Running in your browser.* This notebook's Python (Pyodide) runs inside this browser tab, with "
        "no server; your changes are kept by this browser between visits (File → Download keeps a copy). "
        f"It is 3 to 16 times slower than Python on your computer: run top to bottom, this chapter took {took} "
        "on a 2-core machine." + slow
    )


def add_browser_notes(notebooks: list[Path]) -> None:
    """Tell the reader, at the top of each browser notebook, what running it costs there."""
    import nbformat

    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        note = nbformat.v4.new_markdown_cell(browser_note(path.stem))
        note["id"] = "running-in-the-browser"
        nb.cells.insert(2, note)  # after the title cell and the student-edition note
        heavy = HEAVY_CELLS.get(path.stem, {})
        missing = set(heavy) - {c.get("id") for c in nb.cells if c.cell_type == "code"}
        if missing:
            raise ValueError(f"{path.name}: HEAVY_CELLS names cells it does not have: {sorted(missing)}")
        for cell_id, seconds in heavy.items():
            k = next(i for i, c in enumerate(nb.cells) if c.get("id") == cell_id)
            before = nbformat.v4.new_markdown_cell(heavy_cell_note(seconds))
            before["id"] = f"in-the-browser-{cell_id}"
            nb.cells.insert(k, before)
        nbformat.write(nb, path)


def build(lite: Path) -> None:
    from student_edition import write_student_edition

    if lite.exists():
        shutil.rmtree(lite)
    lite.mkdir(parents=True)
    for name in ("jupyter-lite.json", "jupyter_lite_config.json"):
        shutil.copy2(HERE / name, lite / name)
    pyodide = lite / "static" / "pyodide"
    size = assemble(pyodide)
    for line in add_to_lock(pyodide, course_wheels(CACHE / "wheels")):
        print(f"lite: added to the kernel's lock: {line}")
    notebooks = write_student_edition(lite / "content")
    add_browser_notes(notebooks)
    print(f"lite: Pyodide {size / 2**20:.1f} MiB checked; {len(notebooks)} chapters as notebooks, in {lite}")


def main(argv: list[str]) -> int:
    try:
        build(Path(argv[0]) if argv else ROOT / "_build" / "lite")
    except (DistributionError, subprocess.CalledProcessError) as e:
        print(f"lite: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
