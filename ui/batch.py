"""Work run off the UI thread: generate a batch of seeds or render latents chunk by chunk, with Progress. No Qt.

Every image comes from `GeneratorModel.generate_chunks`, the loop `assetgan export` and `generate` use too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from assetgan.core.progress import Progress
from assetgan.runtime.curate import candidate_count, rank_seeds
from assetgan.runtime.latent import seed_latent
from assetgan.runtime.model import GeneratorModel

CHUNK = 16  # images per inference call: small enough that thumbnails arrive steadily


def generate_seeds(model: GeneratorModel, seeds: Sequence[int], truncation: float, progress: Progress,
                   on_chunk: Callable[[list[tuple[int, np.ndarray]]], None], chunk: int = CHUNK) -> int:
    """Run the seeds in chunks, handing (seed, image) pairs to `on_chunk`; stops early when aborted.
    Returns how many images were made."""
    done = 0
    for part, images in model.generate_chunks([int(s) for s in seeds],
                                              lambda s: seed_latent(s, model.nz, truncation), chunk, progress):
        on_chunk(list(zip(part, images)))
        done += len(part)
    return done


def generate_best(model: GeneratorModel, start: int, count: int, keep: float, truncation: float, progress: Progress,
                  on_chunk: Callable[[list[tuple[int, np.ndarray]]], None], chunk: int = CHUNK) -> int:
    """Rank count/keep candidate seeds with the model's critic, then generate the `count` best like
    `generate_seeds` (what `assetgan generate --keep-best` picks). keep and truncation come from bounded spin
    boxes."""
    if keep >= 1.0:
        return generate_seeds(model, range(start, start + count), truncation, progress, on_chunk, chunk)
    total = candidate_count(count, keep)

    def ranked(done: int, _n: int) -> None:
        progress.update(done, total + count)
        if progress.aborted():
            raise Cancelled

    try:
        seeds = rank_seeds(model, start, count, keep, truncation, progress=ranked)
    except Cancelled:
        return 0
    return generate_seeds(model, seeds, truncation, _Offset(progress, total), on_chunk, chunk)


class Cancelled(Exception):
    """The ranking pass saw the job's abort flag."""


class _Offset:
    """Progress after the ranking pass: counts continue from `offset`."""

    def __init__(self, inner: Progress, offset: int) -> None:
        self.inner, self.offset = inner, offset

    def update(self, done: int, total: int | None = None, metrics: dict | None = None) -> None:
        self.inner.update(self.offset + done, None if total is None else self.offset + total, metrics)

    def aborted(self) -> bool:
        return self.inner.aborted()


def render_latents(model: GeneratorModel, keys: Sequence[str], z: np.ndarray, progress: Progress,
                   on_chunk: Callable[[list[tuple[str, np.ndarray]]], None], chunk: int = CHUNK) -> int:
    """Render latents z [n, nz] named by `keys` in chunks (reopened sessions, explore strips)."""
    done = 0
    for rows, images in model.generate_chunks(range(len(keys)), lambda i: z[i], chunk, progress):
        on_chunk([(keys[i], img) for i, img in zip(rows, images)])
        done += len(rows)
    return done
