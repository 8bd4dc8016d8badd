"""Seed or collection item -> latent vector, identical on every platform: numpy's PCG64 default_rng, float64 then
float32. Values are checked where they enter (CLI options, collection.validate, the model card), not here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from ..core.errors import AssetganError


class Item(Protocol):
    """What a latent is made from: a collection item (assetgan.export.collection.Item) has these fields."""

    name: str
    seed: int | None
    z: Sequence[float] | None
    truncation: float | None


def check_truncation(truncation: float) -> float:
    """`truncation` if it is a psi in (0, 2], else a one-line AssetganError (for callers taking it from a user)."""
    if not 0.0 < truncation <= 2.0:
        raise AssetganError(f"truncation {truncation}: must be in (0, 2]; 1 = no truncation, 0.7 = safer samples")
    return truncation


def seed_latent(seed: int, nz: int, truncation: float = 1.0) -> np.ndarray:
    """z [nz] float32 for a seed >= 0; truncation psi in (0, 2] scales z toward the mean (0), trading variety for
    quality."""
    z = np.random.default_rng(seed).standard_normal(nz)
    return (z * truncation).astype(np.float32)


def latents_for_seeds(seeds: list[int] | range, nz: int, truncation: float = 1.0) -> np.ndarray:
    """z [len(seeds), nz] float32; each row depends only on its own seed, never on the batch."""
    out = np.empty((len(seeds), nz), np.float32)
    for i, s in enumerate(seeds):
        out[i] = seed_latent(int(s), nz, truncation)
    return out


def item_latent(item: Item, nz: int, default_truncation: float) -> np.ndarray:
    """z [nz] float32 of a validated collection item: its own z, else its seed at its own truncation or the
    collection's. What export, the app's thumbnails and its Explore tab all use."""
    if item.z is not None:
        return np.asarray(item.z, dtype=np.float32)
    return seed_latent(int(item.seed), nz, item.truncation or default_truncation)  # type: ignore[arg-type]


def latent_size_problem(item: Item, nz: int) -> str:
    """Why a model with latent size `nz` cannot render `item` ("" when it can)."""
    if item.z is not None and len(item.z) != nz:
        return f"item {item.name!r}: z has {len(item.z)} values, the model expects {nz}"
    return ""
