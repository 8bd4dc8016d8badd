"""Pixel-art grids: find an integer nearest-neighbour upscale in an image, and go to its native size and back.

A pixel-art frame shown at k times its size (a 320x180 game at 1920x1080 is k = 6) is made of k x k blocks of one
colour. Colour changes between neighbouring columns (rows) can then only happen on the block lines, so the
spacing of the columns (rows) where any change happens is a multiple of k: k is the greatest common divisor of
those spacings, and the first change gives the grid's offset when the frame was cropped. The test is exact
(PNG and other lossless sources); a JPEG's ringing breaks the blocks, and such a file is treated as no grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

from ..core.errors import AssetganError

MAX_FACTOR = 32  # the largest factor reported (a 120x68 frame at 4K); beyond it a divisor <= this is used
MIN_LINES = 8  # block lines with a colour change needed on each axis, so a few edges or a flat image never count
WORK_SCALE = 3  # pixel art is stylized at up to this many times its native size (lab/2026-12-06-pixel-art-stylize.md)


class PixelArtMode(str, Enum):
    """`assetgan stylize --pixel-art`: detect a grid per image, insist on one, or ignore grids."""

    auto = "auto"
    on = "on"
    off = "off"


@dataclass(frozen=True)
class PixelGrid:
    """An image made of `factor` x `factor` blocks of one colour, block lines at offset (+ n * factor)."""

    factor: int  # k: each native pixel is a k x k block
    offset_y: int  # first block line from the top (0 unless the frame was cropped); 0 <= offset_y < factor
    offset_x: int  # first block line from the left; 0 <= offset_x < factor
    height: int  # the full image's size
    width: int

    @property
    def native_height(self) -> int:
        return int(_block_index(self.height, self.factor, self.offset_y)[-1]) + 1

    @property
    def native_width(self) -> int:
        return int(_block_index(self.width, self.factor, self.offset_x)[-1]) + 1

    def describe(self) -> str:
        """`6x (320x180 native)`, with the offset when there is one."""
        off = f", grid offset {self.offset_x},{self.offset_y}" if self.offset_x or self.offset_y else ""
        return f"{self.factor}x ({self.native_width}x{self.native_height} native{off})"


def parse_pixel_art(text: str | PixelArtMode) -> PixelArtMode:
    """auto, on or off (an error naming the option otherwise)."""
    try:
        return PixelArtMode(str(getattr(text, "value", text)).lower())
    except ValueError:
        raise AssetganError(f"--pixel-art {text}: use auto (detect a pixel grid per image), on or off") from None


def _visible(rgb: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """RGB with the colour of fully transparent pixels set to 0, so hidden colours never break a block."""
    if alpha is None or alpha.all():
        return rgb
    h, w = alpha.shape
    shown = np.repeat((alpha != 0).view(np.uint8), 3, axis=1)  # [H, 3W], contiguous like the RGB rows
    return (rgb.reshape(h, 3 * w) * shown).reshape(h, w, 3)


def _row_changes(rgb: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """Flags [H - 1]: does any pixel change colour between rows i and i + 1."""
    rows = rgb.reshape(rgb.shape[0], -1)
    changed = (rows[1:] != rows[:-1]).any(axis=1)
    if alpha is not None:
        changed |= (alpha[1:] != alpha[:-1]).any(axis=1)
    return changed


def _column_changes(rgb: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """Flags [W - 1]: does any row change colour between columns i and i + 1."""
    key = rgb[..., 0].astype(np.uint32)
    key |= rgb[..., 1].astype(np.uint32) << 8
    key |= rgb[..., 2].astype(np.uint32) << 16
    if alpha is not None:
        key |= alpha.astype(np.uint32) << 24
    return (key[:, 1:] != key[:, :-1]).any(axis=0)


def _line_spacing(changed: np.ndarray) -> tuple[int, int, int]:
    """(gcd of the spacings, first change, number of changes) of change flags per boundary (index i: i | i+1)."""
    where = np.flatnonzero(changed) + 1  # the first pixel after each change
    if where.size < 2:
        return 0, 0, int(where.size)
    return int(np.gcd.reduce(np.diff(where))), int(where[0]), int(where.size)


def detect_grid(rgb: np.ndarray, alpha: np.ndarray | None = None, max_factor: int = MAX_FACTOR,
                min_lines: int = MIN_LINES) -> PixelGrid | None:
    """The largest k >= 2 (and the offset) such that uint8 RGB [H, W, 3] (+ alpha [H, W]) is k x k blocks; or None.

    None as well when either axis has fewer than `min_lines` block lines with a colour change (flat or nearly
    flat images, a single rectangle); k above `max_factor` is replaced by its largest divisor <= max_factor.
    """
    h, w = rgb.shape[:2]
    if h < 2 * min_lines or w < 2 * min_lines:
        return None
    # a photo changes between almost every pair of columns: a band of rows is enough to reject it cheaply
    band_alpha = None if alpha is None else alpha[:64]
    if _line_spacing(_column_changes(_visible(rgb[:64], band_alpha), band_alpha))[0] == 1:
        return None
    rgb = _visible(rgb, alpha)
    row_changed = _row_changes(rgb, alpha)
    gy, first_y, ny = _line_spacing(row_changed)
    if ny < min_lines or gy < 2:
        return None
    distinct = np.flatnonzero(np.r_[True, row_changed])  # one row per run of equal rows: 1/k of the image
    gx, first_x, nx = _line_spacing(_column_changes(rgb[distinct], None if alpha is None else alpha[distinct]))
    if nx < min_lines or gx < 2:
        return None
    g = math.gcd(gx, gy)
    k = max((d for d in range(2, min(g, max_factor) + 1) if g % d == 0), default=0)
    if not k:
        return None
    return PixelGrid(k, first_y % k, first_x % k, h, w)


def _block_index(length: int, k: int, offset: int) -> np.ndarray:
    """Block number of each pixel along an axis: lines at offset + n k; a partial first block when offset > 0."""
    return (np.arange(length) + (k - offset) % k) // k


def _block_starts(length: int, k: int, offset: int) -> np.ndarray:
    """The first pixel of each block along an axis."""
    idx = _block_index(length, k, offset)
    return np.flatnonzero(np.diff(idx, prepend=-1))


def to_native(img: np.ndarray, grid: PixelGrid) -> np.ndarray:
    """One pixel per block: [H, W, ...] -> [native_height, native_width, ...] (exact when the grid holds)."""
    ys = _block_starts(grid.height, grid.factor, grid.offset_y)
    xs = _block_starts(grid.width, grid.factor, grid.offset_x)
    return np.take(np.take(img, ys, axis=0), xs, axis=1)


def from_native(native: np.ndarray, grid: PixelGrid) -> np.ndarray:
    """Nearest-neighbour back to the full size: each native pixel fills its k x k block (edges cropped)."""
    ys = np.bincount(_block_index(grid.height, grid.factor, grid.offset_y))
    xs = np.bincount(_block_index(grid.width, grid.factor, grid.offset_x))
    return np.repeat(np.repeat(native, ys, axis=0), xs, axis=1)
