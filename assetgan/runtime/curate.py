"""Critic-based curation: keep the samples a model's own discriminator finds most convincing.

A DCGAN exported with its critic (card.critic) can score images. `rank_seeds` draws count / keep candidate seeds,
scores them chunk by chunk and keeps the `count` highest-scoring ones, so what an artist sees first is the batch
minus its least convincing fraction. Deterministic for a given model, start seed, count and keep fraction.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..core.errors import AssetganError
from .latent import check_truncation, seed_latent
from .model import GeneratorModel


def check_keep(keep: float) -> float:
    """`keep` if it is a fraction in (0, 1], else a one-line AssetganError naming --keep-best."""
    if not (0.0 < keep <= 1.0) or math.isnan(keep):
        raise AssetganError(f"--keep-best {keep}: must be a fraction in (0, 1], e.g. 0.8 keeps the best 80 %")
    return keep


def candidate_count(count: int, keep: float) -> int:
    """How many seeds are ranked to keep `count` of them at a keep fraction in (0, 1]."""
    return math.ceil(count / keep - 1e-9)


def rank_seeds(model: GeneratorModel, start: int, count: int, keep: float, truncation: float, chunk: int = 256,
               progress: Callable[[int, int], None] | None = None) -> list[int]:
    """The `count` seeds (ascending) that the critic scores highest among seeds start .. start + count/keep - 1,
    for a keep fraction and truncation its caller has checked (see `best_seeds`).

    Ties go to the lower seed. Memory: one float per candidate plus one chunk of images.
    """
    n = candidate_count(count, keep)
    if n == count:
        return list(range(start, start + count))
    if not model.card.critic:
        raise AssetganError(f"{model.path.name}: has no critic to rank samples with; drop --keep-best or "
                            "re-export the model from its checkpoint with `assetgan to-onnx`")
    scores = np.empty(n, np.float64)
    done = 0
    for seeds, images in model.generate_chunks(range(start, start + n),
                                               lambda s: seed_latent(s, model.nz, truncation), chunk):
        scores[done : done + len(seeds)] = model.score(images)
        done += len(seeds)
        if progress is not None:
            progress(done, n)
    order = np.lexsort((np.arange(n), -scores))  # highest score first, then lowest seed
    return sorted(int(start + k) for k in order[:count])


def best_seeds(model: GeneratorModel, start: int, count: int, keep: float, truncation: float, chunk: int = 256,
               progress: Callable[[int, int], None] | None = None) -> list[int]:
    """`rank_seeds` for callers that take keep and truncation straight from a user: both are checked first."""
    return rank_seeds(model, start, count, check_keep(keep), check_truncation(truncation), chunk, progress)
