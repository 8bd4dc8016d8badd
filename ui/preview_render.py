"""The Stylize preview without Qt: a quick downscaled pass first, then the file's full-resolution result.

The full result is `stylize_image` at strength 1 on the file as `read_for_stylize` reads it: the code `Stylize all`
and `assetgan stylize` run (whole image or tiles with whole-image statistics, pixel-art grids). Blending it with
the input at strength s gives, pixel for pixel, the RGB of the PNG they write at --strength s.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assetgan.core.progress import NullProgress, Progress
from assetgan.runtime.pixel_grid import MIN_LINES, WORK_SCALE, PixelArtMode, detect_grid
from assetgan.runtime.stylize import Cancelled, StyleModel
from assetgan.runtime.stylize_io import read_for_stylize, stylize_image

from .stylize_logic import PREVIEW_SIDE, Preview, downscale, preview_key


def render_preview(model: StyleModel, direction: str, path: Path, pixel_art: PixelArtMode = PixelArtMode.auto,
                   progress: Progress | None = None, on_quick: Callable[[Preview], None] | None = None,
                   max_side: int = PREVIEW_SIDE) -> Preview:
    """The full-resolution preview of `path`; `on_quick` first gets a downscaled one when the model would run on
    more than `max_side` pixels a side (slow: run in a worker). Cancelling through `progress` raises
    InterruptedError."""
    progress = progress or NullProgress()
    key = preview_key(model, direction, path, pixel_art)
    rgb, alpha = read_for_stylize(path)
    small = downscale(rgb, max_side)
    if on_quick is not None and small.shape != rgb.shape and model_side(rgb, alpha, pixel_art) > max_side:
        on_quick(Preview(key, small, model.stylize(small, direction, 1.0), rgb.shape[:2], model.last_seconds))
    if progress.aborted():
        raise InterruptedError
    t0 = time.perf_counter()
    try:
        out = stylize_image(model, rgb, alpha, direction, 1.0, None, pixel_art, progress)
    except Cancelled:
        raise InterruptedError from None
    return Preview(key, rgb, out.rgb, rgb.shape[:2], time.perf_counter() - t0, full=True, note=out.note)


def describe(p: Preview, name: str) -> str:
    """One line under the preview: the file's size, what is shown, and the pixel-art note."""
    h, w = p.full_size
    shown = "full resolution, as saved" if p.full else \
        f"quick preview at {p.before.shape[1]} x {p.before.shape[0]} px, full resolution follows"
    return f"{name}: {w} x {h} px; {shown}" + (f"; {p.note}" if p.note else "")


def model_side(rgb: np.ndarray, alpha: np.ndarray | None, pixel_art: PixelArtMode) -> int:
    """The longest side the model will see: pixel art's work size, min(k, WORK_SCALE) x native (as
    `stylize_image` finds its grid)."""
    mode = PixelArtMode(pixel_art)
    grid = None if mode is PixelArtMode.off else \
        detect_grid(rgb, alpha, min_lines=MIN_LINES if mode is PixelArtMode.auto else 2)
    if grid is None:
        return max(rgb.shape[:2])
    return max(grid.native_height, grid.native_width) * min(grid.factor, WORK_SCALE)
