"""Work run off the UI thread: generate a batch of seeds or render latents chunk by chunk, with Progress. No Qt.

Every image comes from `GeneratorModel.generate_chunks`, the loop `assetgan export` and `generate` use too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from assetgan.core.progress import Progress
from assetgan.runtime.classes import class_ids
from assetgan.runtime.curate import candidate_count, rank_seeds
from assetgan.runtime.latent import seed_latent
from assetgan.runtime.model import GeneratorModel

CHUNK = 16  # images per inference call: small enough that thumbnails arrive steadily


def batch_class(model: GeneratorModel, start: int, seed: int, classes: Sequence[str] | None = None) -> str | None:
    """The class of seed `seed` in a batch starting at `start` dealing `classes` (`assetgan generate --class A
    --class B`: seed start + i takes classes[i mod k]; default every class of the card, like `--class all`); None for
    an unconditional model."""
    known = list(classes) if classes else model.card.classes
    return known[(seed - start) % len(known)] if known else None


def generate_seeds(model: GeneratorModel, seeds: Sequence[int], truncation: float, progress: Progress,
                   on_chunk: Callable[[list[tuple[int, np.ndarray]]], None], chunk: int = CHUNK,
                   classes: Callable[[int], int] | None = None) -> int:
    """Run the seeds in chunks, handing (seed, image) pairs to `on_chunk`; stops early when aborted.
    For a conditional model image i (the i-th seed) takes class id `classes(i)`, by default i mod k (round robin
    over every class, like `assetgan generate --class all`). Returns how many images were made."""
    seeds = [int(s) for s in seeds]
    k = len(model.card.classes)
    cls = (classes or (lambda i: i % k)) if k else None
    done = 0
    for rows, images in model.generate_chunks(range(len(seeds)), lambda i: seed_latent(seeds[i], model.nz, truncation),
                                              chunk, progress, classes=cls):
        on_chunk([(seeds[i], img) for i, img in zip(rows, images)])
        done += len(rows)
    return done


def generate_best(model: GeneratorModel, start: int, count: int, keep: float, truncation: float, progress: Progress,
                  on_chunk: Callable[[list[tuple[int, np.ndarray]]], None], chunk: int = CHUNK,
                  classes: Sequence[str] | None = None) -> int:
    """Rank count/keep candidate seeds with the model's critic, then generate the `count` best like
    `generate_seeds` (what `assetgan generate --keep-best` picks). keep and truncation come from bounded spin
    boxes. For a conditional model seed start + i is made, ranked and kept as classes[i mod k] (default every class;
    see `batch_class`)."""
    ids = class_ids(classes, model.card.classes) if classes else list(range(len(model.card.classes)))
    k = len(ids)
    if keep >= 1.0:
        return generate_seeds(model, range(start, start + count), truncation, progress, on_chunk, chunk,
                              (lambda i: ids[i % k]) if k else None)
    total = candidate_count(count, keep)

    def ranked(done: int, _n: int) -> None:
        progress.update(done, total + count)
        if progress.aborted():
            raise Cancelled

    try:
        seeds = rank_seeds(model, start, count, keep, truncation, progress=ranked, classes=ids)
    except Cancelled:
        return 0
    return generate_seeds(model, seeds, truncation, _Offset(progress, total), on_chunk, chunk,
                          (lambda i: ids[(seeds[i] - start) % k]) if k else None)


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
                   on_chunk: Callable[[list[tuple[str, np.ndarray]]], None], chunk: int = CHUNK,
                   classes: Sequence[int] | None = None) -> int:
    """Render latents z [n, nz] named by `keys` in chunks (reopened sessions, explore strips); a conditional model
    renders key i as class id classes[i]."""
    done = 0
    cls = None if classes is None else (lambda i: int(classes[i]))
    for rows, images in model.generate_chunks(range(len(keys)), lambda i: z[i], chunk, progress, classes=cls):
        on_chunk([(keys[i], img) for i, img in zip(rows, images)])
        done += len(rows)
    return done
