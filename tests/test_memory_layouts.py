"""Every memory layout gives the same answer (property-based).

A fast path that writes in place through a reshape loses its write when the reshape
has to copy, which happens for any input that is not C-ordered: that is how
``softmax_cross_entropy`` once returned a gradient without its ``- onehot`` term
for a transposed batch (the second test fails on that version). The first test
draws, for every array a training step of the RNN, LSTM or GRU reads (inputs,
targets, every weight), one of several layouts (C order, Fortran order, a strided
view into a larger array, a view with reversed axes, read-only) and requires the
loss, every gradient and the final state to equal those of the same call on
C-ordered copies.

The draws are derandomised, so every run of the suite tries the same cases.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnlib
from rnnlib._validate import fields_of, with_fields

LAYOUTS = ("C", "F", "strided", "reversed", "read-only")
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None)


def in_layout(a: np.ndarray, layout: str) -> np.ndarray:
    """The same values as ``a``, laid out in memory as ``layout`` says."""
    a = np.array(a)  # a C-ordered copy
    if layout == "F":
        return np.asfortranarray(a)
    if layout == "strided":  # every other element of a larger array, along every axis
        big = np.zeros(tuple(2 * n for n in a.shape), dtype=a.dtype)
        big[tuple(slice(None, None, 2) for _ in a.shape)] = a
        return big[tuple(slice(None, None, 2) for _ in a.shape)]
    if layout == "reversed":  # the axes stored in reverse order, then viewed back
        return np.ascontiguousarray(a.transpose()).transpose()
    if layout == "read-only":
        a.flags.writeable = False
    return a


layout = st.sampled_from(LAYOUTS)


@st.composite
def training_step(draw):
    cell = draw(st.sampled_from(["rnn", "lstm", "gru"]))
    loss = draw(st.sampled_from(["cross_entropy", "mse"]))
    many_to_one = draw(st.booleans())
    T, B, D, H, O = (draw(st.integers(1, 4)) for _ in range(5))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    params = rnnlib.init_params(cell, D, H, O, seed=seed)
    xs = rng.normal(size=(T, B, D))
    if loss == "cross_entropy":
        targets = rng.integers(0, O, size=(B,) if many_to_one else (T, B))
    else:
        targets = rng.normal(size=(B, O) if many_to_one else (T, B, O))
    layouts = {"xs": draw(layout), "targets": draw(layout)}
    layouts.update({name: draw(layout) for name in fields_of(params)})
    return cell, params, xs, targets, loss, many_to_one, layouts


@SETTINGS
@given(training_step())
def test_a_training_step_is_the_same_for_every_memory_layout(case):
    cell, params, xs, targets, loss, many_to_one, layouts = case
    want_loss, want_grads, want_state = rnnlib.sequence_loss_and_grads(
        params, xs, targets, loss=loss, many_to_one=many_to_one
    )
    laid_out = with_fields(params, **{n: in_layout(a, layouts[n]) for n, a in fields_of(params).items()})
    got_loss, got_grads, got_state = rnnlib.sequence_loss_and_grads(
        laid_out,
        in_layout(xs, layouts["xs"]),
        in_layout(targets, layouts["targets"]),
        loss=loss,
        many_to_one=many_to_one,
    )
    np.testing.assert_allclose(got_loss, want_loss, rtol=1e-12, atol=0)
    for name, want in fields_of(want_grads).items():
        np.testing.assert_allclose(fields_of(got_grads)[name], want, rtol=1e-10, atol=1e-14, err_msg=name)
    for got, want in zip(np.atleast_1d(got_state), np.atleast_1d(want_state), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@SETTINGS
@given(
    # At least 2 along every axis: an array with one row is C- and Fortran-ordered at once.
    T=st.integers(2, 4),
    B=st.integers(2, 4),
    O=st.integers(2, 5),
    many_to_one=st.booleans(),
    layout=layout,
    seed=st.integers(0, 10_000),
)
def test_cross_entropy_gradient_matches_finite_differences_in_every_layout(T, B, O, many_to_one, layout, seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(T, B, O))
    targets = rng.integers(0, O, size=(B,) if many_to_one else (T, B))
    _, grad = rnnlib.softmax_cross_entropy(in_layout(logits, layout), targets, many_to_one=many_to_one)
    numeric = rnnlib.numerical_gradient(
        lambda z: rnnlib.softmax_cross_entropy(z, targets, many_to_one=many_to_one)[0], logits
    )
    assert rnnlib.relative_error(grad, numeric) < 1e-7 or np.abs(grad - numeric).max() < 1e-9
