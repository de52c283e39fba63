"""Checks at rnnlib's public boundary.

Every public function calls these on its arguments before any maths runs, so a
learner who passes the wrong thing is told which argument, what it was and what
was expected, instead of meeting a numpy broadcasting error three calls deep.
Inner loops never call them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

import numpy as np

# A dimension of an expected shape: a symbol ("T"), or a symbol with the size it
# must have (("D", 3)), shown to the learner as "D=3".
Dim = str | tuple[str, int]

ACTIVATIONS = ("tanh", "relu")


class NonFiniteError(ValueError):
    """An array that must be finite holds an inf or a NaN.

    A ``ValueError`` like every other bad-input error; its own type lets the
    training loop tell divergence (values overflowing mid-training) apart from
    a programming mistake.
    """


def describe_shape(dims: Sequence[Dim]) -> str:
    """Render an expected shape for a message: ``("T", ("D", 3))`` -> ``(T, D=3)``."""
    parts = [d if isinstance(d, str) else f"{d[0]}={d[1]}" for d in dims]
    return "(" + ", ".join(parts) + (",)" if len(parts) == 1 else ")")


def _of_shape(dims: Sequence[Dim] | None) -> str:
    return "of any shape" if dims is None else f"of shape {describe_shape(dims)}"


def as_array(
    name: str,
    value: object,
    dims: Sequence[Dim] | None,
    *,
    integer: bool = False,
    below: int | None = None,
    allow_empty: bool = False,
) -> np.ndarray:
    """Return ``value`` as an array after checking its dtype, shape and values.

    ``dims`` is the expected shape: a symbol matches any size, a ``(symbol, n)``
    pair only ``n``; ``None`` allows any shape. float32 and float64 arrays keep
    their dtype (float32 stays float32); other floating, integer and boolean arrays
    become float64, unless ``integer`` is set: then integers are required and kept,
    and ``below`` bounds them (class indices in ``[0, below)``). An array with a
    zero-sized dimension is refused unless ``allow_empty``: no sequence, batch or
    layer in rnnlib is empty.
    """
    if isinstance(value, (str, bytes, Mapping)) or value is None:
        raise TypeError(f"{name} must be a numeric array {_of_shape(dims)}; got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested lists, for example
        raise TypeError(f"{name} must be a numeric array {_of_shape(dims)}; could not convert it: {exc}") from None
    kind = arr.dtype.kind
    if integer:
        if kind not in "iu":
            raise TypeError(f"{name} must hold integers (class indices); got dtype {arr.dtype}")
    elif kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric array; got dtype {arr.dtype}")
    if dims is not None:
        check_shape(name, arr, dims)
    if arr.size == 0 and not allow_empty:
        where = (
            ""
            if dims is None
            else " ("
            + ", ".join(
                f"{d if isinstance(d, str) else d[0]}=0" for d, n in zip(dims, arr.shape, strict=True) if n == 0
            )
            + ")"
        )
        raise ValueError(f"{name} must not be empty; got shape {tuple(arr.shape)}{where}")
    if kind == "f" and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise NonFiniteError(f"{name} must be finite; got {arr[tuple(bad)]} at index {tuple(int(i) for i in bad)}")
    if integer and below is not None and arr.size and (arr.min() < 0 or arr.max() >= below):
        bad = tuple(int(i) for i in np.argwhere((arr < 0) | (arr >= below))[0])
        raise ValueError(f"{name} must hold class indices in [0, {below}); got {arr[bad]} at index {bad}")
    if not integer and arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    return arr


def check_shape(name: str, arr: np.ndarray, dims: Sequence[Dim]) -> None:
    """Raise ``ValueError`` unless ``arr.shape`` matches the expected ``dims``."""
    ok = arr.ndim == len(dims) and all(isinstance(d, str) or n == d[1] for d, n in zip(dims, arr.shape, strict=True))
    if not ok:
        raise ValueError(f"{name} must have shape {describe_shape(dims)}; got {tuple(arr.shape)}")


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """Raise unless ``value`` is one of the names in ``choices``; return it."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {tuple(choices)}; got {type(value).__name__} {value!r:.40}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}; got {value!r}")
    return value


def check_activation(activation: object) -> str:
    return check_choice("activation", activation, ACTIVATIONS)


def check_flag(name: str, value: object) -> bool:
    """Raise unless ``value`` is ``True`` or ``False`` (a numpy bool too); return it as a bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {type(value).__name__} {value!r:.40}")
    return bool(value)


def check_int(name: str, value: object, *, minimum: int | None = 1) -> int:
    """Raise unless ``value`` is an integer (a numpy integer too, never a bool) >= ``minimum``; return it as an int."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__} {value!r:.40}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be {'> 0' if minimum == 1 else f'>= {minimum}'}; got {int(value)}")
    return int(value)


def check_number(
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Raise unless ``value`` is a finite real number (a numpy one too, never a bool) in the
    interval given by ``low`` and ``high`` (closed unless ``low_open``/``high_open``); return a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number; got {type(value).__name__} {value!r:.40}")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not np.isfinite(value) or too_low or too_high:
        left = "-inf" if low is None else f"{low:g}"
        right = "inf" if high is None else f"{high:g}"
        interval = (
            ("(" if low_open or low is None else "[") + f"{left}, {right}" + (")" if high_open or high is None else "]")
        )
        raise ValueError(f"{name} must be a finite number in {interval}; got {value!r}")
    return value


def check_positive(name: str, value: object, *, integer: bool = False, allow_zero: bool = False) -> int | float:
    """Raise unless ``value`` is a (whole, if ``integer``) number > 0 (or >= 0); return it as an int or a float."""
    value = check_int(name, value, minimum=None) if integer else check_number(name, value)
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}; got {value!r}")
    return value


def check_text(name: str, value: object) -> str:
    """Raise unless ``value`` is a string (a label, a title); return it."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string; got {type(value).__name__} {value!r:.40}")
    return value


def check_function(name: str, value: object) -> Callable:
    if not callable(value):
        raise TypeError(f"{name} must be a function; got {type(value).__name__} {value!r:.40}")
    return value


def loss_value(name: str, value: object) -> float:
    """The loss a learner's or a caller's function ``name`` returned, as a finite float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        if not (isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuf"):
            raise TypeError(f"{name} must return a number (the loss); got {type(value).__name__} {value!r:.60}")
    value = float(value)
    if not np.isfinite(value):
        raise NonFiniteError(f"{name} must return a finite loss; got {value}")
    return value


def as_generator(seed: object, name: str = "seed") -> np.random.Generator:
    """The ``numpy.random.Generator`` behind a ``seed`` argument (an int >= 0 or a Generator)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)):
        if seed < 0:
            raise ValueError(f"{name} must be >= 0 (or a numpy.random.Generator); got {int(seed)}")
        return np.random.default_rng(int(seed))
    raise TypeError(f"{name} must be an int or a numpy.random.Generator; got {type(seed).__name__} {seed!r:.40}")


def store_fields(record: object, **arrays: np.ndarray) -> None:
    """Set validated arrays on a frozen dataclass from its ``__post_init__``."""
    for name, arr in arrays.items():
        object.__setattr__(record, name, arr)


def fields_of(record: object, name: str = "params") -> dict[str, np.ndarray]:
    """The named arrays of a parameter or gradient record (dataclass or mapping) passed as ``name``."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    if isinstance(record, Mapping):
        return dict(record)
    raise TypeError(
        f"{name} must be a record of arrays (a dataclass such as RNNParams, or a dict of arrays); "
        f"got {type(record).__name__}"
    )


def with_fields(record: object, **arrays: np.ndarray) -> object:
    """A copy of ``record`` (dataclass or mapping) with some fields replaced."""
    if isinstance(record, Mapping):
        return {**record, **arrays}
    return dataclasses.replace(record, **arrays)  # type: ignore[type-var]
