"""Colour palettes: GIMP .gpl and lospec .hex files, nearest-colour quantisation, palette learning."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
from PIL import Image

from ..core.errors import AssetganError

MAX_COLOURS = 256
PALETTE_SUFFIXES = (".gpl", ".hex")

# Upper bound on the [pixels, K] distance matrix quantize() builds per row chunk (float32 elements, ~1 MiB);
# cache-sized chunks were up to ~2x faster than 16 MiB ones on a 2048x2048 image.
_CHUNK_ELEMENTS = 1 << 18
# learn_palette() feeds at most this many opaque pixels to median cut, taking every n-th pixel beyond it.
_MAX_MOSAIC_PIXELS = 1 << 22

_HEX_RE = re.compile(r"#?([0-9a-fA-F]{6})")


def check_image(img: np.ndarray) -> np.ndarray:
    """Return `img` if it is a uint8 [H, W, 3|4] array (RGB or straight-alpha RGBA), else raise ValueError."""
    if (
        not isinstance(img, np.ndarray)
        or img.dtype != np.uint8
        or img.ndim != 3
        or img.shape[2] not in (3, 4)
    ):
        desc = f"{img.dtype} {img.shape}" if isinstance(img, np.ndarray) else type(img).__name__
        raise ValueError(f"expected a uint8 [H, W, 3|4] image array, got {desc}")
    return img


def load_palette(path: str | Path) -> np.ndarray:
    """Read a GIMP `.gpl` or lospec `.hex` palette file into a [K, 3] uint8 array, 1 <= K <= 256."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PALETTE_SUFFIXES:
        raise AssetganError(
            f"{path}: unknown palette format {suffix or '(no extension)'!r}; "
            "use a GIMP .gpl or a lospec .hex file"
        )
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise AssetganError(f"{path}: no such palette file; check the path") from None
    except IsADirectoryError:
        raise AssetganError(f"{path}: is a folder, not a palette file; name a .gpl or .hex file") from None
    except OSError as exc:
        raise AssetganError(f"{path}: cannot read ({exc.strerror}); check permissions") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AssetganError(f"{path}: is not a UTF-8 text file; re-export the palette as {suffix}") from None
    lines = text.splitlines()
    colours = _parse_gpl(path, lines) if suffix == ".gpl" else _parse_hex_lines(path, lines)
    if not colours:
        raise AssetganError(f"{path}: contains no colours; add at least one colour line")
    if len(colours) > MAX_COLOURS:
        raise AssetganError(
            f"{path}: has {len(colours)} colours, more than {MAX_COLOURS}; use a smaller palette"
        )
    return np.array(colours, dtype=np.uint8).reshape(-1, 3)


def _parse_gpl(path: Path, lines: list[str]) -> list[tuple[int, int, int]]:
    """Parse the lines of a GIMP palette: header, Name:/Columns:, # comments, `R G B [name]` lines."""
    if not lines or lines[0].strip() != "GIMP Palette":
        raise AssetganError(
            f"{path}: line 1: expected the header 'GIMP Palette'; "
            "export the palette from GIMP or use a .hex file"
        )
    colours: list[tuple[int, int, int]] = []
    for number, line in enumerate(lines[1:], start=2):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith(("Name:", "Columns:")):
            continue
        parts = stripped.split(maxsplit=3)
        try:
            rgb = tuple(int(p) for p in parts[:3])
        except ValueError:
            rgb = ()
        if len(rgb) != 3 or not all(0 <= v <= 255 for v in rgb):
            raise AssetganError(
                f"{path}: line {number}: {_clip(stripped)!r} is not 'R G B [name]' with values 0-255; "
                "fix or delete the line"
            )
        colours.append(rgb)  # type: ignore[arg-type]
    return colours


def _parse_hex_lines(path: Path, lines: list[str]) -> list[tuple[int, int, int]]:
    """Parse the lines of a lospec .hex palette: one `RRGGBB` or `#RRGGBB` per line, blank lines ignored."""
    colours: list[tuple[int, int, int]] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        rgb = _parse_hex(stripped)
        if rgb is None:
            raise AssetganError(
                f"{path}: line {number}: {_clip(stripped)!r} is not a colour like 'ff8800' or '#ff8800'; "
                "fix or delete the line"
            )
        colours.append(rgb)
    return colours


def _parse_hex(token: str) -> tuple[int, int, int] | None:
    match = _HEX_RE.fullmatch(token.strip())
    if match is None:
        return None
    value = int(match.group(1), 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def parse_palette_spec(spec: str | Path | list[str]) -> np.ndarray:
    """Turn a palette spec into a [K, 3] uint8 array.

    `spec` is a path to a `.gpl`/`.hex` file, a comma-separated string of hex colours (`"#000000,#ffffff"`),
    or a list of hex colour strings as stored in JSON (`["#000000", "#ffffff"]`).
    """
    if isinstance(spec, Path):
        return load_palette(spec)
    if isinstance(spec, str):
        if Path(spec).suffix.lower() in PALETTE_SUFFIXES or Path(spec).exists():
            return load_palette(spec)
        tokens = [t.strip() for t in spec.split(",")]
        if tokens and all(_parse_hex(t) is not None for t in tokens):
            return parse_palette_spec(tokens)
        raise AssetganError(
            f"palette {_clip(spec)!r}: is neither a .gpl/.hex file nor a comma-separated list of '#rrggbb' "
            "colours; check the path or the colours"
        )
    if not isinstance(spec, (list, tuple)):
        raise AssetganError(
            f"palette {_clip(repr(spec))}: expected a list of '#rrggbb' strings; fix the palette entry"
        )
    if not spec:
        raise AssetganError("palette []: contains no colours; list at least one '#rrggbb' colour")
    if len(spec) > MAX_COLOURS:
        raise AssetganError(
            f"palette: has {len(spec)} colours, more than {MAX_COLOURS}; use a smaller palette"
        )
    colours = []
    for i, token in enumerate(spec):
        rgb = _parse_hex(token) if isinstance(token, str) else None
        if rgb is None:
            raise AssetganError(
                f"palette colour {i + 1} ({_clip(repr(token))}): "
                "is not a colour like '#ff8800'; fix the entry"
            )
        colours.append(rgb)
    return np.array(colours, dtype=np.uint8).reshape(-1, 3)


def palette_to_hex(pal: np.ndarray) -> list[str]:
    """Format a [K, 3] palette as a list of lowercase `#rrggbb` strings (what parse_palette_spec reads)."""
    pal = check_palette(pal)
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in pal.tolist()]


def check_palette(pal: np.ndarray) -> np.ndarray:
    """`pal` as a uint8 [K, 3] array (1 <= K), else ValueError: what `map_to_palette` expects."""
    pal = np.asarray(pal)
    if pal.ndim != 2 or pal.shape[1] != 3 or pal.shape[0] < 1:
        raise ValueError(f"expected a [K, 3] palette array with K >= 1, got shape {pal.shape}")
    if pal.dtype != np.uint8:
        if not np.issubdtype(pal.dtype, np.integer) or pal.min() < 0 or pal.max() > 255:
            raise ValueError(f"palette values must be integers 0-255, got dtype {pal.dtype}")
        pal = pal.astype(np.uint8)
    return pal


def _pack_rgb(rgb: np.ndarray) -> np.ndarray:
    """[..., 3] uint8 -> [...] uint32 keys 0xRRGGBB."""
    rgb = rgb.astype(np.uint32)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def _unpack_rgb(keys: np.ndarray) -> np.ndarray:
    """[N] uint32 keys -> [N, 3] uint8."""
    return np.stack([(keys >> 16) & 255, (keys >> 8) & 255, keys & 255], axis=-1).astype(np.uint8)


def quantize(img: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Map each pixel's RGB to the nearest palette colour; returns a new array of the same shape.

    Distance is squared Euclidean in RGB, ties go to the lowest palette index. Alpha is kept as is, and fully
    transparent RGBA pixels become (0, 0, 0, 0). Works in row chunks, so memory stays bounded.
    """
    return map_to_palette(check_image(img), check_palette(palette))


def map_to_palette(img: np.ndarray, pal: np.ndarray) -> np.ndarray:
    """`quantize` for arguments already checked: img by `check_image`, pal by `check_palette`."""
    h, w, c = img.shape
    out = img.copy()
    # Integer-valued float32 is exact here (all terms < 2**24), so ties are resolved deterministically.
    pal_f = pal.astype(np.float32)  # [K, 3]
    pal_sq = (pal_f * pal_f).sum(axis=1)  # [K]
    rows = max(1, _CHUNK_ELEMENTS // max(1, w * len(pal)))
    for y0 in range(0, h, rows):
        block = out[y0 : y0 + rows]  # view [r, W, C]
        keys = _pack_rgb(block[..., :3]).ravel()  # [r*W]
        uniq, inverse = np.unique(keys, return_inverse=True)  # [U], [r*W]
        colours = _unpack_rgb(uniq).astype(np.float32)  # [U, 3]
        # |p - c|^2 = |p|^2 - 2 p.c + |c|^2; |p|^2 is the same for every c, so it drops out of the argmin.
        dist = pal_sq[None, :] - 2.0 * (colours @ pal_f.T)  # [U, K]
        nearest = dist.argmin(axis=1)  # [U], first minimum = lowest index
        block[..., :3] = pal[nearest[inverse.ravel()]].reshape(block.shape[0], w, 3)
        if c == 4:
            block[block[..., 3] == 0] = 0
    return out


def learn_palette(images: np.ndarray, k: int = 32) -> np.ndarray:
    """Learn a palette of at most `k` colours from training images [N, H, W, C] (or one [H, W, C] image).

    Only opaque pixels (alpha >= 128) count for RGBA. If they hold at most `k` distinct colours, exactly those
    are returned; otherwise Pillow's median cut picks `k`. Deterministic; sorted by luminance (dark first).
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= MAX_COLOURS:
        raise AssetganError(
            f"palette size {k!r}: must be an integer from 1 to {MAX_COLOURS}; pick another size"
        )
    arr = np.asarray(images)
    if arr.ndim == 3:
        arr = arr[None]
    if arr.dtype != np.uint8 or arr.ndim != 4 or arr.shape[3] not in (3, 4):
        raise ValueError(f"expected uint8 images [N, H, W, 3|4], got {arr.dtype} {arr.shape}")
    if arr.shape[3] == 4:
        pixels = arr[..., :3][arr[..., 3] >= 128]  # [P, 3]
    else:
        pixels = arr.reshape(-1, 3)
    if len(pixels) == 0:
        raise AssetganError(
            "training images have no opaque pixels (alpha >= 128); "
            "cannot learn a palette, supply a palette file"
        )
    uniq = np.unique(_pack_rgb(pixels))
    if len(uniq) <= k:
        return _sort_by_luminance(_unpack_rgb(uniq))
    if len(pixels) > _MAX_MOSAIC_PIXELS:
        pixels = pixels[:: math.ceil(len(pixels) / _MAX_MOSAIC_PIXELS)]
    mosaic = Image.fromarray(np.ascontiguousarray(pixels[None, :, :]))  # 1-row RGB image [1, P, 3]
    quantized = mosaic.quantize(colors=int(k), method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    flat = np.array(quantized.getpalette() or [], dtype=np.uint8).reshape(-1, 3)
    used = np.unique(np.asarray(quantized))
    used = used[used < len(flat)]
    colours = _unpack_rgb(np.unique(_pack_rgb(flat[used])))
    return _sort_by_luminance(colours[:k])


def _sort_by_luminance(colours: np.ndarray) -> np.ndarray:
    """Sort [K, 3] colours by Rec. 601 luma, ties by 0xRRGGBB value, so the order is fully deterministic."""
    c = colours.astype(np.int64)
    luma = 299 * c[:, 0] + 587 * c[:, 1] + 114 * c[:, 2]
    order = np.lexsort((_pack_rgb(colours), luma))
    return np.ascontiguousarray(colours[order])
