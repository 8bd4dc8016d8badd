"""Finding the image files under a user's path, with one-line errors for a missing path or an empty folder."""

from __future__ import annotations

from pathlib import Path

from ..errors import AssetganError
from ..imageio import iter_image_files

# An image narrower or shorter than this carries nothing to learn from; inspect reports it, ingest skips it.
MIN_SIDE = 4


def find_image_files(path: str | Path) -> list[Path]:
    """Image files under `path` (one file, or a folder searched recursively) in a stable order.

    Raises `AssetganError` when the path does not exist or holds no image files.
    """
    path = Path(path)
    if not path.exists():
        raise AssetganError(f"{path}: no such file or folder; check the path")
    files = list(iter_image_files(path))
    if not files:
        raise AssetganError(f"{path}: no image files found (.png, .jpg, .webp…); point at a folder of images")
    return files


def source_name(file: Path, root: Path) -> str:
    """A file's name in reports: relative to `root` with `/` separators, or its own name when it is `root`."""
    if file == root:
        return file.name
    return file.relative_to(root).as_posix()


def too_small_reason(width: int, height: int) -> str | None:
    """The one-line reason an image of this size is unusable, or None when it is big enough."""
    if width < MIN_SIDE or height < MIN_SIDE:
        return f"is {width}x{height}, smaller than {MIN_SIDE} px on a side; remove it or use a larger image"
    return None
