"""Critic-based curation: keep the samples a model's own discriminator finds most convincing.

A DCGAN exported with its critic (card.critic) can score images. `rank_seeds` draws count / keep candidate seeds,
scores them chunk by chunk and keeps the `count` highest-scoring ones, so what an artist sees first is the batch
minus its least convincing fraction. Deterministic for a given model, start seed, count and keep fraction.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

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
               progress: Callable[[int, int], None] | None = None, classes: Sequence[int] = ()) -> list[int]:
    """The `count` seeds (ascending) that the critic scores highest among seeds start .. start + count/keep - 1,
    for a keep fraction and truncation its caller has checked (see `best_seeds`). A conditional model's candidate
    `start + i` is made and scored as class id classes[i mod len(classes)] (round robin), and each of those round
    robin slots keeps its share of `count`, so a run keeps the class mix it asked for.

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
    k = len(classes)
    cls = (lambda s: classes[(s - start) % k]) if k else None
    for seeds, images in model.generate_chunks(range(start, start + n),
                                               lambda s: seed_latent(s, model.nz, truncation), chunk, classes=cls):
        scores[done : done + len(seeds)] = model.score(images, np.array([cls(s) for s in seeds]) if cls else None)
        done += len(seeds)
        if progress is not None:
            progress(done, n)
    if k:  # each class keeps as many as it has among the first `count` candidates: no class crowds out another
        chosen = []
        for j in range(k):
            group = np.arange(j, n, k)
            chosen += group[np.lexsort((group, -scores[group]))][: len(range(j, count, k))].tolist()
        return sorted(int(start + i) for i in chosen)
    order = np.lexsort((np.arange(n), -scores))  # highest score first, then lowest seed
    return sorted(int(start + k) for k in order[:count])


def best_seeds(model: GeneratorModel, start: int, count: int, keep: float, truncation: float, chunk: int = 256,
               progress: Callable[[int, int], None] | None = None) -> list[int]:
    """`rank_seeds` for callers that take keep and truncation straight from a user: both are checked first."""
    return rank_seeds(model, start, count, check_keep(keep), check_truncation(truncation), chunk, progress)
