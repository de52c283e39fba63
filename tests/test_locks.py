"""The lock's structure and the checks around it, offline (make wheels asks the package index)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import check_wheels as cw  # noqa: E402
import update_lock  # noqa: E402

LOCK = ROOT / "requirements.lock"
PINS = cw.read_lock(LOCK)
PROJECT = cw.read_project(ROOT / "pyproject.toml")
TARGETS = [cw.Target(py, plat) for py in cw.python_floors(PROJECT.requires_python) for plat in cw.PLATFORMS]

# The packages whose pin for 3.11-3.14 has no wheel for 3.15, and the first version with 3.15
# wheels. The notebooks' stored outputs were made with the older pins, so 3.11-3.14 keep them
# (and numpy >= 2.5 and contourpy >= 1.4 need Python 3.12).
PY315_SPLIT = {"numpy": "2.5.2", "contourpy": "1.4.0", "pyyaml": "6.0.4"}


def pinned(target: cw.Target) -> dict[str, str]:
    return {name: pin.version for name, pin in cw.pins_for(PINS, target).items()}


def makefile_variable(name: str) -> str:
    """A `NAME := value` of the Makefile, with its continuation lines joined as make joins them."""
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    match = re.search(rf"^{name} :?= *(.*)$", text, re.M)
    assert match, f"the Makefile defines no {name}"
    return re.sub(r"\s+", " ", match.group(1)).strip()


def test_every_line_pins_one_exact_version():
    lines = [line for line in LOCK.read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert len(lines) == len(PINS) > 100
    for line in lines:
        req = Requirement(line.split(" #")[0])
        (spec,) = req.specifier
        assert spec.operator == "==" and "*" not in spec.version, line
        assert not req.extras and not req.url, line
        assert line.startswith(f"{req.name}=={spec.version}"), line  # NAME==VERSION first, as pip freeze writes
        if req.marker is not None:
            Marker(str(req.marker))  # well-formed, and it round-trips
            for target in TARGETS:
                assert isinstance(req.marker.evaluate(target.marker_env()), bool)


def test_markers_use_only_the_python_version_and_the_platform():
    allowed = {
        "python_version",
        "python_full_version",
        "sys_platform",
        "platform_machine",
        "platform_system",
        "os_name",
    }
    for pin in PINS:
        if pin.marker is not None:
            unquoted = re.sub(r'"[^"]*"|\'[^\']*\'', " ", str(pin.marker))
            names = set(re.findall(r"[a-z_]+", unquoted)) - {"and", "or", "not", "in"}
            assert names and names <= allowed, (str(pin), names)


def test_one_pin_at_most_applies_on_each_target_and_a_package_split_by_markers_is_pinned_everywhere():
    names_with_markers = {pin.name for pin in PINS if pin.marker is not None}
    split = {name for name in names_with_markers if sum(p.name == name for p in PINS) > 1}
    assert split >= set(PY315_SPLIT) | {"argon2-cffi-bindings"}
    for target in TARGETS:
        chosen = cw.pins_for(PINS, target)  # raises when two lines apply
        for name in split:
            assert name in chosen, f"{name} has no pin on {target.label}"


def test_the_packages_without_wheels_for_3_15_have_a_3_15_pin():
    for name, first_with_315_wheels in PY315_SPLIT.items():
        lines = [pin for pin in PINS if pin.name == name]
        assert any(str(pin.marker) == 'python_version >= "3.15"' for pin in lines), name
        assert any(str(pin.marker) == 'python_version < "3.15"' for pin in lines), name
        for target in TARGETS:
            version = Version(pinned(target)[name])
            if target.python.startswith("3.15."):
                assert version >= Version(first_with_315_wheels), (target.label, name)
    assert pinned(TARGETS[0])["numpy"] == "2.4.6"  # what the stored notebook outputs were made with


def test_platform_only_dependencies_are_pinned_only_there():
    for target in TARGETS:
        versions = pinned(target)
        key = target.platform.key
        assert ("pywinpty" in versions) == ("colorama" in versions) == key.startswith("windows")
        assert ("appnope" in versions) == key.startswith("macos")
        # 26.2.0 has no macOS x86_64 wheel; 25.1.0's abi3 wheel serves every Python there.
        assert (versions["argon2-cffi-bindings"] == "25.1.0") == (key == "macos-x86_64")


def test_pyproject_pins_agree_with_the_lock():
    for req in PROJECT.roots:
        specs = list(req.specifier)
        if len(specs) == 1 and specs[0].operator == "==":
            for target in TARGETS:
                assert pinned(target)[canonicalize_name(req.name)] == specs[0].version, (str(req), target.label)
    # setuptools is a runtime dependency too (of sphinx-togglebutton): one version for both.
    (build,) = PROJECT.build
    assert all(pinned(t)["setuptools"] == build.version for t in TARGETS)


def test_the_makefile_version_gate_agrees_with_pyproject_and_the_checker():
    oldest, newest = makefile_variable("PY_OLDEST"), makefile_variable("PY_NEWEST")
    assert PROJECT.requires_python == SpecifierSet(f">={oldest}")
    assert cw.python_floors(PROJECT.requires_python)[0] == oldest
    assert newest == cw.PYTHONS[-1]
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert data["tool"]["ruff"]["target-version"] == "py" + oldest.replace(".", "")[:3]
    candidates = re.findall(r"python3\.(\d+)", makefile_variable("PYTHON"))
    assert {f"3.{n}" for n in candidates} == set(cw.PYTHONS)
    phony = re.search(r"^\.PHONY: (.*)$", (ROOT / "Makefile").read_text(), re.M)
    assert "wheels" in phony.group(1).split()


@pytest.mark.parametrize(
    ("version", "implementation", "ok"),
    [
        ((3, 11, 4), "cpython", False),
        ((3, 11, 5), "cpython", True),
        ((3, 13, 0), "cpython", True),
        ((3, 15, 9), "cpython", True),
        ((3, 16, 0), "cpython", False),
        ((3, 10, 13), "cpython", False),
        ((3, 11, 9), "pypy", False),
    ],
)
def test_the_makefile_version_gate(version, implementation, ok):
    check = makefile_variable("PY_CHECK")
    for name in ("PY_OLDEST", "PY_NEWEST"):
        check = check.replace(f"$({name})", makefile_variable(name))
    assert "$" not in check
    fake = (
        "import sys, sysconfig, types\n"  # imported before sys is faked
        f"sys.version_info = {(*version, 'final', 0)!r}\n"
        f"sys.implementation = types.SimpleNamespace(**{{**vars(sys.implementation), 'name': {implementation!r}}})\n"
    )
    done = subprocess.run([sys.executable, "-c", fake + check], capture_output=True, text=True)
    assert (done.returncode == 0) == ok, done.stderr
    if not ok:
        assert "the course needs CPython 3.11.5 to 3.15" in done.stderr
        assert "Python {}.{}.{} ({})".format(*version, implementation) in done.stderr


def test_python_floors_are_the_oldest_admitted_patch_releases():
    assert cw.python_floors(SpecifierSet(">=3.11.5")) == ["3.11.5", "3.12.0", "3.13.0", "3.14.0", "3.15.0"]
    with pytest.raises(cw.LockError, match="excludes Python 3.15"):
        cw.python_floors(SpecifierSet(">=3.11,<3.15"))


def test_platform_tags():
    tags = cw.manylinux_tags("x86_64")
    assert tags[0] == "manylinux_2_28_x86_64" and "manylinux_2_17_x86_64" in tags and "manylinux1_x86_64" in tags
    assert "manylinux_2_29_x86_64" not in tags
    assert cw.manylinux_tags("aarch64")[-1] == "manylinux2014_aarch64"
    assert {p.key for p in cw.PLATFORMS} == {
        "linux-x86_64",
        "linux-aarch64",
        "macos-arm64",
        "macos-x86_64",
        "windows-amd64",
    }


def test_marker_environments_define_every_marker_variable():
    for target in TARGETS:
        env = target.marker_env()
        # packaging evaluates these against the running interpreter unless given: all must be given.
        Marker('platform_release == "" and implementation_version >= "3" and os_name != ""').evaluate(env)
        assert env["python_version"] == target.python[:4]
    windows = cw.Target("3.15.0", cw.PLATFORMS[-1]).marker_env()
    assert Marker('sys_platform == "win32" and os_name == "nt" and platform_system == "Windows"').evaluate(windows)


def _meta(*requires: str) -> cw.Meta:
    return cw.Meta(tuple(requires), ">=3.9")


def _pins(*texts: str) -> dict[str, cw.Pin]:
    return {canonicalize_name(t.split("==")[0]): cw.Pin(canonicalize_name(t.split("==")[0]), *t.split("=="), None, 0)
            for t in texts}  # fmt: skip


def test_closure_follows_markers_and_extras_for_the_target_platform():
    metadata = {
        ("app", "1.0"): _meta(
            'winonly>=1; sys_platform == "win32"',
            "lib[fast]>=2",
            'testonly; extra == "test"',
            'old; python_version < "3.12"',
        ),
        ("lib", "2.0"): _meta('speedup==3.0; extra == "fast"'),
        ("speedup", "3.0"): _meta(),
        ("winonly", "1.0"): _meta(),
        ("old", "1.0"): _meta(),
    }
    pins = _pins("app==1.0", "lib==2.0", "speedup==3.0", "old==1.0")
    roots = [Requirement("app")]
    linux = cw.closure(roots, pins, metadata, cw.Target("3.12.0", cw.PLATFORMS[0]))
    assert set(linux.pulled) == {"app", "lib", "speedup"} and linux.problems == []
    old_windows = cw.closure(roots, pins, metadata, cw.Target("3.11.5", cw.PLATFORMS[-1]))
    assert set(old_windows.pulled) == {"app", "lib", "speedup", "old"}
    assert old_windows.problems == ["winonly is needed (by app==1.0) but not pinned"]
    conflict = cw.closure(roots, {**pins, **_pins("lib==1.5")}, metadata, cw.Target("3.12.0", cw.PLATFORMS[0]))
    assert conflict.problems == ["lib==1.5 does not satisfy app==1.0's requirement lib[fast]>=2"]


def test_read_lock_refuses_what_is_not_an_exact_pin(tmp_path):
    for bad in (
        "numpy>=2",
        "numpy==2.*",
        "numpy",
        "-r other.txt",
        "numpy[extra]==2.0",
        "numpy==2.0 ; python_version >>",
    ):
        path = tmp_path / "lock.txt"
        path.write_text(f"# header\nsix==1.17.0\n{bad}\n")
        with pytest.raises(cw.LockError, match="lock.txt:3"):
            cw.read_lock(path)


def test_update_lock_keeps_the_pins_for_other_pythons_and_platforms():
    lock = "\n".join(
        [
            "# header",
            "# more header",
            'alpha==1.0 ; python_version < "9.0"  # made on this Python: gets the new version',
            'alpha==2.0 ; python_version >= "9.0"',
            'gamma==1.0 ; sys_platform == "no-such-platform"',
            "beta==1.0",
            "gone==1.0",
        ]
    )
    merged = update_lock.merge(lock, "beta==1.1\nalpha==1.5\nNew_Pkg==0.1\n")
    assert merged.splitlines() == [
        "# header",
        "# more header",
        'alpha==1.5 ; python_version < "9.0"  # made on this Python: gets the new version',
        'alpha==2.0 ; python_version >= "9.0"',
        "beta==1.1",
        'gamma==1.0 ; sys_platform == "no-such-platform"',
        "New_Pkg==0.1",
    ]


def test_update_lock_leaves_the_lock_as_it_is_for_its_own_freeze():
    chosen = cw.pins_for(PINS, cw.Target("3.11.5", cw.PLATFORMS[0]))
    freeze = "".join(f"{pin}\n" for pin in chosen.values())
    if cw.Marker('sys_platform == "linux" and platform_machine == "x86_64" and python_version < "3.15"').evaluate():
        assert update_lock.merge(LOCK.read_text(), freeze) == LOCK.read_text()
