"""Best-snapshot selection: every `select_every` steps score the generator it would export by SWD against a fixed
sample of the training images (same latents, patches and directions each time) and keep the best weights.

Why and what it buys: lab/2026-12-06-training-docstrings.md.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..metrics.swd import sliced_wasserstein
from .sampling import to_uint8

SELECT_SAMPLES = 512  # generated images per score (and at most as many training images)
SCORE_BATCH = 128


def generator_pixels(g: nn.Module, z: torch.Tensor, y: torch.Tensor | None = None) -> np.ndarray:
    """G's images for latents z (and classes y [N], conditional) as uint8 [N, H, W, C]."""
    with torch.no_grad():
        return to_uint8(g(z) if y is None else g(z, y))


class SnapshotScorer:
    """SWD x1e3 between a generator's samples and a fixed sample of the training images; lower is better."""

    def __init__(self, images: np.ndarray, nz: int, seed: int, n: int | None = None,
                 labels: np.ndarray | None = None) -> None:
        """`images`: the training images, uint8 [N, H, W, C]; `n` generated images per score (SELECT_SAMPLES);
        `labels`: their class ids [N] (conditional): the generated images take the reference images' classes."""
        n = n or SELECT_SAMPLES
        rng = np.random.default_rng(seed)
        pick = np.sort(rng.permutation(len(images))[: min(n, len(images))])
        self.reference = images[pick]
        self.z = torch.randn(n, nz, generator=torch.Generator().manual_seed(seed))
        self.y = None if labels is None else torch.from_numpy(np.resize(np.asarray(labels, np.int64)[pick], n))
        self.seed = seed

    def score(self, g: nn.Module) -> float:
        """`g` in eval mode on the CPU (as `DCGANTrainer.export_generator` returns it)."""
        ys = [None] * len(self.z.split(SCORE_BATCH)) if self.y is None else self.y.split(SCORE_BATCH)
        made = np.concatenate([generator_pixels(g, z, y) for z, y in zip(self.z.split(SCORE_BATCH), ys)])
        return sliced_wasserstein(made, self.reference, seed=self.seed).mean
