"""How fast rnnlib trains a vanilla RNN on the CPU, side by side with PyTorch.

    python benchmarks/bench_rnn.py            (make bench)
    python benchmarks/bench_rnn.py --quick    (a smaller grid, for a smoke run)

One training step is the forward pass over T steps, softmax cross-entropy over every
step, and full BPTT, on one-hot inputs from a vocabulary of 65 (a character model),
float32. Three implementations run in the same process:

* naive: one sequence at a time, one step at a time, column vectors, the classic
  minimal char-RNN style (written below, for comparison only);
* torch: ``nn.RNN`` + ``nn.Linear`` + ``cross_entropy`` with autograd, if torch is
  installed (``pip install torch==2.13.0`` installs a CPU build on the course machines);
* rnnlib: ``rnnlib.rnn_loss_and_grads``.

Before timing, rnnlib and torch must agree on the loss and every gradient in float64.
Figures are tokens per second (T*B per step / median step time after a warm-up).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import rnnlib  # noqa: E402

V = 65
GRID_H, GRID_B, GRID_T = (32, 128, 512), (1, 32, 128), (25, 100)

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


def flops_per_step(T: int, B: int, H: int) -> float:
    """Forward, input gradient and weight gradient of the three products, about 3x the forward."""
    return 3 * 2 * T * B * (V * H + H * H + H * V)


# ------------------------------------------------------------------ problems


def problem(T: int, B: int, H: int, dtype=np.float32, seed: int = 0):
    rng = np.random.default_rng(seed)
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


class TorchRNN:
    """nn.RNN + nn.Linear + cross-entropy with autograd, holding rnnlib's weights."""

    def __init__(self, params: rnnlib.RNNParams, dtype):
        H = params.hidden_size
        self.rnn = torch.nn.RNN(V, H, nonlinearity="tanh").to(dtype)
        self.out = torch.nn.Linear(H, V).to(dtype)
        with torch.no_grad():
            self.rnn.weight_ih_l0.copy_(torch.from_numpy(params.W_xh))
            self.rnn.weight_hh_l0.copy_(torch.from_numpy(params.W_hh))
            self.rnn.bias_ih_l0.copy_(torch.from_numpy(params.b_h))
            self.rnn.bias_hh_l0.zero_()
            self.out.weight.copy_(torch.from_numpy(params.W_hy))
            self.out.bias.copy_(torch.from_numpy(params.b_y))
        self.parameters = list(self.rnn.parameters()) + list(self.out.parameters())

    def step(self, xs: torch.Tensor, targets: torch.Tensor) -> float:
        for p in self.parameters:
            p.grad = None
        hs, _ = self.rnn(xs)
        logits = self.out(hs)
        loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))
        loss.backward()
        return loss.item()


def check_against_torch() -> str:
    """rnnlib and torch on the same weights in float64: the loss and all five gradients."""
    params, xs, targets = problem(7, 3, 16, dtype=np.float64, seed=5)
    loss, grads = rnnlib.rnn_loss_and_grads(params, xs, targets)
    model = TorchRNN(params, torch.float64)
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


def peak_memory(T: int = 1000, B: int = 32, H: int = 512) -> tuple[float, float]:
    """Peak bytes numpy allocates during one rnnlib training step (inputs excluded),
    and the bytes of the activations BPTT must keep (the T x B x H hidden states)."""
    params, xs, targets = problem(T, B, H)
    gc.collect()
    tracemalloc.start()
    rnnlib.rnn_loss_and_grads(params, xs, targets)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, T * B * H * 4


# ------------------------------------------------------------------ main


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small grid, for a smoke run")
    args = parser.parse_args(argv)
    grid_h, grid_b, grid_t = ((32, 128), (1, 32), (25,)) if args.quick else (GRID_H, GRID_B, GRID_T)

    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}, float32, vocabulary {V}")
    print(check_against_naive())
    if torch is not None:
        print(check_against_torch())
    else:
        print("torch is not installed: only naive and rnnlib are timed (pip install torch==2.13.0 for the comparison)")
    peak = matmul_peak_gflops()
    print(f"float32 matrix multiply on this machine: {peak:.0f} GFLOP/s (1024 x 1024, median)\n")

    header = (
        f"{'H':>4} {'B':>4} {'T':>4} | {'naive':>9} {'torch':>9} {'rnnlib':>9} | "
        f"{'rnnlib/torch':>12} {'rnnlib/naive':>12}"
    )
    print("tokens per second (T*B per training step)")
    print(header)
    print("-" * len(header))
    rows = []
    for H in grid_h:
        for B in grid_b:
            for T in grid_t:
                params, xs, targets = problem(T, B, H)
                tokens = T * B
                ours = tokens / median_seconds(lambda p=params, x=xs, y=targets: rnnlib.rnn_loss_and_grads(p, x, y))
                theirs = naive = float("nan")
                if torch is not None:
                    model = TorchRNN(params, torch.float32)
                    tx, ty = torch.from_numpy(xs), torch.from_numpy(targets)
                    theirs = tokens / median_seconds(lambda m=model, x=tx, y=ty: m.step(x, y))
                if B <= 32:  # the naive loop is too slow to time at B = 128
                    naive = tokens / median_seconds(
                        lambda p=params, x=xs, y=targets: naive_step(p, x, y), min_reps=1, budget=0.3, warmup=0
                    )
                rows.append((H, B, T, naive, theirs, ours))
                print(
                    f"{H:4} {B:4} {T:4} | {naive:9.0f} {theirs:9.0f} {ours:9.0f} | "
                    f"{ours / theirs:12.2f} {ours / naive:12.1f}"
                )

    print()
    vs_torch = [o / t for *_, t, o in rows if t == t]
    if vs_torch:
        worst = min(rows, key=lambda r: r[5] / r[4])
        print(
            f"rnnlib/torch: median {statistics.median(vs_torch):.2f} (target >= 1.0), "
            f"lowest {min(vs_torch):.2f} at H={worst[0]}, B={worst[1]}, T={worst[2]} (target >= 0.8)"
        )
    at32 = [o / n for H, B, T, n, t, o in rows if B == 32]
    if at32:
        print(f"rnnlib/naive at B=32: lowest {min(at32):.0f}, median {statistics.median(at32):.0f} (target >= 20)")
    big = [r for r in rows if r[:3] == (512, 128, 100)]
    if big:
        achieved = flops_per_step(100, 128, 512) * big[0][5] / (100 * 128) / 1e9
        print(
            f"H=512, B=128, T=100: {achieved:.0f} GFLOP/s, {achieved / peak:.0%} of this machine's "
            f"matrix-multiply throughput (target >= 50%)"
        )
    if not args.quick:
        used, needed = peak_memory()
        print(
            f"memory at T=1000, B=32, H=512: peak {used / 2**20:.0f} MiB allocated during a step, "
            f"{used / needed:.2f}x the {needed / 2**20:.0f} MiB of hidden states BPTT must keep (target <= 1.5x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
