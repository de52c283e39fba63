"""The licence is stated everywhere the issue of publishing asks: LICENSE files,
pyproject.toml, the README and the site's footer; third-party material is listed."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_the_code_is_mit_and_the_text_cc_by_4():
    mit = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert mit.startswith("MIT License\n\nCopyright (c) ") and 'THE SOFTWARE IS PROVIDED "AS IS"' in mit
    cc = (ROOT / "LICENSE-text").read_text(encoding="utf-8")
    assert cc.startswith("Creative Commons Attribution 4.0 International\n")
    # The whole legal code: its eight sections, not a summary of it.
    for n in range(1, 9):
        assert f"\nSection {n} – " in cc
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]


def test_the_readme_and_every_page_of_the_site_state_both_licences():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Licence" in readme
    for name in ("(LICENSE)", "(LICENSE-text)", "(THIRD-PARTY.md)", "CC BY 4.0", "MIT licence"):
        assert name in readme
    footer = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["html"]["extra_footer"]
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in footer and "CC BY 4.0" in footer
    assert "MIT" in footer


def test_third_party_material_is_listed_with_its_licence():
    listed = (ROOT / "THIRD-PARTY.md").read_text(encoding="utf-8")
    assert "rnnlib/data/alice.txt" in listed and "public domain" in listed
    for what in ("MathJax", "Font Awesome", "Bootstrap", "Sphinx", "clipboard.js"):
        assert what in listed
    # Every licence notice the built site carries is one the list points to.
    site = ROOT / "_build" / "html" / "_static"
    if site.exists():
        for notice in site.rglob("*LICENSE*"):
            assert notice.relative_to(site.parent).as_posix() in listed, f"{notice} is not in THIRD-PARTY.md"
