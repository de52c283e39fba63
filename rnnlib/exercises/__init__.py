"""Checkers for the exercises: each says at once whether an answer is right and,
if not, what is wrong with it (which shape, which value, which time step).

Each chapter's checkers live in their own module (``rnnlib.exercises.ch5`` and so on),
with what they share in ``rnnlib.exercises._common``; every checker is importable from
here, as the notebooks do: ``from rnnlib.exercises import check_rnn_step``.

A checker never raises because of the learner's code: an exception (``SystemExit``
included), a ``None``, any other return value, a wrong type or shape, and a function
that runs for longer than :data:`TIME_LIMIT` seconds all come back as a
:class:`CheckResult` that says so. ``KeyboardInterrupt`` (the learner pressing stop)
still stops the kernel. What the learner's function prints is shown, cut to
:data:`PRINT_LIMIT` characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rnnlib.exercises import ch1, ch2, ch3, ch4, ch5, ch6, ch7, ch8, ch9, ch10
from rnnlib.exercises._common import PRINT_LIMIT, STATUSES, TIME_LIMIT, CheckResult, _never_raises

_CHAPTERS = (ch1, ch2, ch3, ch4, ch5, ch6, ch7, ch8, ch9, ch10)


def _exercise_number(checker: Callable) -> tuple[int, ...] | None:
    found = re.search(r"Exercise (\d+)\.(\d+)", checker.__doc__ or "")
    return (int(found.group(1)), int(found.group(2))) if found else None


# Every checker by the exercise it checks ("Exercise 2.2" -> check_rnn_step), in the
# book's order: what `make grade` (tools/grade.py) calls on each learner's answers.
# Each is wrapped, here and in its chapter's module, so that nothing its own code
# raises while reading an unusual answer escapes as an exception.
CHECKERS: dict[str, Callable[..., CheckResult]] = {}
for _module in _CHAPTERS:
    for _name, _checker in list(vars(_module).items()):
        if _name.startswith("check_") and callable(_checker) and _checker.__module__ == _module.__name__:
            _guarded = _never_raises(_checker)
            setattr(_module, _name, _guarded)
            globals()[_name] = _guarded
            _number = _exercise_number(_checker)
            if _number:
                CHECKERS[f"Exercise {_number[0]}.{_number[1]}"] = _guarded
CHECKERS = dict(sorted(CHECKERS.items(), key=lambda item: _exercise_number(item[1])))
del _module, _name, _checker, _guarded, _number

__all__ = ["CHECKERS", "PRINT_LIMIT", "STATUSES", "TIME_LIMIT", "CheckResult"] + [
    name for name in globals() if name.startswith("check_")
]
