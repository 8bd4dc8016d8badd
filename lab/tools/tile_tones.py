"""How dark are a texture model's tiles, against the data? SWD normalises each channel, so it barely sees a
brightness shift; an artist does.

    python lab/tools/tile_tones.py ../shared/datasets/crawl-textures trained/crawl-textures-32.onnx OTHER.onnx ...

Prints, for the data folder (loaded at the model's size) and for 1000 samples of each model (seeds 0-999, no
truncation): the median pixel value over all channels, the median tile brightness, and the share of pixels whose
every channel is below 16/255 (the near-black that crawl's floor tiles are full of).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def tones(pixels: np.ndarray) -> str:
    """pixels: uint8 [N, H, W, C]."""
    dark = (pixels.max(-1) < 16).mean()
    tile = np.median(pixels.astype(np.float32).mean(axis=(1, 2, 3)))
    return f"median pixel {np.median(pixels):5.1f}  median tile {tile:5.1f}  pixels < 16: {100 * dark:4.1f} %"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("models", type=Path, nargs="+")
    ap.add_argument("--n", type=int, default=1000)
    args = ap.parse_args()

    from assetgan.data.dataset import load_training_images
    from assetgan.runtime import open_model

    models = [(m, open_model(m)) for m in args.models]
    card = models[0][1].card
    data = load_training_images(args.data, card.size, card.channels).images
    width = max(len(str(p)) for p in args.models)
    print(f"{'data':{width}s}  {tones(data)}  ({len(data)} tiles)")
    for path, m in models:
        print(f"{str(path):{width}s}  {tones(m.generate_seeds(range(args.n), truncation=1.0))}")


if __name__ == "__main__":
    main()
