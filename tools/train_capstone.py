"""Train chapter 8's longer character-level model and save it for the chapter to load.

    make capstone        (or: python tools/train_capstone.py [--steps N] [--out PATH])

An LSTM with 192 units on *Alice's Adventures in Wonderland* (rnnlib/data/alice.txt):
truncated BPTT over chunks of 50 characters in 32 streams, Adam, gradient clipping.
The held-out tenth of the text is measured every 500 steps and the best weights so far
are kept, so the saved model is the one that generalised best, not the last one.
Writes rnnlib/data/alice_lstm.npz (float32, under 1 MB) with how it was trained.
On a 2-core machine it takes about 10 minutes.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: one thread is faster and steadier

import numpy as np  # noqa: E402

import rnnlib  # noqa: E402
from rnnlib import text  # noqa: E402

HIDDEN, SEQ_LEN, BATCH, LR, CLIP, SEED = 192, 50, 32, 0.002, 5.0, 0
EVAL_EVERY = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=12000, help="training steps (default 12000)")
    parser.add_argument("--hidden", type=int, default=HIDDEN, help=f"LSTM units (default {HIDDEN})")
    parser.add_argument("--seq-len", type=int, default=SEQ_LEN, help=f"BPTT chunk length (default {SEQ_LEN})")
    parser.add_argument("--lr", type=float, default=LR, help=f"Adam learning rate (default {LR})")
    parser.add_argument("--out", default=str(Path(rnnlib.__file__).parent / "data" / "alice_lstm.npz"))
    args = parser.parse_args()

    vocab = text.Vocabulary.from_text(text.load_text("alice"))
    train_ids, held_out = text.split(vocab.encode(text.load_text("alice")))
    params = rnnlib.init_params("lstm", vocab.size, args.hidden, vocab.size, seed=SEED, dtype=np.float32)
    print(f"LSTM, H={args.hidden}: {params.num_parameters():,} parameters; {len(train_ids):,} training characters")
    print(f"unigram baseline on the held-out text: {text.unigram_bits_per_char(train_ids, held_out, vocab.size):.3f}")

    settings = {"seq_len": args.seq_len, "batch_size": BATCH, "lr": args.lr, "clip_norm": CLIP}
    start = time.perf_counter()
    run = text.train_language_model(
        params, train_ids, steps=args.steps, held_out=held_out, eval_every=EVAL_EVERY, **settings
    )
    for step, bits in zip(run.eval_steps, run.eval_bits, strict=True):
        train_bits = text.bits_per_char(run.losses[max(0, step - EVAL_EVERY) : step].mean())
        print(f"step {step:6d}: train {train_bits:.3f}, held out {bits:.3f} bits/char")
    best_bpc = float(run.eval_bits.min())
    minutes = (time.perf_counter() - start) / 60
    text.save_model(
        args.out,
        run.best_params,
        vocab,
        steps=run.best_step,
        held_out_bits_per_char=best_bpc,
        hidden_size=args.hidden,
        seed=SEED,
        training_minutes=minutes,
        eval_steps=run.eval_steps,
        eval_bits=run.eval_bits,
        **settings,
    )
    print(f"best held-out {best_bpc:.3f} bits/char at step {run.best_step}; saved {args.out} ({minutes:.1f} min)")


if __name__ == "__main__":
    main()
