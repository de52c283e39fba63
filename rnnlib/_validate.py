"""Checks at rnnlib's public boundary.

Every public function calls these on its arguments before any maths runs, so a
learner who passes the wrong thing is told which argument, what it was and what
was expected, instead of meeting a numpy broadcasting error three calls deep.
Inner loops never call them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

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


def as_array(name: str, value: object, dims: Sequence[Dim], *, integer: bool = False) -> np.ndarray:
    """Return ``value`` as an array after checking its dtype, shape and values.

    ``dims`` is the expected shape: a symbol matches any size, a ``(symbol, n)``
    pair only ``n``. Floating arrays keep their dtype (float32 stays float32);
    integer and boolean arrays become float64 unless ``integer`` is set, in
    which case integers are required and kept.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a numeric array of shape {describe_shape(dims)}; got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested lists, for example
        raise TypeError(
            f"{name} must be a numeric array of shape {describe_shape(dims)}; could not convert it: {exc}"
        ) from None
    kind = arr.dtype.kind
    if integer:
        if kind not in "iu":
            raise TypeError(f"{name} must hold integers (class indices); got dtype {arr.dtype}")
    elif kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric array; got dtype {arr.dtype}")
    check_shape(name, arr, dims)
    if kind == "f" and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise NonFiniteError(f"{name} must be finite; got {arr[tuple(bad)]} at index {tuple(int(i) for i in bad)}")
    if not integer and kind != "f":
        arr = arr.astype(np.float64)
    return arr


def check_shape(name: str, arr: np.ndarray, dims: Sequence[Dim]) -> None:
    """Raise ``ValueError`` unless ``arr.shape`` matches the expected ``dims``."""
    ok = arr.ndim == len(dims) and all(isinstance(d, str) or n == d[1] for d, n in zip(dims, arr.shape, strict=True))
    if not ok:
        raise ValueError(f"{name} must have shape {describe_shape(dims)}; got {tuple(arr.shape)}")


def check_activation(activation: object) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}; got {activation!r}")
    return activation  # type: ignore[return-value]


def check_positive(name: str, value: object, *, integer: bool = False, allow_zero: bool = False) -> None:
    """Raise unless ``value`` is a (whole, if ``integer``) number > 0 (or >= 0)."""
    numeric = (
        isinstance(value, (int, np.integer)) if integer else isinstance(value, (int, float, np.integer, np.floating))
    )
    if isinstance(value, bool) or not numeric:
        kind = "an integer" if integer else "a number"
        raise TypeError(f"{name} must be {kind}; got {type(value).__name__} {value!r}")
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}; got {value!r}")


def as_generator(seed: object) -> np.random.Generator:
    """The ``numpy.random.Generator`` behind a ``seed`` argument (an int or a Generator)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int or a numpy.random.Generator; got {type(seed).__name__}")


def store_fields(record: object, **arrays: np.ndarray) -> None:
    """Set validated arrays on a frozen dataclass from its ``__post_init__``."""
    for name, arr in arrays.items():
        object.__setattr__(record, name, arr)


def fields_of(record: object) -> dict[str, np.ndarray]:
    """The named arrays of a parameter or gradient record (dataclass or mapping)."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    if isinstance(record, Mapping):
        return dict(record)
    raise TypeError(
        f"expected a parameter record (a dataclass such as RNNParams, or a dict of arrays); got {type(record).__name__}"
    )


def with_fields(record: object, **arrays: np.ndarray) -> object:
    """A copy of ``record`` (dataclass or mapping) with some fields replaced."""
    if isinstance(record, Mapping):
        return {**record, **arrays}
    return dataclasses.replace(record, **arrays)  # type: ignore[type-var]
