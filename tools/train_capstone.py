"""Train chapter 8's capstone model, over several seeds, and save seed 0's for the chapter to load.

    make capstone        (or: python tools/train_capstone.py [--steps N] [--seeds 0 1 2]
                          [--input-dropout P] [--output-dropout P] [--out PATH])

An LSTM with 256 units on *Alice's Adventures in Wonderland* (rnnlib/data/alice.txt),
reading each character through a learned 64-number embedding, regularised with
variational dropout (0.3 on the embedding, 0.6 on the hidden state where it enters
the output layer): truncated BPTT over chunks of 50 characters in 32 streams, Adam
with a cosine-decayed learning rate from 0.004, gradient norm clipped at 5.
The held-out tenth of the text is measured every 500 steps and the best weights so
far are kept, so the saved model is the one that generalised best, not the last one.

Every seed trains in its own process, side by side; the model saved is seed 0's (not
the best seed's, which would be chosen on the held-out text), and the file records
every seed's best held-out score, so the chapter can give the spread.
Writes rnnlib/data/alice_lstm.npz: the embedding folded into the input weights
(a one-hot LSTM, float32), the vocabulary and how it was trained.
On a 2-core machine it takes about 13 minutes.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: one thread per process is faster and steadier

import numpy as np  # noqa: E402

import rnnlib  # noqa: E402
from rnnlib import embedding, text  # noqa: E402

HIDDEN, EMBED, SEQ_LEN, BATCH, LR, CLIP = 256, 64, 50, 32, 0.004, 5.0
INPUT_DROPOUT, OUTPUT_DROPOUT = 0.3, 0.6
EVAL_EVERY = 500


def train_one(seed: int, steps: int, dropout: tuple[float, float]) -> tuple[text.LanguageModelRun, float]:
    """One seed's run and its minutes; ``dropout`` is (on the embedding, on h)."""
    alice = text.load_text("alice")
    vocab = text.Vocabulary.from_text(alice)
    train_ids, held_out = text.split(vocab.encode(alice))
    rng = np.random.default_rng(seed)
    params = rnnlib.init_params("lstm", EMBED, HIDDEN, vocab.size, seed=rng, dtype=np.float32)
    start = time.perf_counter()
    run = text.train_language_model(
        params,
        train_ids,
        steps=steps,
        held_out=held_out,
        eval_every=EVAL_EVERY,
        embedding=embedding.init_embedding(vocab.size, EMBED, seed=rng, dtype=np.float32),
        input_dropout=dropout[0],
        output_dropout=dropout[1],
        seed=rng,
        **settings(),
    )
    return run, (time.perf_counter() - start) / 60


def settings() -> dict[str, object]:
    return {"seq_len": SEQ_LEN, "batch_size": BATCH, "lr": LR, "clip_norm": CLIP, "lr_schedule": "cosine"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=6000, help="training steps (default 6000)")
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[0, 1, 2], help="seeds (default 0 1 2); the first is saved"
    )
    parser.add_argument("--input-dropout", type=float, default=INPUT_DROPOUT, help="on the embedding (default 0.3)")
    parser.add_argument("--output-dropout", type=float, default=OUTPUT_DROPOUT, help="on h (default 0.6)")
    parser.add_argument("--out", default=str(Path(rnnlib.__file__).parent / "data" / "alice_lstm.npz"))
    args = parser.parse_args()

    alice = text.load_text("alice")
    vocab = text.Vocabulary.from_text(alice)
    train_ids, held_out = text.split(vocab.encode(alice))
    print(f"LSTM, H={HIDDEN}, embedding {EMBED}; {len(train_ids):,} training characters; seeds {args.seeds}")
    print(f"unigram baseline on the held-out text: {text.unigram_bits_per_char(train_ids, held_out, vocab.size):.3f}")
    with ProcessPoolExecutor(max_workers=len(args.seeds)) as pool:
        n = len(args.seeds)
        dropout = (args.input_dropout, args.output_dropout)
        results = list(pool.map(train_one, args.seeds, [args.steps] * n, [dropout] * n))
    for seed, (run, minutes) in zip(args.seeds, results, strict=True):
        curve = ", ".join(f"{s}: {b:.3f}" for s, b in zip(run.eval_steps, run.eval_bits, strict=True))
        print(f"seed {seed} ({minutes:.1f} min), held out by step: {curve}")
    best = np.array([run.eval_bits.min() for run, _ in results])
    print(f"best held-out bits/char per seed: {', '.join(f'{b:.4f}' for b in best)}")
    run, minutes = results[0]
    text.save_model(
        args.out,
        run.best_params,
        vocab,
        steps=run.best_step,
        held_out_bits_per_char=float(run.eval_bits.min()),
        hidden_size=HIDDEN,
        embedding_size=EMBED,
        input_dropout=args.input_dropout,
        output_dropout=args.output_dropout,
        seed=args.seeds[0],
        training_steps=args.steps,
        training_minutes=minutes,
        eval_steps=run.eval_steps,
        eval_bits=run.eval_bits,
        seeds=args.seeds,
        seed_bits=best,
        **settings(),
    )
    print(f"seed {args.seeds[0]}: best held-out {best[0]:.3f} bits/char at step {run.best_step}; saved {args.out}")


if __name__ == "__main__":
    main()
