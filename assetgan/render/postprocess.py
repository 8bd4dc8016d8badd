"""Post-processing of generated images: alpha threshold, palette quantisation, nearest-neighbour upscale.

`Finisher` checks its settings once and then finishes any number of images without checking them again: what
an export does with a model's output (uint8 [H, W, C] by the graph check at open). The single-image functions
check their arguments first, for callers whose arrays come from anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.errors import AssetganError
from .colours import check_colours, limit_colours
from .palette import check_image, check_palette, map_to_palette

MAX_SCALE = 64


def _check_scale(scale: int) -> int:
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or not 1 <= scale <= MAX_SCALE:
        raise AssetganError(
            f"scale {scale!r}: must be a whole number from 1 to {MAX_SCALE}; pick another scale"
        )
    return int(scale)


def _check_threshold(threshold: int | None) -> int | None:
    if threshold is None:
        return None
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, (int, np.integer))
        or not 0 <= threshold <= 255
    ):
        raise AssetganError(
            f"alpha threshold {threshold!r}: must be a whole number from 0 to 255 (or unset); "
            "pick another value"
        )
    return int(threshold)


def _upscale(img: np.ndarray, scale: int) -> np.ndarray:
    if scale == 1:
        return img.copy()
    return np.repeat(np.repeat(img, scale, axis=0), scale, axis=1)


def _threshold(img: np.ndarray, threshold: int | None) -> np.ndarray:
    out = img.copy()
    if threshold is None or img.shape[2] == 3:
        return out
    opaque = out[..., 3] >= threshold  # [H, W]
    out[..., 3] = np.where(opaque, 255, 0).astype(np.uint8)
    out[~opaque] = 0
    return out


def upscale_nearest(img: np.ndarray, scale: int) -> np.ndarray:
    """Enlarge `img` [H, W, C] by an integer factor, nearest-neighbour -> [H*scale, W*scale, C]."""
    return _upscale(check_image(img), _check_scale(scale))


def threshold_alpha(img: np.ndarray, threshold: int | None) -> np.ndarray:
    """Make alpha binary: alpha >= threshold -> 255, else 0 with RGB zeroed; None or RGB: a plain copy."""
    return _threshold(check_image(img), _check_threshold(threshold))


@dataclass(frozen=True)
class Finisher:
    """Finishing settings, checked once at construction: alpha threshold, then the colour limit or the palette, then
    upscale."""

    scale: int = 1
    palette: np.ndarray | None = None  # [K, 3] uint8
    alpha_threshold: int | None = None
    colours: int | None = None  # at most this many colours per image (median cut); ignored with a palette

    def __post_init__(self) -> None:
        object.__setattr__(self, "scale", _check_scale(self.scale))
        object.__setattr__(self, "alpha_threshold", _check_threshold(self.alpha_threshold))
        object.__setattr__(self, "colours", check_colours(self.colours))
        if self.palette is not None:
            object.__setattr__(self, "palette", check_palette(self.palette))

    def __call__(self, img: np.ndarray) -> np.ndarray:
        """A new finished array for a uint8 [H, W, 3|4] image (not checked here: see `finish`).

        Quantising before upscaling costs scale**2 less work and gives the same pixels.
        """
        out = img if self.alpha_threshold is None else _threshold(img, self.alpha_threshold)
        if self.palette is not None:
            out = map_to_palette(out, self.palette)
        elif self.colours is not None:
            out = limit_colours(out, self.colours)
        if self.scale != 1:
            out = _upscale(out, self.scale)
        return img.copy() if out is img else out


def finish(
    img: np.ndarray,
    scale: int = 1,
    palette: np.ndarray | None = None,
    alpha_threshold: int | None = None,
) -> np.ndarray:
    """Turn one generated image into a game-ready one: alpha threshold, then palette quantisation, then upscale."""
    check_image(img)
    return Finisher(scale, palette, alpha_threshold)(img)
