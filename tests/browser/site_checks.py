"""What a reader's browser must find on every page of the built site.

`inspect_page` opens one page in headless Chromium and returns every problem it
sees: JavaScript errors, failed or outside requests, maths left as raw TeX, images
that did not load or have no alt text, links and anchors that lead nowhere,
headings out of order, widget placeholders. The tests run it over the real site,
and over a page broken on purpose to prove that it notices.
"""

from __future__ import annotations

import functools
import gzip
import html.parser
import os
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No host name resolves but loopback: this also cuts requests that page routing does not
    # see (a web worker's, a service worker's).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

# Console messages that are not faults, each with its reason. Keep this list short.
ALLOWED_CONSOLE = (
    # pydata-sphinx-theme on a first visit, when no light/dark choice is stored yet;
    # it then uses the system setting, which is what a first visit should do.
    "Got invalid theme mode: . Resetting to auto.",
)

# Maths is given to MathJax inside these elements; each must end up rendered.
MATH_SELECTOR = "span.math, div.math"


# Text types a static host such as GitHub Pages sends gzip-compressed.
COMPRESSED = {".html", ".js", ".css", ".svg", ".json", ".txt", ".map", ".xml"}


class QuietHandler(SimpleHTTPRequestHandler):
    """A static file server that compresses text like the real host, so the page
    weights measured here are the bytes a reader's connection carries."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts_gzip and os.path.isfile(path) and os.path.splitext(path)[1] in COMPRESSED):
            return super().do_GET()
        with open(path, "rb") as f:
            body = gzip.compress(f.read(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(root: Path) -> tuple[ThreadingHTTPServer, str]:
    """Serve ``root`` on a free loopback port; returns the server and its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


class _Ids(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)


@functools.cache
def ids_in(path: Path) -> frozenset[str]:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


@dataclass
class PageReport:
    url: str
    problems: list[str] = field(default_factory=list)
    bytes: int = 0  # transferred over the wire (compressed), headers included
    raw_bytes: int = 0  # the same files uncompressed


def watch_problems(page, problems: list[str]) -> None:
    """Add the page's JavaScript errors, failed requests and HTTP errors to ``problems`` as they happen."""
    page.on("pageerror", lambda e: problems.append(f"JavaScript error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url} ({r.failure})"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)


def inspect_page(context, url: str, root: Path, base: str, screenshot: Path | None = None) -> PageReport:
    """Open ``url`` and list its problems. ``root`` is the served folder, ``base`` its URL."""
    report = PageReport(url)
    page = context.new_page()
    page.on(
        "console",
        lambda m: (
            report.problems.append(f"console error: {m.text}")
            if m.type == "error" and m.text not in ALLOWED_CONSOLE
            else None
        ),
    )
    watch_problems(page, report.problems)
    page.goto(url, wait_until="load")

    # Maths: wait for MathJax to finish, then every math element must hold its output.
    if page.evaluate("() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)"):
        page.evaluate("() => MathJax.startup.promise")
    unrendered = page.evaluate(
        f"() => Array.from(document.querySelectorAll('{MATH_SELECTOR}'))"
        ".filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))"
    )
    for tex in unrendered[:5]:
        report.problems.append(f"maths not rendered: {tex!r}")
    raw = page.evaluate(
        """() => {
            const root = document.querySelector('article') || document.body;
            const clone = root.cloneNode(true);
            clone.querySelectorAll('pre, code, script, style, mjx-container').forEach(e => e.remove());
            const text = clone.innerText || clone.textContent;
            return ['$$', '\\\\(', '\\\\[', '\\\\begin{'].filter(s => text.includes(s));
        }"""
    )
    for marker in raw:
        report.problems.append(f"raw TeX left in the text: {marker!r}")

    # Images: loaded, and described.
    for img in page.evaluate(
        "() => Array.from(document.images).map(i => ({src: i.getAttribute('src'), alt: (i.getAttribute('alt') || '').trim(),"
        " ok: i.complete && i.naturalWidth > 0}))"
    ):
        if not img["ok"]:
            report.problems.append(f"image did not load: {img['src']}")
        # A figure of the book (Sphinx copies those to _images/) must say what it shows;
        # an icon of the theme (a launch button's logo) needs a name.
        is_figure = "_images/" in (img["src"] or "")
        if len(img["alt"]) < (15 if is_figure else 1):
            report.problems.append(f"image without alt text saying what it shows: {img['src']} (alt={img['alt']!r})")

    # Internal links and anchors.
    for href in set(page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")):
        if not href.startswith(base):
            continue
        parts = urlsplit(href)
        target = root / unquote(parts.path[len(urlsplit(base).path) :])
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            report.problems.append(f"broken link: {href}")
        elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in ids_in(target):
            report.problems.append(f"broken anchor: {href}")

    # Headings: one h1, and no level skipped going deeper.
    levels = page.evaluate(
        "() => Array.from((document.querySelector('article') || document.body)"
        ".querySelectorAll('h1, h2, h3, h4, h5, h6')).map(h => Number(h.tagName[1]))"
    )
    if levels and levels[0] != 1:
        report.problems.append(f"the first heading is h{levels[0]}, not h1")
    for a, b in zip(levels, levels[1:], strict=False):
        if b > a + 1:
            report.problems.append(f"heading level jumps from h{a} to h{b}")
            break

    # Search: one search box on screen, not the theme's sidebar box plus a header copy.
    searches = visible_search_boxes(page)
    if searches != 1:
        report.problems.append(f"{searches} search boxes visible, expected 1")

    # Widgets: a rendered widget or nothing, never a placeholder or raw JSON.
    text = page.evaluate("() => document.body.innerText")
    for marker in ("Loading widget", "application/vnd.jupyter.widget"):
        if marker in text:
            report.problems.append(f"widget placeholder or raw widget JSON on the page: {marker!r}")

    report.bytes, report.raw_bytes = page.evaluate(
        "() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
        ".reduce(([t, r], e) => [t + (e.transferSize || 0), r + (e.decodedBodySize || 0)], [0, 0])"
    )
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
        page.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")
        page.screenshot(path=str(screenshot.with_name(screenshot.stem + "-dark.png")), full_page=False)
    page.close()
    return report


def visible_search_boxes(page) -> int:
    """How many of the theme's search boxes and search buttons are on screen."""
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('.search-button-field, .search-button'))"
        ".filter(e => e.offsetWidth > 0 && e.offsetHeight > 0 && getComputedStyle(e).visibility !== 'hidden').length"
    )


def block_outside_requests(context, problems: list[str]) -> None:
    """Abort every request that leaves loopback, and record it: the site must work offline."""

    def handle(route) -> None:
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            problems.append(f"request to the outside: {route.request.url}")
            route.abort()

    context.route("**/*", handle)
