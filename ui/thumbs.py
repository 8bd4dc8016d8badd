"""Thumbnails as numpy arrays: export's finishing, nearest-neighbour zoom, checkerboard behind alpha, 3x3 tiling."""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path

import numpy as np

from assetgan.core.errors import AssetganError
from assetgan.export.collection import OutputSettings
from assetgan.export.render import output_finisher
from assetgan.render.postprocess import Finisher
from assetgan.runtime.model import GeneratorModel

LIGHT, DARK = 204, 153  # checkerboard greys
CELL = 8  # checkerboard cell, in screen pixels


@lru_cache(maxsize=16)
def checkerboard(h: int, w: int, cell: int = CELL) -> np.ndarray:
    """uint8 [h, w, 3] grey checkerboard (cached per size; read-only)."""
    yy, xx = np.mgrid[0:h, 0:w]
    on = ((yy // cell) + (xx // cell)) % 2 == 0
    board = np.where(on, LIGHT, DARK).astype(np.uint8)[..., None].repeat(3, axis=2)
    board.flags.writeable = False
    return board


def finisher_for(output: OutputSettings, model: GeneratorModel, base_dir: Path) -> tuple[Finisher, str]:
    """The Finisher `assetgan export` applies for `output` (scale, palette incl. "auto", alpha threshold, colour
    limit), and a one-line problem ("" if none); a palette export cannot resolve is left out and named."""
    try:
        return output_finisher(output, model, base_dir), ""
    except AssetganError as exc:
        problem = f"thumbnails without the palette: {exc}"
    try:
        return output_finisher(dataclasses.replace(output, palette=None), model, base_dir), problem
    except AssetganError as exc:
        return Finisher(), f"thumbnails unfinished: {exc}"


def tile3(img: np.ndarray) -> np.ndarray:
    """[3H, 3W, C]: the image repeated 3x3, so wrap seams show in the middle cell's borders."""
    return np.tile(img, (3, 3, 1))


def zoom_factor(side: int, target: int) -> int:
    """Largest whole factor that keeps `side * factor` within `target` (at least 1)."""
    return max(1, target // max(1, side))


def thumbnail(img: np.ndarray, target: int = 128, tiled: bool = False) -> np.ndarray:
    """uint8 [h, w, 3] ready to display: optional 3x3 tiling, nearest zoom (pixel art stays crisp), shrink by
    box averaging if still larger than `target`, alpha composited over a checkerboard."""
    if img.ndim != 3 or img.shape[2] not in (3, 4) or img.dtype != np.uint8:
        raise ValueError(f"expected a uint8 [H, W, 3|4] image, got {img.dtype} {img.shape}")
    x = tile3(img) if tiled else img
    f = zoom_factor(max(x.shape[:2]), target)
    if f > 1:
        x = np.repeat(np.repeat(x, f, axis=0), f, axis=1)
    side = max(x.shape[:2])
    if side > target:  # large textures: box-shrink by a whole factor
        s = int(np.ceil(side / target))
        h, w = x.shape[0] // s * s, x.shape[1] // s * s
        x = x[:h, :w].reshape(h // s, s, w // s, s, x.shape[2]).mean(axis=(1, 3)).round().astype(np.uint8)
    if x.shape[2] == 3:
        return np.ascontiguousarray(x)
    a = x[..., 3:4].astype(np.uint16)
    bg = checkerboard(x.shape[0], x.shape[1])
    out = (x[..., :3].astype(np.uint16) * a + bg.astype(np.uint16) * (255 - a) + 127) // 255
    return out.astype(np.uint8)
