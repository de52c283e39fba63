"""The course's offline Pyodide: every file from the source named in ``pyodide.toml``,
each checked against the official sha256 committed beside this file.

``assemble(out)`` writes the runtime files, the package files of ``pyodide-lock.json``
(the official lock cut to what the course needs, see ``pin.py``), that lock, and the
licences into ``out``. A file whose sha256 differs from the official one stops the build;
nothing is written from a source that cannot be checked.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CACHE = ROOT / "_build" / "pyodide-source"  # the downloaded source, kept between builds


class DistributionError(RuntimeError):
    """The distribution cannot be assembled as pinned (a missing or altered file)."""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_settings() -> dict:
    return tomllib.loads((HERE / "pyodide.toml").read_text(encoding="utf-8"))


def closure(roots: list[str], packages: dict[str, dict]) -> set[str]:
    """The canonical names of ``roots`` and everything they depend on in ``packages``."""
    keep: set[str] = set()
    todo = [canonical(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        if name not in packages:
            raise DistributionError(f"Pyodide has no package {name!r}")
        keep.add(name)
        todo += [canonical(d) for d in packages[name]["depends"]]
    return keep


def pinned_lock() -> dict:
    return json.loads((HERE / "pyodide-lock.json").read_text(encoding="utf-8"))


def pinned_files() -> dict[str, str]:
    """File name -> official sha256, for every file the distribution ships."""
    expected = {}
    for line in (HERE / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split()
        expected[name] = digest
    for package in pinned_lock()["packages"].values():
        expected[package["file_name"]] = package["sha256"]
    return expected


class _Source:
    """Reads files by name from the configured source: a folder, or a folder inside a wheel."""

    def __init__(self, spec: str, cache: Path = CACHE):
        kind, _, rest = spec.partition(":")
        if kind == "dir":
            self.folder, self.zip = Path(rest).expanduser(), None
            if not self.folder.is_dir():
                raise DistributionError(f"pyodide.toml source {spec!r}: no such folder")
        elif kind == "pypi":
            requirement, _, self.folder = rest.partition(":")
            self.zip = zipfile.ZipFile(self._download(requirement, cache))
        else:
            raise DistributionError(f"pyodide.toml source {spec!r}: expected 'pypi:...' or 'dir:...'")

    @staticmethod
    def _download(requirement: str, cache: Path) -> Path:
        name, _, version = requirement.partition("==")
        stem = f"{canonical(name).replace('-', '_')}-{version}-"
        found = sorted(cache.glob(stem + "*.whl")) if cache.exists() else []
        if not found:
            cache.mkdir(parents=True, exist_ok=True)
            print(f"pyodide: downloading {requirement} from the package index", flush=True)
            command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:"]
            subprocess.run([*command, "--dest", str(cache), requirement], check=True)
            found = sorted(cache.glob(stem + "*.whl"))
        if not found:
            raise DistributionError(f"pip downloaded no wheel of {requirement} into {cache}")
        return found[0]

    def read(self, name: str) -> bytes:
        if self.zip is None:
            path = self.folder / name
            if not path.exists():
                raise DistributionError(f"the Pyodide source has no {name} (looked in {self.folder})")
            return path.read_bytes()
        try:
            return self.zip.read(f"{self.folder}/{name}")
        except KeyError:
            raise DistributionError(f"the Pyodide source has no {name} (looked in {self.folder}/)") from None


def assemble(out: Path, cache: Path = CACHE, *, source: str | None = None) -> int:
    """Write the checked distribution into ``out`` (emptied first); return its size in bytes.

    ``source`` overrides the setting of ``pyodide.toml`` (the tests use a folder)."""
    settings = read_settings()
    lock = pinned_lock()
    if lock["info"]["version"] != settings["version"]:
        pinned, wanted = lock["info"]["version"], settings["version"]
        raise DistributionError(f"pyodide-lock.json is Pyodide {pinned}, pyodide.toml says {wanted}")
    wanted = closure(settings["packages"], {canonical(k): v for k, v in lock["packages"].items()})
    if wanted != {canonical(k) for k in lock["packages"]}:
        raise DistributionError("pyodide-lock.json does not match the packages in pyodide.toml: run tools/lite/pin.py")
    files = _Source(source or settings["source"], cache)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    total = 0
    for name, digest in sorted(pinned_files().items()):
        try:
            data = files.read(name)
        except DistributionError:
            shutil.rmtree(out)
            raise
        got = hashlib.sha256(data).hexdigest()
        if got != digest:
            shutil.rmtree(out)
            raise DistributionError(
                f"sha256 mismatch for {name}: the source gave {got}, the official Pyodide "
                f"{settings['version']} file is {digest}; nothing was written"
            )
        (out / name).write_bytes(data)
        total += len(data)
    (out / "pyodide-lock.json").write_text(json.dumps(lock), encoding="utf-8")
    shutil.copytree(HERE / "licenses", out / "LICENSES")
    return total


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "_build" / "pyodide"
    try:
        total = assemble(out)
    except DistributionError as e:
        print(f"pyodide: {e}", file=sys.stderr)
        return 1
    print(f"pyodide: {len(pinned_files())} files, {total / 2**20:.1f} MiB, every sha256 official, in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
