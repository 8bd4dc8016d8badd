"""Memorisation check: distance of generated sprites to their nearest training image vs held-out real ones.

A model that copies its training set puts generated images much closer to training images than unseen real
images are (ratio well below 1, many near-duplicates). Writes a picture of generated | nearest training pairs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from assetgan.core.atomic import atomic_write_bytes
from assetgan.data.dataset import load_training_images
from assetgan.metrics.memorisation import memorisation
from assetgan.render.sheet import encode_png
from assetgan.runtime.model import open_model
from assetgan.runtime.registry import resolve_model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("run", type=Path, help="run folder with holdout.txt and config.json")
    ap.add_argument("--model", default=None, help="model (default: RUN/model.onnx)")
    ap.add_argument("--data", type=Path, default=None, help="training data folder (default: from the run)")
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--picture", type=Path, default=None)
    args = ap.parse_args()
    import json

    cfg = json.loads((args.run / "config.json").read_text())["config"]
    data = load_training_images(args.data or cfg["data"], cfg["size"], cfg["channels"])
    held = set((args.run / "holdout.txt").read_text().split())
    mask = np.array([f in held for f in data.files])
    train, hold = data.images[~mask], data.images[mask]
    m = open_model(resolve_model(args.model or str(args.run / "model.onnx")))
    gen = m.generate_seeds(range(args.n))
    res = memorisation(gen, train, hold)
    idx = res.nearest_index
    print(f"train {len(train)}, held-out {len(hold)}, generated {len(gen)}")
    print(f"median NN distance to training: held-out real {res.heldout_median:.3f}, "
          f"generated {res.generated_median:.3f}")
    print(f"ratio generated/held-out: {res.ratio:.3f} (>= 0.9: no sign of copying)")
    print(f"near-duplicates (closer than half the 5th percentile of held-out): {res.near_duplicates} of {len(gen)}")
    if args.picture:
        order = np.argsort(res.generated_distances)[:16]  # the 16 closest pairs: the worst case for copying
        rows = [np.concatenate([gen[i], np.zeros_like(gen[i][:, :4]), train[idx[i]]], 1) for i in order]
        pic = np.concatenate([np.pad(r, ((2, 2), (0, 0), (0, 0))) for r in rows], 0)
        atomic_write_bytes(args.picture, encode_png(np.repeat(np.repeat(pic, 3, 0), 3, 1)))
        print(f"closest pairs (generated | nearest training): {args.picture}")


if __name__ == "__main__":
    main()
