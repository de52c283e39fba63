"""Print the book to PDF: the whole book, and a student edition without solutions.

    python tools/print_book.py [--out DIR] [--only full|student]     (make pdf)

Each page of the built site (`_build/html`, from `make book`) is opened in the system's
Chromium, driven by Playwright as in the browser test, served on 127.0.0.1 with every
other host blocked, so the PDF is made offline from exactly what the site shows: the
equations rendered by the site's own MathJax (the printer waits until it has typeset
them), the figures, and the static figure beside each explorer (explorers' outputs are
not on the site). Each page is printed on its own, so every chapter starts on a new
page, and the pages are joined with pypdf behind a title page and a table of contents
with page numbers; the PDF's outline (bookmarks) has one entry per chapter.

In the whole book every dropdown (solutions, quiz answers) is printed open. The student
edition is printed from a second build of the site whose notebooks have no solutions:
the cells that `make student` removes are removed, the stored outputs kept (so every
exercise shows "Not done yet"); the instructor guide is left out. Both go to
``_build/pdf/`` as ``rnn-course.pdf`` and ``rnn-course-student.pdf``.
"""

from __future__ import annotations

import argparse
import functools
import html
import io
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from student_edition import student_notebook  # noqa: E402

SITE = ROOT / "_build" / "html"
STUDENT_SOURCE = ROOT / "_build" / "student-book"
TITLE = "Recurrent Neural Networks from the Ground Up"
TEACHER_ONLY = {"chapters/instructor_guide"}  # left out of the student edition
PDF_OPTIONS = {
    "format": "A4",
    "print_background": True,
    "margin": {"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"},
}
# What the printed page needs beyond the theme's own print styles: code wraps rather
# than running off the page, no site navigation, links' targets left out.
PRINT_CSS = """
@media print {
  pre, pre code, .highlight pre {
    white-space: pre-wrap !important; word-break: break-word; overflow: visible !important;
  }
  div.cell_output, div.output, .cell_output pre { overflow: visible !important; max-height: none !important; }
  .bd-header-article, .bd-sidebar-primary, .bd-sidebar-secondary, .prev-next-area, .bd-footer,
  .bd-footer-article, .toggle-button, button.copybtn, .headerlink, #pst-back-to-top { display: none !important; }
  img { break-inside: avoid; }
}
"""


@dataclass(frozen=True)
class Page:
    docname: str  # "chapters/02_rnn_cell"
    part: str  # the caption of its part in _toc.yml, "" for the root


def pages(toc_path: Path = ROOT / "_toc.yml", *, student: bool = False) -> list[Page]:
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    found = [Page(toc["root"], "")]
    for part in toc.get("parts", []):
        found += [Page(c["file"], part.get("caption", "")) for c in part.get("chapters", [])]
    return [p for p in found if not (student and p.docname in TEACHER_ONLY)]


# ------------------------------------------------------------------ the student build


def write_student_source(target: Path = STUDENT_SOURCE) -> Path:
    """A copy of the book's sources with the solutions removed and the outputs kept."""
    if target.exists():
        shutil.rmtree(target)
    (target / "chapters").mkdir(parents=True)
    # The printed student edition has no live kernel: the copy of the configuration leaves
    # out the extension that builds the JupyterLite site, and its settings.
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["sphinx"]["local_extensions"].pop("live_kernel", None)
    for key in [k for k in config["sphinx"]["config"] if k.startswith("jupyterlite_")]:
        del config["sphinx"]["config"][key]
    (target / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    for part in toc["parts"]:
        part["chapters"] = [c for c in part["chapters"] if c["file"] not in TEACHER_ONLY]
    toc["parts"] = [p for p in toc["parts"] if p["chapters"]]
    (target / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    shutil.copytree(ROOT / "tools" / "sphinx", target / "tools" / "sphinx")
    # The chapters show rnnlib's code with {literalinclude}, from ../rnnlib.
    shutil.copytree(ROOT / "rnnlib", target / "rnnlib", ignore=shutil.ignore_patterns("__pycache__", "data"))
    for source in sorted((ROOT / "chapters").iterdir()):
        if source.suffix == ".ipynb":
            nb = student_notebook(nbformat.read(source, as_version=4), keep_outputs=True)
            nbformat.write(nb, target / "chapters" / source.name)
        elif source.suffix in (".md", ".bib") and f"chapters/{source.stem}" not in TEACHER_ONLY:
            shutil.copy2(source, target / "chapters" / source.name)
    return target


def build_student_site() -> Path:
    source = write_student_source()
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    # Warnings are errors, as in make build-strict: a missing include would leave a hole.
    subprocess.run(
        [str(jupyter_book), "build", str(source), "--quiet", "--warningiserror", "--keep-going"], check=True, cwd=source
    )
    return source / "_build" / "html"


# ------------------------------------------------------------------ printing


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _serve(root: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit(
        "print_book: Chromium is not installed; install it (Debian/Ubuntu: sudo apt-get install chromium). "
        "Nothing downloads a browser."
    )


# Run in each page before printing: open every dropdown, turn links to the site's other
# pages into plain text (they would point at 127.0.0.1), and say how much maths is left
# untypeset.
PREPARE = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('.toggle-button-hidden').forEach(e => e.classList.remove('toggle-button-hidden'));
  const here = location.origin + location.pathname;
  document.querySelectorAll('a[href]').forEach(a => {
    const u = new URL(a.href, location.href);
    if (u.origin === location.origin && u.origin + u.pathname !== here) { a.removeAttribute('href'); }
  });
  // A displayed equation wider than the printed column is scaled to fit it.
  document.querySelectorAll('mjx-container[display="true"]').forEach(m => {
    const inner = m.querySelector('mjx-math') || m;
    const box = m.getBoundingClientRect().width, wide = inner.getBoundingClientRect().width;
    if (wide > box && box > 0) { m.style.zoom = (box / wide).toFixed(3); }
  });
  const math = document.querySelectorAll('span.math, div.math');
  const raw = Array.from(math).filter(m => !m.querySelector('mjx-container')).length;
  const title = (document.querySelector('article h1') || {}).textContent || '';
  return {math: math.length, raw: raw, title: title.replace(/[#¶]/g, '').trim()};
}
"""


@dataclass
class Printed:
    page: Page
    title: str
    pdf: bytes
    pages: int = 0


def print_site(site: Path, book_pages: list[Page], browser) -> list[Printed]:
    if not (site / "index.html").exists():
        raise SystemExit(f"print_book: no site in {site}: run `make book` first")
    server, base = _serve(site)
    try:
        # As wide as the printed column (A4 less the margins, at 96 px to the inch), so that
        # what is measured on screen is what fits on paper.
        context = browser.new_context(viewport={"width": 670, "height": 1000})
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
        context.add_init_script(
            "document.addEventListener('DOMContentLoaded', () => {"
            " const s = document.createElement('style'); s.textContent = " + repr(PRINT_CSS).replace("\\n", " ") + ";"
            " document.head.appendChild(s); });"
        )
        printed = []
        for page in book_pages:
            tab = context.new_page()
            tab.emulate_media(media="print")
            tab.goto(base + page.docname + ".html", wait_until="load")
            info = tab.evaluate(PREPARE)
            if info["raw"]:
                raise SystemExit(f"print_book: {page.docname}: {info['raw']} of {info['math']} equations not typeset")
            printed.append(Printed(page, info["title"], tab.pdf(**PDF_OPTIONS)))
            tab.close()
        context.close()
        return printed
    finally:
        server.shutdown()


def _render(browser, body: str) -> bytes:
    tab = browser.new_page()
    tab.set_content(f"<!doctype html><html><head><meta charset='utf-8'></head><body>{body}</body></html>")
    pdf = tab.pdf(**{**PDF_OPTIONS, "print_background": False})
    tab.close()
    return pdf


def front_matter(printed: list[Printed], first_page: int, edition: str) -> str:
    style = (
        "<style>body{font-family:sans-serif;font-size:11pt} h1{font-size:24pt;margin-top:30mm}"
        " .toc td{padding:2px 4px} .toc td.n{text-align:right} .part td{font-weight:bold;padding-top:10px}"
        " .title{break-after:page}</style>"
    )
    rows, part, page = [], None, first_page
    for p in printed:
        if p.page.part != part and p.page.part:
            rows.append(f"<tr class='part'><td colspan='2'>{html.escape(p.page.part)}</td></tr>")
        part = p.page.part
        rows.append(f"<tr><td>{html.escape(p.title)}</td><td class='n'>{page}</td></tr>")
        page += p.pages
    return (
        style + f"<div class='title'><h1>{html.escape(TITLE)}</h1><p>{html.escape(edition)}</p>"
        "<p>Text and figures under the Creative Commons Attribution 4.0 International licence "
        "(CC BY 4.0, https://creativecommons.org/licenses/by/4.0/); code under the MIT licence.</p></div>"
        "<h2>Contents</h2><table class='toc'>" + "".join(rows) + "</table>"
    )


def page_numbers(browser, count: int) -> bytes:
    """``count`` blank pages with only their number at the foot, to lay over the book's."""
    body = (
        "<style>@page{size:A4;margin:0} body{margin:0} .p{height:297mm;position:relative;break-after:page}"
        " .p span{position:absolute;bottom:9mm;width:100%;text-align:center;font:9pt sans-serif;color:#555}</style>"
        + "".join(f"<div class='p'><span>{n}</span></div>" for n in range(1, count + 1))
    )
    tab = browser.new_page()
    tab.set_content(f"<!doctype html><html><body>{body}</body></html>")
    pdf = tab.pdf(format="A4", margin={"top": "0", "bottom": "0", "left": "0", "right": "0"})
    tab.close()
    return pdf


def assemble(printed: list[Printed], browser, edition: str, out: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    for p in printed:
        p.pages = len(PdfReader(io.BytesIO(p.pdf)).pages)
    front_pages = len(PdfReader(io.BytesIO(_render(browser, front_matter(printed, 1, edition)))).pages)
    front = _render(browser, front_matter(printed, front_pages + 1, edition))
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(front)))
    starts = []
    for p in printed:
        starts.append(len(writer.pages))
        writer.append(PdfReader(io.BytesIO(p.pdf)))
    numbers = PdfReader(io.BytesIO(page_numbers(browser, len(writer.pages))))
    for i, page in enumerate(writer.pages):
        if i >= front_pages:
            page.merge_page(numbers.pages[i])
    for p, start in zip(printed, starts, strict=True):
        writer.add_outline_item(title=p.title, page_number=start)
    writer.add_metadata({"/Title": f"{TITLE} ({edition})", "/Author": "The course authors"})
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as f:
        writer.write(f)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf")
    parser.add_argument("--only", choices=("full", "student"))
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    jobs = []
    if args.only in (None, "full"):
        jobs.append((SITE, pages(), "complete edition, with solutions", args.out / "rnn-course.pdf"))
    if args.only in (None, "student"):
        jobs.append(
            (None, pages(student=True), "student edition, without solutions", args.out / "rnn-course-student.pdf")
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"])
        for site, book_pages, edition, out in jobs:
            site = site or build_student_site()
            assemble(print_site(site, book_pages, browser), browser, edition, out)
            shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
            print(f"wrote {shown} ({out.stat().st_size / 2**20:.1f} MB, {len(PdfReader(out).pages)} pages)")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
