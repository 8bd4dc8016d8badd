"""Can SWD tell two models apart with this many reference images? Per pyramid level, and by reference-set size.

    python lab/tools/swd_power.py runs/quality-textures-seed5/plain runs/quality-textures-seed5/plain-30min.onnx \\
        runs/quality-textures-seed5/recipe-textures-30min.onnx --seed 5

SWD compares equal-sized sets, so a figure against a held-out split of 68 images compares 68 samples. Two parts:

1. Against the run's held-out split, the mean over 12 draws per Laplacian level (finest first; the last is the
   16x16 low-pass) for each model and the real-vs-real floor (training vs held-out images).
2. Power: reference sets of N images drawn from the run's *training* images (the only pool big enough; the models
   saw these images, so this measures how well SWD separates two models at size N, not generalisation), 8 draws per
   N: each model's SWD (N samples against N references), a disjoint real set's (the floor), and the first model
   minus the second as mean ± sd over the draws. A difference smaller than its sd cannot be told apart at that N.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def per_level(a: np.ndarray, b: np.ndarray, draws: int = 12) -> np.ndarray:
    from assetgan.metrics.swd import sliced_wasserstein

    return np.array([sliced_wasserstein(a, b, seed=k).per_level for k in range(draws)]).mean(axis=0)


def power(models: list[np.ndarray], train: np.ndarray, size: int, draws: int = 8) -> np.ndarray:
    """[draws, len(models) + 1]: each model's SWD and the floor's, against `draws` reference sets of `size`."""
    from assetgan.metrics.swd import sliced_wasserstein

    rng = np.random.default_rng(size)
    rows = []
    for k in range(draws):
        p = rng.permutation(len(train))
        ref, real = train[p[:size]], train[p[size:2 * size]]
        rows.append([sliced_wasserstein(g[:size], ref, seed=k).mean for g in models]
                    + [sliced_wasserstein(real, ref, seed=k).mean])
    return np.array(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path, help="a DCGAN run with holdout.txt (its split is used)")
    ap.add_argument("models", type=Path, nargs=2, help="two ONNX models to tell apart")
    ap.add_argument("--sizes", type=int, nargs="+", default=[68, 170, 300])
    ap.add_argument("--seed", type=int, default=1, help="first z seed of the 1000 samples")
    args = ap.parse_args()

    import quality

    train, held, _ = quality.load_split(args.run)
    if 2 * max(args.sizes) > len(train):
        raise SystemExit(f"--sizes {max(args.sizes)}: needs {2 * max(args.sizes)} training images, the run has "
                         f"{len(train)}; pass smaller sizes")
    gens = [quality.open_model_seeds(m, args.seed, 1000) for m in args.models]
    names = [m.stem for m in args.models]
    print(f"{len(held)} held-out, {len(train)} training images")
    print("1. against the held-out split, mean of 12 draws per level (finest first):")
    for name, g in zip(names, gens):
        print(f"  {name:32s} " + "  ".join(f"{v:6.1f}" for v in per_level(g, held)))
    print(f"  {'floor (training vs held-out)':32s} " + "  ".join(f"{v:6.1f}" for v in per_level(train, held)))
    print(f"2. reference sets drawn from the training images, 8 draws each; {names[0]} minus {names[1]}:")
    for size in args.sizes:
        rows = power(gens, train, size)
        diff = rows[:, 0] - rows[:, 1]
        print(f"  N {size:4d}  " + "  ".join(f"{n} {rows[:, i].mean():5.1f} ± {rows[:, i].std():4.1f}"
                                            for i, n in enumerate([*names, "floor"]))
              + f"  difference {diff.mean():+6.1f} ± {diff.std():4.1f}", flush=True)


if __name__ == "__main__":
    main()
