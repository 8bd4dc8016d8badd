"""Seed -> latent vector, identical on every platform: numpy's PCG64 default_rng, float64 then float32."""

from __future__ import annotations

import numpy as np

from ..errors import AssetganError


def seed_latent(seed: int, nz: int, truncation: float = 1.0) -> np.ndarray:
    """z [nz] float32 for one seed; truncation psi scales z toward the mean (0), trading variety for quality."""
    if not 0.0 < truncation <= 2.0:
        raise AssetganError(f"truncation {truncation}: must be in (0, 2]; 1 = no truncation, 0.7 = safer samples")
    if seed < 0:
        raise AssetganError(f"seed {seed}: must be zero or positive")
    z = np.random.default_rng(seed).standard_normal(nz)
    return (z * truncation).astype(np.float32)


def latents_for_seeds(seeds: list[int] | range, nz: int, truncation: float = 1.0) -> np.ndarray:
    """z [len(seeds), nz] float32; each row depends only on its own seed, never on the batch."""
    out = np.empty((len(seeds), nz), np.float32)
    for i, s in enumerate(seeds):
        out[i] = seed_latent(int(s), nz, truncation)
    return out
