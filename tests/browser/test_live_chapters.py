"""Every chapter runs to the end in the browser kernel (make browser-full; part of make test
when CI is set: about 20 minutes on 2 cores, since the browser kernel is 3 to 16 times slower
than CPython).

Each chapter's student edition is opened as a JupyterLite notebook of the built site, with the
network cut, and run top to bottom: no cell may raise, and every exercise's checker must answer.
"""

from __future__ import annotations

import pytest
from conftest import SITE
from live_checks import assert_ran_as_the_student_edition, run_notebook
from site_checks import block_outside_requests

NOTEBOOKS = sorted(p.name for p in (SITE / "lite" / "files").glob("*.ipynb")) if SITE.exists() else []
TIMES: dict[str, float] = {}


def test_every_chapter_is_in_the_live_site():
    from conftest import ROOT

    assert NOTEBOOKS == sorted(p.name for p in (ROOT / "chapters").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_chapter_runs_to_the_end_in_the_browser(notebook, site, browser):
    _, base = site
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    outside: list[str] = []
    block_outside_requests(context, outside)
    try:
        tab = context.new_page()
        took, outputs = run_notebook(tab, base, notebook, timeout=600_000)
        TIMES[notebook] = took
        assert_ran_as_the_student_edition(notebook, outputs)
    finally:
        context.close()
    assert not outside, outside


def test_zz_times(capsys):
    if not TIMES:
        pytest.skip("no chapter was run")
    with capsys.disabled():
        print("\n\nEach chapter, run to the end in the browser kernel:")
        for notebook, took in sorted(TIMES.items()):
            print(f"  {took:5.0f} s  {notebook}")
