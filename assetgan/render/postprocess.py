"""Post-processing of generated images: alpha threshold, palette quantisation, nearest-neighbour upscale."""

from __future__ import annotations

import numpy as np

from ..errors import AssetganError
from .palette import check_image, quantize

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


def upscale_nearest(img: np.ndarray, scale: int) -> np.ndarray:
    """Enlarge `img` [H, W, C] by an integer factor, nearest-neighbour -> [H*scale, W*scale, C]."""
    img = check_image(img)
    scale = _check_scale(scale)
    if scale == 1:
        return img.copy()
    return np.repeat(np.repeat(img, scale, axis=0), scale, axis=1)


def threshold_alpha(img: np.ndarray, threshold: int | None) -> np.ndarray:
    """Make alpha binary: alpha >= threshold -> 255, else 0 with RGB zeroed; None or RGB: a plain copy."""
    img = check_image(img)
    threshold = _check_threshold(threshold)
    out = img.copy()
    if threshold is None or img.shape[2] == 3:
        return out
    opaque = out[..., 3] >= threshold  # [H, W]
    out[..., 3] = np.where(opaque, 255, 0).astype(np.uint8)
    out[~opaque] = 0
    return out


def finish(
    img: np.ndarray,
    scale: int = 1,
    palette: np.ndarray | None = None,
    alpha_threshold: int | None = None,
) -> np.ndarray:
    """Turn a generated image into a game-ready one: alpha threshold, then palette quantisation, then upscale.

    Quantising before upscaling costs scale**2 less work and gives the same pixels.
    """
    img = check_image(img)
    scale = _check_scale(scale)
    alpha_threshold = _check_threshold(alpha_threshold)
    out = img if alpha_threshold is None else threshold_alpha(img, alpha_threshold)
    if palette is not None:
        out = quantize(out, palette)
    if scale != 1:
        out = upscale_nearest(out, scale)
    return img.copy() if out is img else out
