"""Shared preparation of image sets for the metrics: RGBA composited on a fixed grey so alpha counts."""

from __future__ import annotations

import numpy as np

GREY = 128.0


def separable_filter(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Filter axes 1 and 2 of `x` ([N, H, W] or [N, H, W, C]) with a 1-D odd-length kernel, reflect-padded."""
    r = len(kernel) // 2
    for axis in (1, 2):
        pad = [(0, 0)] * x.ndim
        pad[axis] = (r, r)
        p = np.pad(x, pad, mode="reflect")
        n = x.shape[axis]
        x = sum(kernel[i] * np.take(p, range(i, i + n), axis=axis) for i in range(len(kernel)))
    return x


def to_float_rgb(images: np.ndarray) -> np.ndarray:
    """uint8 [N, H, W, 3|4] -> float32 [N, H, W, 3] in [0, 1]; RGBA is composited over grey (128)."""
    if images.ndim != 4 or images.shape[-1] not in (3, 4):
        raise ValueError(f"expected images [N, H, W, 3|4], got shape {images.shape}")
    rgb = images[..., :3].astype(np.float32)
    if images.shape[-1] == 4:
        a = images[..., 3:4].astype(np.float32) / 255.0
        rgb = rgb * a + GREY * (1.0 - a)
    return rgb / 255.0
