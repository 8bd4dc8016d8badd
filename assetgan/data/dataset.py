"""`load_training_images`: images or sprite sheets as one uint8 array, bad files skipped with reasons."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.errors import AssetganError, ImageError
from ..core.paths import shown
from .imageio import DEFAULT_MAX_PIXELS, clear_transparent_rgb, fit_sprite, fit_texture, read_rgba
from .slicing import GridError, check_grid_params, cut_sheet
from .sources import MIN_SIDE, SkippedPath, find_image_files, source_name, too_small_reason

# Bumped when the fingerprint's recipe changes, so old and new fingerprints never match by accident.
FINGERPRINT_VERSION = "assetgan-images-v1"


@dataclass
class TrainingImages:
    """Training images ready for a model, and where each came from."""

    images: np.ndarray  # [N, size, size, channels] uint8; channels 4 = straight-alpha RGBA, 3 = RGB
    files: list[str]  # source of each image, relative to the path; sheet tiles as "a/b.png#r01c02"
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, one-line reason)
    fingerprint: str = ""  # sha256 over sorted names and pixels: equal exactly when the data is equal
    duplicates: int = 0  # images (and sheet cells) dropped as exact copies of an earlier one
    empty_cells: int = 0  # fully transparent sheet cells dropped


def load_training_images(
    path: str | Path,
    size: int,
    channels: int,
    tile: tuple[int, int] | None = None,
    margin: int = 0,
    spacing: int = 0,
    on_skip: Callable[[Path, str], None] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> TrainingImages:
    """Load every usable image under `path` (a folder, searched recursively, or one file) at size x size.

    channels=4 fits sprites (centre-padded with transparency), channels=3 fits textures (centre-cropped,
    alpha dropped). With `tile`, each file is first cut as a sprite sheet. Unusable files (corrupt,
    empty, too small, too large, fully transparent, not a grid) are skipped: `on_skip(file, reason)` is
    called and they are listed in `skipped`, as are sub-folders that cannot be read and links not followed.
    Exact duplicates after fitting are dropped and counted.
    Raises `AssetganError` for bad parameters, a missing path, or when no usable image is left.
    """
    root = Path(path)
    _check_params(size, channels, tile, margin, spacing)
    data = TrainingImages(images=np.zeros((0, size, size, channels), np.uint8), files=[])

    def skip_path(s: SkippedPath) -> None:
        _skip(data, on_skip, root / s.name, s.name, s.reason)

    files = find_image_files(root, skip_path)
    fit = fit_sprite if channels == 4 else _fit_opaque
    images: list[np.ndarray] = []
    seen: set[bytes] = set()
    for file in files:
        name = source_name(file, root)
        try:
            pieces = _pieces(file, name, tile, margin, spacing, max_pixels, data)
        except ImageError as exc:
            _skip(data, on_skip, file, name, exc.reason)
            continue
        for piece_name, rgba in pieces:
            fitted = np.ascontiguousarray(fit(rgba, size)[..., :channels])
            key = hashlib.sha256(fitted.tobytes()).digest()
            if key in seen:
                data.duplicates += 1
                continue
            seen.add(key)
            images.append(fitted)
            data.files.append(piece_name)
    if not images:
        raise AssetganError(
            f"{shown(root)}: no usable images ({len(data.skipped)} skipped, {data.empty_cells} empty cells, "
            f"{data.duplicates} duplicates); fix or remove the files reported above, or point at other images"
        )
    data.images = np.stack(images)
    data.fingerprint = fingerprint(data.files, data.images)
    return data


def fingerprint(files: list[str], images: np.ndarray) -> str:
    """sha256 hex over the images' shape and each (name, pixels) pair in name order; order-independent."""
    digest = hashlib.sha256(f"{FINGERPRINT_VERSION} {images.shape[1:]}\n".encode())
    for i in sorted(range(len(files)), key=files.__getitem__):
        digest.update(files[i].encode("utf-8", "surrogateescape") + b"\0")  # a non-UTF-8 name's own bytes
        digest.update(np.ascontiguousarray(images[i]).tobytes())
    return digest.hexdigest()


def _check_params(size: int, channels: int, tile: tuple[int, int] | None, margin: int, spacing: int) -> None:
    if size < MIN_SIDE:
        raise AssetganError(f"image size {size} is too small; use {MIN_SIDE} px or more, e.g. 32 or 64")
    if channels not in (3, 4):
        raise AssetganError(f"channels {channels} is not supported; use 4 for sprites or 3 for textures")
    if tile is not None:
        check_grid_params(tile[0], tile[1], margin, spacing)
        if too_small_reason(*tile):
            raise AssetganError(
                f"tile size {tile[0]}x{tile[1]} is too small; use {MIN_SIDE} px or more on a side"
            )


def _pieces(
    file: Path,
    name: str,
    tile: tuple[int, int] | None,
    margin: int,
    spacing: int,
    max_pixels: int,
    data: TrainingImages,
) -> list[tuple[str, np.ndarray]]:
    """The (source name, HxWx4 pixels) a file contributes: itself, or its sheet tiles; ImageError if none."""
    rgba = read_rgba(file, max_pixels=max_pixels)
    h, w = rgba.shape[:2]
    reason = too_small_reason(w, h)
    if reason:
        raise ImageError(file, reason)
    if tile is None:
        if not rgba[..., 3].any():
            raise ImageError(file, "is fully transparent; remove it")
        return [(name, rgba)]
    try:
        cells = cut_sheet(rgba, tile[0], tile[1], margin, spacing)
    except GridError as exc:
        raise ImageError(file, str(exc)) from None
    data.empty_cells += cells.empty
    data.duplicates += cells.duplicates
    return [(f"{name}#r{t.row:02d}c{t.col:02d}", t.rgba) for t in cells.tiles]


def _fit_opaque(rgba: np.ndarray, size: int) -> np.ndarray:
    """`fit_texture` after zeroing the colour under transparent pixels (encoders leave it arbitrary)."""
    return fit_texture(clear_transparent_rgb(rgba), size)


def _skip(
    data: TrainingImages, on_skip: Callable[[Path, str], None] | None, file: Path, name: str, reason: str
) -> None:
    data.skipped.append((name, reason))
    if on_skip is not None:
        on_skip(file, reason)
