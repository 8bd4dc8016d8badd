"""Shared preparation of image sets for the metrics: RGBA composited on a fixed grey so alpha counts."""

from __future__ import annotations

import numpy as np

GREY = 128.0


def to_float_rgb(images: np.ndarray) -> np.ndarray:
    """uint8 [N, H, W, 3|4] -> float32 [N, H, W, 3] in [0, 1]; RGBA is composited over grey (128)."""
    if images.ndim != 4 or images.shape[-1] not in (3, 4):
        raise ValueError(f"expected images [N, H, W, 3|4], got shape {images.shape}")
    rgb = images[..., :3].astype(np.float32)
    if images.shape[-1] == 4:
        a = images[..., 3:4].astype(np.float32) / 255.0
        rgb = rgb * a + GREY * (1.0 - a)
    return rgb / 255.0
