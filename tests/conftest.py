from __future__ import annotations

import os

# Under pytest-xdist the workers share the machine's cores, and the notebooks some tests
# run start kernels of their own. OpenBLAS's idle threads spin while they wait for work,
# so two processes that each keep a thread per core slow each other down several times
# over (the student edition's chapters and the grading fixture: 513 s with a thread per
# core, 107 s with one, on two cores). One BLAS thread in each worker and in each kernel
# they start. No test compares a number that depends on it: the chapters' printed outputs
# are checked by the portability check, under one thread and under the machine's default.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pytest

import rnnlib

# (T, B, D, H, O): includes T=1, B=1, and H != D.
SHAPES = [(1, 1, 1, 1, 1), (1, 3, 2, 4, 3), (5, 1, 3, 2, 4), (4, 2, 3, 5, 2), (6, 3, 4, 4, 3)]


def random_problem(T, B, D, H, O, *, seed=0, dtype=np.float64, scale=1.0):
    """Parameters with non-zero biases, inputs, an initial state and class targets."""
    rng = np.random.default_rng(seed)
    p = rnnlib.init_rnn_params(D, H, O, seed=rng, dtype=dtype, recurrent_scale=scale)
    p = rnnlib.RNNParams(
        p.W_xh, p.W_hh, rng.normal(size=H).astype(dtype) * 0.1, p.W_hy, rng.normal(size=O).astype(dtype) * 0.1
    )
    xs = rng.normal(size=(T, B, D)).astype(dtype)
    h0 = (0.5 * rng.normal(size=(B, H))).astype(dtype)
    targets = rng.integers(0, O, size=(T, B))
    return p, xs, h0, targets


@pytest.fixture(params=SHAPES, ids=lambda s: "T{}-B{}-D{}-H{}-O{}".format(*s))
def shape(request):
    return request.param


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist, share out the tests that execute whole notebooks.

    They take from a few seconds to minutes each: the grading fixture (a class of eleven
    notebooks, about 35 s), the student edition's chapters (later chapters run longer)
    and, in make browser-full, each chapter in the browser kernel (collected the longest
    first). `--dist worksteal` first hands each worker an equal run of consecutive tests,
    then moves tests from the end of a busy worker's queue to an idle one. So each run
    starts with its share of the notebooks, dealt like cards from the longest, and ends
    with quick tests, which are the ones moved; no worker is left running a long
    notebook alone at the end while the other sits idle.
    """
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    if workers < 2:
        return
    student = "test_student_notebook_runs_and_reports_unfinished_exercises"
    grading = [item for item in items if item.path.name == "test_grade.py"]  # one fixture: kept together
    slow = [
        grading,
        *([item] for item in reversed(items) if item.originalname == student),
        *([item] for item in items if item.originalname == "test_chapter_runs_to_the_end_in_the_browser"),
    ]
    heads: list[list] = [[] for _ in range(workers)]
    for n, group in enumerate(group for group in slow if group):
        heads[n % workers].extend(group)
    dealt = {id(item) for head in heads for item in head}
    rest = [item for item in items if id(item) not in dealt]
    ordered, left = [], len(items)
    for n, head in enumerate(heads):
        share = left // (workers - n)  # what worksteal sends this worker first
        take = max(0, share - len(head))
        ordered += head + rest[:take]
        rest, left = rest[take:], left - share
    items[:] = ordered + rest
