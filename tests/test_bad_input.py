"""Bad input to any public function ends in the right answer or a clear error (property-based).

For every public function (``tests/bad_input_cases.py`` holds a valid call of each),
hypothesis picks one argument and changes it in one of the ways a learner does:

* **the same values, held differently**: another memory layout (Fortran order, a
  strided or reversed view, read-only), a Python list, a float16, integer or boolean
  array, a numpy integer or float scalar for a Python one. The call must give the same
  result as the same values in a C-ordered float64 array (or a Python number);
* **values that cannot be right**: a NaN or an infinity, a complex or object array, a
  string or ``None`` for an array, an extra or a missing dimension, an empty dimension
  (``T = 0`` or ``B = 0``), a boolean where an integer is expected, a negative size, an
  index out of range, an unknown name, a function that returns the wrong thing. The
  call must raise a ``ValueError`` or ``TypeError`` whose message names the argument;
* **values that may or may not be right** (a size one larger, a huge value, a zero):
  either such an error (naming this argument or one it clashes with), or a result
  with nothing but finite numbers in it.

Empty sequences and batches have one behaviour everywhere: every function that reads
a sequence or a batch refuses an empty one with a ``ValueError`` that names it. The
draws are derandomised, so every run tries the same cases.
"""

from __future__ import annotations

import dataclasses
import re
import types

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.text import Text

from tests.bad_input_cases import CASES, PLOT_CASES, Case

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None)
ERRORS = (ValueError, TypeError)
SAME, RAISE, EITHER = "same", "raise", "either"


def kind_of(value: object) -> str:
    if isinstance(value, np.ndarray):
        return "floats" if value.dtype.kind == "f" else "ids"
    if isinstance(value, (bool, np.bool_)):
        return "flag"
    if isinstance(value, (int, np.integer)):
        return "int"
    if isinstance(value, (float, np.floating)):
        return "number"
    if isinstance(value, str):
        return "str"
    if isinstance(value, np.random.Generator):
        return "generator"
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return "names"
    if isinstance(value, list):
        return "records"
    if isinstance(value, (types.FunctionType, types.MethodType)):
        return "function"
    if value is None:
        return "none"
    return "record"


def in_layout(a: np.ndarray, layout: str) -> np.ndarray:
    a = np.array(a)
    if layout == "F":
        return np.asfortranarray(a)
    if layout == "strided":
        big = np.zeros(tuple(2 * n for n in a.shape), dtype=a.dtype)
        big[tuple(slice(None, None, 2) for _ in a.shape)] = a
        return big[tuple(slice(None, None, 2) for _ in a.shape)]
    if layout == "reversed":
        return np.ascontiguousarray(a.transpose()).transpose()
    a.flags.writeable = False
    return a


def array_changes(draw, a: np.ndarray, case: Case, arg: str, ids: bool):
    """(label, value, mode, oracle value) for one change of an array argument."""
    index = tuple(draw(st.integers(0, n - 1)) for n in a.shape) if a.size else ()
    axis = draw(st.integers(0, a.ndim - 1)) if a.ndim else 0
    choices = ["F", "strided", "reversed", "read-only", "list", "complex", "object", "str", "None", "dict"]
    choices += ["size+1"] if a.ndim else []
    if arg not in case.any_shape:
        choices += ["extra axis", "missing axis"]
    if a.ndim and (arg not in case.empty_ok):
        choices += ["empty"]
    if ids:
        choices += ["int32", "uint8", "float ids", "bool ids", "-1"]
        choices += [] if arg in case.any_values else ["too large"]
    else:
        choices += ["float16", "int", "bool", "nan", "inf", "-inf", "huge"]
    label = draw(st.sampled_from(choices))
    if label in ("F", "strided", "reversed", "read-only"):
        return label, in_layout(a, label), SAME, a
    if label == "list":
        return label, a.tolist(), SAME, a
    if label == "float16":
        v = a.astype(np.float16)
        return label, v, SAME, v.astype(np.float64)
    if label == "int":
        v = np.round(2 * a).astype(np.int64)
        return label, v, SAME, v.astype(np.float64)
    if label == "bool":
        v = a > 0
        return label, v, SAME, v.astype(np.float64)
    if label in ("int32", "uint8"):
        return label, a.astype(label), SAME, a
    if label in ("nan", "inf", "-inf", "-1", "too large") and not a.size:
        return label, a, SAME, a
    if label in ("nan", "inf", "-inf"):
        v = a.copy()
        v[index] = float(label)
        return label, v, RAISE, None
    if label in ("-1", "too large"):
        v = a.copy()
        v[index] = -1 if label == "-1" else 10**6
        return label, v, RAISE, None
    if label == "huge":
        return label, a * 1e200, EITHER, None
    if label == "size+1":
        return label, np.concatenate([a, a.take([0], axis=axis)], axis=axis), EITHER, None
    if label == "extra axis":
        return label, a[None], RAISE, None
    if label == "missing axis":
        return label, (a[0] if a.ndim else a.reshape(1, 1)), RAISE, None
    if label == "empty":
        return label, a.take([], axis=axis), RAISE, None
    bad = {
        "complex": a + 0j,
        "object": np.array([*a.ravel().tolist()[:-1], "x"], dtype=object),
        "str": "xs",
        "None": None,
        "dict": {"values": a},
        "float ids": a.astype(np.float64),
        "bool ids": a > 0,
    }[label]
    if label == "complex" and arg in case.complex_ok:
        return label, bad, EITHER, None  # a complex recurrence is as valid as a real one
    return label, bad, RAISE, None


def changes(draw, value: object, case: Case, arg: str):
    kind = kind_of(value)
    optional = arg in case.optional
    none = [] if optional else [("None", None, RAISE, None)]
    if kind in ("floats", "ids"):
        change = array_changes(draw, value, case, arg, ids=kind == "ids")
        if change[0] == "None" and optional:
            return "None", None, EITHER, None
        return change
    if kind == "int":
        signed = arg in case.signed
        options = [
            ("np.int64", np.int64(value), SAME, value),
            ("np.int32", np.int32(value), SAME, value),
            ("True", True, RAISE, None),
            ("float", float(value) + 0.5, RAISE, None),
            ("str", str(value), RAISE, None),
            ("+1", value + 1, EITHER, None),
            ("0", 0, EITHER, None),
            *none,
        ]
        if not signed:
            options.append(("-1", -1, RAISE, None))
        return draw(st.sampled_from(options))
    if kind == "number":
        options = [
            ("np.float32", np.float32(value), SAME, float(np.float32(value))),
            ("np.float64", np.float64(value), SAME, value),
            ("nan", float("nan"), RAISE, None),
            ("inf", float("inf"), RAISE, None),
            ("str", str(value), RAISE, None),
            ("True", True, RAISE, None),
            ("complex", complex(value, 1), RAISE, None),
            ("array", np.array([value, value]), RAISE, None),
            ("0", 0.0, EITHER, None),
            ("huge", 1e300, EITHER, None),
            *none,
        ]
        if float(value).is_integer():
            options.append(("int", int(value), SAME, value))
        options.append(("negative", -abs(value) - 0.5, EITHER if arg in case.signed else RAISE, None))
        return draw(st.sampled_from(options))
    if kind == "flag":
        return draw(
            st.sampled_from(
                [
                    ("np.bool_", np.bool_(value), SAME, value),
                    ("not", not value, EITHER, None),
                    ("None", None, RAISE, None),
                    ("'no'", "no", RAISE, None),
                    ("1", int(value), RAISE, None),
                ]
            )
        )
    if kind == "str":
        options = [("int", 3, RAISE, None), ("bytes", value.encode(), RAISE, None), ("list", [value], RAISE, None)]
        options += none
        if arg in case.texts:
            if arg != "path":
                options.append(("other text", "xyz 'Q'", EITHER, None))
        else:
            options += [("unknown name", "no-such-name", RAISE, None), ("upper case", value.upper(), RAISE, None)]
        return draw(st.sampled_from(options))
    if kind == "generator":
        return draw(
            st.sampled_from(
                [("str", "rng", RAISE, None), ("float", 1.5, RAISE, None), ("True", True, RAISE, None), *none]
            )
        )
    if kind == "names":
        return draw(
            st.sampled_from(
                [
                    ("unknown name", ["no_such_weight"], RAISE, None),
                    ("int", [3], RAISE, None),
                    ("str", value[0], RAISE, None),
                    ("empty", [], RAISE, None),
                ]
            )
        )
    if kind == "function":
        return draw(
            st.sampled_from(
                [
                    ("int", 3, RAISE, None),
                    ("None", None, RAISE, None),
                    ("returns None", lambda *a: None, RAISE, None),
                    ("returns a string", lambda *a: "loss", RAISE, None),
                    ("returns three values", lambda *a: (1.0, 2.0, 3.0), RAISE, None),
                    ("returns nan", lambda *a: float("nan"), RAISE, None),
                ]
            )
        )
    if kind == "none":
        return draw(st.sampled_from([("int", 3, RAISE, None), ("str", "x", RAISE, None)]))
    # a record, or a list of records
    options = [("int", 3, RAISE, None), ("str", "params", RAISE, None), ("object", object(), RAISE, None), *none]
    if kind == "records":
        options += [("one record", value[0], RAISE, None), ("empty", [], RAISE, None), ("a None", [None], RAISE, None)]
    return draw(st.sampled_from(options))


def finite(result: object) -> bool:
    """Whether every number inside a result is finite."""
    if isinstance(result, np.ndarray):
        return result.dtype.kind not in "fc" or bool(np.all(np.isfinite(result)))
    if isinstance(result, (float, np.floating)):
        return bool(np.isfinite(result))
    if isinstance(result, (tuple, list)):
        return all(finite(r) for r in result)
    if isinstance(result, dict):
        return all(finite(r) for r in result.values())
    if dataclasses.is_dataclass(result):
        return all(finite(getattr(result, f.name)) for f in dataclasses.fields(result))
    return True


def figure_content(fig: Figure) -> list:
    """What a figure shows: every line, collection, patch and image's data and every text."""
    content = []
    for ax in fig.axes:
        content.append([t.get_text() for t in ax.findobj(Text) if t.get_visible()])
        content += [np.asarray(line.get_xydata(), dtype=float) for line in ax.get_lines()]
        content += [np.asarray(c.get_offsets(), dtype=float) for c in ax.collections]
        content += [np.asarray(p.get_path().vertices, dtype=float) for p in ax.patches]
        content += [np.asarray(im.get_array(), dtype=float) for im in ax.get_images()]
    return content


def assert_same(got: object, want: object, where: str = "result") -> None:
    if isinstance(want, Figure):
        assert isinstance(got, Figure), f"{where}: {type(got).__name__}, not a figure"
        assert_same(figure_content(got), figure_content(want), f"{where} (figure)")
    elif isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray), f"{where}: {type(got).__name__}, not an array"
        assert got.shape == want.shape and got.dtype == want.dtype, f"{where}: {got.shape} {got.dtype}"
        if want.dtype.kind == "f":
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=where)
        else:
            np.testing.assert_array_equal(got, want, err_msg=where)
    elif isinstance(want, (float, np.floating)):
        assert type(got) is type(want) and np.isclose(got, want, rtol=1e-9, atol=1e-12), f"{where}: {got} != {want}"
    elif isinstance(want, (tuple, list)):
        assert type(got) is type(want) and len(got) == len(want), where
        for k, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{where}[{k}]")
    elif isinstance(want, dict):
        assert isinstance(got, dict) and got.keys() == want.keys(), where
        for k in want:
            assert_same(got[k], want[k], f"{where}[{k!r}]")
    elif dataclasses.is_dataclass(want):
        assert type(got) is type(want), where
        for f in dataclasses.fields(want):
            assert_same(getattr(got, f.name), getattr(want, f.name), f"{where}.{f.name}")
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


def outcome(func, kwargs):
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # huge values overflow on purpose
            return func(**kwargs), None
    except Exception as exc:  # noqa: BLE001 - the test judges every exception
        return None, exc
    finally:
        plt.close("all")  # a closed figure still holds what it shows, for the comparison


def names_argument(exc: BaseException, arg: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(arg)}(?![A-Za-z0-9_])", str(exc)) is not None


@pytest.mark.parametrize("case", CASES + PLOT_CASES, ids=repr)
def test_the_valid_call_succeeds_with_finite_results(case):
    result, exc = outcome(case.func, case.build())
    assert exc is None, f"{case.name}: {exc!r}"
    assert finite(result)


def check_one_change(case: Case, data) -> None:
    kwargs = case.build()
    arg = data.draw(st.sampled_from(sorted(set(kwargs) - set(case.fixed))), label="argument")
    label, value, mode, oracle = changes(data.draw, kwargs[arg], case, arg)
    note(f"{case.name}({arg}={label})")
    result, exc = outcome(case.func, {**kwargs, arg: value})
    where = f"{case.name} with {arg} = {label}"
    if mode == SAME:
        want, want_exc = outcome(case.func, {**case.build(), arg: oracle})
        if want_exc is not None:
            assert type(exc) is type(want_exc), f"{where}: {exc!r}, but the same values in float64 give {want_exc!r}"
        else:
            assert exc is None, f"{where}: {exc!r}, but the same values in float64 give a result"
            if case.timed:
                assert isinstance(result, float) and result >= 0, f"{where}: {result!r} is not a time"
            else:
                assert_same(result, want, where)
        return
    if exc is not None:
        assert isinstance(exc, ERRORS), f"{where}: {type(exc).__name__}: {exc}"
        # A value that may be right on its own can clash with another argument; then
        # the message may name either of them.
        named = [arg] if mode == RAISE else list(kwargs)
        assert any(names_argument(exc, a) for a in named), f"{where}: the message does not name {arg!r}: {exc}"
    else:
        assert mode == EITHER, f"{where}: accepted without an error"
        assert finite(result), f"{where}: a result that is not finite"


@pytest.mark.parametrize("case", CASES, ids=repr)
@SETTINGS
@given(data=st.data())
def test_bad_input_gives_the_right_answer_or_an_error_naming_the_argument(case, data):
    check_one_change(case, data)


@pytest.mark.parametrize("case", PLOT_CASES, ids=repr)
@settings(SETTINGS, max_examples=50)  # each draw draws a figure
@given(data=st.data())
def test_bad_input_to_a_figure_gives_the_same_figure_or_an_error_naming_the_argument(case, data):
    check_one_change(case, data)
