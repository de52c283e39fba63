"""Linear recurrences, and why they need not run in order (chapter 10).

A non-linear cell, ``h_t = tanh(W_hh h_{t-1} + ...)``, must be computed one step after
another: ``h_t`` cannot be had before ``h_{t-1}``. A *linear* recurrence,

    h_t = A h_{t-1} + u_t,        t = 1..T   (u_t = B x_t, say)

unrolls to ``h_t = A^t h_0 + sum_{k<=t} A^{t-k} u_k``, and the pairs ``(A, u)`` compose
associatively: applying ``(A_1, u_1)`` then ``(A_2, u_2)`` is ``(A_2 A_1, A_2 u_1 + u_2)``.
So every ``h_t`` is a prefix "sum" under that operation, and prefix sums can be
computed in ``ceil(log2(T + 1))`` rounds (``h_0`` counted as a step), each a single
vectorised operation over all steps at once (Hillis and Steele 1986; Blelloch 1990):
in round ``r``, every step
``t >= 2^r`` adds ``A^(2^r)`` times the partial result ``2^r`` steps before it. The work
grows to ``T log T`` products, but the *depth*, the number of rounds that must follow
one another, is ``log T`` instead of ``T``.

``A`` is either a matrix ``(H, H)`` or the diagonal of one, a vector ``(H,)`` (real or
complex), as in the diagonal linear recurrences of the Linear Recurrent Unit
(Orvieto et al. 2023); a diagonal ``A`` makes each product elementwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib._validate import (
    NonFiniteError,
    as_array,
    as_generator,
    check_flag,
    check_number,
    check_positive,
    check_shape,
    store_fields,
)
from rnnlib.losses import softmax_cross_entropy


def _numeric(name: str, value: object, dims) -> np.ndarray:
    """``as_array``, with complex arrays also accepted (and kept complex)."""
    if isinstance(value, np.ndarray) and np.iscomplexobj(value):
        if dims is not None:
            check_shape(name, value, dims)
        if value.size == 0:
            raise ValueError(f"{name} must not be empty; got shape {value.shape}")
        if not np.all(np.isfinite(value)):
            raise NonFiniteError(f"{name} must be finite; it holds nan or inf")
        return value
    return as_array(name, value, dims)


def _check(A: object, u: object, h0: object) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, bool]:
    A = _numeric("A", A, None)
    if A.ndim not in (1, 2) or (A.ndim == 2 and A.shape[0] != A.shape[1]):
        raise ValueError(f"A must be a square matrix (H, H) or a diagonal (H,); got shape {A.shape}")
    H = A.shape[0]
    u = _numeric("u", u, ("T", "B", ("H", H)))
    if h0 is not None:
        h0 = _numeric("h0", h0, (("B", u.shape[1]), ("H", H)))
    return A, u, h0, A.ndim == 1


def _apply(A: np.ndarray, h: np.ndarray, diagonal: bool) -> np.ndarray:
    """``A h`` for every row of ``h (..., H)``."""
    return h * A if diagonal else h @ A.T


def _finite(hs: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        ok = np.all(np.isfinite(hs))
    if not ok:
        t = int(np.argmax(~np.isfinite(hs).reshape(hs.shape[0], -1).all(axis=1)))
        raise NonFiniteError(
            f"the states overflowed at step {t + 1}: with A's eigenvalues (or diagonal) of modulus above 1, or "
            "huge values in A, u or h0, h_t grows like |lambda|^t; scale A or u down"
        )
    return hs


def linear_recurrence(A: np.ndarray, u: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
    """``h_1..h_T`` of ``h_t = A h_{t-1} + u_t``, one step after another: ``(T, B, H)``.

    ``A`` is ``(H, H)`` or its diagonal ``(H,)``; ``u`` is ``(T, B, H)``; ``h0`` is
    ``(B, H)``, zeros if omitted. Real or complex.
    """
    A, u, h0, diagonal = _check(A, u, h0)
    with np.errstate(over="ignore", invalid="ignore"):
        return _finite(_loop(A, u, h0, diagonal))


def _loop(A: np.ndarray, u: np.ndarray, h0: np.ndarray | None, diagonal: bool) -> np.ndarray:
    hs = np.empty(u.shape, dtype=np.result_type(A, u, h0 if h0 is not None else u))
    h = np.zeros(u.shape[1:], dtype=hs.dtype) if h0 is None else h0
    for t in range(u.shape[0]):
        h = _apply(A, h, diagonal) + u[t]
        hs[t] = h
    return hs


def linear_scan(A: np.ndarray, u: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
    """The same states as :func:`linear_recurrence`, by a parallel prefix scan.

    ``ceil(log2(T + 1))`` rounds, each one vectorised operation over every step:
    round ``r`` adds ``A^(2^r)`` times the partial result ``2^r`` steps earlier, and
    squares the power for the next round. Equal to the loop to rounding (the sums are
    added in a different order).
    """
    A, u, h0, diagonal = _check(A, u, h0)
    dtype = np.result_type(A, u, h0 if h0 is not None else u)
    # h_0 is step 0 of the scan, so that h_t = A^t h_0 + ... comes out with the rest.
    h = np.concatenate([np.zeros((1, *u.shape[1:]), dtype) if h0 is None else h0[None].astype(dtype), u])
    power = A.astype(dtype)  # A^(2^r)
    shift = 1
    with np.errstate(over="ignore", invalid="ignore"):
        while shift < h.shape[0]:
            h[shift:] = _apply(power, h[:-shift], diagonal) + h[shift:]  # the right side is read before it is written
            shift *= 2
            if shift < h.shape[0]:
                power = power * power if diagonal else power @ power
        return _finite(h[1:])


def scan_rounds(steps: int) -> int:
    """How many rounds :func:`linear_scan` takes for ``steps`` steps: ``ceil(log2(steps + 1))``."""
    steps = check_positive("steps", steps, integer=True)
    return int(steps).bit_length()


# ---------------------------------------------------------------- the Linear Recurrent Unit


@dataclass(frozen=True, eq=False)
class LRUParams:
    """A Linear Recurrent Unit (Orvieto et al. 2023) with a tanh read-out, in real arrays.

    The recurrence is diagonal and complex, ``h_t = lambda * h_{t-1} + gamma * (B x_t)``,
    with ``lambda = exp(-exp(nu_log) + i exp(theta_log))``: ``|lambda| = exp(-exp(nu_log))``
    lies strictly inside the unit circle whatever the weights, and ``nu_log`` sets how
    close to it. ``gamma = exp(gamma_log)`` scales the input (initialised to
    ``sqrt(1 - |lambda|^2)``, so that the state keeps the input's scale). The read-out is
    ``z_t = tanh(Re(C h_t) + D x_t)`` and the output ``y_t = W_hy z_t + b_y``.

    Shapes: ``nu_log``, ``theta_log``, ``gamma_log (H,)``; ``B_re``, ``B_im (H, D)``;
    ``C_re``, ``C_im (N, H)``; ``D (N, D)``; ``W_hy (O, N)``; ``b_y (O,)``.
    """

    nu_log: np.ndarray
    theta_log: np.ndarray
    gamma_log: np.ndarray
    B_re: np.ndarray
    B_im: np.ndarray
    C_re: np.ndarray
    C_im: np.ndarray
    D: np.ndarray
    W_hy: np.ndarray
    b_y: np.ndarray

    def __post_init__(self) -> None:
        B_re = as_array("B_re", self.B_re, ("H", "D"))
        H, D = B_re.shape
        C_re = as_array("C_re", self.C_re, ("N", ("H", H)))
        N = C_re.shape[0]
        W_hy = as_array("W_hy", self.W_hy, ("O", ("N", N)))
        checked = {"B_re": B_re, "C_re": C_re, "W_hy": W_hy}
        for name, dims in (
            ("nu_log", (("H", H),)),
            ("theta_log", (("H", H),)),
            ("gamma_log", (("H", H),)),
            ("B_im", (("H", H), ("D", D))),
            ("C_im", (("N", N), ("H", H))),
            ("D", (("N", N), ("D", D))),
            ("b_y", (("O", W_hy.shape[0]),)),
        ):
            checked[name] = as_array(name, getattr(self, name), dims)
        store_fields(self, **checked)

    @property
    def input_size(self) -> int:
        return self.B_re.shape[1]

    @property
    def hidden_size(self) -> int:
        """``H``, the number of complex state units."""
        return self.B_re.shape[0]

    @property
    def output_size(self) -> int:
        return self.W_hy.shape[0]

    @property
    def eigenvalues(self) -> np.ndarray:
        """``lambda``, the diagonal of the recurrence, ``(H,)`` complex: the eigenvalues of its matrix."""
        return np.exp(-np.exp(self.nu_log) + 1j * np.exp(self.theta_log))


def init_lru_params(
    input_size: int,
    hidden_size: int,
    readout_size: int,
    output_size: int,
    *,
    seed: int | np.random.Generator,
    r_min: float = 0.9,
    r_max: float = 0.999,
    max_phase: float = np.pi / 10,
) -> LRUParams:
    """Orvieto et al.'s initialisation: ``|lambda|`` uniform on the ring ``r_min..r_max``
    (by area), phases uniform in ``0..max_phase``, ``gamma = sqrt(1 - |lambda|^2)``,
    ``B`` and ``C`` complex Gaussian scaled by fan-in, ``D``, ``W_hy`` Gaussian."""
    for name, value in (
        ("input_size", input_size),
        ("hidden_size", hidden_size),
        ("readout_size", readout_size),
        ("output_size", output_size),
    ):
        check_positive(name, value, integer=True)
    r_min = check_number("r_min", r_min, low=0.0, high=1.0, low_open=True, high_open=True)
    r_max = check_number("r_max", r_max, low=r_min, high=1.0, high_open=True)
    max_phase = check_positive("max_phase", max_phase)
    rng = as_generator(seed)
    H, D, N, O = hidden_size, input_size, readout_size, output_size
    radius = np.sqrt(rng.uniform(r_min**2, r_max**2, size=H))
    nu_log = np.log(-np.log(radius))
    theta_log = np.log(rng.uniform(1e-3, max_phase, size=H))
    gamma_log = np.log(np.sqrt(1 - radius**2))
    return LRUParams(
        nu_log,
        theta_log,
        gamma_log,
        rng.normal(size=(H, D)) / np.sqrt(2 * D),
        rng.normal(size=(H, D)) / np.sqrt(2 * D),
        rng.normal(size=(N, H)) / np.sqrt(H),
        rng.normal(size=(N, H)) / np.sqrt(H),
        rng.normal(size=(N, D)) / np.sqrt(D),
        rng.normal(size=(O, N)) / np.sqrt(N),
        np.zeros(O),
    )


@dataclass(frozen=True, eq=False)
class LRUCache:
    """What :func:`lru_backward` needs."""

    xs: np.ndarray  # (T, B, D)
    hs: np.ndarray  # (T, B, H) complex
    zs: np.ndarray  # (T, B, N) the read-out
    params: LRUParams


def _check_lru(params: object) -> LRUParams:
    if not isinstance(params, LRUParams):
        raise TypeError(f"params must be an LRUParams (see init_lru_params); got {type(params).__name__}")
    return params


def lru_forward(xs: np.ndarray, params: LRUParams, *, parallel: bool = True) -> tuple[np.ndarray, LRUCache]:
    """Run the LRU over ``xs (T, B, D)`` from a zero state: outputs ``(T, B, O)`` and the cache.

    The states come from :func:`linear_scan` (``parallel``) or :func:`linear_recurrence`.
    """
    p = _check_lru(params)
    parallel = check_flag("parallel", parallel)
    xs = as_array("xs", xs, ("T", "B", ("D", p.input_size)))
    u = np.exp(p.gamma_log) * (xs @ (p.B_re + 1j * p.B_im).T)  # (T, B, H)
    hs = (linear_scan if parallel else linear_recurrence)(p.eigenvalues, u)
    zs = np.tanh((hs @ (p.C_re + 1j * p.C_im).T).real + xs @ p.D.T)
    return zs @ p.W_hy.T + p.b_y, LRUCache(xs, hs, zs, p)


@dataclass(frozen=True, eq=False)
class LRUGrads:
    """Gradients mirroring :class:`LRUParams`."""

    nu_log: np.ndarray
    theta_log: np.ndarray
    gamma_log: np.ndarray
    B_re: np.ndarray
    B_im: np.ndarray
    C_re: np.ndarray
    C_im: np.ndarray
    D: np.ndarray
    W_hy: np.ndarray
    b_y: np.ndarray


def lru_backward(dys: np.ndarray, cache: LRUCache) -> LRUGrads:
    """The gradient of every weight, given ``dys = dL/dy (T, B, O)``.

    For a real loss and a complex ``w``, write ``g_w = dL/dRe(w) + i dL/dIm(w)``. Then
    ``w = a z`` gives ``g_z = conj(a) g_w`` and ``g_a = conj(z) g_w``, so the gradient
    flowing back through the states obeys a linear recurrence of its own, run backwards
    in time, ``g_t = conj(C)^T g_y_t + conj(lambda) g_{t+1}``, which :func:`linear_scan`
    computes as well.
    """
    if not isinstance(cache, LRUCache):
        raise TypeError(f"cache must be the LRUCache returned by lru_forward; got {type(cache).__name__}")
    p, xs, hs, zs = cache.params, cache.xs, cache.hs, cache.zs
    T, B, _ = hs.shape
    dys = as_array("dys", dys, (("T", T), ("B", B), ("O", p.output_size)))
    lam, gamma = p.eigenvalues, np.exp(p.gamma_log)
    C = p.C_re + 1j * p.C_im
    flat = lambda a: a.reshape(T * B, -1)  # noqa: E731
    W_hy = flat(dys).T @ flat(zs)
    b_y = dys.sum(axis=(0, 1))
    da = (dys @ p.W_hy) * (1 - zs**2)  # dL/d(Re(C h) + D x), (T, B, N)
    D_grad = flat(da).T @ flat(xs)
    g_C = flat(da).T @ flat(np.conj(hs))  # g of C: conj(h) times the real da
    from_output = da @ np.conj(C)  # (T, B, H): conj(C)^T da_t
    # g_t = from_output_t + conj(lambda) g_{t+1}: the same scan, backwards in time
    g_h = linear_scan(np.conj(lam), from_output[::-1])[::-1]
    previous = np.concatenate([np.zeros((1, B, p.hidden_size), hs.dtype), hs[:-1]])
    g_lam = np.sum(np.conj(previous) * g_h, axis=(0, 1))
    g_s = np.conj(lam) * g_lam  # lambda = exp(s), s = -exp(nu_log) + i exp(theta_log)
    Bx = xs @ (p.B_re + 1j * p.B_im).T  # (T, B, H)
    gamma_grad = gamma * np.sum(np.real(np.conj(Bx) * g_h), axis=(0, 1))
    g_Bx = gamma * g_h
    return LRUGrads(
        nu_log=np.real(g_s) * -np.exp(p.nu_log),
        theta_log=np.imag(g_s) * np.exp(p.theta_log),
        gamma_log=gamma_grad,
        B_re=flat(np.real(g_Bx)).T @ flat(xs),
        B_im=flat(np.imag(g_Bx)).T @ flat(xs),
        C_re=np.real(g_C),
        C_im=np.imag(g_C),
        D=D_grad,
        W_hy=W_hy,
        b_y=b_y,
    )


def lru_loss_and_grads(
    params: LRUParams, xs: np.ndarray, targets: np.ndarray, *, many_to_one: bool = False
) -> tuple[float, LRUGrads]:
    """Forward, cross-entropy (at every step, or at the last with ``many_to_one``), backward."""
    many_to_one = check_flag("many_to_one", many_to_one)
    ys, cache = lru_forward(xs, params)
    loss, dys = softmax_cross_entropy(ys, targets, many_to_one=many_to_one)
    return loss, lru_backward(dys, cache)


def lru_state_gradient_by_lag(params: LRUParams, xs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """How much of the loss's gradient reaches the LRU's state ``lag`` steps before the end.

    The counterpart of :func:`rnnlib.state_gradient_by_lag`, with the same loss (the
    many-to-one cross-entropy at the last step) and the same scale: ``||dL/dh_{T-lag}||``
    for ``lag = 0..T``, per example and averaged over the batch, the norm taken over the
    real and imaginary parts of the complex state. The recurrence is diagonal, so the
    gradient ``lag`` steps back is the gradient at the end times ``conj(lambda)^lag``,
    unit by unit: each unit's share shrinks exactly like ``|lambda|^lag``.
    """
    p = _check_lru(params)
    xs = as_array("xs", xs, ("T", "B", ("D", p.input_size)))
    T, B, _ = xs.shape
    ys, cache = lru_forward(xs, p)
    _, dys = softmax_cross_entropy(ys, targets, many_to_one=True)
    da = (dys[-1] @ p.W_hy) * (1 - cache.zs[-1] ** 2)  # (B, N)
    g_end = B * (da @ np.conj(p.C_re + 1j * p.C_im))  # dL/dh_T of each example, unscaled by the mean
    decay = np.abs(p.eigenvalues)[None, :] ** np.arange(T + 1)[:, None]  # (T + 1, H)
    return np.sqrt((decay[:, None, :] ** 2 * np.abs(g_end[None]) ** 2).sum(axis=2)).mean(axis=1)
