"""Unpaired image domains for CycleGAN: load, resize to a shorter side, then random crops and flips per step."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..core.errors import AssetganError, ImageError
from ..core.paths import shown
from ..data.imageio import open_image, to_rgba8
from ..data.sources import SkippedPath, find_image_files, source_name, too_small_reason


@dataclass
class Domain:
    """Images of one domain as uint8 [H, W, 3] arrays (sizes may differ), with their source names."""

    images: list[np.ndarray]
    files: list[str]
    skipped: list[tuple[str, str]]
    fingerprint: str

    def __len__(self) -> int:
        return len(self.images)


def resize_shorter(rgb: np.ndarray, side: int) -> np.ndarray:
    """Resize so the shorter side is `side` (Lanczos), keeping the aspect ratio."""
    h, w = rgb.shape[:2]
    s = side / min(h, w)
    size = (max(side, round(w * s)), max(side, round(h * s)))
    if size == (w, h):
        return rgb
    return np.array(Image.fromarray(rgb).resize(size, Image.LANCZOS))


def load_domain(path: str | Path, side: int, on_skip: Callable[[str, str], None] | None = None) -> Domain:
    """Every readable image under `path`, alpha composited on white, resized to `side` on its shorter side.

    Unusable files, sub-folders that cannot be read and links not followed are skipped: `on_skip(name, reason)`
    is called and they are listed in `skipped`."""
    root = Path(path)
    images, files, skipped = [], [], []
    digest = hashlib.sha256()

    def skip_path(s: SkippedPath) -> None:
        skipped.append((s.name, s.reason))
        if on_skip:
            on_skip(s.name, s.reason)

    for file in find_image_files(root, skip_path):
        name = source_name(file, root)
        try:
            im = open_image(file)
            rgba = to_rgba8(im).astype(np.float32)
            reason = too_small_reason(rgba.shape[1], rgba.shape[0])
            if reason:
                raise ImageError(file, reason)
        except ImageError as exc:
            skipped.append((name, exc.reason))
            if on_skip:
                on_skip(name, exc.reason)
            continue
        a = rgba[..., 3:] / 255.0
        rgb = np.round(rgba[..., :3] * a + 255.0 * (1.0 - a)).astype(np.uint8)  # writable, own memory
        rgb = resize_shorter(rgb, side)
        digest.update(name.encode())
        digest.update(hashlib.sha256(rgb.tobytes()).digest())
        images.append(rgb)
        files.append(name)
    if not images:
        raise AssetganError(f"{shown(root)}: no usable images ({len(skipped)} skipped); point at a folder of "
                            "images")
    return Domain(images, files, skipped, digest.hexdigest())


def random_crops(images: list[np.ndarray], idx: torch.Tensor, crop: int, gen: torch.Generator) -> torch.Tensor:
    """Random crop (and random horizontal flip) of each indexed image -> float [B, 3, crop, crop] in [-1, 1]."""
    out = torch.empty(len(idx), 3, crop, crop)
    for j, i in enumerate(idx.tolist()):
        img = images[i]
        h, w = img.shape[:2]
        y = int(torch.randint(0, h - crop + 1, (1,), generator=gen))
        x = int(torch.randint(0, w - crop + 1, (1,), generator=gen))
        t = torch.from_numpy(img[y : y + crop, x : x + crop]).permute(2, 0, 1).float()
        if bool(torch.rand(1, generator=gen) < 0.5):
            t = t.flip(-1)
        out[j] = t.div_(127.5).sub_(1.0)
    return out
