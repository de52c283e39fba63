"""Every page of the built site, opened in headless Chromium with the network cut off."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, SITE
from site_checks import block_outside_requests, inspect_page, serve, visible_search_boxes

PAGES = (
    sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html") if "_static" not in p.parts)
    if SITE.exists()
    else []
)
CONTENT = [p for p in PAGES if p.startswith("chapters/")]
SCREENSHOTS = ROOT / "_build" / "screenshots"
MAX_PAGE_BYTES = 2 * 1024 * 1024  # transferred, with the host's gzip, cache empty


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.outside: list[str] = []
    block_outside_requests(context, context.outside)
    yield context
    context.close()


def test_the_site_has_every_chapter():
    assert "index.html" in PAGES
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        assert f"chapters/{notebook.stem}.html" in CONTENT, f"{notebook.name} has no page"


@pytest.mark.parametrize("page", CONTENT)
def test_page_works_offline(page, site, context, record_property):
    root, base = site
    shot = SCREENSHOTS / (Path(page).stem + ".png")
    report = inspect_page(context, base + page, root, base, screenshot=shot)
    # Printed after the run by conftest.py's pytest_terminal_summary, from every worker.
    record_property("page_weight", (page, report.bytes, report.raw_bytes))
    problems = context.outside + report.problems
    assert not problems, f"{page}:\n  " + "\n  ".join(problems)
    assert 0 < report.bytes <= MAX_PAGE_BYTES, f"{page} transfers {report.bytes / 2**20:.2f} MiB"
    assert shot.exists()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.outside: list[str] = []
    block_outside_requests(context, context.outside)
    yield context
    context.close()


@pytest.mark.parametrize("page", CONTENT)
def test_page_fits_a_phone(page, site, phone):
    """At 390 px the page does not scroll sideways (wide code and tables scroll in
    their own box), one search button shows, and the menu button opens the chapters."""
    _, base = site
    tab = phone.new_page()
    tab.goto(base + page, wait_until="load")
    width, viewport = tab.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= viewport, f"{page} is {width} px wide on a {viewport} px screen"
    assert visible_search_boxes(tab) == 1, f"{page}: {visible_search_boxes(tab)} search buttons visible on a phone"
    chapters = tab.locator(".bd-sidebar-primary a.reference.internal").first
    assert not chapters.is_visible(), f"{page}: the chapter list is open before the menu button is pressed"
    tab.locator("button.primary-toggle").first.click()
    chapters.wait_for(state="visible", timeout=5000)
    assert not phone.outside


@pytest.mark.parametrize("page", [p for p in CONTENT if 'class="solution' in (SITE / p).read_text(encoding="utf-8")])
def test_solutions_are_hidden_until_clicked(page, site, context):
    _, base = site
    tab = context.new_page()
    tab.goto(base + page, wait_until="load")
    solutions = tab.locator("div.solution.dropdown")
    assert solutions.count() >= 3
    for i in range(solutions.count()):
        solution = solutions.nth(i)
        code = solution.locator(".cell.tag_solution")
        assert code.count() == 1, "the solution's code cell is not inside its dropdown"
        assert not code.is_visible(), f"solution {i + 1} is visible before it is opened"
        solution.locator("button.toggle-button").click()
        code.wait_for(state="visible", timeout=5000)
    tab.close()


def test_launch_buttons_on_every_notebook_page(site, context):
    """Once the repository URL is set (tools/set_repository_url.py), every notebook
    page offers Binder and Colab."""
    import yaml

    url = (yaml.safe_load((ROOT / "_config.yml").read_text()).get("repository") or {}).get("url")
    if not url:
        pytest.skip("no repository URL in _config.yml, so no launch buttons (the publishing workflow sets it)")
    slug = url.removeprefix("https://github.com/")
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        html = (SITE / "chapters" / f"{notebook.stem}.html").read_text(encoding="utf-8")
        assert f"https://mybinder.org/v2/gh/{slug}/" in html, f"no Binder button on {notebook.stem}"
        assert f"https://colab.research.google.com/github/{slug}/" in html, f"no Colab button on {notebook.stem}"


def test_the_checker_finds_what_is_broken(browser, tmp_path):
    """The same checks, on a page broken on purpose: each fault must be reported."""
    png = next((SITE / "_images").glob("*.png")).read_bytes()
    (tmp_path / "ok.png").write_bytes(png)
    (tmp_path / "_images").mkdir()
    (tmp_path / "_images" / "figure.png").write_bytes(png)
    (tmp_path / "broken.html").write_text(
        """<!doctype html><html><head><title>broken</title>
        <script src="https://cdn.example.org/lib.js"></script></head>
        <body><article><h1>Broken</h1><h3>Skipped a level</h3>
        <p>Raw maths: $$x^2$$</p><div class="math notranslate nohighlight">\\[y\\]</div>
        <img src="missing.png" alt="A plot of something that is not there">
        <img src="ok.png" alt="">
        <img src="_images/figure.png" alt="A plot">
        <a href="nowhere.html">a dead link</a> <a href="#no-such-anchor">a dead anchor</a>
        <p>Loading widget...</p>
        <button class="search-button-field">Search</button><button class="search-button-field">Search</button>
        <script>throw new Error("boom")</script></article></body></html>""",
        encoding="utf-8",
    )
    server, base = serve(tmp_path)
    try:
        context = browser.new_context()
        outside: list[str] = []
        block_outside_requests(context, outside)
        report = inspect_page(context, base + "broken.html", tmp_path, base)
        context.close()
    finally:
        server.shutdown()
    found = "\n".join(outside + report.problems)
    for expected in (
        "request to the outside: https://cdn.example.org/lib.js",
        "JavaScript error: boom",
        "maths not rendered: '\\\\[y\\\\]'",
        "raw TeX left in the text: '$$'",
        "image did not load: missing.png",
        "image without alt text saying what it shows: ok.png",
        "image without alt text saying what it shows: _images/figure.png (alt='A plot')",
        "broken link: " + base + "nowhere.html",
        "broken anchor: " + base + "broken.html#no-such-anchor",
        "heading level jumps from h1 to h3",
        "widget placeholder or raw widget JSON on the page: 'Loading widget'",
        "2 search boxes visible, expected 1",
    ):
        assert expected in found, f"not reported: {expected}\nreported:\n{found}"


def test_every_page_states_the_licence():
    """The footer of every page of the book (extra_footer in _config.yml, README "Licence");
    index.html only redirects to the introduction, and lite/ holds the JupyterLite
    application, third-party material listed in THIRD-PARTY.md."""
    assert CONTENT
    for page in [p for p in PAGES if p != "index.html" and not p.startswith("lite/")]:
        html = (SITE / page).read_text(encoding="utf-8")
        assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>' in html, page
        assert "MIT licence</a>" in html, page
