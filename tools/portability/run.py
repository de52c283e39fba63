"""The portability check: nbval over every notebook under several floating-point
configurations, all against the same stored outputs, and every figure compared
across the configurations.

A learner's laptop is not the machine that executed the notebooks. OpenBLAS picks a
kernel for the CPU it finds (or the one `OPENBLAS_CORETYPE` names), numpy picks SIMD
loops for `tanh`, `exp` and sums (unless `NPY_DISABLE_CPU_FEATURES` turns some off),
and the number of BLAS threads changes how a product is summed. Each changes results
in the last bits. An experiment whose printed outcome survives all of these is robust
by design; one that does not is on a knife edge, and the book must not print it.

The configurations are chosen from what this machine supports:

1. the machine as it is (its environment untouched);
2. one BLAS thread;
3. another OpenBLAS kernel, with numpy's widest SIMD loops turned off (one thread);
4. an older OpenBLAS kernel still, with numpy limited to its baseline loops (one
   thread).

The first runs alone, since it may use every core; the others run side by side.

What cannot run here (a kernel the CPU lacks, a non-x86 machine, a BLAS that is not
OpenBLAS) is skipped with a message. Each configuration is verified before it is
used: the BLAS kernel and the SIMD loops it reports must be the ones asked for.

nbval does not compare images, so every kernel also records what each figure is drawn
from (`figure_record.py`): every figure must look the same under every configuration
(no plotted point moved by more than 1% of its axes, the same text everywhere).

    python tools/portability/run.py [--jobs N] [--only NAME ...] [NOTEBOOK ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# A plotted point may move by this fraction of its axes' width or height: about 3
# pixels in a 360-pixel-high figure, less than a marker.
FIGURE_TOLERANCE = 0.01

# Each notebook should take less than this under every configuration (nbval, kernel
# start included); the check prints every notebook's time under each and marks those over.
NOTEBOOK_SECONDS_TARGET = 30.0

# Figures whose points are wall-clock times: they differ on every run and every
# machine, and their captions say so. They are matched by the title of their axes and
# compared by that title alone.
TIMING_FIGURES = {
    "BPTT time grows linearly with T",
    "Reading the inputs: one-hot product against lookup",
    "A diagonal linear recurrence: loop against scan, in numpy",
}

# OpenBLAS kernels for x86-64, newest first, with the numpy CPU feature each needs.
OPENBLAS_X86_KERNELS = [
    ("SkylakeX", "AVX512F"),
    ("Haswell", "AVX2"),
    ("Sandybridge", "AVX"),
    ("Nehalem", "SSE42"),
]


@dataclass
class Configuration:
    name: str
    env: dict[str, str]
    # What the configuration must show when numpy is imported under it.
    expect_kernel: str | None = None
    expect_disabled: list[str] = field(default_factory=list)
    expect_threads: int | None = None


def probe(env: dict[str, str]) -> dict:
    """What numpy and its BLAS report in a fresh interpreter with this environment."""
    code = (
        "import json, numpy, threadpoolctl\n"
        "from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__\n"
        "blas = [i for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas']\n"
        "print(json.dumps({'numpy': numpy.__version__,\n"
        "  'dispatch': [n for n in __cpu_dispatch__ if __cpu_features__.get(n)],\n"
        "  'all_dispatch': list(__cpu_dispatch__),\n"
        "  'features': [n for n, on in __cpu_features__.items() if on],\n"
        "  'blas': blas[0]['internal_api'] if blas else None,\n"
        "  'kernel': blas[0].get('architecture') if blas else None,\n"
        "  'threads': blas[0]['num_threads'] if blas else None}))\n"
    )
    full_env = {**os.environ, **env}
    out = subprocess.run([sys.executable, "-c", code], env=full_env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def choose_configurations(machine: dict) -> tuple[list[Configuration], list[str]]:
    """The configurations this machine can run, and what it must skip (with why)."""
    configs = [Configuration("as is", {})]
    skipped: list[str] = []
    if machine["blas"] == "openblas" and (machine["threads"] or 1) > 1:
        configs.append(Configuration("one BLAS thread", {"OPENBLAS_NUM_THREADS": "1"}, expect_threads=1))
    elif machine["blas"] == "openblas":
        skipped.append("one BLAS thread: OpenBLAS already runs on one thread here")
    else:
        skipped.append(f"one BLAS thread: the BLAS is {machine['blas']}, not OpenBLAS")

    found = machine["dispatch"]
    # numpy's widest loops: every AVX-512 target on x86 (or the top target elsewhere).
    widest = [n for n in found if "512" in n or n == "X86_V4"] or found[-1:]
    x86 = platform.machine().lower() in {"x86_64", "amd64"}
    kernels = [k for k, need in OPENBLAS_X86_KERNELS if need in machine["features"]] if x86 else []
    current = (machine["kernel"] or "").lower()
    others = [k for k in kernels if k.lower() != current]
    if machine["blas"] != "openblas" or not x86:
        skipped.append(
            f"other BLAS kernels: only OpenBLAS's x86-64 kernels can be chosen here "
            f"(BLAS {machine['blas']}, CPU {platform.machine()})"
        )
    if widest:
        env = {"NPY_DISABLE_CPU_FEATURES": " ".join(widest), "OPENBLAS_NUM_THREADS": "1"}
        name = "numpy without " + "/".join(widest)
        kernel = None
        if others:
            kernel = others[0]
            env["OPENBLAS_CORETYPE"] = kernel
            name = f"OpenBLAS {kernel}, " + name
        configs.append(Configuration(name, env, expect_kernel=kernel, expect_disabled=widest))
    else:
        skipped.append("numpy SIMD lowered: numpy dispatches no loops beyond its baseline here")
    if found and found != widest:
        env = {"NPY_DISABLE_CPU_FEATURES": " ".join(found), "OPENBLAS_NUM_THREADS": "1"}
        name = "numpy baseline loops only"
        kernel = None
        if len(others) > 1:
            kernel = others[1]
            env["OPENBLAS_CORETYPE"] = kernel
            name = f"OpenBLAS {kernel}, " + name
        configs.append(Configuration(name, env, expect_kernel=kernel, expect_disabled=found))
    return configs, skipped


def verify(config: Configuration, seen: dict) -> str | None:
    """Why the configuration did not take effect, or None when it did."""
    if config.expect_kernel and (seen["kernel"] or "").lower() != config.expect_kernel.lower():
        return f"asked for OpenBLAS kernel {config.expect_kernel}, got {seen['kernel']}"
    still_on = [n for n in config.expect_disabled if n in seen["dispatch"]]
    if still_on:
        return f"numpy still dispatches {', '.join(still_on)}"
    if config.expect_threads and seen["threads"] != config.expect_threads:
        return f"asked for {config.expect_threads} BLAS thread(s), got {seen['threads']}"
    return None


def describe(seen: dict) -> str:
    top = seen["dispatch"][-1] if seen["dispatch"] else "baseline"
    return f"{seen['blas']} {seen['kernel']}, {seen['threads']} thread(s), numpy loops up to {top}"


def run_nbval(config: Configuration, notebooks: list[str], work: Path) -> tuple[int, float, str, Path]:
    """nbval over the notebooks under one configuration; figures recorded into work/."""
    slug = "".join(c if c.isalnum() else "-" for c in config.name)
    ipython_dir = work / slug / "ipython"
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    shutil.copy(HERE / "figure_record.py", startup / "00-figure-record.py")
    figures = work / slug / "figures"
    env = {
        **os.environ,
        **config.env,
        "IPYTHONDIR": str(ipython_dir),
        "RNNCOURSE_FIGURE_DIR": str(figures),
    }
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "chapters/nbval-sanitize.cfg",
        "-q",
        *notebooks,
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    return proc.returncode, time.perf_counter() - start, proc.stdout + proc.stderr, figures


def run_each(usable: list[tuple[Configuration, dict]], fn, jobs: int) -> list:
    """``fn(config)`` for every configuration, the results in the order given.

    OpenBLAS's threads spin while they wait, so two runs that each use every core
    slow each other down many times over. A configuration with more than one BLAS
    thread therefore runs alone; the single-threaded ones run ``jobs`` at a time,
    the later (slower, older loops) first.
    """
    alone = [c for c, seen in usable if (seen["threads"] or 1) > 1]
    together = [c for c, seen in usable if (seen["threads"] or 1) <= 1][::-1]
    results = {c.name: fn(c) for c in alone}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for c, result in zip(together, pool.map(fn, together), strict=True):
            results[c.name] = result
    return [results[c.name] for c, _ in usable]


def load_figures(folder: Path) -> dict[str, list[dict]]:
    return {
        p.stem: [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]
        for p in sorted(folder.glob("*.jsonl"))
    }


def largest_move(a, b) -> float | None:
    """Largest distance between matching plotted values, or None if the shapes differ."""
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return None
        worst = 0.0
        for x, y in zip(a, b, strict=True):
            d = largest_move(x, y)
            if d is None:
                return None
            worst = max(worst, d)
        return worst
    if isinstance(a, dict) and isinstance(b, dict):  # a collection: its offsets and its paths
        if a.keys() != b.keys():
            return None
        return largest_move([a[k] for k in sorted(a)], [b[k] for k in sorted(b)])
    if a is None or b is None:
        return 0.0 if a is b else None
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b)
    return 0.0 if a == b else None


def is_timing(figure: dict) -> bool:
    return any(t in TIMING_FIGURES for ax in figure.get("axes", []) for t in ax["texts"])


def compare_figures(reference: dict[str, list[dict]], other: dict[str, list[dict]]) -> list[str]:
    """Every way the figures of `other` differ visibly from those of `reference`."""
    problems = []
    for notebook in sorted(set(reference) | set(other)):
        ref, oth = reference.get(notebook, []), other.get(notebook, [])
        if len(ref) != len(oth):
            problems.append(f"{notebook}: {len(oth)} figures drawn, {len(ref)} as is")
            continue
        for i, (fa, fb) in enumerate(zip(ref, oth, strict=True), start=1):
            where = f"{notebook}, figure {i}"
            if "error" in fa or "error" in fb:
                problems.append(f"{where}: the recorder could not read it ({fa.get('error') or fb.get('error')})")
                continue
            if is_timing(fa) or is_timing(fb):
                if not (is_timing(fa) and is_timing(fb)):
                    problems.append(f"{where}: a timing figure in one configuration only")
                continue
            if fa["texts"] != fb["texts"] or len(fa["axes"]) != len(fb["axes"]):
                problems.append(f"{where}: its text differs")
                continue
            for k, (ax_a, ax_b) in enumerate(zip(fa["axes"], fb["axes"], strict=True), start=1):
                if ax_a["texts"] != ax_b["texts"]:
                    changed = [f"{x!r} -> {y!r}" for x, y in zip(ax_a["texts"], ax_b["texts"], strict=False) if x != y]
                    problems.append(f"{where}, axes {k}: text differs ({'; '.join(changed[:3]) or 'entries differ'})")
                for kind in ("lines", "collections", "patches", "images"):
                    move = largest_move(ax_a[kind], ax_b[kind])
                    if move is None:
                        problems.append(f"{where}, axes {k}: its {kind} differ in number or length")
                    elif move > FIGURE_TOLERANCE:
                        problems.append(
                            f"{where}, axes {k}: {kind} moved by {move:.3f} of the axes (at most {FIGURE_TOLERANCE})"
                        )
    return problems


def notebook_seconds(output: str) -> dict[str, float]:
    """Each notebook's time from the table chapters/conftest.py prints at the end of nbval."""
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Notebook run time")), None)
    seconds: dict[str, float] = {}
    for line in lines[start + 1 :] if start is not None else []:
        parts = line.split()
        if len(parts) != 3 or parts[1] != "s" or not parts[2].endswith(".ipynb"):
            break
        seconds[parts[2]] = float(parts[0])
    return seconds


def notebook_table(names: list[str], times: list[dict[str, float]]) -> list[str]:
    """The seconds of every notebook under every configuration, one row a notebook."""
    notebooks = sorted({nb for t in times for nb in t})
    width = max([len(Path(nb).stem) for nb in notebooks] + [len("all notebooks")])
    head = "".join(f"{f'({k})':>8}" for k in range(1, len(names) + 1))
    rows = [
        f"Seconds per notebook under each configuration (nbval, kernel start included;"
        f" target under {NOTEBOOK_SECONDS_TARGET:.0f} s, * above it):",
        f"  {'notebook':{width}}{head}",
    ]
    for nb in notebooks:
        cells = ""
        for t in times:
            s = t.get(nb)
            cells += f"{'-':>8}" if s is None else f"{s:7.1f}{'*' if s >= NOTEBOOK_SECONDS_TARGET else ' '}"
        rows.append(f"  {Path(nb).stem:{width}}{cells.rstrip()}")
    rows.append(f"  {'all notebooks':{width}}" + "".join(f"{sum(t.values()):7.1f} " for t in times).rstrip())
    rows += [f"  ({k}) {name}" for k, name in enumerate(names, start=1)]
    over = [
        f"{Path(nb).stem} {t[nb]:.1f} s under ({k})"
        for k, t in enumerate(times, start=1)
        for nb in notebooks
        if t.get(nb, 0.0) >= NOTEBOOK_SECONDS_TARGET
    ]
    rows.append("  over the target: " + ("; ".join(over) if over else "none"))
    return rows


def failures(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("FAILED", "ERROR"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to check (default: every chapter)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="configurations run at once")
    parser.add_argument("--only", nargs="*", help="run only the configurations whose name contains one of these")
    parser.add_argument("--keep", type=Path, help="keep the nbval logs and recorded figures in this folder")
    parser.add_argument("--at-most", type=int, help="run only the first N configurations (at least 3 are required)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or [str(p.relative_to(ROOT)) for p in sorted((ROOT / "chapters").glob("*.ipynb"))]

    machine = probe({})
    configs, skipped = choose_configurations(machine)
    if args.only:
        configs = [c for c in configs if any(s.lower() in c.name.lower() for s in args.only)]
    if args.at_most:
        for c in configs[args.at_most :]:
            skipped.append(f"{c.name}: left out by --at-most {args.at_most} (make portability runs it)")
        configs = configs[: args.at_most]
    print(
        f"Portability check: {len(notebooks)} notebooks, numpy {machine['numpy']}, Python {platform.python_version()}"
    )
    print(f"This machine: {platform.machine()}, {describe(machine)}")
    for reason in skipped:
        print(f"  skipped: {reason}")

    usable = []
    for config in configs:
        seen = probe(config.env)
        why = verify(config, seen)
        if why:
            print(f"  skipped: {config.name}: {why}")
        else:
            usable.append((config, seen))
    if len(usable) < 2:
        print("fewer than two configurations can run here: nothing to compare")
        return 1

    work = args.keep or Path(tempfile.mkdtemp(prefix="rnn-portability-"))
    work.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    results = run_each(usable, lambda c: run_nbval(c, notebooks, work), args.jobs)
    wall = time.perf_counter() - start

    reference = load_figures(results[0][3])
    ok = True
    print()
    print(f"{'configuration':58} {'what it runs':52} {'nbval':>6} {'figures':>8} {'time':>7}")
    for (config, seen), (code, seconds, output, figures) in zip(usable, results, strict=True):
        (work / f"{figures.parent.name}.log").write_text(output, encoding="utf-8")
        fig_problems = compare_figures(reference, load_figures(figures))
        n_figures = sum(len(v) for v in load_figures(figures).values())
        nbval_ok = code == 0
        ok &= nbval_ok and not fig_problems
        print(
            f"{config.name:58} {describe(seen):52} {'passed' if nbval_ok else 'FAILED':>6}"
            f" {('same' if not fig_problems else 'DIFFER'):>8} {seconds:6.0f}s"
        )
        for line in failures(output):
            print(f"    {line}")
        if not nbval_ok and not failures(output):
            print("    " + "\n    ".join(output.strip().splitlines()[-15:]))
        for problem in fig_problems:
            print(f"    figure: {problem}")
        if config.name == "as is":
            print(f"    ({n_figures} figures recorded)")
    print()
    for row in notebook_table([c.name for c, _ in usable], [notebook_seconds(r[2]) for r in results]):
        print(row)
    print(f"{len(usable)} configurations in {wall:.0f} s ({args.jobs} at a time); logs and figures in {work}")
    print("portability check passed" if ok else "portability check FAILED")
    if not args.keep and ok:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
