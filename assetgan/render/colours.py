"""Per-image colour limit: reduce one sprite to at most N colours (median cut), the way pixel art is drawn."""

from __future__ import annotations

import numpy as np
from PIL import Image

from ..core.errors import AssetganError

MIN_COLOURS, MAX_COLOURS = 2, 256


def check_colours(colours: int | None, what: str = "colours") -> int | None:
    """`colours` as an int in 2-256 (None: no limit); anything else is one AssetganError line naming `what`."""
    if colours is None:
        return None
    if isinstance(colours, bool) or not isinstance(colours, (int, np.integer)) or \
            not MIN_COLOURS <= colours <= MAX_COLOURS:
        raise AssetganError(f"{what} {colours!r}: must be a whole number from {MIN_COLOURS} to {MAX_COLOURS} (or "
                            "unset for no limit); pick another value")
    return int(colours)


def limit_colours(img: np.ndarray, colours: int) -> np.ndarray:
    """A new uint8 [H, W, C] image whose visible pixels use at most `colours` RGB colours.

    Only visible pixels (alpha > 0, or every pixel of an RGB image) choose the colours, so a transparent border
    takes no colour slot; transparent pixels keep their values. Pillow's median cut is integer arithmetic without
    dithering: the same input gives the same bytes on every machine.
    """
    visible = img[..., 3] > 0 if img.shape[2] == 4 else np.ones(img.shape[:2], bool)  # [H, W]
    rgb = np.ascontiguousarray(img[..., :3][visible])  # [n, 3]
    out = img.copy()
    if len(rgb) == 0 or len(np.unique(rgb, axis=0)) <= colours:
        return out
    row = Image.fromarray(rgb[None])  # [1, n, 3]: only the visible pixels
    q = row.quantize(colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).convert("RGB")
    out[..., :3][visible] = np.asarray(q)[0]
    return out
