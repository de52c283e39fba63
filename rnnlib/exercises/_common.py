"""What every chapter's checkers share: the verdict (:class:`CheckResult`), the guarded
call of the learner's function (time limit, printing budget, exceptions turned into
verdicts) and the comparisons that say where an answer goes wrong. The guarantees a
checker gives are in the package's docstring, :mod:`rnnlib.exercises`.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a checker. True when the answer is right; prints as a message."""

    exercise: str
    passed: bool
    message: str
    done: bool = True  # False when the learner has not attempted the exercise yet

    def __bool__(self) -> bool:
        return self.passed

    @property
    def status(self) -> str:
        """One of :data:`STATUSES`: what the learner sees first, and what a gradebook records."""
        if self.passed:
            return "Correct"
        return "Not yet right" if self.done else "Not done yet"

    def __repr__(self) -> str:
        return f"[{self.exercise}] {self.status}: {self.message}"


# The three verdicts a checker gives, in the order a gradebook lists them.
STATUSES = ("Correct", "Not yet right", "Not done yet")


def _ok(exercise: str, message: str) -> CheckResult:
    return CheckResult(exercise, True, message)


def _wrong(exercise: str, message: str) -> CheckResult:
    return CheckResult(exercise, False, message)


def _not_done(exercise: str, message: str) -> CheckResult:
    return CheckResult(exercise, False, message, done=False)


# Seconds one call of the learner's function may take; every reference solution takes
# well under a tenth of that.
TIME_LIMIT = 10.0
# Characters of the learner's own printing shown under the verdict.
PRINT_LIMIT = 2000


class _TimeLimit(BaseException):
    """Raised inside the learner's function when it runs past TIME_LIMIT. A
    BaseException, so that the learner's own ``except Exception`` does not swallow it."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Interrupt the block after ``seconds`` with :class:`_TimeLimit`.

    Uses a real-time interval timer, so it works where a notebook runs code: in the
    main thread of a Unix or macOS kernel. Elsewhere (Windows, a worker thread, a
    browser kernel) the block runs without a limit.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum, frame):
        raise _TimeLimit

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# How many more characters of the learner's printing this check may still show: a
# checker calls the function several times, and PRINT_LIMIT holds for all of them.
_print_budget = {"left": PRINT_LIMIT}


def _show_printed(text: str) -> None:
    """Show what the learner's function printed, within what is left of PRINT_LIMIT."""
    left = _print_budget["left"]
    if not text or left < 0:
        return
    if len(text) > left:
        text = text[:left] + "\n... (more printed by your function, not shown)\n"
        _print_budget["left"] = -1  # say so once
    else:
        _print_budget["left"] = left - len(text)
    print(text, end="" if text.endswith("\n") else "\n")


def _call(exercise: str, fn: Callable, *args: object) -> tuple[object, CheckResult | None]:
    """Call the learner's function; turn anything that goes wrong into a verdict."""
    if not callable(fn):
        return None, _wrong(exercise, f"expected a function; got {type(fn).__name__}")
    name = getattr(fn, "__name__", "the function")
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed), _time_limit(TIME_LIMIT):
            out = fn(*args)
    except NotImplementedError:
        return None, _not_done(
            exercise,
            f"{name} still raises NotImplementedError: replace that line with your code and run the cell again.",
        )
    except _TimeLimit:
        return None, _wrong(
            exercise,
            f"{name} was still running after {TIME_LIMIT:g} seconds, so it was stopped: look for a loop "
            "that never ends (a `while` whose condition never changes, or a counter that is never updated).",
        )
    except SystemExit as exc:  # exit() or sys.exit() in the learner's code
        return None, _wrong(exercise, f"your function called exit() (SystemExit {exc.code!r}): return a value instead.")
    except Exception as exc:  # the learner's code failed: report it, do not crash
        return None, _wrong(exercise, f"your function raised {type(exc).__name__}: {exc}")
    finally:
        _show_printed(printed.getvalue())
    if out is None:
        return None, _wrong(exercise, "your function returned None: is a `return` statement missing?")
    if out is Ellipsis:
        return None, _not_done(exercise, "your function still returns `...`: replace it with your code.")
    return out, None


def _as_result_array(
    exercise: str, out: object, shape: tuple[int, ...], what: str
) -> tuple[np.ndarray | None, CheckResult | None]:
    try:
        arr = np.asarray(out, dtype=np.float64)
    except Exception:  # a ragged list, a string, an object whose __array__ raises ...
        return None, _wrong(exercise, f"{what} should be a numeric array; got {type(out).__name__}")
    if arr.shape != shape:
        return None, _wrong(exercise, f"{what} should have shape {shape}; got {arr.shape}")
    return arr, None


def _as_number(exercise: str, value: object, what: str) -> tuple[float | None, CheckResult | None]:
    """``value`` as a float if it is one number (not a bool, not an array); else ``None`` and
    the verdict that says ``what`` the exercise asks for."""
    if isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0:
        return None, _wrong(exercise, f"{what}; got {type(value).__name__} {value!r:.40}")
    try:
        return float(value), None
    except (TypeError, ValueError):
        return None, _wrong(exercise, f"{what}; got {type(value).__name__}")


def _call_for_array(exercise: str, fn: Callable, args: tuple, shape: tuple[int, ...], what: str):
    """Call the learner's function and check it returned a numeric array of ``shape``."""
    out, verdict = _call(exercise, fn, *args)
    if verdict is not None:
        return None, verdict
    return _as_result_array(exercise, out, shape, what)


def _known_mistake(got: np.ndarray, mistakes: list[tuple[str, Callable[[], object]]]) -> str | None:
    """The description of the first known mistake that reproduces ``got``, if any."""
    for what, compute in mistakes:
        try:
            value = np.asarray(compute(), dtype=np.float64)
        except ValueError:  # this mistake cannot produce an answer for these shapes
            continue
        if value.shape == got.shape and np.allclose(got, value, atol=1e-8):
            return what
    return None


def _first_difference(got: np.ndarray, want: np.ndarray) -> str:
    i = np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
    index = ", ".join(str(int(n)) for n in i)
    return f"at index [{index}] expected {want[i]:.4f}, got {got[i]:.4f}"


def _answer_dict_verdict(exercise: str, answer: object, names) -> CheckResult | None:
    """The verdict on a dict of answers that is not a dict, lacks a name, or still holds `...`."""
    if not isinstance(answer, dict):
        return _wrong(exercise, f"answer should be a dict from name to shape; got {type(answer).__name__}")
    missing = [k for k in names if k not in answer]
    if missing:
        return _wrong(exercise, f"answer is missing {missing}")
    todo = [k for k in names if answer[k] is Ellipsis]
    if todo:
        return _not_done(exercise, f"replace the `...` for {todo} with your answer.")
    return None


# ---------------------------------------------------------------- every checker


def _never_raises(checker: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
    """Turn anything a checker's own code raises while reading an unusual answer into a
    verdict. The learner's function is already guarded by _call; this covers what it
    returned (an object whose comparison or conversion raises, say)."""
    found = re.search(r"Exercise (\d+\.\d+)", checker.__doc__ or "")
    exercise = f"Exercise {found.group(1)}" if found else checker.__name__

    @functools.wraps(checker)
    def guarded(*args: object, **kwargs: object) -> CheckResult:
        _print_budget["left"] = PRINT_LIMIT
        try:
            return checker(*args, **kwargs)
        except Exception as exc:
            return _wrong(exercise, f"your answer could not be read ({type(exc).__name__}: {exc})")

    return guarded
