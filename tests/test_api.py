from __future__ import annotations

import subprocess
import sys

import rnnlib


def test_public_api_is_exported():
    for name in rnnlib.__all__:
        assert hasattr(rnnlib, name), name
    assert sorted(rnnlib.__all__) == rnnlib.__all__


def test_importing_rnnlib_changes_nothing():
    """No seeding and no plot styling at import time."""
    code = (
        "import numpy as np, matplotlib as mpl; before = dict(mpl.rcParams); s0 = np.random.get_state()[1].copy();"
        "import rnnlib, rnnlib.plots, rnnlib.widgets, rnnlib.exercises;"
        "assert dict(mpl.rcParams) == before, 'rcParams changed';"
        "assert (np.random.get_state()[1] == s0).all(), 'global numpy seed changed'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_public_function_has_a_docstring():
    for name in rnnlib.__all__:
        assert (getattr(rnnlib, name).__doc__ or "").strip(), f"{name} has no docstring"
