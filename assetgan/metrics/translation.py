"""Measures for image-to-image models: content kept (SSIM of luminance) and style moved (relative SWD)."""

from __future__ import annotations

import numpy as np

from .common import separable_filter, to_float_rgb
from .swd import sliced_wasserstein

_C1, _C2 = (0.01**2), (0.03**2)  # Wang et al. 2004 constants for a [0, 1] range


def _luma(images: np.ndarray) -> np.ndarray:
    rgb = to_float_rgb(images)
    return rgb @ np.array([0.299, 0.587, 0.114], np.float32)  # [N, H, W] Rec. 601 luma


def _gauss_blur(x: np.ndarray, sigma: float = 1.5) -> np.ndarray:
    r = int(3 * sigma + 0.5)
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2).astype(np.float32)
    return separable_filter(x, k / k.sum())


def ssim_luminance(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM (Gaussian window, sigma 1.5) between the luma of paired images uint8 [N, H, W, C]."""
    if a.shape[:3] != b.shape[:3]:
        raise ValueError(f"paired images differ in shape: {a.shape} vs {b.shape}")
    x, y = _luma(a), _luma(b)
    mx, my = _gauss_blur(x), _gauss_blur(y)
    vx = _gauss_blur(x * x) - mx * mx
    vy = _gauss_blur(y * y) - my * my
    cov = _gauss_blur(x * y) - mx * my
    s = ((2 * mx * my + _C1) * (2 * cov + _C2)) / ((mx * mx + my * my + _C1) * (vx + vy + _C2))
    return float(s.mean())


def style_distance(outputs: np.ndarray, inputs: np.ndarray, target: np.ndarray, seed: int = 0) -> float:
    """SWD(outputs, target) / SWD(inputs, target): below 1 means the outputs moved toward the target style."""
    return sliced_wasserstein(outputs, target, seed).mean / max(sliced_wasserstein(inputs, target, seed).mean, 1e-12)
