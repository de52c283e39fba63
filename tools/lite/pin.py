"""Record the expected sha256 of every file of the course's Pyodide, from the official release.

Run once per Pyodide version, by a maintainer, on the official files; the build then needs
nothing but the package index:

    npm pack pyodide@0.27.7 && tar xzf pyodide-0.27.7.tgz
    python tools/lite/pin.py package/

OFFICIAL_DIR holds the official ``pyodide-lock.json`` and the runtime files (the npm package
``pyodide`` has both; so does the release archive ``pyodide-0.27.7.tar.bz2``). This writes,
beside this script:

- ``pyodide-lock.json``: the official lock cut down to the packages named in ``pyodide.toml``
  and their dependencies, every entry (with its sha256) exactly as upstream wrote it;
- ``SHA256SUMS``: the sha256 of each runtime file, in the format ``sha256sum -c`` reads.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from distribution import canonical, closure, read_settings  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    official = Path(argv[0])
    settings = read_settings()
    lock = json.loads((official / "pyodide-lock.json").read_text(encoding="utf-8"))
    if lock["info"]["version"] != settings["version"]:
        sys.exit(f"pin: {official} is Pyodide {lock['info']['version']}, pyodide.toml says {settings['version']}")
    by_name = {canonical(k): k for k in lock["packages"]}
    keep = closure(settings["packages"], {canonical(k): v for k, v in lock["packages"].items()})
    cut = {"info": lock["info"], "packages": {by_name[n]: lock["packages"][by_name[n]] for n in sorted(keep)}}
    (HERE / "pyodide-lock.json").write_text(json.dumps(cut, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    sums = [f"{hashlib.sha256((official / f).read_bytes()).hexdigest()}  {f}" for f in settings["runtime"]]
    (HERE / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    print(f"pin: {len(keep)} packages and {len(sums)} runtime files of Pyodide {settings['version']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
