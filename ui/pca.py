"""GANSpace-style principal directions of a generator's latent space (numpy only), cached per model sha256.

Sample z, render, take the PCA of the (downsampled) outputs, then regress z on the PCA coordinates: row i of
the regression is the latent direction that moves the output along principal component i (Härkönen et al.
2020, "GANSpace", their recipe for z-space generators).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assetgan.core.atomic import atomic_write_bytes
from assetgan.core.progress import NullProgress, Progress

MAX_SIDE = 64  # outputs are box-downsampled to at most this side before the PCA


@dataclass(frozen=True)
class Directions:
    """k unit latent directions, the std of z along each, and each component's share of output variance."""

    directions: np.ndarray  # [k, nz] float32, unit length
    sigmas: np.ndarray  # [k] float32, std of sampled z projected on each direction
    explained: np.ndarray  # [k] float32, fraction of the output variance of PC i

    @property
    def names(self) -> list[str]:
        return [f"PC{i + 1}" for i in range(len(self.directions))]


def _features(images: np.ndarray) -> np.ndarray:
    """uint8 [n, H, W, C] -> float32 [n, D] in [0, 1], box-downsampled to at most MAX_SIDE."""
    x = images.astype(np.float32) / 255.0
    f = max(1, int(np.ceil(x.shape[1] / MAX_SIDE)))
    if f > 1:
        n, h, w, c = x.shape
        x = x[:, : h // f * f, : w // f * f].reshape(n, h // f, f, w // f, f, c).mean(axis=(2, 4))
    return x.reshape(len(x), -1)


def compute(run: Callable[[np.ndarray], np.ndarray], nz: int, samples: int = 512, k: int = 8, seed: int = 0,
            progress: Progress | None = None, chunk: int = 64) -> Directions:
    """Principal latent directions of the generator `run` (z [n, nz] -> uint8 images)."""
    progress = progress or NullProgress()
    if not 2 <= k < samples:
        raise ValueError(f"k={k}: must be at least 2 and below samples={samples}")
    z = np.random.default_rng(seed).standard_normal((samples, nz)).astype(np.float32)  # [n, nz]
    feats = []
    for start in range(0, samples, chunk):
        if progress.aborted():
            raise InterruptedError("principal directions: cancelled")
        feats.append(_features(run(z[start : start + chunk])))
        progress.update(min(start + chunk, samples), samples)
    x = np.concatenate(feats).astype(np.float64)  # [n, D]
    x -= x.mean(axis=0)
    u, s, _ = np.linalg.svd(x, full_matrices=False)  # x = u s vt
    coords = u[:, :k] * s[:k]  # [n, k] PCA coordinates of every sample
    explained = (s[:k] ** 2) / max(float((s**2).sum()), 1e-12)
    w, *_ = np.linalg.lstsq(coords, z.astype(np.float64), rcond=None)  # z ~ coords @ w, w [k, nz]
    dirs = w / np.maximum(np.linalg.norm(w, axis=1, keepdims=True), 1e-12)
    dirs *= np.where(dirs[np.arange(k), np.abs(dirs).argmax(axis=1)] < 0, -1.0, 1.0)[:, None]  # fixed sign
    sigmas = (z.astype(np.float64) @ dirs.T).std(axis=0)
    return Directions(dirs.astype(np.float32), sigmas.astype(np.float32), explained.astype(np.float32))


def cache_path(folder: Path, sha256: str, samples: int, k: int, seed: int, variant: str = "") -> Path:
    """`variant`: what else the samples depended on (a conditional model's class id), "" for none."""
    return Path(folder) / f"pca-{sha256[:32]}-n{samples}-k{k}-s{seed}{variant}.npz"


def load_or_compute(run: Callable[[np.ndarray], np.ndarray], nz: int, sha256: str, folder: Path,
                    samples: int = 512, k: int = 8, seed: int = 0,
                    progress: Progress | None = None, variant: str = "") -> tuple[Directions, bool]:
    """(directions, came_from_cache); a corrupt cache file is recomputed, a failed cache write is ignored."""
    path = cache_path(folder, sha256, samples, k, seed, variant)
    if path.is_file():
        try:
            with np.load(path) as f:
                d = Directions(f["directions"], f["sigmas"], f["explained"])
            if d.directions.shape == (k, nz):
                return d, True
        except (OSError, ValueError, KeyError):
            pass
    d = compute(run, nz, samples, k, seed, progress)
    buf = io.BytesIO()
    np.savez(buf, directions=d.directions, sigmas=d.sigmas, explained=d.explained)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, buf.getvalue())
    except OSError:
        pass
    return d, False
