"""Raw vs cleaned sprite output against held-out sprites: SWD (3 seeds), C2ST (--c2st), colours per sprite, grids.

    python lab/tools/clean_output.py MODEL.onnx SPLIT OUTDIR [--c2st]
    # SPLIT holds heldout/ and train/ (lab/tools/split_folders.py); OUTDIR gets one 8x8 grid per variant at 4x

Variants: raw; alpha threshold 128; threshold + at most 16 colours per sprite; threshold + the 32-colour palette
learned from the training images (the product's own Finisher for each).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image

from assetgan.data.dataset import load_training_images
from assetgan.metrics.c2st import c2st
from assetgan.metrics.swd import sliced_wasserstein
from assetgan.render.palette import learn_palette
from assetgan.render.postprocess import Finisher
from assetgan.runtime.latent import seed_latent
from assetgan.runtime.model import open_model


def grid(images: np.ndarray, path: Path) -> None:
    g = images[:64].reshape(8, 8, 32, 32, 4).transpose(0, 2, 1, 3, 4).reshape(256, 256, 4)
    a = g[..., 3:] / 255
    rgb = (g[..., :3] * a + 40 * (1 - a)).astype(np.uint8)
    Image.fromarray(rgb).resize((1024, 1024), Image.NEAREST).save(path)


def main() -> None:
    model, split, out = open_model(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    held = load_training_images(split / "heldout", 32, 4).images
    train = load_training_images(split / "train", 32, 4).images
    n, k = 1000, len(model.card.classes)
    z = np.stack([seed_latent(s, model.nz, 1.0) for s in range(n)])
    ids = (np.arange(n) % k).astype(np.int64) if k else None
    raw = np.concatenate([model.run(z[i:i + 100], None if ids is None else ids[i:i + 100]) for i in range(0, n, 100)])
    finishers = {"raw": Finisher(), "thr128": Finisher(alpha_threshold=128),
                 "thr+16col": Finisher(alpha_threshold=128, colours=16),
                 "thr+pal32": Finisher(palette=learn_palette(train, 32), alpha_threshold=128)}
    for name, finish in finishers.items():
        g = np.stack([finish(im) for im in raw])
        cols = np.median([len(np.unique(im[..., :3][im[..., 3] > 0].reshape(-1, 3), axis=0)) for im in g])
        semi = ((g[..., 3] > 0) & (g[..., 3] < 255)).sum() / max(1, (g[..., 3] > 0).sum())
        swd = [sliced_wasserstein(g, held, seed=s).mean for s in range(3)]
        c = [c2st(held, g, seed=s).accuracy for s in range(2)] if "--c2st" in sys.argv else []
        print(f"{name:10s} colours/sprite {cols:5.0f} semi-alpha {semi:.3f} swd_held {np.mean(swd):.1f}"
              f"±{np.std(swd):.1f} swd_train {sliced_wasserstein(g, train, seed=0).mean:.1f} c2st {np.round(c, 3)}",
              flush=True)
        grid(g, out / f"{name}.png")


if __name__ == "__main__":
    main()
