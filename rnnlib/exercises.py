"""Checkers for the exercises: each says at once whether an answer is right and,
if not, what is wrong with it (which shape, which value, which time step).

A checker never raises because of the learner's code: an exception (``SystemExit``
included), a ``None``, any other return value, a wrong type or shape, and a function
that runs for longer than :data:`TIME_LIMIT` seconds all come back as a
:class:`CheckResult` that says so. ``KeyboardInterrupt`` (the learner pressing stop)
still stops the kernel. What the learner's function prints is shown, cut to
:data:`PRINT_LIMIT` characters.
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import re
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnnlib.cell import activate
from rnnlib.losses import softmax


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


# ---------------------------------------------------------------- exercise 2.1

_SHAPE_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y", "x_t", "h_t", "y_t", "xs", "num_parameters")


def check_cell_shapes(answer: dict) -> CheckResult:
    """Exercise 2.1: the shapes for ``D=3, H=5, O=2``, a batch of ``B=4``, ``T=7``.

    ``answer`` maps each name in ``W_xh, W_hh, b_h, W_hy, b_y, x_t, h_t, y_t,
    xs`` (batched, time-major) to a shape tuple, and ``num_parameters`` to an int.
    """
    ex = "Exercise 2.1"
    D, H, O, B, T = 3, 5, 2, 4, 7
    expected = {
        "W_xh": (H, D),
        "W_hh": (H, H),
        "b_h": (H,),
        "W_hy": (O, H),
        "b_y": (O,),
        "x_t": (B, D),
        "h_t": (B, H),
        "y_t": (B, O),
        "xs": (T, B, D),
        "num_parameters": H * D + H * H + H + O * H + O,
    }
    why = {
        "W_xh": "W_xh maps an input (size D) to the hidden space (size H): (H, D)",
        "W_hh": "W_hh maps the hidden state to itself: (H, H)",
        "b_h": "there is one bias per hidden unit: (H,)",
        "W_hy": "W_hy maps the hidden state (size H) to the output (size O): (O, H)",
        "b_y": "there is one bias per output: (O,)",
        "x_t": "one input row per example in the batch: (B, D)",
        "h_t": "one hidden state row per example: (B, H)",
        "y_t": "one output row per example: (B, O)",
        "xs": "time-major: (T, B, D)",
        "num_parameters": "add up the sizes of the five weights: H*D + H*H + H + O*H + O",
    }
    verdict = _answer_dict_verdict(ex, answer, _SHAPE_NAMES)
    if verdict is not None:
        return verdict
    for name in _SHAPE_NAMES:
        got = answer[name]
        want = expected[name]
        if name == "num_parameters":
            if got != want:
                return _wrong(ex, f"num_parameters: got {got!r}. Hint: {why[name]}.")
            continue
        try:
            got_t = tuple(int(n) for n in got)
        except (TypeError, ValueError):
            return _wrong(ex, f"{name}: a shape is a tuple of integers, like (4, 3); got {got!r}")
        if got_t != want:
            hint = "transposed? " if got_t == want[::-1] and len(want) == 2 else ""
            return _wrong(ex, f"{name}: got {got_t}. {hint}Hint: {why[name]} (here D=3, H=5, O=2, B=4, T=7).")
    return _ok(ex, f"every shape is right, and the model has {expected['num_parameters']} parameters whatever T is.")


# ---------------------------------------------------------------- exercise 2.2


def _reference_step(x, h, W_xh, W_hh, b_h, activation="tanh", bias=True):
    a = x @ W_xh.T + h @ W_hh.T + (b_h if bias else 0.0)
    return a if activation is None else activate(a, activation)


# Known mistakes and how to recognise them: (name, function of the same arguments).
_STEP_MISTAKES = (
    ("the bias b_h is missing", lambda x, h, Wx, Wh, b: _reference_step(x, h, Wx, Wh, b, bias=False)),
    (
        "tanh is missing: this is the pre-activation a_t",
        lambda x, h, Wx, Wh, b: _reference_step(x, h, Wx, Wh, b, activation=None),
    ),
    ("this is ReLU, not tanh", lambda x, h, Wx, Wh, b: _reference_step(x, h, Wx, Wh, b, activation="relu")),
    (
        "the weights are transposed: with one example per row, W_xh x_t is x @ W_xh.T",
        lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh + b),
    ),
    (
        "W_xh is transposed: with one example per row, W_xh x_t is x @ W_xh.T",
        lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh.T + b),
    ),
    (
        "W_hh is transposed: with one example per row, W_hh h_{t-1} is h_prev @ W_hh.T",
        lambda x, h, Wx, Wh, b: np.tanh(x @ Wx.T + h @ Wh + b),
    ),
    (
        "h_prev is not used: the new state must depend on the previous one",
        lambda x, h, Wx, Wh, b: np.tanh(x @ Wx.T + b),
    ),
)


def check_rnn_step(rnn_step: Callable) -> CheckResult:
    """Exercise 2.2: ``rnn_step(x, h_prev, W_xh, W_hh, b_h) -> h`` with tanh.

    Shapes: ``x (B, D)``, ``h_prev (B, H)``, ``W_xh (H, D)``, ``W_hh (H, H)``,
    ``b_h (H,)``; the result ``(B, H)``.
    """
    ex = "Exercise 2.2"
    rng = np.random.default_rng(22)
    # The square case (D = H) first: there the commonest mistake, x @ W_xh, runs and
    # can be named; H != D then catches by shape what a square case cannot.
    for B, D, H in ((3, 4, 4), (2, 3, 4), (1, 1, 1)):
        x, h = rng.normal(size=(B, D)), rng.normal(size=(B, H))
        W_xh, W_hh, b_h = rng.normal(size=(H, D)), rng.normal(size=(H, H)), rng.normal(size=H)
        args = (x.copy(), h.copy(), W_xh.copy(), W_hh.copy(), b_h.copy())
        got, verdict = _call_for_array(ex, rnn_step, tuple(args), (B, H), f"h for B={B}, H={H}")
        if verdict is not None:
            return verdict
        want = _reference_step(x, h, W_xh, W_hh, b_h)
        if np.allclose(got, want, atol=1e-8):
            continue
        for what, mistake in _STEP_MISTAKES:
            try:
                if np.allclose(got, mistake(x, h, W_xh, W_hh, b_h), atol=1e-8):
                    return _wrong(ex, f"{what}.")
            except ValueError:  # this mistake cannot produce these shapes
                pass
        i = np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
        return _wrong(
            ex,
            f"for B={B}, D={D}, H={H}, h[{i[0]}, {i[1]}] should be {want[i]:.4f}; got {got[i]:.4f}. "
            "Compare with h_t = tanh(W_xh x_t + W_hh h_(t-1) + b_h).",
        )
    return _ok(ex, "your step matches h_t = tanh(W_xh x_t + W_hh h_(t-1) + b_h) for every shape tried.")


# ---------------------------------------------------------------- exercise 2.3


def check_softmax(softmax_fn: Callable) -> CheckResult:
    """Exercise 2.3: a numerically stable ``softmax(z)`` over the last axis of ``(B, O)`` scores."""
    ex = "Exercise 2.3"
    cases = (
        ("small scores", np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])),
        ("one row", np.array([[-1.0, 0.5]])),
        ("large scores (1000 and up)", np.array([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])),
        ("a batch of rows on very different scales", np.array([[1000.0, 1001.0], [0.0, 1.0]])),
    )
    for label, z in cases:
        with np.errstate(all="ignore"):
            got, verdict = _call_for_array(ex, softmax_fn, (z.copy(),), z.shape, f"softmax of {z.shape} scores")
        if verdict is not None:
            return verdict
        if not np.all(np.isfinite(got)):
            if label.startswith("a batch"):  # finite on each scale alone: one maximum for the whole batch
                return _wrong(
                    ex,
                    f"on {label} your softmax gives {np.round(got, 4).tolist()}: subtract each row's own maximum "
                    "(z.max(axis=-1, keepdims=True)), not the largest score of the whole batch.",
                )
            if label.startswith("large"):  # the same function was finite on small scores
                return _wrong(
                    ex,
                    f"on {label} your softmax gives {got[0]}: exp overflowed. "
                    "Subtract the row's maximum before exp; it does not change the result.",
                )
            return _wrong(
                ex,
                f"on {label} your softmax gives {np.round(got, 4).tolist()}, which is not finite: "
                "is something divided by zero?",
            )
        if np.allclose(got.sum(axis=0), 1.0) and not np.allclose(got.sum(axis=-1), 1.0):
            return _wrong(
                ex, "the columns sum to 1, not the rows: normalise along the last axis (axis=-1, keepdims=True)."
            )
        if not np.allclose(got.sum(axis=-1), 1.0):
            return _wrong(ex, f"on {label} the rows should sum to 1; they sum to {np.round(got.sum(axis=-1), 4)}.")
        want = softmax(z)
        if not np.allclose(got, want, atol=1e-10):
            return _wrong(
                ex, f"on {label} expected {np.round(want[0], 4)} for the first row; got {np.round(got[0], 4)}."
            )
    return _ok(ex, "your softmax is right, and stable for large scores.")


# ---------------------------------------------------------------- exercise 2.4


def check_latch(W_xh: object, W_hh: object, b_h: object) -> CheckResult:
    """Exercise 2.4: a one-unit tanh cell, started at ``h_0 = 0``, whose state is
    above +0.5 once a 1 has been seen and below -0.5 until then.

    Every 0/1 sequence of length 8 is tried.
    """
    ex = "Exercise 2.4"
    weights = {}
    for name, value in (("W_xh", W_xh), ("W_hh", W_hh), ("b_h", b_h)):
        if value is Ellipsis:
            return _not_done(ex, f"set {name} to a number (replace the `...`).")
        try:
            weights[name] = float(np.asarray(value, dtype=np.float64).reshape(()))
        except (TypeError, ValueError):
            return _wrong(ex, f"{name} should be a single number (one input, one hidden unit); got {value!r}")
        if not np.isfinite(weights[name]):  # None becomes nan, and nan passes every comparison test below
            return _wrong(ex, f"{name} should be a finite number; got {value!r}")
    w, u, b = weights["W_xh"], weights["W_hh"], weights["b_h"]
    # Shortest sequences first, so a failure is reported on the shortest input that shows it.
    for seq in itertools.chain.from_iterable(itertools.product((0, 1), repeat=n) for n in range(1, 9)):
        h, seen = 0.0, False
        for x in seq:
            h = float(np.tanh(w * x + u * h + b))
            seen = seen or x == 1
        if seen and h <= 0.5 or not seen and h >= -0.5:
            want = "above +0.5 (a 1 has been seen)" if seen else "below -0.5 (no 1 yet)"
            return _wrong(ex, f"on inputs {''.join(map(str, seq))}, h_{len(seq)} = {h:.3f} but should be {want}.")
    return _ok(ex, "your cell remembers whether it has seen a 1, on every 0/1 sequence up to length 8.")


# ================================================================ chapter 1


def check_window_parameter_count(count_fn: Callable) -> CheckResult:
    """Exercise 1.1: ``count_fn(k, D, Z, O)``, the parameters of a one-hidden-layer MLP
    reading a window of ``k`` inputs of size ``D``, with ``Z`` hidden units and ``O`` outputs."""
    ex = "Exercise 1.1"
    for k, D, Z, O in ((1, 1, 1, 1), (4, 5, 32, 5), (10, 3, 8, 2)):
        got, verdict = _call(ex, count_fn, k, D, Z, O)
        if verdict is not None:
            return verdict
        want = Z * k * D + Z + O * Z + O
        if not isinstance(got, (int, np.integer)) or isinstance(got, bool):
            return _wrong(ex, f"the count should be an integer; got {type(got).__name__} {got!r}")
        if got == want:
            continue
        hint = {
            Z * k * D + O * Z: "the biases b_1 (Z of them) and b_2 (O) are missing",
            Z * D + Z + O * Z + O: "the window is missing: W_1 reads k*D numbers, not D",
            Z * k * D: "only W_1 is counted",
        }.get(int(got), "W_1 is Z x (k*D), b_1 has Z entries, W_2 is O x Z, b_2 has O")
        return _wrong(ex, f"for k={k}, D={D}, Z={Z}, O={O} expected {want}, got {got}: {hint}.")
    return _ok(ex, "the count grows linearly with the window, by Z*D per extra step.")


def _reference_windows(xs: np.ndarray, k: int) -> np.ndarray:
    T, B, D = xs.shape
    padded = np.concatenate([np.zeros((k - 1, B, D)), xs])
    return np.concatenate([padded[j : j + T] for j in range(k)], axis=-1)


def check_window_inputs(window_fn: Callable) -> CheckResult:
    """Exercise 1.2: ``window_fn(xs, k)`` stacks ``x_{t-k+1}, ..., x_t`` (oldest first,
    zeros before the start) into ``(T, B, k*D)``."""
    ex = "Exercise 1.2"
    rng = np.random.default_rng(12)
    for T, B, D, k in ((5, 2, 3, 2), (6, 1, 1, 3), (3, 2, 2, 1)):
        xs = rng.normal(size=(T, B, D))
        got, verdict = _call_for_array(
            ex,
            window_fn,
            (
                xs.copy(),
                k,
            ),
            (T, B, k * D),
            f"the windows for T={T}, B={B}, D={D}, k={k}",
        )
        if verdict is not None:
            return verdict
        want = _reference_windows(xs, k)
        if np.allclose(got, want):
            continue
        newest_first = lambda: np.concatenate(np.split(want, k, axis=-1)[::-1], axis=-1)  # noqa: E731
        shifted = lambda: np.concatenate([np.zeros((1, B, k * D)), _reference_windows(xs, k)[:-1]])  # noqa: E731
        rolled = lambda: np.concatenate([np.roll(xs, k - 1 - j, axis=0) for j in range(k)], axis=-1)  # noqa: E731
        what = _known_mistake(
            got,
            [
                ("the newest input comes first; put the oldest, x_(t-k+1), first", newest_first),
                ("off by one in time: the window at step t must end with x_t itself, not x_(t-1)", shifted),
                ("the first windows wrap around to the end of the sequence; use zeros before the start", rolled),
            ],
        )
        where = f"for T={T}, D={D}, k={k}"
        return _wrong(ex, f"{where}: {what}." if what else f"{where}, {_first_difference(got, want)}.")
    return _ok(ex, "your windows match: oldest input first, zeros before the sequence starts.")


def check_can_tell_apart(tell_fn: Callable) -> CheckResult:
    """Exercise 1.3: ``tell_fn(seq_a, seq_b, k)`` says whether a window-``k`` MLP *can*
    give different outputs at the last step of two equally long sequences."""
    ex = "Exercise 1.3"
    cases = (
        ([1, 2, 3], [9, 2, 3], 2, False, "they differ 2 steps before the last, outside a window of 2"),
        ([1, 2, 3], [9, 2, 3], 3, True, "they differ 2 steps before the last, inside a window of 3"),
        ([5, 1, 1, 1], [6, 1, 1, 1], 3, False, "they differ only 3 steps before the last, outside a window of 3"),
        ([5, 1, 1, 7], [5, 1, 1, 8], 1, True, "they differ at the last step itself"),
        ([1, 2], [1, 2], 2, False, "the sequences are the same"),
    )
    for a, b, k, want, why in cases:
        got, verdict = _call(ex, tell_fn, list(a), list(b), k)
        if verdict is not None:
            return verdict
        if not isinstance(got, (bool, np.bool_)):
            return _wrong(ex, f"the answer should be True or False; got {type(got).__name__} {got!r}")
        if bool(got) != want:
            return _wrong(
                ex,
                f"for {a} and {b} with k={k} the answer is {want}: {why}. At the last step t the MLP sees only "
                "x_(t-k+1), ..., x_t, the last k inputs.",
            )
    return _ok(ex, "a windowed MLP can only tell sequences apart by their last k inputs.")


# ================================================================ chapter 3


def check_unroll(unroll_fn: Callable) -> CheckResult:
    """Exercise 3.1: ``unroll_fn(xs, params, h0)`` returns every hidden state ``(T, B, H)``,
    built from :func:`rnnlib.rnn_step_forward`."""
    from rnnlib.cell import init_rnn_params
    from rnnlib.unroll import rnn_forward_stepwise

    ex = "Exercise 3.1"
    rng = np.random.default_rng(31)
    for T, B, D, H in ((4, 2, 3, 5), (1, 1, 2, 2), (6, 3, 1, 4)):
        params = init_rnn_params(D, H, 2, seed=rng)
        xs, h0 = rng.normal(size=(T, B, D)), rng.normal(size=(B, H))
        out, verdict = _call(ex, unroll_fn, xs.copy(), params, h0.copy())
        if verdict is not None:
            return verdict
        if np.shape(out) == (T + 1, B, H):
            return _wrong(ex, f"got {T + 1} states for T={T}: return h_1..h_T, without h_0.")
        got, verdict = _as_result_array(ex, out, (T, B, H), f"hs for T={T}, B={B}, H={H}")
        if verdict is not None:
            return verdict
        want = rnn_forward_stepwise(xs, params, h0)
        if np.allclose(got, want):
            continue
        h_prev = np.concatenate([h0[None], want[:-1]])
        from_h0 = lambda: np.tanh(xs @ params.W_xh.T + h0 @ params.W_hh.T + params.b_h)  # noqa: E731
        what = _known_mistake(
            got,
            [
                ("every step starts from h0: update h after each step so the next one reads it", from_h0),
                ("off by one: hs[t] holds h_(t-1); store the state each step returns", lambda: h_prev),
                (
                    "all entries are the last state: store a copy of h at each step",
                    lambda: np.broadcast_to(want[-1], want.shape),
                ),
            ],
        )
        where = f"for T={T}, B={B}, H={H}"
        return _wrong(ex, f"{where}: {what}." if what else f"{where}, {_first_difference(got, want)}.")
    return _ok(ex, "your loop matches rnnlib's unrolled forward.")


_UNROLL_SHAPES = {
    "xs": ((6, 2, 3), "time-major inputs: (T, B, D)"),
    "xs[0]": ((2, 3), "the inputs of one step, for every sequence of the batch: (B, D)"),
    "h0": ((2, 4), "one initial state per sequence: (B, H)"),
    "hs": ((6, 2, 4), "every hidden state h_1..h_T: (T, B, H)"),
    "ys": ((6, 2, 5), "an output at every step: (T, B, O)"),
    "ys[-1]": ((2, 5), "the last step's outputs, what many-to-one scores: (B, O)"),
    "targets_many_to_many": ((6, 2), "one class per step and sequence: (T, B)"),
    "targets_many_to_one": ((2,), "one class per sequence: (B,)"),
}


def check_unroll_shapes(answer: dict) -> CheckResult:
    """Exercise 3.2: shapes of every array of an unrolled RNN for T=6, B=2, D=3, H=4, O=5."""
    ex = "Exercise 3.2"
    verdict = _answer_dict_verdict(ex, answer, _UNROLL_SHAPES)
    if verdict is not None:
        return verdict
    for name, (want, why) in _UNROLL_SHAPES.items():
        try:
            got = tuple(int(n) for n in answer[name])
        except (TypeError, ValueError):
            return _wrong(ex, f"{name}: a shape is a tuple of integers, like (6, 2); got {answer[name]!r}")
        if got != want:
            return _wrong(ex, f"{name}: got {got}. Hint: {why} (here T=6, B=2, D=3, H=4, O=5).")
    return _ok(ex, "every shape is right.")


def check_h3(h3: object) -> CheckResult:
    """Exercise 3.3: ``h_3`` of a one-unit ReLU cell with ``w_xh = 1``, ``w_hh = 0.5``,
    ``b_h = 1``, ``h_0 = 0`` and inputs ``x = (2, 0, 4)``."""
    ex = "Exercise 3.3"
    if h3 is Ellipsis:
        return _not_done(ex, "replace the `...` with your value of h_3.")
    try:
        value = float(np.asarray(h3, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        return _wrong(ex, f"h_3 should be a single number; got {h3!r}")

    def run(w_xh=1.0, w_hh=0.5, b=1.0, xs=(2.0, 0.0, 4.0), h=0.0):
        states = []
        for x in xs:
            h = max(0.0, w_xh * x + w_hh * h + b)
            states.append(h)
        return states

    h1, h2, want = run()
    if np.isclose(value, want):
        return _ok(ex, "h_1 = 3, h_2 = 2.5, h_3 = 4 + 0.5 * 2.5 + 1 = 6.25.")
    mistakes = [
        (h1, "that is h_1"),
        (h2, "that is h_2; one more step"),
        (run(b=0.0)[-1], "that is what you get without the bias b_h = 1"),
        (run(w_hh=0.0)[-1], "that ignores the previous state: add w_hh * h_2"),
        (run(w_hh=1.0)[-1], "the recurrent weight is 0.5, not 1"),
        (run(xs=(4.0, 0.0, 2.0))[-1], "the inputs are taken in reverse order; x_1 = 2 comes first"),
    ]
    for v, what in mistakes:
        if np.isclose(value, v):
            return _wrong(ex, f"{value:g}: {what}.")
    return _wrong(ex, f"{value:g} is not h_3. Compute h_1 = relu(w_xh x_1 + w_hh h_0 + b_h) first, then h_2, then h_3.")


# ================================================================ chapter 4


def check_parameter_counts(count_fn: Callable) -> CheckResult:
    """Exercise 4.1: ``count_fn(T, D, H, O) -> (tied, untied)``: the parameters of the RNN
    and of an untied network with its own weights at each of ``T`` steps."""
    ex = "Exercise 4.1"
    for T, D, H, O in ((1, 1, 1, 1), (10, 3, 5, 2), (100, 65, 128, 65)):
        out, verdict = _call(ex, count_fn, T, D, H, O)
        if verdict is not None:
            return verdict
        if not (isinstance(out, tuple) and len(out) == 2):
            return _wrong(ex, f"return a pair (tied, untied); got {out!r}")
        tied_want = H * D + H * H + H + O * H + O
        want = (tied_want, T * tied_want)
        if tuple(out) == want:
            continue
        tied, untied = out
        if tied == T * tied_want and T > 1:
            return _wrong(
                ex, f"for T={T} the tied count {tied} depends on T: the RNN uses the same weights at every step."
            )
        if tied != tied_want:
            no_bias = H * D + H * H + O * H
            hint = "the biases b_h and b_y are missing" if tied == no_bias else "add up H*D + H*H + H + O*H + O"
            return _wrong(ex, f"for D={D}, H={H}, O={O} the tied count is {tied_want}, got {tied}: {hint}.")
        if untied == tied_want and T > 1:
            return _wrong(
                ex,
                f"for T={T} the untied count equals the tied one: "
                "an untied network has a full set of weights per step.",
            )
        return _wrong(ex, f"for T={T} the untied count is {want[1]}, got {untied}: T copies of the tied weights.")
    return _ok(ex, "the RNN's count does not depend on T; the untied network's grows linearly with it.")


def check_shared_gradient(total_fn: Callable) -> CheckResult:
    """Exercise 4.2: ``total_fn(per_step)`` turns per-step contributions ``(T, H, H)`` to the
    gradient of ``W_hh`` into the gradient of the shared ``W_hh``, ``(H, H)``."""
    ex = "Exercise 4.2"
    rng = np.random.default_rng(42)
    for T, H in ((4, 4), (5, 3), (1, 2)):
        per_step = rng.normal(size=(T, H, H))
        got, verdict = _call_for_array(ex, total_fn, (per_step.copy(),), (H, H), f"the gradient for T={T}, H={H}")
        if verdict is not None:
            return verdict
        want = per_step.sum(axis=0)
        if np.allclose(got, want):
            continue
        what = _known_mistake(
            got,
            [
                (
                    "this is the mean over steps; the chain rule adds the contributions, it does not average them",
                    lambda: per_step.mean(axis=0),
                ),
                (
                    "this is only the last step's contribution; every step uses W_hh, so every step contributes",
                    lambda: per_step[-1],
                ),
                ("this sums over the wrong axis: time is the first axis", lambda: per_step.sum(axis=1)),
            ],
        )
        return _wrong(
            ex, f"for T={T}, H={H}: {what}." if what else f"for T={T}, H={H}, {_first_difference(got, want)}."
        )
    return _ok(ex, "the gradient of a shared weight is the sum of its per-step contributions.")


def check_largest_hidden_size(H: object) -> CheckResult:
    """Exercise 4.3: the largest hidden size ``H`` whose RNN, with ``D = O = 65``, has at most
    100,000 parameters."""
    ex = "Exercise 4.3"
    if H is Ellipsis:
        return _not_done(ex, "replace the `...` with your value of H.")
    if isinstance(H, bool) or not isinstance(H, (int, np.integer)):
        return _wrong(ex, f"H should be a whole number of units; got {type(H).__name__} {H!r}")
    count = lambda h: h * 65 + h * h + h + 65 * h + 65  # noqa: E731
    want = max(h for h in range(1, 1000) if count(h) <= 100_000)
    if H == want:
        return _ok(ex, f"H = {want} gives {count(want):,} parameters; H = {want + 1} would give {count(want + 1):,}.")
    if count(H) > 100_000:
        return _wrong(ex, f"H = {H} gives {count(H):,} parameters, over the budget of 100,000.")
    return _wrong(ex, f"H = {H} gives {count(H):,} parameters; a larger H still fits within 100,000.")


# ================================================================ chapter 5

_STEP_GRAD_NAMES = ("x", "h_prev", "W_xh", "W_hh", "b_h")


def check_step_backward(step_backward: Callable) -> CheckResult:
    """Exercise 5.1: ``step_backward(dh, x, h_prev, h, W_xh, W_hh)`` returns a dict with
    the gradients ``x, h_prev, W_xh, W_hh, b_h`` of one tanh step, given ``dh = dL/dh_t``."""
    from rnnlib.cell import RNNParams, rnn_step_backward, rnn_step_forward

    ex = "Exercise 5.1"
    rng = np.random.default_rng(51)
    for B, D, H in ((2, 3, 4), (1, 2, 2)):
        x, h_prev, dh = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
        W_xh, W_hh = rng.normal(size=(H, D)), rng.normal(size=(H, H))
        params = RNNParams(W_xh, W_hh, rng.normal(size=H), np.zeros((1, H)), np.zeros(1))
        h, cache = rnn_step_forward(x, h_prev, params)
        want = rnn_step_backward(dh, cache)
        out, verdict = _call(ex, step_backward, dh.copy(), x.copy(), h_prev.copy(), h.copy(), W_xh.copy(), W_hh.copy())
        if verdict is not None:
            return verdict
        if not isinstance(out, dict) or set(out) != set(_STEP_GRAD_NAMES):
            return _wrong(ex, f"return a dict with the keys {list(_STEP_GRAD_NAMES)}; got {out!r:.80}")
        for name in _STEP_GRAD_NAMES:
            expected = getattr(want, name)
            got, verdict = _as_result_array(ex, out[name], expected.shape, f"the gradient of {name}")
            if verdict is not None:
                return verdict
            if np.allclose(got, expected):
                continue
            mistakes = [
                (
                    "the tanh derivative is missing: da = dh * (1 - h_t^2) comes before anything else",
                    lambda: _grad_with(name, dh, x, h_prev, W_xh, W_hh),
                ),
                (
                    "the tanh derivative uses h_(t-1); it is 1 - h_t^2, at the step's own output",
                    lambda: _grad_with(name, dh * (1 - h_prev**2), x, h_prev, W_xh, W_hh),
                ),
            ]
            if name == "W_hh":
                mistakes.append(
                    (
                        "it pairs da_t with h_t; it is da_t^T h_(t-1), the state W_hh multiplied",
                        lambda: (dh * (1 - h**2)).T @ h,
                    )
                )
            what = _known_mistake(got, mistakes)
            detail = f"{what}." if what else _first_difference(got, expected) + "."
            return _wrong(ex, f"the gradient of {name}: {detail}")
    return _ok(ex, "every gradient of the step is right.")


def _grad_with(name: str, da, x, h_prev, W_xh, W_hh):
    return {"x": da @ W_xh, "h_prev": da @ W_hh, "W_xh": da.T @ x, "W_hh": da.T @ h_prev, "b_h": da.sum(axis=0)}[name]


def _reference_state_gradients(dhs: np.ndarray, hs: np.ndarray, W_hh: np.ndarray) -> np.ndarray:
    total = np.empty_like(dhs)
    dh_next = np.zeros_like(dhs[0])
    for t in reversed(range(dhs.shape[0])):
        total[t] = dhs[t] + dh_next
        dh_next = (total[t] * (1 - hs[t] ** 2)) @ W_hh
    return total


def check_state_gradients(state_gradients: Callable) -> CheckResult:
    """Exercise 5.2: ``state_gradients(dhs, hs, W_hh)`` returns ``dL/dh_t`` for every ``t``,
    ``(T, B, H)``, given the gradients ``dhs`` arriving from each step's output and the
    states ``hs`` of a tanh RNN: the ``dh_next`` recursion of BPTT."""
    ex = "Exercise 5.2"
    rng = np.random.default_rng(52)
    for T, B, H in ((5, 2, 3), (1, 1, 2), (4, 1, 4)):
        dhs, hs, W_hh = rng.normal(size=(T, B, H)), np.tanh(rng.normal(size=(T, B, H))), rng.normal(size=(H, H))
        got, verdict = _call_for_array(
            ex,
            state_gradients,
            (
                dhs.copy(),
                hs.copy(),
                W_hh.copy(),
            ),
            (T, B, H),
            f"dL/dh for T={T}, B={B}, H={H}",
        )
        if verdict is not None:
            return verdict
        want = _reference_state_gradients(dhs, hs, W_hh)
        if np.allclose(got, want):
            continue

        def variant(derivative=True, transpose=False, forwards=False):
            total, dh_next = np.empty_like(dhs), np.zeros_like(dhs[0])
            for t in range(T) if forwards else reversed(range(T)):
                total[t] = dhs[t] + dh_next
                da = total[t] * (1 - hs[t] ** 2) if derivative else total[t]
                dh_next = da @ (W_hh.T if transpose else W_hh)
            return total

        what = _known_mistake(
            got,
            [
                ("only the output's own gradient: add dh_next, the gradient flowing back from step t+1", lambda: dhs),
                (
                    "the tanh derivative is missing when passing back: dh_next = (dh_t * (1 - h_t^2)) @ W_hh",
                    lambda: variant(derivative=False),
                ),
                (
                    "W_hh is transposed: with one example per row, dh_next = da_t @ W_hh",
                    lambda: variant(transpose=True),
                ),
                (
                    "the loop runs forwards; BPTT starts at the last step and walks back to the first",
                    lambda: variant(forwards=True),
                ),
            ],
        )
        where = f"for T={T}, B={B}, H={H}"
        return _wrong(ex, f"{where}: {what}." if what else f"{where}, {_first_difference(got, want)}.")
    return _ok(ex, "your recursion carries the gradient back through every step.")


def check_central_difference(derivative: Callable) -> CheckResult:
    """Exercise 5.3: ``derivative(f, x, eps)`` returns the central-difference gradient of the
    scalar function ``f`` at the array ``x``, without changing ``x``."""
    ex = "Exercise 5.3"
    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])
    f = lambda v: float(np.sum(np.sin(v) * v**2))  # noqa: E731
    exact = np.cos(x) * x**2 + 2 * x * np.sin(x)
    before = x.copy()
    out, verdict = _call(ex, derivative, f, x, 1e-4)
    if verdict is not None:
        return verdict
    if not np.array_equal(x, before):
        return _wrong(ex, "your function changed x: restore each entry after perturbing it (or work on a copy).")
    got, verdict = _as_result_array(ex, out, x.shape, "the gradient")
    if verdict is not None:
        return verdict
    err = np.max(np.abs(got - exact))
    if err < 1e-6:
        return _ok(ex, f"largest error {err:.1e}: the error of a central difference shrinks like eps^2.")
    if np.allclose(got, exact / 2, atol=1e-6):
        return _wrong(
            ex, "every value is half the true derivative: divide by 2 * eps, the distance between x - eps and x + eps."
        )
    if np.allclose(got, exact * 2, atol=1e-6):
        return _wrong(
            ex, "every value is twice the true derivative: the two points are 2 * eps apart, so divide by 2 * eps."
        )
    if err < 1e-2:
        return _wrong(
            ex,
            f"largest error {err:.1e}, about eps: this looks like a one-sided difference (f(x + eps) - f(x)) / eps. "
            "Use (f(x + eps) - f(x - eps)) / (2 * eps).",
        )
    return _wrong(
        ex,
        f"largest error {err:.2g}: {_first_difference(got, exact)}.",
    )


# ================================================================ chapter 6


def check_step_jacobian(jacobian: Callable) -> CheckResult:
    """Exercise 6.1: ``jacobian(h_t, W_hh)`` returns ``dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh``
    for one example of a tanh RNN (``h_t`` of shape ``(H,)``)."""
    ex = "Exercise 6.1"
    rng = np.random.default_rng(61)
    for H in (3, 1, 5):
        h, W_hh = np.tanh(rng.normal(size=H)), rng.normal(size=(H, H))
        got, verdict = _call_for_array(
            ex,
            jacobian,
            (
                h.copy(),
                W_hh.copy(),
            ),
            (H, H),
            f"the Jacobian for H={H}",
        )
        if verdict is not None:
            return verdict
        d = 1 - h**2
        want = d[:, None] * W_hh
        if np.allclose(got, want):
            continue
        what = _known_mistake(
            got,
            [
                ("the tanh derivative is missing: without it this is only W_hh", lambda: W_hh),
                (
                    "the columns are scaled; the derivative scales row i, the unit i whose output is "
                    "differentiated: diag(d) @ W_hh",
                    lambda: W_hh * d,
                ),
                ("this is the transpose: row i should be the gradient of unit i of h_t", lambda: want.T),
                ("the derivative of tanh is 1 - h^2, not 1 - h", lambda: (1 - h)[:, None] * W_hh),
            ],
        )
        return _wrong(ex, f"for H={H}: {what}." if what else f"for H={H}, {_first_difference(got, want)}.")
    return _ok(ex, "your Jacobian is diag(1 - h_t^2) W_hh.")


def check_clip(clip: Callable) -> CheckResult:
    """Exercise 6.2: ``clip(grads, max_norm)`` rescales a dict of gradient arrays so their
    global norm is at most ``max_norm``, keeping the direction; returns a new dict."""
    ex = "Exercise 6.2"
    big = {"W_hh": np.array([[2.0, 2.0], [0.0, 1.0]]), "b_h": np.array([4.0, 0.0])}  # norms 3 and 4: global 5
    small = {"W_hh": np.array([[0.3, 0.0], [0.0, 0.0]]), "b_h": np.array([0.4, 0.0])}  # 0.5
    for grads, max_norm in ((big, 1.0), (small, 1.0), (big, 10.0)):
        given = {k: v.copy() for k, v in grads.items()}
        out, verdict = _call(ex, clip, given, max_norm)
        if verdict is not None:
            return verdict
        if any(not np.array_equal(given[k], grads[k]) for k in grads):
            return _wrong(ex, "your function changed the gradients it was given; build new arrays instead.")
        if not isinstance(out, dict) or set(out) != set(grads):
            return _wrong(ex, f"return a dict with the same keys {list(grads)}; got {out!r:.80}")
        norm = np.sqrt(sum(np.sum(v**2) for v in grads.values()))
        scale = min(1.0, max_norm / norm)
        want = {k: v * scale for k, v in grads.items()}
        if all(np.allclose(np.asarray(out[k], dtype=float), want[k]) for k in grads):
            continue
        got_norm = np.sqrt(sum(np.sum(np.asarray(v, dtype=float) ** 2) for v in out.values()))
        label = f"for a global norm of {norm:g} and max_norm={max_norm:g}"
        if all(np.allclose(out[k], np.clip(grads[k], -max_norm, max_norm)) for k in grads) and not np.allclose(
            np.clip(big["W_hh"], -1, 1), big["W_hh"]
        ):
            return _wrong(
                ex,
                f"{label}: each entry was clipped on its own, which changes the direction. "
                "Rescale every array by the same factor max_norm / norm.",
            )
        per_array = {k: v * min(1.0, max_norm / max(np.linalg.norm(v), 1e-300)) for k, v in grads.items()}
        if all(np.allclose(out[k], per_array[k]) for k in grads):
            return _wrong(ex, f"{label}: each array was clipped by its own norm; use one global norm over all of them.")
        if np.isclose(got_norm, max_norm) and scale == 1.0:
            return _wrong(
                ex,
                f"{label} the gradients are already small enough and must be left as they are; "
                f"you scaled them up to {got_norm:g}.",
            )
        return _wrong(ex, f"{label} the result should have norm {norm * scale:g}; yours has {got_norm:g}.")
    return _ok(ex, "one global norm, one scale factor, and small gradients left alone.")


def check_steps_to_vanish(n: object) -> CheckResult:
    """Exercise 6.3: the smallest lag ``n`` at which the bound ``0.9^n`` on
    ``||dh_t/dh_{t-n}||`` (spectral norm of ``W_hh`` 0.9, tanh) falls below ``1e-3``."""
    ex = "Exercise 6.3"
    if n is Ellipsis:
        return _not_done(ex, "replace the `...` with your number of steps.")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        return _wrong(
            ex, f"the lag is a whole number of steps; got {type(n).__name__} {n!r}. Round up: a step is all or nothing."
        )
    want = int(np.ceil(np.log(1e-3) / np.log(0.9)))
    if n == want:
        return _ok(
            ex, f"0.9^{want - 1} = {0.9 ** (want - 1):.2e} is still above 1e-3; 0.9^{want} = {0.9**want:.2e} is below."
        )
    if n < want:
        return _wrong(ex, f"0.9^{n} = {0.9**n:.2e} is not yet below 1e-3.")
    return _wrong(ex, f"0.9^{n} = {0.9**n:.2e} is below 1e-3, but so is an earlier power: find the smallest n.")


# ---------------------------------------------------------------- chapter 7


def check_gru_update(gru_update: Callable) -> CheckResult:
    """Exercise 7.1: ``gru_update(z, n, h_prev)`` returns the GRU's new state
    ``h_t = (1 - z_t) * n_t + z_t * h_{t-1}`` (all arrays of shape ``(B, H)``)."""
    ex = "Exercise 7.1"
    rng = np.random.default_rng(71)
    for B, H in ((1, 3), (4, 5)):
        z = 1 / (1 + np.exp(-rng.normal(size=(B, H))))
        n, h_prev = np.tanh(rng.normal(size=(B, H))), np.tanh(rng.normal(size=(B, H)))
        got, verdict = _call_for_array(ex, gru_update, (z.copy(), n.copy(), h_prev.copy()), (B, H), "h_t")
        if verdict is not None:
            return verdict
        want = (1 - z) * n + z * h_prev
        if np.allclose(got, want):
            continue
        what = _known_mistake(
            got,
            [
                (
                    "z and 1 - z are swapped: in this course z_t near 1 keeps the old state, "
                    "h_t = (1 - z) * n + z * h_prev (PyTorch's documentation uses the same convention)",
                    lambda: z * n + (1 - z) * h_prev,
                ),
                ("the new state mixes both with weight 1: use (1 - z) * n, not n", lambda: n + z * h_prev),
                ("the old state is missing: h_t keeps z * h_prev of it", lambda: (1 - z) * n),
                ("this is a product, not a mix: add the two parts", lambda: (1 - z) * n * z * h_prev),
            ],
        )
        return _wrong(
            ex, f"for B={B}, H={H}: {what}." if what else f"for B={B}, H={H}, {_first_difference(got, want)}."
        )
    return _ok(ex, "h_t = (1 - z) * n + z * h_prev: where z is near 1 the unit keeps its state.")


def check_cell_update(cell_update: Callable) -> CheckResult:
    """Exercise 7.2: ``cell_update(f, i, g, c_prev)`` returns the LSTM's new cell state
    ``c_t = f_t * c_{t-1} + i_t * g_t`` (all of shape ``(B, H)``)."""
    ex = "Exercise 7.2"
    rng = np.random.default_rng(72)
    for B, H in ((1, 2), (3, 4)):
        f, i = (1 / (1 + np.exp(-rng.normal(size=(B, H)))) for _ in range(2))
        g, c_prev = np.tanh(rng.normal(size=(B, H))), 2 * rng.normal(size=(B, H))
        got, verdict = _call_for_array(ex, cell_update, (f.copy(), i.copy(), g.copy(), c_prev.copy()), (B, H), "c_t")
        if verdict is not None:
            return verdict
        want = f * c_prev + i * g
        if np.allclose(got, want):
            continue
        what = _known_mistake(
            got,
            [
                ("the forget gate is missing: c_prev must be multiplied by f", lambda: c_prev + i * g),
                ("the gates are swapped: f scales the old cell state, i the candidate g", lambda: i * c_prev + f * g),
                ("the input gate is missing: the candidate g enters as i * g", lambda: f * c_prev + g),
                ("c_t is not squashed: tanh belongs to h_t = o * tanh(c_t)", lambda: np.tanh(want)),
                ("this is a product: the cell state is updated by a sum", lambda: f * c_prev * i * g),
            ],
        )
        return _wrong(
            ex, f"for B={B}, H={H}: {what}." if what else f"for B={B}, H={H}, {_first_difference(got, want)}."
        )
    return _ok(ex, "c_t = f * c_prev + i * g: an additive update, with no weight matrix between c_prev and c_t.")


def check_gated_parameter_counts(count_fn: Callable) -> CheckResult:
    """Exercise 7.3: ``count_fn(D, H, O) -> (rnn, gru, lstm)``: the parameters of the
    three cells with their output layers, for input size ``D``, ``H`` units, ``O`` outputs."""
    ex = "Exercise 7.3"
    for D, H, O in ((1, 1, 1), (8, 32, 4), (71, 128, 71)):
        out, verdict = _call(ex, count_fn, D, H, O)
        if verdict is not None:
            return verdict
        if not (isinstance(out, tuple) and len(out) == 3):
            return _wrong(ex, f"return a triple (rnn, gru, lstm); got {out!r:.80}")
        block, head = H * D + H * H + H, O * H + O
        want = (block + head, 3 * block + head, 4 * block + head)
        if tuple(out) == want:
            continue
        for name, got, k in zip(("rnn", "gru", "lstm"), out, (1, 3, 4), strict=True):
            if got == k * block + head:
                continue
            if got == k * (block + head):
                return _wrong(ex, f"for D={D}, H={H}, O={O} the {name} count repeats the output layer per gate.")
            if got == k * (H * D + H * H) + O * H:
                return _wrong(ex, f"for D={D}, H={H}, O={O} the {name} count leaves out the biases.")
            return _wrong(
                ex,
                f"for D={D}, H={H}, O={O} the {name} count is {k * block + head}, got {got}: "
                f"{k} block(s) of H*D + H*H + H, plus the output layer O*H + O.",
            )
    return _ok(ex, "one block of weights per gate: the GRU has three, the LSTM four, the RNN one.")


# ---------------------------------------------------------------- chapter 8


def check_unigram_bits(unigram_bits: Callable) -> CheckResult:
    """Exercise 8.1: ``unigram_bits(counts)`` returns the entropy in bits,
    ``-sum_k p_k log2 p_k`` with ``p = counts / counts.sum()``, skipping characters
    that never occur."""
    ex = "Exercise 8.1"
    for counts in (np.array([5, 5]), np.array([1, 2, 1, 0]), np.array([10, 3, 3, 2, 2, 0, 1])):
        out, verdict = _call(ex, unigram_bits, counts.copy())
        if verdict is not None:
            return verdict
        try:
            got = float(out)
        except (TypeError, ValueError):
            return _wrong(ex, f"return one number of bits; got {type(out).__name__}")
        p = counts[counts > 0] / counts.sum()
        want = float(-(p * np.log2(p)).sum())
        if np.isclose(got, want):
            continue
        label = f"for counts {counts.tolist()}"
        if np.isnan(got):
            return _wrong(ex, f"{label} you got nan: a count of 0 gives 0 * log 0; leave those characters out.")
        if np.isclose(got, want * np.log(2)):
            return _wrong(ex, f"{label}: that is in nats (natural log); bits use log2.")
        q = counts[counts > 0]
        if np.isclose(got, float(-(q * np.log2(q)).sum())):
            return _wrong(ex, f"{label}: turn the counts into probabilities first, p = counts / counts.sum().")
        return _wrong(ex, f"{label} the entropy is {want:.4f} bits; got {got:.4f}.")
    return _ok(ex, "two equally likely characters cost one bit each; skewed counts cost less.")


def check_temperature_softmax(temperature_softmax: Callable) -> CheckResult:
    """Exercise 8.2: ``temperature_softmax(logits, T)`` returns ``softmax(logits / T)`` over
    the last axis, without overflowing for large logits."""
    ex = "Exercise 8.2"
    cases = (
        (np.array([1.0, 2.0, 0.5]), 1.0),
        (np.array([1.0, 2.0, 0.5]), 0.5),
        (np.array([[3.0, 0.0], [0.0, 1.0]]), 2.0),
    )
    cases += ((np.array([1000.0, 990.0]), 0.5),)
    for logits, T in cases:
        with np.errstate(all="ignore"):
            got, verdict = _call_for_array(
                ex, temperature_softmax, (logits.copy(), T), logits.shape, "the probabilities"
            )
        if verdict is not None:
            return verdict
        want = softmax(logits / T)
        if np.allclose(got, want):
            continue
        label = f"for logits {logits.tolist()} and T={T}"
        if not np.all(np.isfinite(got)):
            return _wrong(ex, f"{label} you got {got.tolist()}: subtract the largest logit before exp.")
        if np.allclose(got, softmax(logits * T)):
            return _wrong(ex, f"{label}: divide the logits by T; multiplying sharpens where it should flatten.")
        if np.allclose(got, softmax(logits)):
            return _wrong(ex, f"{label}: the temperature is not used.")
        return _wrong(ex, f"{label}, {_first_difference(got, want)}.")
    return _ok(ex, "T < 1 sharpens the distribution, T > 1 flattens it, and large logits do not overflow.")


def check_one_hot_text(encode: Callable) -> CheckResult:
    """Exercise 8.3: ``encode(text, chars)`` returns the one-hot matrix ``(len(text), len(chars))``
    with a 1 in row ``t`` at the position of ``text[t]`` in ``chars``."""
    ex = "Exercise 8.3"
    for s, chars in (("abca", "abc"), ("hello world", " dehlorw"), ("yxz", "zxy")):
        shape = (len(s), len(chars))
        out, verdict = _call(ex, encode, s, chars)
        if verdict is not None:
            return verdict
        if np.shape(out) == shape[::-1] and shape[0] != shape[1]:
            return _wrong(ex, f"for {s!r} the shape is transposed: one row per character of the text, {shape}.")
        got, verdict = _as_result_array(ex, out, shape, f"the encoding of {s!r}")
        if verdict is not None:
            return verdict
        want = np.eye(len(chars))[[chars.index(c) for c in s]]
        if np.array_equal(got, want):
            continue
        if np.allclose(got.sum(axis=1), 1) and np.allclose(
            got, np.eye(len(chars))[[sorted(chars).index(c) for c in s]]
        ):
            return _wrong(ex, f"for {s!r}: use the order of chars as given, {chars!r}.")
        return _wrong(ex, f"for {s!r} with chars {chars!r}, {_first_difference(got, want)}.")
    return _ok(ex, "one row per character, a single 1 at its index in the vocabulary.")


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


# Every checker by the exercise it checks ("Exercise 2.2" -> check_rnn_step), in the
# book's order: what `make grade` (tools/grade.py) calls on each learner's answers.
CHECKERS: dict[str, Callable[..., CheckResult]] = {}
for _name, _checker in list(globals().items()):
    if _name.startswith("check_") and callable(_checker):
        globals()[_name] = _never_raises(_checker)
        _found = re.search(r"Exercise (\d+\.\d+)", _checker.__doc__ or "")
        if _found:
            CHECKERS[f"Exercise {_found.group(1)}"] = globals()[_name]
CHECKERS = dict(sorted(CHECKERS.items(), key=lambda item: tuple(int(n) for n in item[0].split()[1].split("."))))
del _name, _checker, _found
