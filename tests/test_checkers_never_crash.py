"""Every checker survives whatever a learner hands it: a function that raises,
returns None, the wrong type or the wrong shape, or an answer of the wrong kind.
It reports what happened instead of crashing the notebook."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from rnnlib import exercises
from rnnlib.exercises import _common

CHECKERS = {name: fn for name, fn in vars(exercises).items() if name.startswith("check_") and inspect.isfunction(fn)}

# Checkers whose answer is a value (shapes, weights, a number) rather than a function.
VALUE_CHECKERS = {
    "check_cell_shapes",
    "check_unroll_shapes",
    "check_latch",
    "check_h3",
    "check_largest_hidden_size",
    "check_steps_to_vanish",
    "check_shortest_chunk",
    "check_forget_horizon",
    "check_tenth_prediction",
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


def loops_forever(*args):
    while True:
        pass


def calls_exit(*args):
    raise SystemExit(1)


def prints_a_lot(*args):
    print("x" * 1_000_000)
    return np.zeros((1, 1, 1, 1))


class Unreadable:
    """Like a tensor that requires grad: converting it to an array raises."""

    def __array__(self, *args, **kwargs):
        raise RuntimeError("Can't call numpy() on Tensor that requires grad")

    def __eq__(self, other):
        raise RuntimeError("comparison is not allowed")

    __hash__ = None

    def __bool__(self):
        raise RuntimeError("truth value is ambiguous")

    def __iter__(self):
        raise RuntimeError("not iterable")


def returns_unreadable(*args):
    return Unreadable()


def returns_ragged(*args):
    return [[1.0, 2.0], [3.0]]


def returns_tuple(*args):
    return (1.0, 2.0)


def returns_generator(*args):
    return (x for x in range(3))


def catches_everything_and_loops(*args):
    while True:
        try:
            pass
        except Exception:  # a learner's broad except must not swallow the time limit
            pass


HOSTILE = [
    loops_forever,
    catches_everything_and_loops,
    calls_exit,
    prints_a_lot,
    returns_unreadable,
    returns_ragged,
    returns_tuple,
    returns_generator,
]


@pytest.mark.parametrize("name", sorted(FUNCTION_CHECKERS))
@pytest.mark.parametrize("answer", HOSTILE, ids=lambda f: f.__name__)
def test_function_checkers_survive_hostile_functions(name, answer, monkeypatch, capsys):
    monkeypatch.setattr(_common, "TIME_LIMIT", 0.2)
    result = CHECKERS[name](answer)
    assert isinstance(result, exercises.CheckResult)
    assert not result.passed and result.message
    if answer in (loops_forever, catches_everything_and_loops):
        assert "was still running after 0.2 seconds, so it was stopped" in result.message
    if answer is calls_exit:
        assert "your function called exit()" in result.message
    printed = capsys.readouterr().out
    assert len(printed) <= exercises.PRINT_LIMIT + 100
    if answer is prints_a_lot:
        assert printed.startswith("x" * 100) and "not shown" in printed


@pytest.mark.parametrize("name", sorted(VALUE_CHECKERS))
@pytest.mark.parametrize("bad", [Unreadable(), [[1.0, 2.0], [3.0]], (1.0, 2.0), float("nan"), True, 10**400 // 10**399])
def test_value_checkers_survive_unreadable_answers(name, bad):
    n_args = len(inspect.signature(CHECKERS[name]).parameters)
    result = CHECKERS[name](*([bad] * n_args))
    assert isinstance(result, exercises.CheckResult)
    assert not result.passed and result.message


def test_pressing_stop_still_stops_the_kernel():
    def interrupted(*args):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        exercises.check_softmax(interrupted)


def test_the_time_limit_is_lifted_after_the_check(monkeypatch):
    import signal

    monkeypatch.setattr(_common, "TIME_LIMIT", 0.2)
    exercises.check_softmax(loops_forever)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.default_int_handler, None)
