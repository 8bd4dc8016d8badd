"""Safe image reading for every user path: mode normalisation to 8-bit RGBA, size limits, clear errors."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..core.errors import ImageError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tga", ".tif", ".tiff"})

# Refuse anything larger than this many pixels before decoding it (decompression bombs, absurd inputs).
DEFAULT_MAX_PIXELS = 64 * 1024 * 1024


def iter_image_files(path: str | Path) -> Iterator[Path]:
    """Yield image files under `path` (a file or a folder, searched recursively) in a stable sorted order."""
    path = Path(path)
    if path.is_file():
        yield path
        return
    for p in sorted(path.rglob("*")):
        hidden = any(part.startswith(".") for part in p.relative_to(path).parts)
        if not hidden and p.suffix.lower() in IMAGE_SUFFIXES and p.is_file():
            yield p


def open_image(
    path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS, exif_transpose: bool = True
) -> Image.Image:
    """Open and fully decode an image, raising `ImageError` with a one-line reason for anything unusable."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImageError(path, "no such file; check the path") from None
    except OSError as exc:
        raise ImageError(path, f"cannot read ({exc.strerror}); check permissions") from None
    if path.is_dir():
        raise ImageError(path, "is a folder, not an image file")
    if size == 0:
        raise ImageError(path, "is an empty (0-byte) file; re-export or remove it")
    try:
        im = _open_and_load(path, max_pixels)
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(
            path, "is not a readable image (unknown format or not an image); remove or replace it"
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(found.group(1)) / 1e6:.3g} Mpixels, " if found else ""
        raise ImageError(path, f"is {size}above the {max_pixels / 1e6:.3g} Mpixel limit (a possible decompression "
                               "bomb); downscale it first") from None
    except PermissionError:
        raise ImageError(path, "cannot read (permission denied); check permissions") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(path, f"is corrupt or truncated ({exc}); re-export it") from None
    if exif_transpose:
        try:
            im = ImageOps.exif_transpose(im)
        except Exception:  # a broken EXIF block must not make a good image unusable
            pass
    return im


def _open_and_load(path: Path, max_pixels: int) -> Image.Image:
    """Open and decode `path`, closing the file when anything fails (Pillow's exceptions pass through)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's metadata chatter must not break one-line CLI output
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        im = Image.open(path)
        try:
            w, h = im.size
            if w * h > max_pixels:
                raise ImageError(
                    path,
                    f"is {w}x{h} = {w * h / 1e6:.3g} Mpixels, above the {max_pixels / 1e6:.3g} Mpixel limit; "
                    "downscale it first",
                )
            im.load()
        except BaseException:
            im.close()
            raise
    return im


def to_rgba8(im: Image.Image) -> np.ndarray:
    """Convert any Pillow image (P with transparency, L, LA, RGB(A), CMYK, 16-bit, float) to uint8 HxWx4."""
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        a = np.asarray(im, dtype=np.float64)
        hi = 65535.0 if mode.startswith("I;16") or a.max(initial=0) > 255 else 255.0
        g = np.clip(np.round(a * (255.0 / hi)), 0, 255).astype(np.uint8)
        alpha = np.full_like(g, 255)
        key = im.info.get("transparency")
        if isinstance(key, int):  # a PNG tRNS grey value marks fully transparent pixels
            alpha[a == key] = 0
        return np.dstack([g, g, g, alpha])
    if mode == "F":
        a = np.asarray(im, dtype=np.float64)
        scale = 255.0 if a.max(initial=0) <= 1.0 else 1.0
        g = np.clip(np.round(a * scale), 0, 255).astype(np.uint8)
        return np.dstack([g, g, g, np.full_like(g, 255)])
    if mode == "P" or mode == "PA":
        im = im.convert("RGBA")
    elif mode == "CMYK" or mode == "YCbCr" or mode == "LAB" or mode == "HSV":
        im = im.convert("RGB")
    if im.mode != "RGBA":
        im = im.convert("RGBA")
    return np.asarray(im, dtype=np.uint8).copy()


def read_rgba(path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read an image file as uint8 HxWx4 (straight alpha), raising `ImageError` on failure."""
    im = open_image(path, max_pixels=max_pixels)
    try:
        return to_rgba8(im)
    except (OSError, ValueError) as exc:
        raise ImageError(path, f"cannot convert mode {im.mode} ({exc})") from None


def is_transparent(rgba: np.ndarray) -> bool:
    """True when any pixel of an HxWx4 image is not fully opaque."""
    return bool((rgba[..., 3] < 255).any())


def alpha_bbox(rgba: np.ndarray) -> tuple[int, int, int, int] | None:
    """Bounding box (top, left, bottom, right) of pixels with alpha > 0, or None when fully transparent."""
    ys, xs = np.nonzero(rgba[..., 3])
    if ys.size == 0:
        return None
    return int(ys.min()), int(xs.min()), int(ys.max()) + 1, int(xs.max()) + 1


def clear_transparent_rgb(rgba: np.ndarray) -> np.ndarray:
    """Zero the colour of fully transparent pixels, so invisible colour never reaches training."""
    out = rgba.copy()
    out[out[..., 3] == 0, :3] = 0
    return out


def fit_sprite(rgba: np.ndarray, size: int) -> np.ndarray:
    """Fit a sprite into size x size undistorted: centre-pad with transparency, shrink only if needed."""
    h, w = rgba.shape[:2]
    if (h, w) != (size, size):
        if h > size or w > size:
            box = alpha_bbox(rgba)
            if box is not None:
                t, left, b, r = box
                rgba = rgba[t:b, left:r]
                h, w = rgba.shape[:2]
        side = max(h, w, size)
        canvas = np.zeros((side, side, 4), np.uint8)
        y0, x0 = (side - h) // 2, (side - w) // 2
        canvas[y0 : y0 + h, x0 : x0 + w] = rgba
        if side != size:
            im = Image.fromarray(canvas, "RGBA").resize((size, size), Image.Resampling.LANCZOS)
            canvas = np.asarray(im, dtype=np.uint8).copy()
        rgba = canvas
    return clear_transparent_rgb(rgba)


def fit_texture(rgba: np.ndarray, size: int) -> np.ndarray:
    """Fit an opaque texture into size x size: centre-crop to a square, resize (nearest when enlarging)."""
    h, w = rgba.shape[:2]
    side = min(h, w)
    y0, x0 = (h - side) // 2, (w - side) // 2
    sq = rgba[y0 : y0 + side, x0 : x0 + side]
    if side != size:
        resample = Image.Resampling.LANCZOS if side > size else Image.Resampling.NEAREST
        sq = np.asarray(
            Image.fromarray(np.ascontiguousarray(sq), "RGBA").resize((size, size), resample), np.uint8
        )
    out = sq.copy()
    out[..., 3] = 255
    return out
