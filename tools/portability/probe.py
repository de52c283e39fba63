"""Run one Python script under every floating-point configuration of the portability
check and show where its output differs.

For designing an experiment before it goes into a chapter: a printed line that
changes from one configuration to the next is a claim on a knife edge.

    python tools/portability/probe.py experiment.py [ARGUMENT ...] [--only NAME ...]

Prints each configuration's output once, then every line that is not the same in
all of them. Exits 1 if any line differs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import choose_configurations, probe, run_each, verify  # noqa: E402


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("script", type=Path)
    parser.add_argument("arguments", nargs="*", help="passed to the script")
    parser.add_argument("--only", nargs="*", help="only the configurations whose name contains one of these")
    args = parser.parse_args(argv)
    configs, skipped = choose_configurations(probe({}))
    for reason in skipped:
        print(f"skipped: {reason}")
    usable = [(c, info) for c, info in ((c, probe(c.env)) for c in configs) if verify(c, info) is None]
    if args.only:
        wanted = [u for u in usable[1:] if any(s.lower() in u[0].name.lower() for s in args.only)]
        usable = usable[:1] + wanted

    def run(config):
        env = {**os.environ, **config.env}
        cmd = [sys.executable, str(args.script.resolve()), *args.arguments]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        return proc.stdout + proc.stderr

    outputs = dict(zip((c.name for c, _ in usable), run_each(usable, run, 2), strict=True))
    first = usable[0][0]
    lines = {name: out.splitlines() for name, out in outputs.items()}
    print(f"=== {first.name}\n{outputs[first.name]}")
    differ = False
    longest = max(len(v) for v in lines.values())
    for i in range(longest):
        seen = {name: (v[i] if i < len(v) else "<missing>") for name, v in lines.items()}
        if len(set(seen.values())) > 1:
            differ = True
            print(f"--- line {i + 1} differs:")
            for name, line in seen.items():
                print(f"    {name:60} {line}")
    print("every configuration printed the same" if not differ else "OUTPUT DIFFERS between configurations")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
