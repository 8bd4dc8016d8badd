"""Cutting sprite sheets into tiles: grid checks that suggest sizes, empty and duplicate cells dropped."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.atomic import atomic_write_with
from ..core.errors import AssetganError, ImageError
from ..core.paths import check_out_folder, is_symlink_loop, make_out_folder, shown, write_error
from .imageio import DEFAULT_MAX_PIXELS, clear_transparent_rgb, read_rgba

_TILE_RE = re.compile(r"\s*(\d+)\s*(?:[xX×]\s*(\d+)\s*)?")


class GridError(AssetganError):
    """A sheet whose size is not an exact grid of the requested tiles."""


@dataclass(frozen=True, eq=False)
class Tile:
    """One non-empty cell of a sheet: its grid position (from 0) and its pixels."""

    row: int
    col: int
    rgba: np.ndarray  # [tile_h, tile_w, 4] uint8


@dataclass
class SheetCells:
    """The tiles cut from one sheet and what was dropped."""

    tiles: list[Tile]
    rows: int
    cols: int
    empty: int = 0  # fully transparent cells
    duplicates: int = 0  # cells identical to an earlier cell


@dataclass
class SliceResult:
    """What `slice_to_folder` wrote."""

    written: list[Path] = field(default_factory=list)
    rows: int = 0
    cols: int = 0
    empty: int = 0
    duplicates: int = 0


def parse_tile(value: str) -> tuple[int, int]:
    """Parse a tile size such as "32x32" (or "32" for a square) into (width, height)."""
    match = _TILE_RE.fullmatch(value)
    if match:
        w = int(match.group(1))
        h = int(match.group(2) or w)
        if w > 0 and h > 0:
            return w, h
    raise AssetganError(f"tile size {value!r} is not valid; use WIDTHxHEIGHT in pixels, e.g. 32x32")


def check_grid_params(tile_w: int, tile_h: int, margin: int = 0, spacing: int = 0) -> None:
    """Raise `AssetganError` for a tile size below 1 or a negative margin or spacing."""
    if tile_w < 1 or tile_h < 1:
        raise AssetganError(f"tile size {tile_w}x{tile_h} is not valid; use positive sizes, e.g. 32x32")
    if margin < 0:
        raise AssetganError(f"margin {margin} is negative; use 0 or more pixels")
    if spacing < 0:
        raise AssetganError(f"spacing {spacing} is negative; use 0 or more pixels")


def grid_shape(
    sheet_w: int, sheet_h: int, tile_w: int, tile_h: int, margin: int = 0, spacing: int = 0
) -> tuple[int, int]:
    """(rows, cols) of a sheet laid out as margin + tiles separated by spacing + margin, on both axes.

    Raises `GridError` naming the sheet size, the layout and the nearest sheet sizes that would fit.
    """
    check_grid_params(tile_w, tile_h, margin, spacing)
    cols = _count(sheet_w, tile_w, margin, spacing)
    rows = _count(sheet_h, tile_h, margin, spacing)
    if cols is not None and rows is not None:
        return rows, cols
    widths = _nearest_spans(sheet_w, tile_w, margin, spacing)
    heights = _nearest_spans(sheet_h, tile_h, margin, spacing)
    if len(widths) == len(heights):  # pair smaller with smaller and larger with larger
        fits = [f"{w}x{h}" for w, h in zip(widths, heights, strict=True)]
    else:
        fits = [f"{w}x{h}" for w in widths for h in heights]
    raise GridError(
        f"sheet is {sheet_w}x{sheet_h}, not an exact grid of {tile_w}x{tile_h} tiles "
        f"with margin {margin} and spacing {spacing}; a {' or '.join(fits)} sheet would fit "
        "(check the tile size, margin and spacing)"
    )


def cut_sheet(rgba: np.ndarray, tile_w: int, tile_h: int, margin: int = 0, spacing: int = 0) -> SheetCells:
    """Cut an HxWx4 sheet into tiles in row-major order, dropping empty cells and repeats of earlier cells."""
    sheet_h, sheet_w = rgba.shape[:2]
    rows, cols = grid_shape(sheet_w, sheet_h, tile_w, tile_h, margin, spacing)
    cells = SheetCells(tiles=[], rows=rows, cols=cols)
    seen: set[bytes] = set()
    for row in range(rows):
        y = margin + row * (tile_h + spacing)
        for col in range(cols):
            x = margin + col * (tile_w + spacing)
            cell = rgba[y : y + tile_h, x : x + tile_w]
            if not cell[..., 3].any():
                cells.empty += 1
                continue
            key = hashlib.sha256(clear_transparent_rgb(cell).tobytes()).digest()
            if key in seen:
                cells.duplicates += 1
                continue
            seen.add(key)
            cells.tiles.append(Tile(row, col, np.ascontiguousarray(cell)))
    return cells


def slice_sheet(rgba: np.ndarray, tile_w: int, tile_h: int, margin: int = 0, spacing: int = 0) -> list[Tile]:
    """The non-empty, distinct tiles of an HxWx4 sheet in row-major order (see `cut_sheet`)."""
    return cut_sheet(rgba, tile_w, tile_h, margin, spacing).tiles


def slice_to_folder(
    sheet_path: str | Path,
    out_dir: str | Path,
    tile: tuple[int, int],
    margin: int = 0,
    spacing: int = 0,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    force: bool = False,
) -> SliceResult:
    """Write each distinct non-empty tile of a sheet to `out_dir` as `{stem}_r{row:02d}_c{col:02d}.png`.

    Raises `AssetganError` (one line naming the file, its name escaped by `shown`) for an unreadable or
    non-grid sheet, a symlink loop, bad parameters, an `out_dir` that is a file or cannot be created, or a tile
    that cannot be written (permission denied, read-only disk, disk full). Existing tiles of the same names are
    replaced only with `force` (checked before the first tile is written).
    """
    from PIL import Image

    sheet_path, out_dir = Path(sheet_path), Path(out_dir)
    tile_w, tile_h = tile
    check_grid_params(tile_w, tile_h, margin, spacing)
    if is_symlink_loop(sheet_path):
        raise ImageError(shown(sheet_path), "is a symlink loop (the link leads back to itself); point at the "
                                            "sheet image itself")
    check_out_folder(out_dir, "--out", "the tiles")  # before the sheet is read: a bad --out fails fast
    try:
        rgba = read_rgba(sheet_path, max_pixels=max_pixels)
        cells = cut_sheet(rgba, tile_w, tile_h, margin, spacing)
    except ImageError as exc:
        raise ImageError(shown(sheet_path), exc.reason) from None
    except GridError as exc:
        raise ImageError(shown(sheet_path), str(exc)) from None
    targets = [out_dir / f"{sheet_path.stem}_r{t.row:02d}_c{t.col:02d}.png" for t in cells.tiles]
    existing = [p for p in targets if p.exists() or p.is_symlink()]
    if existing and not force:
        raise AssetganError(f"--out {shown(out_dir)}: {len(existing)} of the tiles already exist (first: "
                            f"{shown(existing[0].name)}); pass --force to replace them or choose another folder")
    make_out_folder(out_dir, "--out", "the tiles")
    result = SliceResult(rows=cells.rows, cols=cells.cols, empty=cells.empty, duplicates=cells.duplicates)
    for t, target in zip(cells.tiles, targets):
        image = Image.fromarray(t.rgba)
        try:
            atomic_write_with(target, lambda fh, image=image: image.save(fh, format="PNG"))
        except OSError as exc:  # every later tile would fail alike: stop, saying how far it got
            done = f" after {len(result.written)} of {len(cells.tiles)} tiles" if result.written else ""
            raise write_error(target, exc, "write the tile", note=done) from None
        result.written.append(target)
    return result


def _count(sheet: int, tile: int, margin: int, spacing: int) -> int | None:
    """How many tiles fit exactly along one axis, or None when they do not fit exactly."""
    inner = sheet - 2 * margin + spacing
    if inner <= 0 or inner % (tile + spacing):
        return None
    return inner // (tile + spacing)


def _span(n: int, tile: int, margin: int, spacing: int) -> int:
    return 2 * margin + n * tile + (n - 1) * spacing


def _nearest_spans(sheet: int, tile: int, margin: int, spacing: int) -> list[int]:
    """Exact-grid lengths nearest to `sheet` on one axis: itself if it fits, else one below and one above."""
    if _count(sheet, tile, margin, spacing) is not None:
        return [sheet]
    below = (sheet - 2 * margin + spacing) // (tile + spacing)
    spans = [_span(below, tile, margin, spacing)] if below >= 1 else []
    return spans + [_span(max(below, 0) + 1, tile, margin, spacing)]
