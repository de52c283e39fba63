"""Write a fresh `pip freeze` into requirements.lock, keeping the pins for other Pythons and platforms.

`make lock` resolves the dependencies on one Python and platform, so its `pip freeze` knows
nothing of the lock's lines with an environment marker that is false there (the pins for
Python 3.15, or for Windows or macOS only). This script, run by the Python that made the
freeze, rewrites the lock:

- a line with no marker, or a marker that holds here, gets the freeze's version (and is
  dropped when the freeze no longer has the package); its marker and comment stay;
- a line whose marker is false here is kept as it is;
- a package new in the freeze is added with no marker.

The comment block at the top of the lock is kept, and the lines are sorted as pip freeze sorts them. Then
`make wheels` (tools/check_wheels.py) checks the result on every supported Python and platform.

    python tools/update_lock.py FREEZE [LOCK]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_wheels import LockError, canonicalize_name, parse_pin  # noqa: E402


def split_comment(raw: str) -> tuple[str, str]:
    match = re.search(r"(^|\s)#", raw)
    return (raw[: match.start()].strip(), raw[match.start() :].strip()) if match else (raw.strip(), "")


def merge(lock_text: str, freeze_text: str) -> str:
    freeze: dict[str, tuple[str, str]] = {}
    for number, raw in enumerate(freeze_text.splitlines(), start=1):
        text, _ = split_comment(raw)
        if text:
            req, version = parse_pin(text, f"freeze:{number}")
            freeze[canonicalize_name(req.name)] = (req.name, version)

    header: list[str] = []
    lines: list[tuple[str, str]] = []  # (name as pip freeze sorts it, line)
    kept_here: set[str] = set()
    for number, raw in enumerate(lock_text.splitlines(), start=1):
        text, comment = split_comment(raw)
        if not text:
            if not lines and raw.strip():
                header.append(raw)
            continue
        req, _ = parse_pin(text, f"lock:{number}")
        name = canonicalize_name(req.name)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            lines.append((req.name.lower(), raw.strip()))  # for another Python or platform: as it is
            continue
        if name not in freeze:
            continue  # no longer installed
        display, version = freeze[name]
        marker = f" ; {req.marker}" if req.marker is not None else ""
        lines.append((display.lower(), f"{display}=={version}{marker}" + (f"  {comment}" if comment else "")))
        kept_here.add(name)
    lines += [
        (display.lower(), f"{display}=={version}")
        for name, (display, version) in freeze.items()
        if name not in kept_here
    ]
    lines.sort(key=lambda item: item[0])  # as pip freeze sorts; stable, so a package's marker lines keep their order
    return "\n".join([*header, *(line for _, line in lines)]) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    freeze = Path(argv[0])
    lock = Path(argv[1] if len(argv) == 2 else Path(__file__).resolve().parent.parent / "requirements.lock")
    try:
        text = merge(lock.read_text(encoding="utf-8"), freeze.read_text(encoding="utf-8"))
    except LockError as e:
        print(f"update_lock: {e}", file=sys.stderr)
        return 2
    lock.write_text(text, encoding="utf-8")
    print(f"wrote {lock} ({sum(1 for line in text.splitlines() if line and not line.startswith('#'))} pins)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
