"""Sphinx extension: emit each script of a page once.

sphinx-thebe adds its inline configuration (``const THEBE_JS_URL = ...``) from an
``env-before-read-docs`` handler, after the HTML builder has been set up, and with
Sphinx 7.4 the same ``<script>`` then appears twice on every page. The second copy
re-declares a ``const`` and the browser reports a JavaScript error. This removes
exact duplicates (same file, same inline body, same attributes) from each page,
keeping the first.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _key(script: object) -> tuple:
    """What a script tag says: its file and attributes (including an inline body),
    not the priority that only orders it. The two copies differ in priority, and
    one names its (absent) file None where the other says ""."""
    filename = getattr(script, "filename", str(script)) or ""  # None and "" both mean inline
    attributes = getattr(script, "attributes", {})
    return (filename, tuple(sorted((k, str(v)) for k, v in attributes.items())))


def dedupe(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
