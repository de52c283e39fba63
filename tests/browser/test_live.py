"""The live site: Python (JupyterLite + Pyodide) running in the page, with the network cut.

On chapter 2's page the explorer starts only when asked, its kernel runs offline, a slider
change redraws the figure, and an exercise checker answers a wrong and a right answer in
that browser kernel; the chapter itself opens and runs to the end as a JupyterLite notebook,
and a change the reader saves there is kept by the browser.
Every request outside loopback is aborted and fails the test; the browser also resolves no
host name but 127.0.0.1 (CHROMIUM_ARGS), which covers the kernel's web worker.
"""

from __future__ import annotations

import hashlib
import json
import time

import pytest
from conftest import ROOT, SITE
from live_checks import KERNEL_IDLE, KERNEL_START, assert_ran_as_the_student_edition, run_notebook
from site_checks import block_outside_requests, watch_problems

PAGE = "chapters/02_rnn_cell.html"
NOTEBOOK = "02_rnn_cell.ipynb"


def test_the_site_serves_its_own_checked_pyodide():
    """What the kernel loads is on the site, as the lock says: the official files and the course's wheels."""
    pyodide = SITE / "lite" / "static" / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    assert lock["info"]["version"] == "0.27.7"
    for package in lock["packages"].values():
        data = (pyodide / package["file_name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == package["sha256"], package["file_name"]
    assert "ipywidgets" in lock["packages"]["rnnlib"]["depends"]
    assert (pyodide / "LICENSES" / "NOTICE.md").exists()
    settings = json.loads((SITE / "lite" / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = settings["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.js" and kernel["disablePyPIFallback"] is True


def watched_page(context):
    """A new tab whose JavaScript errors, failed requests and HTTP errors go to ``page.problems``."""
    page = context.new_page()
    page.problems: list[str] = []
    watch_problems(page, page.problems)
    return page


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.outside: list[str] = []
    block_outside_requests(context, context.outside)
    yield watched_page(context)
    context.close()
    assert not context.outside, "requests to the outside:\n  " + "\n  ".join(context.outside)


def resources(page) -> list[str]:
    return page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")


def run_in_console(frame, code: str) -> None:
    """Type ``code`` into the JupyterLite console's prompt and run it, as a reader would."""
    frame.evaluate(
        """code => { const panel = window.jupyterapp.shell.currentWidget;
        panel.console.promptCell.model.sharedModel.setSource(code);
        return window.jupyterapp.commands.execute('console:run-forced'); }""",
        code,
    )


def test_explorer_runs_live_offline(site, tab):
    _, base = site
    t0 = time.monotonic()
    tab.goto(base + PAGE, wait_until="load")
    explorer = tab.locator(".live-explorer").first  # chapter 2 has two; the first is tested
    start = explorer.get_by_role("button", name="Start the live explorer")
    start.wait_for(state="visible")
    static = tab.locator("img[alt]").filter(has=tab.locator("xpath=self::*[contains(@src, '_images/')]"))
    assert static.count() >= 1
    assert not [r for r in resources(tab) if "/lite/" in r], (
        "the page loaded part of the kernel before it was asked for"
    )
    assert "Run this chapter in your browser" in tab.locator(".live-chapter").inner_text()
    assert tab.locator("a.live-chapter-link").get_attribute("href") == f"../lite/notebooks/index.html?path={NOTEBOOK}"

    start.click()
    status = explorer.locator(".live-status")
    tab.wait_for_function(
        "() => document.querySelector('.live-explorer').classList.contains('live-ready')", timeout=KERNEL_START
    )
    startup = time.monotonic() - t0
    assert status.inner_text().startswith("Live:")
    frame = explorer.locator("iframe.live-frame").element_handle().content_frame()
    assert frame.evaluate(KERNEL_IDLE)
    assert frame.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.name") == "python"
    # the static figure is still on the page beside the live one
    assert tab.locator("img[src*='_images/']").first.is_visible()

    image = ".jupyter-widgets .jp-OutputArea-output img"
    frame.wait_for_selector(image, timeout=60_000)
    before = frame.eval_on_selector(image, "i => i.src")
    readout = frame.locator(".widget-slider .widget-readout").first
    assert readout.inner_text() == "1.00"
    handle = frame.locator(".widget-slider .noUi-handle").first
    track = frame.locator(".widget-slider .noUi-target").first
    handle.scroll_into_view_if_needed()
    hb, tb = handle.bounding_box(), track.bounding_box()
    tab.mouse.move(hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2)
    tab.mouse.down()
    tab.mouse.move(tb["x"] + tb["width"] * 0.25, hb["y"] + hb["height"] / 2, steps=8)
    tab.mouse.up()
    t1 = time.monotonic()
    frame.wait_for_function(
        "([sel, old]) => { const i = document.querySelector(sel); return i && i.src !== old; }",
        arg=[image, before],
        timeout=30_000,
    )
    redraw = time.monotonic() - t1
    assert readout.inner_text() != "1.00", "the slider did not move"
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    explorer.screenshot(path=str(shots / "live-explorer.png"))

    # an exercise checker, in the same browser kernel: a wrong answer, then a right one
    run_in_console(
        frame,
        "import numpy as np\nfrom rnnlib.exercises import check_softmax\n"
        "check_softmax(lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True))",
    )
    frame.wait_for_selector("text=/Exercise 2.3\\] Not yet right: on large scores/", timeout=60_000)
    run_in_console(
        frame,
        "def stable(z):\n    e = np.exp(z - z.max(axis=-1, keepdims=True))\n    return e / e.sum(axis=-1, keepdims=True)\n"
        "check_softmax(stable)",
    )
    frame.wait_for_selector("text=/Exercise 2.3\\] Correct/", timeout=60_000)
    assert not tab.problems, "\n".join(tab.problems)
    print(
        f"\nlive explorer: ready {startup:.1f} s after the page opened; redrawn {redraw:.1f} s after the slider moved"
    )


def test_chapter_runs_as_a_notebook_in_the_browser(site, tab):
    """The page's "run this chapter" link opens the student edition in JupyterLite; it runs to the end."""
    _, base = site
    took, outputs = run_notebook(tab, base, NOTEBOOK, timeout=180_000)
    assert_ran_as_the_student_edition(NOTEBOOK, outputs)
    assert not tab.problems, "\n".join(tab.problems)
    print(f"\nchapter 2 ran to the end in the browser kernel in {took:.0f} s")


def test_the_readers_changes_are_kept_by_the_browser(site, tab):
    """A change saved in the browser notebook is there when the reader comes back."""
    _, base = site
    url = base + "lite/notebooks/index.html?path=" + NOTEBOOK
    ready = "() => window.jupyterapp?.shell?.currentWidget?.context?.isReady === true"
    first_code = """() => { const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
      for (let i = 0; i < cells.length; i++) if (cells.get(i).type === 'code') return cells.get(i); }"""
    tab.goto(url, wait_until="load")
    tab.wait_for_function(ready, timeout=KERNEL_START)
    original = tab.evaluate(f"() => ({first_code})().sharedModel.getSource()")
    assert original.startswith("import")
    tab.evaluate(f"() => ({first_code})().sharedModel.setSource('# my own note\\nx = 1')")
    tab.evaluate("() => window.jupyterapp.shell.currentWidget.context.save()")
    assert tab.evaluate("() => window.jupyterapp.shell.currentWidget.context.model.dirty") is False
    assert not tab.problems, "\n".join(tab.problems)
    # The reader closes the tab and comes back in a new one (the same browser profile).
    # Closing it cancels what it was still fetching, such as the kernel's lazily loaded
    # scripts, and those requests fail with net::ERR_ABORTED: that is the tab closing,
    # not the site, so the first tab's problems were checked above, before it closed.
    tab.close()
    back = watched_page(tab.context)
    back.goto(url, wait_until="load")
    back.wait_for_function(ready, timeout=KERNEL_START)
    assert back.evaluate(f"() => ({first_code})().sharedModel.getSource()") == "# my own note\nx = 1"
    assert not back.problems, "\n".join(back.problems)
