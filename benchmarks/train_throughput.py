"""Training throughput at 32x32: assetgan's recipe vs a plain DCGAN of the same width, as a ratio."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import numpy as np
import torch

from assetgan.train.config import DCGANConfig
from assetgan.train.dcgan_loop import DCGANTrainer


def measure(cfg: DCGANConfig, images: np.ndarray, steps: int) -> float:
    tr = DCGANTrainer(cfg, images, tempfile.mkdtemp(), {})
    for _ in range(3):  # warm-up
        tr.train_step()
    t = time.perf_counter()
    for _ in range(steps):
        tr.train_step()
    return steps * cfg.batch_size / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    images = np.random.default_rng(0).integers(0, 256, (512, 32, 32, 4), dtype=np.uint8)
    common = dict(size=32, channels=4, nz=100, ngf=64, ndf=64, batch_size=64, steps=10**6)
    plain = DCGANConfig(augment=(), ema_beta=0.0, spectral_norm=False, **common)
    recipe = DCGANConfig(spectral_norm=True, **common)  # default augment + EMA, as `train dcgan` ships
    runs: dict[str, list[float]] = {"plain DCGAN": [], "assetgan recipe": []}
    for _ in range(args.rounds):  # interleave so machine noise hits both alike
        runs["plain DCGAN"].append(measure(plain, images, args.steps))
        runs["assetgan recipe"].append(measure(recipe, images, args.steps))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch 64, 32x32 RGBA, ngf=ndf=64")
    med = {k: statistics.median(v) for k, v in runs.items()}
    for k, v in runs.items():
        print(f"{k:16s} median {med[k]:7.1f} images/s  (rounds: {', '.join(f'{x:.0f}' for x in v)})")
    ratio = med["assetgan recipe"] / med["plain DCGAN"]
    print(f"ratio recipe/plain: {ratio:.3f}  (target >= 0.9: {'met' if ratio >= 0.9 else 'NOT met'})")


if __name__ == "__main__":
    main()
