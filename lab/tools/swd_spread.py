"""How much an SWD figure moves with the subsample drawn: SWD of models against a run's held-out split, 12 seeds.

    python lab/tools/swd_spread.py runs/quality-textures-v2/plain runs/quality-textures-v2/plain-30min.onnx \\
        runs/quality-textures-v2/recipe-textures-30min.onnx

SWD compares equal-sized sets, so 1000 samples are cut to the size of the held-out split (68 textures); each seed
draws another subsample and other patches and directions. Prints mean and spread per model and the
real-vs-real floor (training images vs held-out) the same way.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path, help="a DCGAN run with holdout.txt (its split is used)")
    ap.add_argument("models", type=Path, nargs="+")
    ap.add_argument("--seeds", type=int, default=12)
    ap.add_argument("--n", type=int, default=1000)
    args = ap.parse_args()

    import quality

    from assetgan.runtime.model import open_model

    train, held, _ = quality.load_split(args.run)
    print(f"{len(held)} held-out vs {len(train)} training images; {args.seeds} seeds")

    def row(name: str, images: np.ndarray) -> None:
        v = quality.swd_over_draws(images, held, seed=0, draws=args.seeds)
        print(f"  {name:40s} SWD {v.mean():6.1f} ± {v.std():4.1f}  (min {v.min():.1f}, max {v.max():.1f})")

    row("floor (training vs held-out)", train)
    for m in args.models:
        row(m.name, open_model(m).generate_seeds(range(1, 1 + args.n), truncation=1.0))


if __name__ == "__main__":
    main()
