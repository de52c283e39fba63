"""Every checker survives whatever a learner hands it: a function that raises,
returns None, the wrong type or the wrong shape, or an answer of the wrong kind.
It reports what happened instead of crashing the notebook."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from rnnlib import exercises

CHECKERS = {name: fn for name, fn in vars(exercises).items() if name.startswith("check_") and inspect.isfunction(fn)}

# Checkers whose answer is a value (shapes, weights, a number) rather than a function.
VALUE_CHECKERS = {
    "check_cell_shapes",
    "check_unroll_shapes",
    "check_latch",
    "check_h3",
    "check_largest_hidden_size",
    "check_steps_to_vanish",
}
FUNCTION_CHECKERS = set(CHECKERS) - VALUE_CHECKERS


def raises(*args):
    raise ValueError("something inside the learner's code went wrong")


def returns_none(*args):
    return None


def returns_text(*args):
    return "an answer"


def returns_wrong_shape(*args):
    return np.zeros((1, 1, 1, 1))


def returns_nan(*args):
    return np.full((2, 2), np.nan)


def test_the_value_checkers_exist():
    assert VALUE_CHECKERS <= set(CHECKERS)
    assert len(FUNCTION_CHECKERS) >= 10


@pytest.mark.parametrize("name", sorted(FUNCTION_CHECKERS))
@pytest.mark.parametrize("answer", [raises, returns_none, returns_text, returns_wrong_shape, returns_nan, 42])
def test_function_checkers_report_instead_of_crashing(name, answer):
    result = CHECKERS[name](answer)
    assert isinstance(result, exercises.CheckResult)
    assert not result.passed and result.message
    if answer is raises:
        assert "your function raised ValueError: something inside the learner's code went wrong" in result.message
    if answer is returns_none:
        assert result.message == "your function returned None: is a `return` statement missing?"


@pytest.mark.parametrize("name", sorted(VALUE_CHECKERS))
@pytest.mark.parametrize("bad", [None, "an answer", [], {}, -1, np.array([1.0, 2.0])])
def test_value_checkers_report_instead_of_crashing(name, bad):
    n_args = len(inspect.signature(CHECKERS[name]).parameters)
    result = CHECKERS[name](*([bad] * n_args))
    assert isinstance(result, exercises.CheckResult)
    assert not result.passed and result.message
