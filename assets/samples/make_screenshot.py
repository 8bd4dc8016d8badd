"""Build `dungeon_1080p.png`, a 1920x1080 game "screenshot" made only of the CC0 sample tiles and sprites.

Used as the test and benchmark input for style transfer and for the README's before/after picture; the
layout is fixed by a seed, so rebuilding gives the same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TILE, SCALE, W, H = 32, 3, 1920, 1080


def main() -> None:
    """Write the screenshot beside this script."""
    sys.path.insert(0, str(HERE.parents[1]))  # the repository root, for `assetgan`
    import numpy as np

    from assetgan.core.atomic import atomic_write_bytes
    from assetgan.data.imageio import read_rgba
    from assetgan.render.sheet import encode_png

    rng = np.random.default_rng(7)
    floors = sorted((HERE / "textures" / "floor").glob("*.png"))
    walls = sorted((HERE / "textures" / "wall").glob("*.png"))
    sprites = sorted((HERE / "sprites").rglob("*.png"))
    floors = sorted(floors, key=lambda f: -float(read_rgba(f)[..., :3].mean()))  # brightest first
    floor, alt, wall = read_rgba(floors[0])[..., :3], read_rgba(floors[2])[..., :3], read_rgba(walls[2])[..., :3]
    rows, cols = -(-H // (TILE * SCALE)), -(-W // (TILE * SCALE))
    canvas = np.zeros((rows * TILE, cols * TILE, 3), np.uint8)
    for r in range(rows):
        for c in range(cols):
            border = r in (0, rows - 1) or c in (0, cols - 1) or (c == 9 and r not in (4, 5))
            tile = wall if border else (alt if (r * 7 + c * 3) % 11 == 0 else floor)
            canvas[r * TILE : (r + 1) * TILE, c * TILE : (c + 1) * TILE] = tile
    for k in rng.choice(len(sprites), 14, replace=False):
        spr = read_rgba(sprites[k]).astype(np.float32)
        r, c = int(rng.integers(1, rows - 1)), int(rng.integers(1, cols - 1))
        if c == 9:
            c += 1
        cell = canvas[r * TILE : (r + 1) * TILE, c * TILE : (c + 1) * TILE].astype(np.float32)
        a = spr[..., 3:] / 255.0
        canvas[r * TILE : (r + 1) * TILE, c * TILE : (c + 1) * TILE] = np.round(spr[..., :3] * a + cell * (1 - a))
    big = np.repeat(np.repeat(canvas, SCALE, 0), SCALE, 1)[:H, :W]
    atomic_write_bytes(HERE / "dungeon_1080p.png", encode_png(np.ascontiguousarray(big)))


if __name__ == "__main__":
    main()
