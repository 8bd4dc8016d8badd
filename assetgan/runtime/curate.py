"""Critic-based curation: keep the samples a model's own discriminator finds most convincing.

A DCGAN exported with its critic (card.critic) can score images. `best_seeds` draws count / keep candidate seeds,
scores them chunk by chunk and keeps the `count` highest-scoring ones, so what an artist sees first is the batch
minus its least convincing fraction. Deterministic for a given model, start seed, count and keep fraction.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..errors import AssetganError
from .latent import latents_for_seeds
from .model import GeneratorModel


def check_keep(keep: float) -> float:
    if not (0.0 < keep <= 1.0) or math.isnan(keep):
        raise AssetganError(f"--keep-best {keep}: must be a fraction in (0, 1], e.g. 0.8 keeps the best 80 %")
    return keep


def candidate_count(count: int, keep: float) -> int:
    return math.ceil(count / check_keep(keep) - 1e-9)


def best_seeds(model: GeneratorModel, start: int, count: int, keep: float, truncation: float,
               chunk: int = 256, progress: Callable[[int, int], None] | None = None) -> list[int]:
    """The `count` seeds (ascending) that the critic scores highest among seeds start .. start + count/keep - 1.

    Ties go to the lower seed. Memory: one float per candidate plus one chunk of images.
    """
    n = candidate_count(count, keep)
    if n == count:
        return list(range(start, start + count))
    if not model.card.critic:
        raise AssetganError(f"{model.path.name}: has no critic to rank samples with; drop --keep-best or "
                            "re-export the model from its checkpoint with `assetgan to-onnx`")
    scores = np.empty(n, np.float64)
    for i in range(0, n, chunk):
        seeds = range(start + i, start + min(n, i + chunk))
        images = model.run(latents_for_seeds(list(seeds), model.nz, truncation))
        scores[i : i + len(seeds)] = model.score(images)
        if progress is not None:
            progress(i + len(seeds), n)
    order = np.lexsort((np.arange(n), -scores))  # highest score first, then lowest seed
    return sorted(int(start + k) for k in order[:count])
