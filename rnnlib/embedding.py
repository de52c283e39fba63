"""A learned embedding in place of one-hot inputs, and dropout (chapter 8).

**Embedding.** Token ``k`` is read as row ``k`` of a matrix ``E (V, D)`` instead of
the one-hot vector ``e_k``: ``x_t = E[id_t]``. Since ``E[k] = e_k E``, this is the
one-hot input times ``E``, so a cell whose input weights are ``W_x`` computes
``W_x E[k] = (W_x E^T) e_k``: an embedding followed by a cell *is* a one-hot cell
whose input weights are the product ``W_x E^T`` (:func:`fold_embedding`). What the
embedding changes is training: ``E`` and ``W_x`` are learned as two factors, and
dropout can act on the ``D`` numbers that reach the cell.

The gradient of ``E`` is a scatter-add: every time token ``k`` was read, the
gradient of that input is added to row ``k`` (:func:`embedding_backward`).

**Dropout** (Srivastava et al. 2014). While training, each number is set to zero
with probability ``p`` and the others are divided by ``1 - p``, so that its expected
value is unchanged and nothing needs rescaling at test time, when dropout is off.
*Variational* dropout (Gal and Ghahramani 2016) draws one mask per sequence and
keeps it at every step of the chunk (:func:`dropout_mask` with the shape ``(B, D)``,
broadcast over time), so the same units are dropped all along a stream.
"""

from __future__ import annotations

import numpy as np

from rnnlib._validate import as_array, as_generator, check_number, check_positive, with_fields


def init_embedding(
    vocab_size: int, dim: int, *, seed: int | np.random.Generator, dtype: type = np.float64
) -> np.ndarray:
    """A random embedding ``E (vocab_size, dim)``, entries ``N(0, 1)``: each token's row
    has about the length of a one-hot vector times ``sqrt(dim)``, so that input weights
    initialised ``N(0, 1/dim)`` see inputs of the usual scale."""
    vocab_size = check_positive("vocab_size", vocab_size, integer=True)
    dim = check_positive("dim", dim, integer=True)
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64; got {np.dtype(dtype)}")
    return as_generator(seed).normal(size=(vocab_size, dim)).astype(dtype)


def _check_embedding(E: object) -> np.ndarray:
    return as_array("E", E, ("V", "D"))


def embed(E: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The rows of ``E (V, D)`` for token ids of any shape ``S``: an array ``(*S, D)``."""
    E = _check_embedding(E)
    ids = as_array("ids", ids, None, integer=True, below=E.shape[0])
    return E[ids]


def embedding_backward(dxs: np.ndarray, ids: np.ndarray, vocab_size: int) -> np.ndarray:
    """``dL/dE (vocab_size, D)`` from ``dxs = dL/dx`` ``(*S, D)`` at the inputs ``x = E[ids]``, ids ``S``.

    Row ``k`` is the sum of ``dxs`` over every position where ``ids`` is ``k`` (a
    scatter-add, ``np.add.at``); the rows of tokens that were not read are zero.
    """
    vocab_size = check_positive("vocab_size", vocab_size, integer=True)
    ids = as_array("ids", ids, None, integer=True, below=vocab_size)
    dxs = as_array("dxs", dxs, None)
    if dxs.shape[:-1] != ids.shape or dxs.ndim != ids.ndim + 1:
        raise ValueError(
            f"dxs must have shape (*ids.shape, D) = ({', '.join(map(str, ids.shape))}, D); got {dxs.shape}"
        )
    dE = np.zeros((vocab_size, dxs.shape[-1]), dtype=dxs.dtype)
    np.add.at(dE, ids.reshape(-1).astype(np.intp), dxs.reshape(-1, dxs.shape[-1]))
    return dE


def fold_embedding(params: object, E: np.ndarray) -> object:
    """The one-hot model equal to embedding with ``E (V, D)`` and then running ``params``.

    The cell's input weights ``W (kH, D)`` become ``W E^T (kH, V)``; every other
    weight is unchanged. For any of the three cells (its input weights are ``W_xh``
    for the RNN, ``W_x`` for the LSTM and the GRU).
    """
    from rnnlib.models import cell_name

    cell = cell_name(params)
    E = _check_embedding(E)
    name = "W_xh" if cell == "rnn" else "W_x"
    W = getattr(params, name)
    if W.shape[1] != E.shape[1]:
        raise ValueError(
            f"E must have one column per input of the cell: params.{name} is {W.shape}, so E needs shape (V, "
            f"{W.shape[1]}); got {E.shape}"
        )
    return with_fields(params, **{name: (W @ E.T).astype(W.dtype, copy=False)})


def dropout_mask(
    shape: tuple[int, ...], p: float, *, seed: int | np.random.Generator, dtype: type = np.float64
) -> np.ndarray:
    """A dropout mask of ``shape``: 0 with probability ``p``, else ``1 / (1 - p)``.

    Multiply a value by it while training (``p = 0`` gives all ones). For variational
    dropout over a chunk ``(T, B, D)``, draw the mask ``(B, D)`` once and multiply
    every step by it.
    """
    if not (isinstance(shape, tuple) and shape and all(isinstance(n, (int, np.integer)) and n > 0 for n in shape)):
        raise ValueError(f"shape must be a non-empty tuple of positive integers; got {shape!r}")
    p = check_number("p", p, low=0.0, high=1.0, high_open=True)
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64; got {np.dtype(dtype)}")
    keep = as_generator(seed).random(shape) >= p
    return (keep / (1.0 - p)).astype(dtype)
