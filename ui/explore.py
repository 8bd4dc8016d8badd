"""Latent-space maths for the Explore tab (numpy only): walks, slerp, variations, sliders, strips along directions."""

from __future__ import annotations

import numpy as np

SPAN = 3.0  # strips go from -SPAN sigma to +SPAN sigma


def walk(z: np.ndarray, dim: int, frames: int, sigma: float = 1.0) -> np.ndarray:
    """[frames, nz]: copies of z with z[dim] stepped evenly from -3 sigma to +3 sigma (the prior's sigma is 1)."""
    z = np.asarray(z, dtype=np.float32)
    if not 0 <= dim < z.shape[0]:
        raise ValueError(f"dimension {dim}: must be between 0 and {z.shape[0] - 1}")
    out = np.repeat(z[None], _frames(frames), axis=0)
    out[:, dim] = np.linspace(-SPAN * sigma, SPAN * sigma, frames, dtype=np.float32)
    return out


def slerp(z0: np.ndarray, z1: np.ndarray, frames: int) -> np.ndarray:
    """[frames, nz]: spherical interpolation from z0 to z1 inclusive (linear when they are parallel)."""
    a = np.asarray(z0, dtype=np.float64)
    b = np.asarray(z1, dtype=np.float64)
    t = np.linspace(0.0, 1.0, _frames(frames))[:, None]
    cos = float(np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))
    omega = float(np.arccos(np.clip(cos, -1.0, 1.0)))
    if omega < 1e-6:
        out = (1 - t) * a + t * b
    else:
        out = (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)
    return out.astype(np.float32)


def variations(z: np.ndarray, frames: int, strength: float, seed: int = 0) -> np.ndarray:
    """[frames, nz]: z plus small Gaussian perturbations (std `strength`); frame 0 is z itself."""
    z = np.asarray(z, dtype=np.float32)
    if not 0 < strength <= 2:
        raise ValueError(f"variation strength {strength}: must be in (0, 2]")
    noise = np.random.default_rng(seed).standard_normal((_frames(frames), z.shape[0])).astype(np.float32)
    noise[0] = 0
    return z[None] + strength * noise


def along(z: np.ndarray, direction: np.ndarray, sigma: float, frames: int) -> np.ndarray:
    """[frames, nz]: z moved along a unit `direction` from -3 sigma to +3 sigma."""
    t = np.linspace(-SPAN * sigma, SPAN * sigma, _frames(frames), dtype=np.float32)[:, None]
    return np.asarray(z, dtype=np.float32)[None] + t * np.asarray(direction, dtype=np.float32)[None]


def apply_sliders(z: np.ndarray, directions: np.ndarray, sigmas: np.ndarray, values: np.ndarray) -> np.ndarray:
    """z + sum_i values[i] * sigmas[i] * directions[i]; values are in sigmas (a slider at 1.5 = +1.5 sigma)."""
    coef = (np.asarray(values, np.float32) * np.asarray(sigmas, np.float32))[:, None]  # [k, 1]
    return (np.asarray(z, np.float32) + (coef * np.asarray(directions, np.float32)).sum(axis=0)).astype(np.float32)


def _frames(frames: int) -> int:
    if not 2 <= frames <= 64:
        raise ValueError(f"frames {frames}: must be between 2 and 64")
    return frames


def direction_strips(z: np.ndarray, directions: np.ndarray, sigmas: np.ndarray, count: int) -> np.ndarray:
    """[k * count, nz]: for each of k directions, `count` copies of z from -3 sigma to +3 sigma along it."""
    return np.concatenate([along(z, d, float(s), count) for d, s in zip(directions, sigmas)])
