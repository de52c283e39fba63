"""Prove that every pinned dependency installs from a wheel on every supported Python and platform.

The course supports CPython 3.11 (from 3.11.5, see below) to 3.15 on Linux (x86_64 and
aarch64, glibc 2.28 or newer: manylinux_2_28), macOS (arm64 and x86_64, macOS 11 or newer)
and Windows (amd64). For each of those Pythons and platforms this script

1. works out which pinned packages `make install` and `make lab` pull there: it walks the
   Requires-Dist of the pins from pyproject.toml's dependencies and its `course` and `lab`
   extras, evaluating every environment marker for that Python and platform (pip itself
   evaluates markers only for the machine it runs on, so a Windows-only dependency such as
   pywinpty would be missed by a resolve on Linux). A package pulled there that the lock does
   not pin (so the install would take whatever is newest), or whose pin does not satisfy its
   dependent, is a gap;
2. asks pip whether the package index has a wheel of exactly the pinned version for that
   Python and platform (pip's own tag and Requires-Python logic, with --only-binary=:all:),
   for every lock line whose marker holds there, pulled or not (binder/requirements.txt
   installs the whole lock), and for pyproject.toml's build requirement. The oldest patch
   release that requires-python admits is the one checked (3.11.5, because soupsieve 4.1.2
   requires it), so a Python the Makefile accepts is never refused by a pin's Requires-Python.

It prints a table (Python x platform: ok, or a count of gaps, each then listed) and exits 1
on any gap.

How pip is asked (--mode): `finder` (the default) runs, in this process, the PackageFinder
that `pip install` builds from its options (--isolated --only-binary=:all: --python-version
--platform ...), one per target; each project's index page is fetched once for all targets,
and no wheel or metadata file is needed. `cli` runs, for each target,
`pip install --dry-run --ignore-installed --only-binary=:all: --no-deps --target TMP
--python-version X --platform ... --report FILE` over the pins: pip's public interface, but
from an index without PEP 658 metadata files pip downloads every wheel to read its metadata
(10 minutes for all targets from such an index, against half a minute for `finder`). pip's internals are no
stable API: if `finder` cannot run with the installed pip, the script says so and uses `cli`.
The Requires-Dist of the pins come from the running environment where it has them installed,
else from `cli`'s reports, else from one such dry run per group of missing pins.

pip's configuration is ignored (PIP_CONFIG_FILE=/dev/null and --isolated): a machine's
extra indexes, find-links or global constraint file must neither hide a gap nor add one.
Use --index-url for a mirror of PyPI.

When the index cannot be reached the check is skipped with a message and exit status 0,
unless the environment variable CI is set: then it fails with exit status 2 (also used for
a lock or pyproject.toml that cannot be read).

    python tools/check_wheels.py [--lock requirements.lock] [--index-url URL] [--mode finder|cli]
                                 [--python 3.15 ...] [--platform windows-amd64 ...]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import functools
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterable
from pathlib import Path

try:
    from packaging.markers import Marker
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.utils import canonicalize_name
    from packaging.version import Version
except ImportError:  # a bare venv: pip carries a copy of packaging
    from pip._vendor.packaging.markers import Marker
    from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
    from pip._vendor.packaging.specifiers import SpecifierSet
    from pip._vendor.packaging.utils import canonicalize_name
    from pip._vendor.packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
# The CPython minor versions the course supports; each is checked at the oldest patch
# release that pyproject.toml's requires-python admits.
PYTHONS = ("3.11", "3.12", "3.13", "3.14", "3.15")
# pyproject.toml's extras that the Makefile installs (make install: course; make lab: lab).
# `bench` (PyTorch) is left out: it is optional, not in the lock, and has its own install notes.
EXTRAS = ("course", "lab")
GLIBC = (2, 28)  # manylinux_2_28: Debian 10, Ubuntu 20.04, RHEL 8 and newer
MACOS = (11, 0)  # macOS 11 Big Sur and newer; pip also accepts the older macOS wheels


class LockError(Exception):
    """The lock or pyproject.toml cannot be used."""


# --- targets ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Platform:
    key: str
    tags: tuple[str, ...]  # passed to pip as --platform (pip adds the older macOS tags itself)
    markers: tuple[tuple[str, str], ...]  # the environment markers of a CPython there


def manylinux_tags(arch: str, glibc: tuple[int, int] = GLIBC) -> tuple[str, ...]:
    """Every manylinux tag a system with that glibc runs, newest first, with the legacy aliases.

    pip expands only the legacy manylinux2014/2010 names by itself, so the PEP 600 names
    are listed here down to 2.17 (manylinux2014), and 2.12 and 2.5 on x86_64.
    """
    major, minor = glibc
    tags = [f"manylinux_{major}_{m}_{arch}" for m in range(minor, 16, -1)]
    tags.append(f"manylinux2014_{arch}")
    if arch in ("x86_64", "i686"):
        tags += [f"manylinux_2_12_{arch}", f"manylinux2010_{arch}", f"manylinux_2_5_{arch}", f"manylinux1_{arch}"]
    return tuple(tags)


def _markers(os_name: str, sys_platform: str, system: str, machine: str) -> tuple[tuple[str, str], ...]:
    return (
        ("os_name", os_name),
        ("sys_platform", sys_platform),
        ("platform_system", system),
        ("platform_machine", machine),
    )


PLATFORMS = (
    Platform("linux-x86_64", manylinux_tags("x86_64"), _markers("posix", "linux", "Linux", "x86_64")),
    Platform("linux-aarch64", manylinux_tags("aarch64"), _markers("posix", "linux", "Linux", "aarch64")),
    Platform("macos-arm64", (f"macosx_{MACOS[0]}_{MACOS[1]}_arm64",), _markers("posix", "darwin", "Darwin", "arm64")),
    Platform(
        "macos-x86_64", (f"macosx_{MACOS[0]}_{MACOS[1]}_x86_64",), _markers("posix", "darwin", "Darwin", "x86_64")
    ),
    Platform("windows-amd64", ("win_amd64",), _markers("nt", "win32", "Windows", "AMD64")),
)


@dataclasses.dataclass(frozen=True)
class Target:
    python: str  # full version, e.g. "3.11.5"
    platform: Platform

    @property
    def label(self) -> str:
        return f"{self.python_label} {self.platform.key}"

    @property
    def python_label(self) -> str:
        return self.python.removesuffix(".0")

    def marker_env(self, extra: str = "") -> dict[str, str]:
        env = {
            "implementation_name": "cpython",
            "implementation_version": self.python,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_version": "",
            "python_full_version": self.python,
            "python_version": ".".join(self.python.split(".")[:2]),
            "extra": extra,
        }
        env.update(self.platform.markers)
        return env

    def pip_args(self) -> list[str]:
        args = ["--python-version", self.python, "--implementation", "cp"]
        for tag in self.platform.tags:
            args += ["--platform", tag]
        return args


def python_floors(requires_python: SpecifierSet, pythons: Iterable[str] = PYTHONS) -> list[str]:
    """The oldest patch release of each minor version that requires-python admits."""
    floors = []
    for minor in pythons:
        patch = next((p for p in range(40) if requires_python.contains(f"{minor}.{p}")), None)
        if patch is None:
            raise LockError(f"pyproject.toml's requires-python ({requires_python}) excludes Python {minor}")
        floors.append(f"{minor}.{patch}")
    return floors


# --- the lock and pyproject.toml ---------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Pin:
    name: str  # canonical (PEP 503) name
    display: str  # as written
    version: str
    marker: Marker | None
    line: int

    def __str__(self) -> str:
        return f"{self.display}=={self.version}"

    def applies(self, target: Target) -> bool:
        return self.marker is None or self.marker.evaluate(target.marker_env())


def parse_pin(text: str, where: str) -> tuple[Requirement, str]:
    """A requirement that names one exact version: NAME==VERSION [; MARKER]."""
    try:
        req = Requirement(text)
    except InvalidRequirement as e:
        raise LockError(f"{where}: not a requirement: {text!r} ({e})") from None
    specs = list(req.specifier)
    if req.url or req.extras or len(specs) != 1 or specs[0].operator != "==" or "*" in specs[0].version:
        raise LockError(f"{where}: must pin one exact version as NAME==VERSION [; MARKER]: {text!r}")
    return req, specs[0].version


def read_lock(path: Path) -> list[Pin]:
    """Every pin of a pip constraints file, which holds only NAME==VERSION [; MARKER] lines."""
    pins = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not text:
            continue
        req, version = parse_pin(text, f"{path.name}:{number}")
        pins.append(Pin(canonicalize_name(req.name), req.name, version, req.marker, number))
    return pins


def pins_for(pins: Iterable[Pin], target: Target) -> dict[str, Pin]:
    """The pins that apply on a target, by canonical name; two that both apply are an error."""
    chosen: dict[str, Pin] = {}
    for pin in pins:
        if not pin.applies(target):
            continue
        if pin.name in chosen:
            other = chosen[pin.name]
            raise LockError(f"lines {other.line} and {pin.line} both pin {pin.display} on {target.label}")
        chosen[pin.name] = pin
    return chosen


@dataclasses.dataclass(frozen=True)
class Project:
    requires_python: SpecifierSet
    roots: tuple[Requirement, ...]  # dependencies and the extras the Makefile installs
    build: tuple[Pin, ...]  # build-system.requires, which must be exact pins too


def read_project(path: Path, extras: Iterable[str] = EXTRAS) -> Project:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    project = data["project"]
    roots = [Requirement(r) for r in project.get("dependencies", [])]
    for extra in extras:
        roots += [Requirement(r) for r in project.get("optional-dependencies", {}).get(extra, [])]
    build = []
    for text in data.get("build-system", {}).get("requires", []):
        req, version = parse_pin(text, f"{path.name} [build-system] requires")
        build.append(Pin(canonicalize_name(req.name), req.name, version, req.marker, 0))
    return Project(SpecifierSet(project["requires-python"]), tuple(roots), tuple(build))


# --- which pins a target pulls -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Meta:
    requires_dist: tuple[str, ...]
    requires_python: str | None


@dataclasses.dataclass
class Closure:
    pulled: dict[str, Pin]
    problems: list[str]


@functools.cache
def parse_requirement(text: str) -> Requirement:
    return Requirement(text)


def closure(
    roots: Iterable[Requirement], pins: dict[str, Pin], metadata: dict[tuple[str, str], Meta], target: Target
) -> Closure:
    """The pins an install of `roots` pulls on `target`, and what the lock is missing there."""
    result = Closure({}, [])
    extras_seen: dict[str, set[str]] = {}
    queue: list[tuple[Requirement, str]] = [(r, "pyproject.toml") for r in roots]
    while queue:
        req, parent = queue.pop(0)
        name = canonicalize_name(req.name)
        pin = pins.get(name)
        if pin is None:
            result.problems.append(f"{req.name} is needed (by {parent}) but not pinned")
            continue
        if not req.specifier.contains(pin.version, prereleases=True):
            result.problems.append(f"{pin} does not satisfy {parent}'s requirement {req}")
        new_extras = set(req.extras) - extras_seen.get(name, set())
        if name in result.pulled and not new_extras:
            continue
        extras_seen.setdefault(name, set()).update(req.extras)
        result.pulled[name] = pin
        meta = metadata.get((name, pin.version))
        if meta is None:
            continue  # no wheel anywhere: reported as such; its own dependencies are unknown
        wanted = [""] + sorted(extras_seen[name])
        for text in meta.requires_dist:
            dep = parse_requirement(text)
            if dep.marker is None or any(dep.marker.evaluate(target.marker_env(e)) for e in wanted):
                queue.append((dep, str(pin)))
    return result


# --- asking pip: which wheel (if any) a pin has on a target -------------------------------


@dataclasses.dataclass(frozen=True)
class Wheel:
    ok: bool
    detail: str  # the wheel's file name, or which versions do have one there


class IndexUnreachableError(Exception):
    """The package index did not answer."""


def index_args(index_url: str | None) -> list[str]:
    return ["--index-url", index_url] if index_url else []


def pip_env() -> dict[str, str]:
    """The environment for pip: no configuration file (global constraints, extra indexes, find-links)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


class FinderBackend:
    """pip's install-command PackageFinder, in this process: one finder per target, one page fetch per project.

    Each project's index page is fetched and parsed once; pip then evaluates, for each target,
    only the wheels of the pinned versions (a page such as numpy's lists thousands of files).
    """

    name = "finder"

    def __init__(self, index_url: str | None):
        # Before pip's option parser reads its configuration: none at all.
        for key in [k for k in os.environ if k.startswith("PIP_")]:
            del os.environ[key]
        os.environ.update(pip_env())
        import pip._internal.index.package_finder as package_finder
        from pip._internal.cli.cmdoptions import make_target_python
        from pip._internal.commands import create_command
        from pip._internal.index.collector import LinkCollector
        from pip._internal.models.link import Link
        from pip._vendor.packaging.specifiers import SpecifierSet as PipSpecifierSet

        self._specifier = PipSpecifierSet  # pip compares its own Version objects
        self._make_target_python = make_target_python
        self._Link = Link
        self.index_url = index_url
        self._command = create_command("install", isolated=True)
        options = self._options([])
        self._session = self._command._build_session(options, retries=3, timeout=60)
        self._finders: dict[tuple[Target, bool], object] = {}
        self.pinned: set[tuple[str, str]] = set()  # (name, version) whose wheels pip evaluates
        self._all_links = False  # True: every link, to say which versions do have a wheel
        pages: dict[str, object] = {}
        links: dict[str, list] = {}
        fetch_original = LinkCollector.fetch_response
        parse_original = package_finder.parse_links

        @functools.wraps(fetch_original)
        def fetch_response(collector, location, *args, **kwargs):
            if location.url not in pages:
                pages[location.url] = fetch_original(collector, location, *args, **kwargs)
            return pages[location.url]

        @functools.wraps(parse_original)
        def parse_links(page):
            if page.url not in links:
                links[page.url] = list(parse_original(page))
                links[page.url, "pinned"] = [link for link in links[page.url] if self._is_pinned(link.filename)]
            return links[page.url] if self._all_links else links[page.url, "pinned"]

        LinkCollector.fetch_response = fetch_response
        package_finder.parse_links = parse_links
        self._collector = LinkCollector.create(self._session, options=options)

    def _is_pinned(self, filename: str) -> bool:
        parts = filename.split("-")
        if not filename.endswith(".whl") or len(parts) < 5:
            return False
        try:
            return (canonicalize_name(parts[0]), str(Version(parts[1]))) in self.pinned
        except ValueError:
            return False

    def _options(self, extra: list[str]):
        args = ["--isolated", "--only-binary=:all:", "--no-deps", *index_args(self.index_url), *extra]
        options, _ = self._command.parse_args(args)
        return options

    def _finder(self, target: Target, all_links: bool):
        key = (target, all_links)
        if key not in self._finders:
            options = self._options(target.pip_args())
            self._finders[key] = self._command._build_package_finder(
                options, self._session, target_python=self._make_target_python(options)
            )
        return self._finders[key]

    def probe(self) -> None:
        url = self._collector.search_scope.get_index_urls_locations("pip")[0]
        try:
            response = self._session.get(url, headers={"Accept": "text/html"}, timeout=20)
        except Exception as e:  # requests' connection, proxy, SSL and timeout errors
            raise IndexUnreachableError(f"{url}: {type(e).__name__}: {e}") from None
        if response.status_code >= 500:
            raise IndexUnreachableError(f"{url}: HTTP {response.status_code}")

    def prefetch(self, pins: Iterable[Pin]) -> list[str]:
        """Fetch the index pages in parallel; return the projects whose page could not be fetched."""
        pins = list(pins)
        self.pinned.update((p.name, str(Version(p.version))) for p in pins)

        def fetch(name: str):
            url = self._collector.search_scope.get_index_urls_locations(name)[0]
            return name, self._collector.fetch_response(self._Link(url))

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            fetched = pool.map(fetch, sorted({p.name for p in pins}))
            failed = [name for name, content in fetched if content is None]
        return [name for name in failed if not self._no_such_project(name)]

    def _no_such_project(self, name: str) -> bool:
        """The index answers 404 for the project: a gap (no wheel), not an index out of reach."""
        url = self._collector.search_scope.get_index_urls_locations(name)[0]
        try:
            return self._session.get(url, timeout=20).status_code == 404
        except Exception:
            return False

    def check(self, target: Target, pins: Iterable[Pin]) -> dict[str, Wheel]:
        result = {}
        for pin in pins:
            found = self._finder(target, False).find_best_candidate(pin.display, self._specifier(f"=={pin.version}"))
            best = found.best_candidate
            if best is not None:
                yanked = " (yanked)" if best.link.is_yanked else ""
                result[pin.name] = Wheel(True, best.link.filename + yanked)
                continue
            self._all_links = True
            try:
                versions = sorted({c.version for c in self._finder(target, True).find_all_candidates(pin.display)})
            finally:
                self._all_links = False
            result[pin.name] = Wheel(False, versions_text(versions))
        return result


def versions_text(versions: list) -> str:
    if not versions:
        return "no version has a wheel here"
    shown = [str(v) for v in versions[-4:]]
    return "versions with a wheel here: " + (", ".join(shown) if len(versions) <= 4 else "..., " + ", ".join(shown))


_NOT_FOUND = re.compile(
    r"Could not find a version that satisfies the requirement (?P<req>\S+?)"
    r"(?: \(from versions: (?P<versions>[^)]*)\))?$",
    re.M,
)


def pip_dry_run(
    target: Target, pins: list[Pin], index_url: str | None
) -> tuple[dict[str, Wheel], dict[tuple[str, str], Meta]]:
    """`pip install --dry-run --report` of the pins for a target; drop each pin pip finds no wheel of, and retry."""
    wheels: dict[str, Wheel] = {}
    metadata: dict[tuple[str, str], Meta] = {}
    todo = {pin.name: pin for pin in pins}
    with tempfile.TemporaryDirectory(prefix="check-wheels-") as tmp:
        while todo:
            requirements = Path(tmp, "pins.txt")
            requirements.write_text("".join(f"{p}\n" for p in todo.values()), encoding="utf-8")
            report = Path(tmp, "report.json")
            command = [
                sys.executable, "-m", "pip", "--isolated", "install", "--dry-run", "--ignore-installed", "--quiet",
                "--only-binary=:all:", "--no-deps", "--target", str(Path(tmp, "target")), *index_args(index_url),
                *target.pip_args(), "--report", str(report), "-r", str(requirements),
            ]  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True, env=pip_env())
            if done.returncode == 0:
                for item in json.loads(report.read_text(encoding="utf-8"))["install"]:
                    md = item["metadata"]
                    name, version = canonicalize_name(md["name"]), md["version"]
                    metadata[name, version] = Meta(tuple(md.get("requires_dist", [])), md.get("requires_python"))
                    if name in todo:
                        wheels[name] = Wheel(True, item["download_info"]["url"].rsplit("/", 1)[-1])
                break
            match = _NOT_FOUND.search(done.stderr)
            name = canonicalize_name(Requirement(match["req"]).name) if match else None
            if name not in todo:
                tail = " | ".join(done.stderr.strip().splitlines()[-3:])
                raise RuntimeError(f"pip failed on {target.label}: {tail}")
            versions = [v.strip() for v in (match["versions"] or "").split(",") if v.strip() and v.strip() != "none"]
            wheels[name] = Wheel(False, versions_text(versions))
            del todo[name]
    return wheels, metadata


class CliBackend:
    """`pip install --dry-run --report` in a subprocess for each target."""

    name = "cli"

    def __init__(self, index_url: str | None, jobs: int = 3):
        self.index_url = index_url
        self.jobs = jobs
        self.metadata: dict[tuple[str, str], Meta] = {}

    def probe(self) -> None:
        command = [sys.executable, "-m", "pip", "--isolated", "index", "versions", "pip", *index_args(self.index_url)]
        command += ["--timeout", "20", "--retries", "1"]
        done = subprocess.run(command, capture_output=True, text=True, env=pip_env())
        if done.returncode != 0:
            raise IndexUnreachableError(" | ".join(done.stderr.strip().splitlines()[-2:]))

    def prefetch(self, pins: Iterable[Pin]) -> list[str]:
        return []

    def check(self, target: Target, pins: Iterable[Pin]) -> dict[str, Wheel]:
        wheels, metadata = pip_dry_run(target, list(pins), self.index_url)
        self.metadata.update(metadata)
        return wheels


def installed_metadata() -> dict[tuple[str, str], Meta]:
    """The Requires-Dist of what is installed in the running environment (the same for every wheel of a version)."""
    found = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            meta = Meta(tuple(dist.requires or ()), dist.metadata.get("Requires-Python"))
            found[canonicalize_name(name), dist.version] = meta
    return found


# --- the check ------------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    target: Target
    checked: int = 0  # the pins that apply there
    gaps: list[str] = dataclasses.field(default_factory=list)


def run(
    lock_path: Path, pyproject: Path, backend, platforms=PLATFORMS, pythons=PYTHONS
) -> tuple[list[Outcome], list[str]]:
    pins = read_lock(lock_path)
    project = read_project(pyproject)
    targets = [Target(py, plat) for py in python_floors(project.requires_python, pythons) for plat in platforms]
    applicable = {t: {**pins_for(pins, t), **{p.name: p for p in project.build}} for t in targets}

    failed_pages = backend.prefetch(pin for chosen in applicable.values() for pin in chosen.values())
    if failed_pages:
        raise IndexUnreachableError("could not fetch the index page of " + ", ".join(failed_pages))

    def check(target: Target) -> tuple[Target, dict[str, Wheel]]:
        return target, backend.check(target, applicable[target].values())

    jobs = getattr(backend, "jobs", 1)
    if jobs > 1:
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            wheels = dict(pool.map(check, targets))
    else:
        wheels = dict(map(check, targets))

    # Requires-Dist of every pin: installed here, read by the cli backend, or by one dry run per platform.
    metadata = installed_metadata()
    metadata.update(getattr(backend, "metadata", {}))
    missing: dict[Target, list[Pin]] = {}
    for target in targets:
        for pin in applicable[target].values():
            if (pin.name, pin.version) in metadata or not wheels[target][pin.name].ok:
                continue
            if not any(pin in group for group in missing.values()):
                missing.setdefault(target, []).append(pin)
    for target, group in missing.items():
        metadata.update(pip_dry_run(target, group, backend.index_url)[1])

    outcomes = []
    pulled_anywhere: set[str] = set()
    for target in targets:
        walk = closure(project.roots, pins_for(pins, target), metadata, target)
        pulled_anywhere.update(walk.pulled)
        # Every pin that applies there, pulled or not: binder/requirements.txt installs the lock whole.
        outcome = Outcome(target, checked=len(applicable[target]))
        for pin in applicable[target].values():
            wheel = wheels[target][pin.name]
            if not wheel.ok:
                outcome.gaps.append(f"{pin}: no wheel ({wheel.detail})")
        outcome.gaps += walk.problems
        outcomes.append(outcome)

    notes = []
    unused = sorted(str(p) for p in pins if p.name not in pulled_anywhere)
    if unused and len(targets) == len(PYTHONS) * len(PLATFORMS):
        notes.append("pinned but pulled on no target (stale?): " + ", ".join(unused))
    floor = targets[0].python
    below = []
    for pin in pins:
        meta = metadata.get((pin.name, pin.version))
        if meta and meta.requires_python and pin.name in pulled_anywhere:
            spec = SpecifierSet(meta.requires_python)
            if spec.contains(floor) and not spec.contains(floor.rsplit(".", 1)[0] + ".0"):
                below.append(f"{pin} requires Python {meta.requires_python}")
    if below:
        notes.append(f"Python {floor} is the oldest supported because " + "; ".join(below))
    return outcomes, notes


def print_table(outcomes: list[Outcome]) -> None:
    platforms = list(dict.fromkeys(o.target.platform.key for o in outcomes))
    pythons = list(dict.fromkeys(o.target.python_label for o in outcomes))
    cells = {(o.target.python_label, o.target.platform.key): o for o in outcomes}
    width = max(len(p) for p in platforms) + 2
    print("python  " + "".join(p.ljust(width) for p in platforms))
    for py in pythons:
        row = []
        for plat in platforms:
            o = cells[py, plat]
            row.append((f"ok ({o.checked})" if not o.gaps else f"GAP ({len(o.gaps)})").ljust(width))
        print(py.ljust(8) + "".join(row))
    print("(ok (N): each of the N pins that apply there has a wheel, and all that the install pulls there is pinned)")
    for o in outcomes:
        for gap in o.gaps:
            print(f"  {o.target.label}: {gap}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lock", type=Path, default=ROOT / "requirements.lock")
    parser.add_argument("--pyproject", type=Path, default=ROOT / "pyproject.toml")
    parser.add_argument("--index-url", help="a mirror of PyPI (default: pip's own default, PyPI)")
    parser.add_argument("--mode", choices=("finder", "cli"), default="finder", help="how pip is asked (see above)")
    parser.add_argument("--jobs", type=int, default=3, help="targets checked at once in cli mode (default 3)")
    parser.add_argument("--python", action="append", choices=PYTHONS, help="check only this Python (repeatable)")
    parser.add_argument("--platform", action="append", choices=[p.key for p in PLATFORMS], help="only this platform")
    args = parser.parse_args(argv)
    pythons = tuple(args.python or PYTHONS)
    platforms = tuple(p for p in PLATFORMS if not args.platform or p.key in args.platform)
    start = time.monotonic()

    def check(backend) -> tuple[list[Outcome], list[str]]:
        index = args.index_url or "PyPI"
        print(f"Checking {args.lock.name} for wheels on {index} (pip {pip_version()}, mode {backend.name})")
        backend.probe()
        return run(args.lock, args.pyproject, backend, platforms, pythons)

    try:
        if args.mode == "finder":
            try:
                outcomes, notes = check(FinderBackend(args.index_url))
            except (ImportError, AttributeError, TypeError) as e:  # pip's internals are no stable API
                print(f"note: pip's internals differ from pip 26 ({type(e).__name__}: {e}); using --mode cli")
                outcomes, notes = check(CliBackend(args.index_url, jobs=args.jobs))
        else:
            outcomes, notes = check(CliBackend(args.index_url, jobs=args.jobs))
    except IndexUnreachableError as e:
        if os.environ.get("CI"):
            print(f"FAILED: the package index cannot be reached, and CI is set: {e}")
            return 2
        print(f"SKIPPED: the package index cannot be reached ({e}). Nothing was checked; run again when online.")
        return 0
    except (LockError, RuntimeError, OSError) as e:
        print(f"FAILED: {e}")
        return 2

    print_table(outcomes)
    for note in notes:
        print(f"note: {note}")
    gaps = sum(len(o.gaps) for o in outcomes)
    seconds = time.monotonic() - start
    if gaps:
        print(f"FAILED: {gaps} gap(s) over {len(outcomes)} Python x platform targets ({seconds:.0f} s)")
        return 1
    print(f"OK: every pinned package has a wheel on all {len(outcomes)} Python x platform targets ({seconds:.0f} s)")
    return 0


def pip_version() -> str:
    try:
        return importlib.metadata.version("pip")
    except importlib.metadata.PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
