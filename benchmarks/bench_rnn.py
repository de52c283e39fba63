"""How fast rnnlib trains its three cells on the CPU, side by side with PyTorch.

    python benchmarks/bench_rnn.py            (make bench)
    python benchmarks/bench_rnn.py --quick    (a smaller grid, for a smoke run)

One training step is the forward pass over T steps, softmax cross-entropy over every
step, and full BPTT, on one-hot inputs from a vocabulary of 65 (a character model),
float32, for the vanilla RNN, the LSTM and the GRU. In the same process:

* naive (RNN only): one sequence at a time, one step at a time, column vectors, the
  classic minimal char-RNN style (written below, for comparison only);
* torch: ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` + ``nn.Linear`` + ``cross_entropy`` with
  autograd, if torch is installed (``pip install torch==2.13.0`` installs a CPU build on
  the course machines);
* rnnlib: ``rnnlib.rnn_loss_and_grads`` and ``rnnlib.sequence_loss_and_grads``.

Before timing, rnnlib and torch must agree on the loss and every gradient in float64:
the RNN and the LSTM against ``nn.RNN`` and ``nn.LSTM`` (the same equations), the GRU
against a torch transcription of rnnlib's GRU (``nn.GRU`` applies the reset gate after
``W_hn``, a different variant; it is timed, not compared). Figures are tokens per second
(T*B per step / median step time after a warm-up). For the cells in ``BREAKDOWN`` the
summary also gives the time of the step's matrix products alone, with the same shapes: what
is left is the step's elementwise work and Python's overhead. With OpenBLAS, the whole benchmark
then runs a second time under the other BLAS configuration: without
``OPENBLAS_CORETYPE`` if the environment sets it (as some cloud machines' do), else with
``OPENBLAS_CORETYPE=Haswell`` if OpenBLAS chose an AVX-512 kernel; so both tables come
from one command (``--once`` skips the second run).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import rnnlib  # noqa: E402
from rnnlib import bptt  # noqa: E402

V = 65
GRID_H, GRID_B, GRID_T = (32, 128, 512), (1, 32, 128), (25, 100)
CELLS = ("rnn", "lstm", "gru")
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
# (median, lowest) rnnlib/torch ratio each cell must reach
TARGETS = {"rnn": (2.0, 1.3), "lstm": (1.2, 0.9), "gru": (1.5, 1.0)}
THROUGHPUT_TARGET = 0.75  # of the measured matrix-multiply rate, at H=512, B=128, T=100
MEMORY_TARGET = 1.5  # peak over the activations the backward pass must keep
FLOAT64_TARGET = 2.5  # float64 LSTM backward time over float32
# Where the summary splits a step's time into its matrix products and the rest: (H, B, T)
BREAKDOWN = ((32, 32, 100), (128, 32, 100), (512, 128, 100))

try:
    import torch
    import torch.nn.functional as F  # noqa: N812
except ImportError:  # torch is optional
    torch = None


# ------------------------------------------------------------------ timing


def median_seconds(step, *, min_reps: int = 3, budget: float = 0.6, warmup: int = 1) -> float:
    for _ in range(warmup):
        step()
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or (time.perf_counter() - start < budget and len(times) < 50):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def matmul_peak_gflops(n: int = 1024) -> float:
    """This machine's float32 matrix-multiply throughput, measured."""
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
    out = np.empty_like(a)
    seconds = median_seconds(lambda: np.matmul(a, b, out=out), min_reps=10, budget=1.0)
    return 2 * n**3 / seconds / 1e9


def flops_per_step(T: int, B: int, H: int, cell: str = "rnn") -> float:
    """Forward, input gradient and weight gradient of the three products, about 3x the forward."""
    k = GATES[cell]
    return 3 * 2 * T * B * (k * V * H + k * H * H + H * V)


# ------------------------------------------------------------------ problems


def problem(T: int, B: int, H: int, dtype=np.float32, seed: int = 0, cell: str = "rnn"):
    rng = np.random.default_rng(seed)
    if cell != "rnn":
        params = rnnlib.init_params(cell, V, H, V, seed=rng, dtype=dtype)
        params = type(params)(
            params.W_x,
            params.W_h,
            params.b + (0.1 * rng.standard_normal(params.b.shape)).astype(dtype),
            params.W_hy,
            (0.1 * rng.standard_normal(V)).astype(dtype),
        )
        tokens = rng.integers(0, V, size=(T, B))
        return params, rnnlib.one_hot(tokens, V).astype(dtype), np.roll(tokens, -1, axis=0)
    params = rnnlib.init_rnn_params(V, H, V, seed=rng, dtype=dtype)
    params = rnnlib.RNNParams(
        params.W_xh,
        params.W_hh,
        (0.1 * rng.standard_normal(H)).astype(dtype),
        params.W_hy,
        (0.1 * rng.standard_normal(V)).astype(dtype),
    )
    tokens = rng.integers(0, V, size=(T, B))
    xs = rnnlib.one_hot(tokens, V).astype(dtype)
    targets = np.roll(tokens, -1, axis=0)
    return params, xs, targets


def naive_step(params: rnnlib.RNNParams, xs: np.ndarray, targets: np.ndarray):
    """Per sequence, per step, column vectors: forward, loss and BPTT (min-char-rnn style)."""
    W_xh, W_hh, b_h, W_hy, b_y = params.W_xh, params.W_hh, params.b_h[:, None], params.W_hy, params.b_y[:, None]
    T, B, _ = xs.shape
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b_h)
    dW_hy, db_y = np.zeros_like(W_hy), np.zeros_like(b_y)
    loss = 0.0
    for b in range(B):
        hs = {-1: np.zeros((W_hh.shape[0], 1), dtype=W_hh.dtype)}
        ps = {}
        for t in range(T):
            x = xs[t, b][:, None]
            hs[t] = np.tanh(W_xh @ x + W_hh @ hs[t - 1] + b_h)
            y = W_hy @ hs[t] + b_y
            p = np.exp(y - y.max())
            ps[t] = p / p.sum()
            loss -= np.log(ps[t][targets[t, b], 0])
        dh_next = np.zeros_like(hs[0])
        for t in reversed(range(T)):
            dy = ps[t].copy()
            dy[targets[t, b]] -= 1
            dW_hy += dy @ hs[t].T
            db_y += dy
            dh = W_hy.T @ dy + dh_next
            da = (1 - hs[t] * hs[t]) * dh
            db_h += da
            dW_xh += da @ xs[t, b][None, :]
            dW_hh += da @ hs[t - 1].T
            dh_next = W_hh.T @ da
    n = T * B
    return loss / n, (dW_xh / n, dW_hh / n, db_h / n, dW_hy / n, db_y / n)


class TorchModel:
    """nn.RNN, nn.LSTM or nn.GRU + nn.Linear + cross-entropy with autograd, holding rnnlib's
    weights (torch stacks the LSTM's gates i, f, g, o in rnnlib's order; its GRU is another
    variant, so that one is for timing only)."""

    def __init__(self, cell: str, params, dtype):
        H = params.hidden_size
        if cell == "rnn":
            self.rnn = torch.nn.RNN(V, H, nonlinearity="tanh")
            weights = (params.W_xh, params.W_hh, params.b_h)
        else:
            self.rnn = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(V, H)
            weights = (params.W_x, params.W_h, params.b)
        self.rnn = self.rnn.to(dtype)
        self.out = torch.nn.Linear(H, V).to(dtype)
        with torch.no_grad():
            for target, value in zip(
                (self.rnn.weight_ih_l0, self.rnn.weight_hh_l0, self.rnn.bias_ih_l0), weights, strict=True
            ):
                target.copy_(torch.from_numpy(value))
            self.rnn.bias_hh_l0.zero_()
            self.out.weight.copy_(torch.from_numpy(params.W_hy))
            self.out.bias.copy_(torch.from_numpy(params.b_y))
        self.parameters = list(self.rnn.parameters()) + list(self.out.parameters())

    def step(self, xs, targets) -> float:
        for p in self.parameters:
            p.grad = None
        hs, _ = self.rnn(xs)
        loss = F.cross_entropy(self.out(hs).reshape(-1, V), targets.reshape(-1))
        loss.backward()
        return loss.item()


def torch_gru_as_rnnlib(params, xs, targets):
    """rnnlib's GRU in torch, step by step, with autograd: z, r = sigmoid(...),
    n = tanh(W_xn x + W_hn (r * h) + b_n), h = (1 - z) n + z h_{t-1}."""
    H = params.hidden_size
    w = {k: torch.tensor(getattr(params, k), requires_grad=True) for k in ("W_x", "W_h", "b", "W_hy", "b_y")}
    x = torch.from_numpy(xs)
    h = torch.zeros(xs.shape[1], H, dtype=x.dtype)
    logits = []
    for t in range(xs.shape[0]):
        a = x[t] @ w["W_x"].T + w["b"]
        zr = torch.sigmoid(a[:, : 2 * H] + h @ w["W_h"][: 2 * H].T)
        z, r = zr[:, :H], zr[:, H:]
        n = torch.tanh(a[:, 2 * H :] + (r * h) @ w["W_h"][2 * H :].T)
        h = (1 - z) * n + z * h
        logits.append(h @ w["W_hy"].T + w["b_y"])
    loss = F.cross_entropy(torch.stack(logits).reshape(-1, V), torch.from_numpy(targets).reshape(-1))
    loss.backward()
    return loss.item(), {k: v.grad.numpy() for k, v in w.items()}


def check_gated_against_torch(cell: str) -> str:
    params, xs, targets = problem(7, 3, 16, dtype=np.float64, seed=5, cell=cell)
    loss, grads, _ = rnnlib.sequence_loss_and_grads(params, xs, targets)
    if cell == "lstm":
        model = TorchModel("lstm", params, torch.float64)
        t_loss = model.step(torch.from_numpy(xs), torch.from_numpy(targets))
        theirs = {
            "W_x": model.rnn.weight_ih_l0.grad,
            "W_h": model.rnn.weight_hh_l0.grad,
            "b": model.rnn.bias_ih_l0.grad,
            "W_hy": model.out.weight.grad,
            "b_y": model.out.bias.grad,
        }
        against = "nn.LSTM"
    else:
        t_loss, theirs = torch_gru_as_rnnlib(params, xs, targets)
        against = "a torch transcription of its equations"
    worst = abs(loss - t_loss) / abs(loss)
    for name, value in theirs.items():
        err = rnnlib.relative_error(getattr(grads, name), np.asarray(value))
        worst = max(worst, err)
        if not err < 1e-10:
            raise SystemExit(f"rnnlib's {cell} and torch disagree on {name}: relative error {err:.1e}")
    return f"rnnlib's {cell.upper()} and {against} agree in float64 (largest relative error {worst:.1e})"


def check_against_torch() -> str:
    """rnnlib and torch on the same weights in float64: the loss and all five gradients."""
    params, xs, targets = problem(7, 3, 16, dtype=np.float64, seed=5)
    loss, grads = rnnlib.rnn_loss_and_grads(params, xs, targets)
    model = TorchModel("rnn", params, torch.float64)
    t_loss = model.step(torch.from_numpy(xs), torch.from_numpy(targets))
    pairs = {
        "loss": (loss, t_loss),
        "W_xh": (grads.W_xh, model.rnn.weight_ih_l0.grad),
        "W_hh": (grads.W_hh, model.rnn.weight_hh_l0.grad),
        "b_h": (grads.b_h, model.rnn.bias_ih_l0.grad),
        "W_hy": (grads.W_hy, model.out.weight.grad),
        "b_y": (grads.b_y, model.out.bias.grad),
    }
    worst = 0.0
    for name, (ours, theirs) in pairs.items():
        err = rnnlib.relative_error(np.asarray(ours), np.asarray(theirs))
        worst = max(worst, err)
        if not err < 1e-10:
            raise SystemExit(f"rnnlib and torch disagree on {name}: relative error {err:.1e}")
    return f"rnnlib and torch agree in float64 on the loss and all five gradients (largest relative error {worst:.1e})"


def check_against_naive() -> str:
    params, xs, targets = problem(6, 3, 16, dtype=np.float64, seed=6)
    loss, grads = rnnlib.rnn_loss_and_grads(params, xs, targets)
    n_loss, n_grads = naive_step(params, xs, targets)
    ours = (grads.W_xh, grads.W_hh, grads.b_h[:, None], grads.W_hy, grads.b_y[:, None])
    worst = max([rnnlib.relative_error(a, b) for a, b in zip(ours, n_grads, strict=True)] + [abs(loss - n_loss) / loss])
    if not worst < 1e-10:
        raise SystemExit(f"rnnlib and the naive loop disagree: relative error {worst:.1e}")
    return f"rnnlib and the naive loop agree in float64 (largest relative error {worst:.1e})"


# ------------------------------------------------------------------ memory


def cache_bytes(cell: str, T: int, B: int, H: int, itemsize: int = 4) -> int:
    """The activations the backward pass must keep: the hidden states (RNN); gates, cell
    states, hidden states and tanh of the cell states (LSTM); gates and hidden states (GRU)."""
    return {"rnn": 1, "lstm": 4 + 3, "gru": 3 + 1}[cell] * T * B * H * itemsize


def peak_memory(cell: str, T: int = 1000, B: int = 32, H: int = 512) -> tuple[float, float]:
    """Peak bytes numpy allocates during one rnnlib training step (inputs excluded),
    and the bytes of the activations BPTT must keep."""
    params, xs, targets = problem(T, B, H, cell=cell)
    step = rnnlib_step(cell)
    bptt._forget_work()  # the backward pass's working arrays are then allocated, and counted, in this step
    gc.collect()
    tracemalloc.start()
    step(params, xs, targets)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, cache_bytes(cell, T, B, H)


def backward_seconds(cell: str, dtype, T: int = 100, B: int = 128, H: int = 512) -> float:
    params, xs, targets = problem(T, B, H, dtype=dtype, cell=cell)
    ys, cache = rnnlib.sequence_forward(params, xs)
    _, dys = rnnlib.softmax_cross_entropy(ys, targets)
    return median_seconds(lambda: rnnlib.sequence_backward(dys, cache))


def products_seconds(cell: str, T: int, B: int, H: int) -> float:
    """The matrix products of one rnnlib training step alone, with the step's shapes
    and float32: the input term of all steps, the T recurrent products forward and back,
    the output layer and its gradient, and the weight gradients. What is left of the
    step's time is elementwise work and Python's overhead per operation."""
    rng = np.random.default_rng(0)

    def arr(*shape):
        return rng.standard_normal(shape, dtype=np.float32)

    k, rows = GATES[cell], T * B
    # (rows of h, columns of W) of each recurrent product, forward then backward.
    recurrent = {"rnn": [(H, H)], "lstm": [(H, 4 * H)], "gru": [(H, 2 * H), (H, H)]}[cell]
    recurrent_back = {"rnn": [(H, H)], "lstm": [(4 * H, H)], "gru": [(H, H), (2 * H, H)]}[cell]
    fwd = [(arr(B, i), arr(i, j), np.empty((B, j), np.float32)) for i, j in recurrent]
    bwd = [(arr(B, i), arr(i, j), np.empty((B, j), np.float32)) for i, j in recurrent_back]
    xs, W_x, hs, W_hy, dys, das = arr(rows, V), arr(V, k * H), arr(rows, H), arr(H, V), arr(rows, V), arr(rows, k * H)

    def step():
        xs @ W_x  # the input term of every step
        for _ in range(T):
            for a, w, out in fwd:
                np.matmul(a, w, out=out)
        hs @ W_hy  # outputs
        dys @ W_hy.T  # back through the outputs
        for _ in range(T):
            for a, w, out in bwd:
                np.matmul(a, w, out=out)
        das.T @ xs, das.T @ hs, dys.T @ hs  # weight gradients

    return median_seconds(step)


# ------------------------------------------------------------------ main


def rnnlib_step(cell: str):
    if cell == "rnn":
        return rnnlib.rnn_loss_and_grads
    return lambda p, x, y: rnnlib.sequence_loss_and_grads(p, x, y)[:2]


def torch_model(cell: str, params):
    return TorchModel(cell, params, torch.float32)


def blas_kernel() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown"
    info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return f"{info[0].get('internal_api')} {info[0].get('architecture')}" if info else "unknown"


def run_cell(cell: str, grid, peak: float) -> list[str]:
    """Time one cell over the grid; print its table; return the lines of its summary."""
    grid_h, grid_b, grid_t = grid
    naive_col = cell == "rnn"
    header = (
        f"{'H':>4} {'B':>4} {'T':>4} | "
        + (f"{'naive':>9} " if naive_col else "")
        + (f"{'torch':>9} {'rnnlib':>9} | {'rnnlib/torch':>12}" + (f" {'rnnlib/naive':>12}" if naive_col else ""))
    )
    print(f"{cell.upper()}: tokens per second (T*B per training step)")
    print(header)
    print("-" * len(header))
    ours_step = rnnlib_step(cell)
    rows = []
    for H in grid_h:
        for B in grid_b:
            for T in grid_t:
                params, xs, targets = problem(T, B, H, cell=cell)
                tokens = T * B
                ours = tokens / median_seconds(lambda p=params, x=xs, y=targets: ours_step(p, x, y))
                theirs = naive = float("nan")
                if torch is not None:
                    model = torch_model(cell, params)
                    tx, ty = torch.from_numpy(xs), torch.from_numpy(targets)
                    theirs = tokens / median_seconds(lambda m=model, x=tx, y=ty: m.step(x, y))
                if naive_col and B <= 32:  # the naive loop is too slow to time at B = 128
                    naive = tokens / median_seconds(
                        lambda p=params, x=xs, y=targets: naive_step(p, x, y), min_reps=1, budget=0.3, warmup=0
                    )
                rows.append((H, B, T, naive, theirs, ours))
                line = f"{H:4} {B:4} {T:4} | " + (f"{naive:9.0f} " if naive_col else "")
                line += f"{theirs:9.0f} {ours:9.0f} | {ours / theirs:12.2f}"
                print(line + (f" {ours / naive:12.1f}" if naive_col else ""))
    summary = []
    vs_torch = [o / t for *_, t, o in rows if t == t]
    if vs_torch:
        worst = min(rows, key=lambda r: r[5] / r[4])
        med_target, low_target = TARGETS[cell]
        med, low = statistics.median(vs_torch), min(vs_torch)
        summary.append(
            f"{cell.upper():4} rnnlib/torch: median {med:.2f} (target >= {med_target}), lowest {low:.2f} at "
            f"H={worst[0]}, B={worst[1]}, T={worst[2]} (target >= {low_target})"
            + ("" if med >= med_target and low >= low_target else "  MISSED")
        )
    if naive_col:
        at32 = [o / n for H, B, T, n, t, o in rows if B == 32]
        if at32:
            summary.append(
                f"{cell.upper():4} rnnlib/naive at B=32: lowest {min(at32):.0f}, median {statistics.median(at32):.0f}"
            )
    for H, B, T in BREAKDOWN:
        at = [r for r in rows if r[:3] == (H, B, T)]
        if at:
            step = T * B / at[0][5]
            products = products_seconds(cell, T, B, H)
            summary.append(
                f"{cell.upper():4} H={H}, B={B}, T={T}: a step takes {step * 1e3:.1f} ms, its matrix products alone "
                f"{products * 1e3:.1f} ms ({products / step:.0%})"
                + (f"; torch's whole step {T * B / at[0][4] * 1e3:.1f} ms" if at[0][4] == at[0][4] else "")
            )
    big = [r for r in rows if r[:3] == (512, 128, 100)]
    if big:
        achieved = flops_per_step(100, 128, 512, cell) * big[0][5] / (100 * 128) / 1e9
        summary.append(
            f"{cell.upper():4} H=512, B=128, T=100: {achieved:.0f} GFLOP/s, {achieved / peak:.0%} of this machine's "
            f"matrix-multiply throughput (target >= {THROUGHPUT_TARGET:.0%})"
            + ("" if achieved / peak >= THROUGHPUT_TARGET else "  MISSED")
        )
    print()
    return summary


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small grid, for a smoke run")
    parser.add_argument("--cells", nargs="+", choices=CELLS, default=list(CELLS), help="which cells to time")
    parser.add_argument(
        "--once", action="store_true", help="run under this BLAS configuration only (no second run under the other one)"
    )
    args = parser.parse_args(argv)
    grid = ((32, 128), (1, 32), (25,)) if args.quick else (GRID_H, GRID_B, GRID_T)

    env = f"OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']}" if "OPENBLAS_CORETYPE" in os.environ else "as set"
    print(
        f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}, float32, vocabulary {V}; "
        f"BLAS {blas_kernel()} (environment {env})"
    )
    print(check_against_naive())
    if torch is not None:
        print(check_against_torch())
        for cell in ("lstm", "gru"):
            print(check_gated_against_torch(cell))
    else:
        print("torch is not installed: only naive and rnnlib are timed (pip install torch==2.13.0 for the comparison)")
    peak = matmul_peak_gflops()
    print(f"float32 matrix multiply on this machine: {peak:.0f} GFLOP/s (1024 x 1024, median)\n")

    summary = []
    for cell in args.cells:
        summary += run_cell(cell, grid, peak)
    if not args.quick:
        for cell in args.cells:
            used, needed = peak_memory(cell)
            summary.append(
                f"{cell.upper():4} memory at T=1000, B=32, H=512: peak {used / 2**20:.0f} MiB allocated during a step, "
                f"{used / needed:.2f}x the {needed / 2**20:.0f} MiB of activations BPTT must keep "
                f"(target <= {MEMORY_TARGET}x)" + ("" if used / needed <= MEMORY_TARGET else "  MISSED")
            )
        if "lstm" in args.cells:
            ratio = backward_seconds("lstm", np.float64) / backward_seconds("lstm", np.float32)
            summary.append(
                f"LSTM backward at H=512, B=128, T=100: float64 takes {ratio:.2f}x the time of float32 "
                f"(target <= {FLOAT64_TARGET}x)" + ("" if ratio <= FLOAT64_TARGET else "  MISSED")
            )
    print(f"Summary ({env}):")
    for line in summary:
        print("  " + line)

    if args.once or blas_kernel().split()[0] != "openblas":
        return 0
    # The other BLAS configuration: OpenBLAS's own choice of kernel if the environment
    # forces one (as on some cloud machines), else the Haswell kernel if OpenBLAS chose
    # an AVX-512 one.
    if "OPENBLAS_CORETYPE" in os.environ:
        other = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
        title = "without OPENBLAS_CORETYPE (OpenBLAS choosing its own kernel)"
    elif _openblas_avx512():
        other = {**os.environ, "OPENBLAS_CORETYPE": "Haswell"}
        title = "with OPENBLAS_CORETYPE=Haswell (no AVX-512 kernels)"
    else:
        return 0
    print("\n" + "=" * 78 + f"\nThe same again {title}\n" + "=" * 78, flush=True)
    return subprocess.run([sys.executable, __file__, *argv, "--once"], env=other, check=False).returncode


def _openblas_avx512() -> bool:
    """Whether OpenBLAS chose an AVX-512 kernel (SkylakeX, Cooperlake, Sapphire Rapids)."""
    kernel = blas_kernel().lower()
    return any(name in kernel for name in ("skylakex", "cooperlake", "sapphirerapids"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
