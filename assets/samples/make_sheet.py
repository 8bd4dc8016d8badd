"""Build `sheet_4x2_32.png` (128x64 RGBA, 32x32 cells) from the sample sprites, deterministically.

Layout, row by row: six distinct sprites, one fully transparent cell (row 1, col 1) and one repeat of the
cell at row 0, col 1 (row 1, col 2). Slicing it yields 6 tiles, 1 empty cell and 1 duplicate cell.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TILE = 32
LAYOUT = [
    ["mon/boggart.png", "mon/adder.png", "item/lychee.png", "item/giant_club.png"],
    ["item/ring_red.png", None, "mon/adder.png", "mon/necrophage.png"],
]


def main() -> None:
    """Write the sheet beside this script."""
    sys.path.insert(0, str(HERE.parents[1]))  # the repository root, for `assetgan`
    import numpy as np
    from PIL import Image

    from assetgan.core.atomic import atomic_write_with
    from assetgan.data.imageio import read_rgba

    sheet = np.zeros((TILE * len(LAYOUT), TILE * len(LAYOUT[0]), 4), np.uint8)
    for row, names in enumerate(LAYOUT):
        for col, name in enumerate(names):
            if name is not None:
                rgba = read_rgba(HERE / "sprites" / name)
                assert rgba.shape == (TILE, TILE, 4), name
                sheet[row * TILE : (row + 1) * TILE, col * TILE : (col + 1) * TILE] = rgba
    image = Image.fromarray(sheet)
    out = HERE / "sheet_4x2_32.png"
    atomic_write_with(out, lambda fh: image.save(fh, format="PNG"))
    print(f"wrote {out} ({image.width}x{image.height})")


if __name__ == "__main__":
    main()
