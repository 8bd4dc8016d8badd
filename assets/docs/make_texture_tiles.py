"""Build `crawl-textures-32-tiled.png`: seeds 0-7 of the shipped texture model, each tiled 3x3 at 2x zoom.

A tileable model's outputs must wrap without a visible seam, so each 32x32 tile is repeated 3x3 (96x96 pixels) and
shown at twice its size with a white margin. Run from the repository root after shipping
trained/crawl-textures-32.onnx.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    import numpy as np
    from PIL import Image

    from assetgan.runtime.model import open_model

    tiles = open_model(ROOT / "trained" / "crawl-textures-32.onnx").generate_seeds(range(8))  # [8, 32, 32, 3]
    cells = []
    for t in tiles:
        tiled = np.tile(t, (3, 3, 1)).repeat(2, 0).repeat(2, 1)  # [192, 192, 3]
        cells.append(np.pad(tiled, ((8, 8), (8, 8), (0, 0)), constant_values=255))
    Image.fromarray(np.concatenate(cells, 1)).save(ROOT / "assets" / "docs" / "crawl-textures-32-tiled.png")


if __name__ == "__main__":
    main()
