"""Memorisation: are generated images closer to the training set than unseen real images are?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import to_float_rgb


def nearest_neighbours(queries: np.ndarray, refs: np.ndarray, block: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Euclidean distance of each query vector to its nearest reference, and that reference's index."""
    r2 = (refs**2).sum(1)[None, :]
    dist = np.empty(len(queries), np.float32)
    idx = np.empty(len(queries), np.int64)
    for i in range(0, len(queries), block):  # bounded memory: block x len(refs) at a time
        q = queries[i : i + block]
        d2 = np.maximum((q**2).sum(1)[:, None] + r2 - 2 * q @ refs.T, 0)
        j = d2.argmin(1)
        idx[i : i + block] = j
        dist[i : i + block] = np.sqrt(d2[np.arange(len(q)), j])
    return dist, idx


@dataclass
class MemorisationResult:
    heldout_median: float  # median distance of held-out real images to their nearest training image
    generated_median: float  # the same for generated images
    ratio: float  # generated / held-out; >= 0.9 means no sign of copying
    near_duplicates: int  # generated images closer than half the 5th percentile of held-out distances
    nearest_index: np.ndarray  # index of each generated image's nearest training image
    generated_distances: np.ndarray  # distance of each generated image to that training image


def memorisation(generated: np.ndarray, train: np.ndarray, heldout: np.ndarray) -> MemorisationResult:
    """Compare nearest-training-image distances of generated vs held-out images (uint8 [N, H, W, C])."""
    flat = [to_float_rgb(x).reshape(len(x), -1) for x in (generated, train, heldout)]
    d_gen, idx = nearest_neighbours(flat[0], flat[1])
    d_hold, _ = nearest_neighbours(flat[2], flat[1])
    hold_med = float(np.median(d_hold))
    gen_med = float(np.median(d_gen))
    near = int((d_gen < 0.5 * np.percentile(d_hold, 5)).sum())
    return MemorisationResult(hold_med, gen_med, gen_med / max(hold_med, 1e-12), near, idx, d_gen)
