"""Fixtures for the real-browser tests: the system's Chromium driven by Playwright.

Nothing here downloads a browser. Without Chromium the tests are skipped with a
message saying how to install it, except in CI (the CI variable set), where they
must run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from site_checks import CHROMIUM_ARGS, serve

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"


def chromium_path() -> str | None:
    # Debian's chromium; Google Chrome where a CI image ships it instead.
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Chromium is not installed: install it (Debian/Ubuntu: sudo apt-get install chromium) to run the browser tests"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; in CI they must run")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site():
    if not (SITE / "index.html").exists():
        pytest.fail("the site is not built: run `make book` (or `make test`, which builds it) first")
    server, base = serve(SITE)
    yield SITE, base
    server.shutdown()


# What the tests record as user properties (so that it reaches this process from every
# pytest-xdist worker), printed after the run: each page's weight (test_site.py) and each
# chapter's time in the browser kernel (test_live_chapters.py).
WEIGHTS: dict[str, tuple[int, int]] = {}
BROWSER_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report):
    for name, value in report.user_properties:
        if name == "page_weight":
            page, sent, raw = value
            WEIGHTS[page] = (sent, raw)
        elif name == "browser_seconds":
            notebook, took = value
            BROWSER_SECONDS[notebook] = took


def pytest_terminal_summary(terminalreporter, config):
    write = terminalreporter.write_line
    if WEIGHTS:
        write("")
        write("Page weight, cache empty (transferred with gzip as a static host sends it; uncompressed):")
        for page, (sent, raw) in sorted(WEIGHTS.items()):
            write(f"  {sent / 1024:6.0f} KiB  {raw / 1024:6.0f} KiB  {page}")
        write(f"Screenshots: {ROOT / '_build' / 'screenshots'}")
    if BROWSER_SECONDS:
        workers = config.getoption("numprocesses", None) or 1
        write("")
        write(f"Each chapter, run to the end in the browser kernel ({workers} at a time):")
        for notebook, took in sorted(BROWSER_SECONDS.items()):
            write(f"  {took:5.0f} s  {notebook}")
