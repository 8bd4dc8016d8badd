"""Sliced Wasserstein distance on Laplacian-pyramid patches (Karras et al. 2018, progressive GAN).

Per level: 128 random 7x7 patches per image, normalised per channel, 4 repeats of 128 random unit
directions; the distance is the mean absolute difference of the sorted projections, x10^3, averaged over
repeats. Lower is closer; compare with the real-vs-real floor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import separable_filter, to_float_rgb

PATCH = 7
PATCHES_PER_IMAGE = 128
REPEATS = 4
DIRECTIONS = 128
MIN_LEVEL_SIZE = 16

_K = np.array([1, 4, 6, 4, 1], np.float32) / 16.0


def _blur(x: np.ndarray) -> np.ndarray:
    """5-tap binomial blur over H and W of [N, H, W, C]."""
    return separable_filter(x, _K)


def laplacian_pyramid(x: np.ndarray, min_size: int = MIN_LEVEL_SIZE) -> list[np.ndarray]:
    """Finest band first; the last level is the low-pass residual at `min_size` (or the input if smaller)."""
    levels = []
    while x.shape[1] >= 2 * min_size and x.shape[2] >= 2 * min_size:
        down = _blur(x)[:, ::2, ::2]
        up = np.repeat(np.repeat(down, 2, axis=1), 2, axis=2)[:, : x.shape[1], : x.shape[2]]
        levels.append(x - _blur(up))
        x = down
    levels.append(x)
    return levels


def _descriptors(level: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n, h, w, c = level.shape
    if h < PATCH or w < PATCH:
        raise ValueError(f"images of {h}x{w} are smaller than the {PATCH}x{PATCH} patches")
    ys = rng.integers(0, h - PATCH + 1, (n, PATCHES_PER_IMAGE))
    xs = rng.integers(0, w - PATCH + 1, (n, PATCHES_PER_IMAGE))
    off = np.arange(PATCH)
    rows = ys[..., None, None] + off[:, None]  # [n, P, 7, 1]
    cols = xs[..., None, None] + off[None, :]  # [n, P, 1, 7]
    idx = np.arange(n)[:, None, None, None]
    patches = level[idx, rows, cols]  # [n, P, 7, 7, C]
    return patches.reshape(n * PATCHES_PER_IMAGE, PATCH * PATCH, c)


def _normalise(d: np.ndarray) -> np.ndarray:
    mean = d.mean(axis=(0, 1), keepdims=True)
    std = d.std(axis=(0, 1), keepdims=True) + 1e-8
    return ((d - mean) / std).reshape(len(d), -1)


def _swd(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> float:
    vals = []
    for _ in range(REPEATS):
        dirs = rng.standard_normal((a.shape[1], DIRECTIONS)).astype(np.float32)
        dirs /= np.linalg.norm(dirs, axis=0, keepdims=True)
        pa = np.sort(a @ dirs, axis=0)
        pb = np.sort(b @ dirs, axis=0)
        vals.append(float(np.abs(pa - pb).mean()))
    return float(np.mean(vals)) * 1e3


@dataclass
class SWDResult:
    per_level: list[float]  # finest first, x10^3
    mean: float


def sliced_wasserstein(a: np.ndarray, b: np.ndarray, seed: int = 0) -> SWDResult:
    """SWD between two image sets (uint8 [N, H, W, 3|4], same size); the larger set is subsampled to match."""
    if a.shape[1:3] != b.shape[1:3]:
        raise ValueError(f"image sizes differ: {a.shape[1:3]} vs {b.shape[1:3]}")
    rng = np.random.default_rng(seed)
    n = min(len(a), len(b))
    a = a[np.sort(rng.permutation(len(a))[:n])]
    b = b[np.sort(rng.permutation(len(b))[:n])]
    pa, pb = laplacian_pyramid(to_float_rgb(a)), laplacian_pyramid(to_float_rgb(b))
    per_level = []
    for la, lb in zip(pa, pb):
        # each set normalised per channel by its own statistics, as in Karras et al.'s reference code
        da, db = _normalise(_descriptors(la, rng)), _normalise(_descriptors(lb, rng))
        per_level.append(_swd(da, db, rng))
    return SWDResult(per_level, float(np.mean(per_level)))
