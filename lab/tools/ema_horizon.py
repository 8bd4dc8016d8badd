"""How long should the exported generator's EMA average? One texture-recipe run, several EMA copies, SWD of each.

    python lab/tools/ema_horizon.py --seed 1 --steps 1300      # ~10 minutes of training on one thread

The EMA copy does not feed back into training, so one run can carry several: each copy k follows
ema <- b * ema + (1 - b) * G with b = min(0.999, (1 + step) / (1 + k + step)), i.e. its weights lag G's by about
step / (k + 1) steps (`ema_update`'s warmup; training uses 9; k = 1 averages every step since the start; "raw" is
G itself). At each of --at steps every copy gets its BatchNorm statistics recalibrated (as at export) and is
measured as lab/tools/quality.py measures: the mean SWD over 12 draws of 1000 samples against the held-out tiles.
The figures in lab/2026-12-06-benchmarks-log.md were measured with the texture recipe of 2 Dec 2026 (64-wide D,
no tanh); the script runs `--recipe textures` as it is now.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
REPO = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=1300)
    ap.add_argument("--at", type=int, nargs="+", default=[600, 900, 1300], help="steps at which to measure")
    ap.add_argument("--ks", type=int, nargs="+", default=[19, 9, 3, 1], help="EMA warm-up constants")
    ap.add_argument("--holdout", type=float, default=0.25)
    ap.add_argument("--n", type=int, default=1000)
    args = ap.parse_args()

    import torch
    from quality import DATA, swd_over_draws

    from assetgan.data.dataset import load_training_images
    from assetgan.train.config import DCGANConfig
    from assetgan.train.dcgan_loop import DCGANTrainer
    from assetgan.train.holdout import holdout_mask
    from assetgan.train.nets import recalibrate_batchnorm
    from assetgan.train.recipes import RECIPES
    from assetgan.train.sampling import ema_update, to_uint8

    cfg = DCGANConfig(data=str(REPO / DATA / "crawl-textures"), size=32, channels=3, tileable=True,
                      **RECIPES["textures"], steps=args.steps, seed=args.seed, threads=1)
    data = load_training_images(cfg.data, cfg.size, cfg.channels)
    held_mask = holdout_mask(list(data.files), args.holdout)
    train, held = data.images[~held_mask], data.images[held_mask]
    tr = DCGANTrainer(cfg, train, REPO / "runs" / f"ema-horizon-seed{args.seed}", {})
    emas = {k: copy.deepcopy(tr.G).eval().requires_grad_(False) for k in args.ks}
    z = torch.randn(args.n, cfg.nz, generator=torch.Generator().manual_seed(args.seed))

    def measure(g: torch.nn.Module) -> float:
        g = copy.deepcopy(g)
        recalibrate_batchnorm(g, cfg.nz, seed=cfg.seed + 3)
        with torch.no_grad():
            img = to_uint8(g.eval()(z))
        return float(swd_over_draws(img, held, args.seed).mean())

    print(f"seed {args.seed}: {len(train)} training tiles, {len(held)} held out; swd_12 per EMA warm-up k "
          f"(k 9 = training's; raw = G)", flush=True)
    while tr.step < args.steps:
        step = tr.step
        tr.train_step()
        for k, e in emas.items():
            ema_update(e, tr.G, cfg.ema_beta, step, warmup=k)
        if tr.step in args.at:
            row = {f"k {k}": measure(e) for k, e in emas.items()} | {"raw": measure(tr.G)}
            print(f"  step {tr.step:5d}  " + "  ".join(f"{name} {v:6.1f}" for name, v in row.items()), flush=True)


if __name__ == "__main__":
    main()
