"""The live site's build (tools/lite): the Pyodide distribution is exactly the official one,
cut to what the course needs, and the kernel is set up to load nothing from elsewhere.
These run offline; the real-browser check of the built site is tests/browser/test_live.py."""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LITE = ROOT / "tools" / "lite"
sys.path.insert(0, str(LITE))
import build_site  # noqa: E402
import distribution  # noqa: E402
from distribution import DistributionError, assemble, canonical, closure, pinned_files, pinned_lock  # noqa: E402


def test_the_pinned_lock_is_the_closure_of_the_packages_named():
    settings = distribution.read_settings()
    lock = pinned_lock()
    assert lock["info"]["version"] == settings["version"] == "0.27.7"
    packages = {canonical(k): v for k, v in lock["packages"].items()}
    assert closure(settings["packages"], packages) == set(packages)
    assert {"numpy", "matplotlib", "ipython", "traitlets"} <= set(packages)
    assert packages["numpy"]["version"] == "2.0.2"


def test_every_shipped_file_has_an_official_sha256():
    files = pinned_files()
    settings = distribution.read_settings()
    assert set(settings["runtime"]) <= set(files)
    assert len(files) == len(settings["runtime"]) + len(pinned_lock()["packages"])
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in files.values())


def fake_source(folder: Path, files: dict[str, str], wrong: str | None = None) -> None:
    """Files whose sha256 the test makes the pinned one (or not, for ``wrong``)."""
    folder.mkdir()
    for name in files:
        (folder / name).write_bytes(b"altered" if name == wrong else name.encode())


@pytest.fixture
def small_pin(monkeypatch):
    """A two-file distribution pinned to the sha256 of known contents."""
    files = {"pyodide.js": "", "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl": ""}
    files = {name: hashlib.sha256(name.encode()).hexdigest() for name in files}
    monkeypatch.setattr(distribution, "pinned_files", lambda: files)
    return files


def test_a_source_with_the_official_files_is_assembled(tmp_path, small_pin):
    fake_source(tmp_path / "src", small_pin)
    out = tmp_path / "out"
    assert assemble(out, source=f"dir:{tmp_path / 'src'}") > 0
    for name in small_pin:
        assert (out / name).read_bytes() == name.encode()
    assert json.loads((out / "pyodide-lock.json").read_text()) == pinned_lock()
    assert (out / "LICENSES" / "Pyodide-MPL-2.0.txt").exists()


def test_one_altered_file_fails_the_build_and_nothing_is_written(tmp_path, small_pin):
    wheel = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
    fake_source(tmp_path / "src", small_pin, wrong=wheel)
    out = tmp_path / "out"
    with pytest.raises(DistributionError, match=f"sha256 mismatch for {re.escape(wheel)}: .*nothing was written"):
        assemble(out, source=f"dir:{tmp_path / 'src'}")
    assert not out.exists()


def test_a_missing_file_fails_the_build(tmp_path, small_pin):
    fake_source(tmp_path / "src", small_pin)
    (tmp_path / "src" / "pyodide.js").unlink()
    with pytest.raises(DistributionError, match="the Pyodide source has no pyodide.js"):
        assemble(tmp_path / "out", source=f"dir:{tmp_path / 'src'}")


def test_an_unknown_source_is_refused(tmp_path):
    with pytest.raises(DistributionError, match="expected 'pypi:...' or 'dir:...'"):
        assemble(tmp_path / "out", source="https://cdn.example.org/pyodide/")


def test_the_source_is_one_setting_and_a_pinned_wheel():
    source = tomllib.loads((LITE / "pyodide.toml").read_text())["source"]
    assert re.fullmatch(r"pypi:[\w.-]+==[\w.]+:[\w/]+", source)


def test_the_kernel_loads_pyodide_from_the_site_and_never_from_pypi():
    settings = json.loads((LITE / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = settings["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.js"
    assert kernel["disablePyPIFallback"] is True


def test_the_course_wheels_join_the_lock_with_the_dependencies_the_kernel_cannot_see(tmp_path):
    pyodide = tmp_path / "pyodide"
    pyodide.mkdir()
    (pyodide / "pyodide-lock.json").write_text(json.dumps(pinned_lock()))
    wheels = []
    for name, requires in (
        ("rnnlib", ["numpy>=2.0,<3", "matplotlib>=3.8,<4"]),
        ("ipywidgets", ["comm>=0.1.3", "ipython>=6.1.0", "widgetsnbextension~=4.0.14", "pytest; extra == 'test'"]),
        ("comm", []),
    ):
        wheel = tmp_path / f"{name}-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as z:
            z.writestr(f"{name}/__init__.py", "")
            z.writestr(
                f"{name}-1.0.dist-info/METADATA",
                "\n".join([f"Name: {name}", "Version: 1.0", *(f"Requires-Dist: {r}" for r in requires)]) + "\n",
            )
        wheels.append(wheel)
    build_site.add_to_lock(pyodide, wheels)
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())["packages"]
    assert lock["rnnlib"]["depends"] == ["numpy", "matplotlib", "ipywidgets"]
    assert lock["rnnlib"]["imports"] == ["rnnlib"]
    assert lock["ipywidgets"]["depends"] == ["comm", "ipython"]  # widgetsnbextension is not in the browser
    assert lock["rnnlib"]["sha256"] == hashlib.sha256(wheels[0].read_bytes()).hexdigest()
    assert (pyodide / wheels[0].name).exists()


def test_the_course_wheels_are_the_locked_versions():
    assert build_site.locked_version("ipywidgets") == "8.1.9"
    assert re.fullmatch(r"\d+\.\d+\.\d+", build_site.locked_version("comm"))


def test_what_is_shipped_is_licensed():
    licences = LITE / "licenses"
    assert "Mozilla Public License Version 2.0" in (licences / "Pyodide-MPL-2.0.txt").read_text()
    # The LICENSE file of the openssl-1.1.1w release, byte for byte (NOTICE.md says where it is from).
    openssl = hashlib.sha256((licences / "OpenSSL-1.1.1.txt").read_bytes()).hexdigest()
    assert openssl == "c32913b33252e71190af2066f08115c69bc9fddadf3bf29296e20c835389841c"
    notice = (licences / "NOTICE.md").read_text()
    for name in (
        "Pyodide",
        "CPython",
        "Emscripten",
        *(canonical(p["name"]) for p in pinned_lock()["packages"].values()),
    ):
        assert name in notice.lower() or name in notice, f"NOTICE.md does not name {name}"


def test_every_browser_notebook_says_how_long_it_takes_there():
    chapters = sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb"))
    assert sorted(build_site.BROWSER_SECONDS) == chapters, "measure the new chapter with make browser-full"
    assert "about 7 minutes" in build_site.browser_note("08_char_language_model")
    assert "about 9 seconds" in build_site.browser_note("02_rnn_cell")


def test_the_heavy_cells_are_named_by_their_ids_and_get_a_note(tmp_path):
    import nbformat

    for stem, cells in build_site.HEAVY_CELLS.items():
        nb = nbformat.read(ROOT / "chapters" / f"{stem}.ipynb", as_version=4)
        ids = {c.get("id") for c in nb.cells if c.cell_type == "code"}
        assert set(cells) <= ids, f"{stem}: no code cell {sorted(set(cells) - ids)}"
        assert all(cells[c] >= 20 for c in cells)
    assert "takes about 2 minutes" in build_site.heavy_cell_note(136)
    assert "takes about 1 minute*" in build_site.heavy_cell_note(70)
    assert "takes about 30 seconds" in build_site.heavy_cell_note(27)
    path = tmp_path / "07_gated_cells.ipynb"
    nbformat.write(nbformat.read(ROOT / "chapters" / "07_gated_cells.ipynb", as_version=4), path)
    build_site.add_browser_notes([path])
    cells = nbformat.read(path, as_version=4).cells
    k = next(i for i, c in enumerate(cells) if c.get("id") == "4d24eabe")
    assert cells[k - 1].cell_type == "markdown" and "takes about 2 minutes" in cells[k - 1].source
