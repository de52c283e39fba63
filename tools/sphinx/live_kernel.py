"""Sphinx extension: Python running in the reader's browser, served by the site itself.

- At the start of every build it prepares the JupyterLite folder (``tools/lite/build_site.py``:
  the checked Pyodide, the course's wheels, the student edition); ``jupyterlite-sphinx`` then
  builds it into ``_build/html/lite`` when the HTML is written.
- It removes the remote web-font stylesheet that ``jupyterlite-sphinx`` adds to every page, so
  no page asks another host for anything.
- Under every code cell tagged ``live-explorer`` it adds a "Start the live explorer" button
  (shown only when JavaScript runs) that opens a JupyterLite console running that cell's code.
  Nothing of the kernel loads before the button is pressed; the static figure and its caption
  stay on the page.
- At the top of every chapter notebook it adds a link that opens the chapter's student edition
  as a JupyterLite notebook; JupyterLite keeps the reader's changes in the browser's storage.
"""

from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "lite"))
LITE = "lite"  # where jupyterlite-sphinx writes the JupyterLite site, under the HTML folder
TAG = "live-explorer"


def prepare_lite(app: Sphinx, config) -> None:
    from build_site import build
    from distribution import DistributionError

    try:
        build(Path(app.srcdir) / config.jupyterlite_dir)
    except DistributionError as e:
        raise ExtensionError(f"live_kernel: {e}") from e
    except subprocess.CalledProcessError as e:
        raise ExtensionError(
            f"live_kernel: {' '.join(e.cmd[2:5])} failed: the first build downloads Pyodide's files and two "
            "wheels from the package index (kept in _build/pyodide-source/ afterwards)"
        ) from e


def drop_remote_fonts(app: Sphinx, config) -> None:
    app.registry.css_files = [(f, a) for f, a in app.registry.css_files if "://" not in f]


def _to_root(docname: str) -> str:
    return "../" * docname.count("/")


def _explorer_html(src: str, number: int) -> str:
    return f"""<div class="live-explorer" hidden>
<button type="button" class="live-start" data-src="{html.escape(src)}" data-frame-id="live-frame-{number}">
Start the live explorer</button>
<p class="live-status" role="status">Runs this cell in Python inside your browser, served by this site:
no server and no network needed. The first start loads about 40&nbsp;MB from this site (kept in the
browser's cache) and takes 10 to 30&nbsp;seconds; until then, and without JavaScript, the static output
on this page (a figure, or printed text) shows the same at fixed values.</p>
</div>"""


def add_live_controls(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    root = _to_root(docname)
    stem = Path(docname).name
    href = f"{root}{LITE}/notebooks/index.html?path={stem}.ipynb"
    link = (
        f'<p class="live-chapter"><a class="live-chapter-link" href="{href}">'
        "Run this chapter in your browser</a> — the student edition (exercises with their checkers, "
        "no solutions) as a notebook, in Python running in this browser; your changes are kept by the browser.</p>"
    )
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None:
        title = next(iter(section.findall(nodes.title)), None)
        at = section.index(title) + 1 if title is not None and title.parent is section else 0
        section.insert(at, nodes.raw("", link, format="html"))
    for number, cell in enumerate(
        [c for c in doctree.findall(nodes.container) if f"tag_{TAG}" in c.get("classes", [])], start=1
    ):
        inputs = [b for b in cell.findall(nodes.literal_block) if "cell_input" in b.parent.get("classes", [])]
        code = "\n".join(b.astext() for b in inputs)
        if not code:
            raise ExtensionError(f"live_kernel: the cell tagged {TAG} in {docname} has no code")
        options = f"kernel=python&execute=1&showBanner=0&code={quote(code)}"
        src = f"{root}{LITE}/repl/index.html?{options}"
        cell.parent.insert(cell.parent.index(cell) + 1, nodes.raw("", _explorer_html(src, number), format="html"))


def setup(app: Sphinx) -> dict:
    app.setup_extension("jupyterlite_sphinx")
    app.connect("config-inited", prepare_lite, priority=400)
    app.connect("config-inited", drop_remote_fonts, priority=900)
    app.connect("doctree-resolved", add_live_controls)
    app.connect("builder-inited", lambda a: a.config.html_static_path.append(str(HERE / "static")))
    app.add_css_file("live_kernel.css")
    app.add_js_file("live_kernel.js")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
