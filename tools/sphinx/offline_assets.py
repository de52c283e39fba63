"""Sphinx extension: make the built site work with no network.

MathJax normally comes from a CDN at view time. This extension serves it from the
site itself instead, copied at build time from the pinned PyPI package
``django-static-mathjax`` (MathJax 3.2.2, Apache-2.0), so the book opens from a
USB stick in a classroom with no connection.

Only what a page can ask for is copied: the TeX-to-HTML bundle, its fonts, the TeX
extensions MathJax loads on demand, and the menu and accessibility parts (about
3 MB; the 4 MB speech engine is left out and turned off in ``mathjax3_config``).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

MATHJAX_URL = "mathjax/tex-chtml.js"  # relative: Sphinx resolves it under _static/
PARTS = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "ui", "a11y", "adaptors")


def mathjax_source() -> Path:
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError("offline_assets: the package django-static-mathjax is not installed (make install)")
    root = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax" / "es5"
    if not (root / "tex-chtml.js").exists():
        raise ExtensionError(f"offline_assets: no MathJax bundle at {root}")
    return root


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source, target = mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    for part in PARTS:
        src, dst = source / part, target / part
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        elif src.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    license_file = source.parent / "LICENSE"
    if license_file.exists():
        shutil.copy2(license_file, target / "LICENSE")


def setup(app: Sphinx) -> dict:
    mathjax_source()  # fail early, with a clear message, if MathJax is missing
    app.config.mathjax_path = MATHJAX_URL
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
