"""Work run off the UI thread: generate a batch of seeds or render latents chunk by chunk, with Progress. No Qt."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from assetgan.progress import Progress
from assetgan.runtime.latent import latents_for_seeds
from assetgan.runtime.model import GeneratorModel

CHUNK = 16  # images per inference call: small enough that thumbnails arrive steadily


def generate_seeds(model: GeneratorModel, seeds: Sequence[int], truncation: float, progress: Progress,
                   on_chunk: Callable[[list[tuple[int, np.ndarray]]], None], chunk: int = CHUNK) -> int:
    """Run the seeds in chunks, handing (seed, image) pairs to `on_chunk`; stops early when aborted.
    Returns how many images were made."""
    done = 0
    total = len(seeds)
    progress.update(0, total)
    for start in range(0, total, chunk):
        if progress.aborted():
            break
        part = [int(s) for s in seeds[start : start + chunk]]
        images = model.run(latents_for_seeds(part, model.nz, truncation))  # [n, H, W, C] uint8
        on_chunk(list(zip(part, images)))
        done += len(part)
        progress.update(done, total, {"seconds": model.last_seconds})
    return done


def render_latents(model: GeneratorModel, keys: Sequence[str], z: np.ndarray, progress: Progress,
                   on_chunk: Callable[[list[tuple[str, np.ndarray]]], None], chunk: int = CHUNK) -> int:
    """Render latents z [n, nz] named by `keys` in chunks (reopened sessions, explore strips)."""
    done = 0
    total = len(keys)
    for start in range(0, total, chunk):
        if progress.aborted():
            break
        images = model.run(z[start : start + chunk])
        on_chunk(list(zip(keys[start : start + chunk], images)))
        done += len(images)
        progress.update(done, total, {"seconds": model.last_seconds})
    return done
