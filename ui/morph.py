"""Class morph for Explore (no Qt): one latent rendered through a blend of two classes, step by step."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from assetgan.core.errors import AssetganError
from assetgan.core.progress import Progress
from assetgan.runtime.classes import blend_weights
from assetgan.runtime.model import GeneratorModel

from .batch import CHUNK


def morph_plan(model: GeneratorModel, z: np.ndarray, a: str, b: str, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """(z [steps, nz], class weights [steps, K]) from class `a` to class `b` of `model`; a model that cannot blend
    classes (unconditional, or exported before `class_mix`) is a one-line AssetganError."""
    if model.blend_problem:
        raise AssetganError(model.blend_problem)
    known = model.classes
    for cls in (a, b):
        if cls not in known:
            raise AssetganError(f"class morph: {cls!r} is not a class of {model.path.name}; known: {', '.join(known)}")
    w = blend_weights(known.index(a), known.index(b), len(known), steps)
    return np.repeat(np.asarray(z, np.float32)[None], steps, axis=0), w


def render_blend(model: GeneratorModel, keys: Sequence[str], z: np.ndarray, mix: np.ndarray, progress: Progress,
                 on_chunk: Callable[[list[tuple[str, np.ndarray]]], None], chunk: int = CHUNK) -> int:
    """Render latents z [n, nz] with class weights mix [n, K] named by `keys` in chunks, like
    `batch.render_latents`; returns how many images were made."""
    done = 0
    for rows, images in model.generate_chunks(range(len(keys)), lambda i: z[i], chunk, progress,
                                              class_mix=lambda i: mix[i]):
        on_chunk([(keys[i], img) for i, img in zip(rows, images)])
        done += len(rows)
    return done
