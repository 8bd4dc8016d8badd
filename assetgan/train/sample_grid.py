"""Sample grids written during training: an 8x8 contact sheet over a checkerboard so alpha is visible."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..core.atomic import atomic_write_bytes
from ..render.sheet import encode_png


def checkerboard(h: int, w: int, cell: int = 4) -> np.ndarray:
    """Light/dark grey checkerboard [h, w, 3] uint8, the usual backdrop for transparency."""
    yy, xx = np.mgrid[0:h, 0:w]
    on = ((yy // cell + xx // cell) % 2).astype(bool)
    out = np.where(on[..., None], 204, 153).astype(np.uint8)
    return np.repeat(out, 3, axis=2) if out.shape[2] == 1 else out


def composite_on_checker(img: np.ndarray, cell: int = 4) -> np.ndarray:
    """RGBA [h, w, 4] -> RGB over a checkerboard; RGB passes through."""
    if img.shape[2] == 3:
        return img
    bg = checkerboard(img.shape[0], img.shape[1], cell).astype(np.float32)
    a = img[..., 3:4].astype(np.float32) / 255.0
    return (img[..., :3] * a + bg * (1 - a)).round().astype(np.uint8)


def contact_sheet(images: np.ndarray, scale: int = 2, gap: int = 2, columns: int | None = None) -> np.ndarray:
    """Images [N, h, w, C] -> one RGB grid image, each cell upscaled by `scale` (nearest) on a checkerboard."""
    n, h, w, _ = images.shape
    cols = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    ch, cw = h * scale, w * scale
    sheet = np.full((rows * (ch + gap) + gap, cols * (cw + gap) + gap, 3), 40, np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        cell = np.repeat(np.repeat(images[i], scale, 0), scale, 1)
        y, x = gap + r * (ch + gap), gap + c * (cw + gap)
        sheet[y : y + ch, x : x + cw] = composite_on_checker(cell, cell=max(2, 2 * scale))
    return sheet


def write_sample_grid(images: np.ndarray, folder: Path, step: int, columns: int | None = None,
                      scale: int = 2) -> Path:
    """Write `step_NNNNNN.png` and `latest.png` into `folder`; return the step file."""
    folder.mkdir(parents=True, exist_ok=True)
    png = encode_png(contact_sheet(images, scale=scale, columns=columns))
    path = folder / f"step_{step:06d}.png"
    atomic_write_bytes(path, png)
    atomic_write_bytes(folder / "latest.png", png)
    return path
