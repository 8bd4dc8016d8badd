"""Sprite sheet slicing: tile parsing, grid checks, empty and duplicate cells, writing tiles to a folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from assetgan.core.errors import AssetganError, ImageError
from assetgan.data.imageio import read_rgba
from assetgan.data.slicing import (
    GridError,
    cut_sheet,
    grid_shape,
    parse_tile,
    slice_sheet,
    slice_to_folder,
)

SAMPLES = Path(__file__).resolve().parents[1] / "assets" / "samples"
SHEET = SAMPLES / "sheet_4x2_32.png"


def _grid_sheet(rows: int, cols: int, tw: int, th: int, margin: int, spacing: int) -> np.ndarray:
    """A sheet whose cell (r, c) is filled with a colour unique to it; gutters are opaque magenta."""
    h = 2 * margin + rows * th + (rows - 1) * spacing
    w = 2 * margin + cols * tw + (cols - 1) * spacing
    sheet = np.zeros((h, w, 4), np.uint8)
    sheet[...] = (255, 0, 255, 255)
    for r in range(rows):
        for c in range(cols):
            y, x = margin + r * (th + spacing), margin + c * (tw + spacing)
            sheet[y : y + th, x : x + tw] = (10 * r + 1, 10 * c + 1, 7, 255)
    return sheet


@pytest.mark.parametrize(
    ("value", "expected"), [("32x32", (32, 32)), ("16X8", (16, 8)), ("24", (24, 24)), (" 8 x 4 ", (8, 4))]
)
def test_parse_tile_accepts_width_x_height(value: str, expected: tuple[int, int]) -> None:
    assert parse_tile(value) == expected


@pytest.mark.parametrize("value", ["abc", "0x4", "32x", "x32", "-1x3", "", "3.5x2", "32x32x2"])
def test_parse_tile_rejects_bad_values_naming_them(value: str) -> None:
    with pytest.raises(AssetganError) as info:
        parse_tile(value)
    message = str(info.value)
    assert repr(value) in message and "WIDTHxHEIGHT" in message and "\n" not in message


def test_grid_shape_exact_grids() -> None:
    assert grid_shape(128, 64, 32, 32) == (2, 4)
    assert grid_shape(32, 32, 32, 32) == (1, 1)
    # margin 1, spacing 2: 1 + 8 + 2 + 8 + 2 + 8 + 1 = 30 wide, 1 + 4 + 1 = 6 high
    assert grid_shape(30, 6, 8, 4, margin=1, spacing=2) == (1, 3)


def test_grid_shape_error_names_sizes_and_what_fits() -> None:
    with pytest.raises(GridError) as info:
        grid_shape(130, 64, 32, 32)
    message = str(info.value)
    assert "130x64" in message and "32x32" in message and "margin 0" in message and "spacing 0" in message
    assert "128x64 or 160x64" in message
    assert "\n" not in message


def test_grid_shape_error_with_margin_and_spacing_suggests_fitting_sizes() -> None:
    with pytest.raises(GridError) as info:
        grid_shape(31, 6, 8, 4, margin=1, spacing=2)
    message = str(info.value)
    assert "margin 1" in message and "spacing 2" in message
    assert "30x6 or 40x6" in message  # 3 or 4 columns
    for size in ("30x6", "40x6"):
        w, h = map(int, size.split("x"))
        assert grid_shape(w, h, 8, 4, margin=1, spacing=2)


def test_grid_shape_sheet_smaller_than_a_tile_suggests_one_tile() -> None:
    with pytest.raises(GridError, match="a 32x32 sheet would fit"):
        grid_shape(20, 20, 32, 32)


@pytest.mark.parametrize(("tw", "margin", "spacing"), [(0, 0, 0), (8, -1, 0), (8, 0, -2)])
def test_grid_shape_rejects_bad_parameters(tw: int, margin: int, spacing: int) -> None:
    with pytest.raises(AssetganError):
        grid_shape(64, 64, tw, 8, margin, spacing)


def test_slice_sample_sheet_drops_empty_and_duplicate_cells() -> None:
    rgba = read_rgba(SHEET)
    cells = cut_sheet(rgba, 32, 32)
    assert (cells.rows, cells.cols, cells.empty, cells.duplicates) == (2, 4, 1, 1)
    assert [(t.row, t.col) for t in cells.tiles] == [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 3)]
    assert np.array_equal(cells.tiles[1].rgba, read_rgba(SAMPLES / "sprites" / "mon" / "adder.png"))
    assert [(t.row, t.col) for t in slice_sheet(rgba, 32, 32)] == [(t.row, t.col) for t in cells.tiles]


def test_slice_with_margin_and_spacing_cuts_exact_cells() -> None:
    sheet = _grid_sheet(rows=3, cols=2, tw=5, th=7, margin=2, spacing=3)
    tiles = slice_sheet(sheet, 5, 7, margin=2, spacing=3)
    assert len(tiles) == 6
    for t in tiles:
        assert t.rgba.shape == (7, 5, 4)
        assert (t.rgba == (10 * t.row + 1, 10 * t.col + 1, 7, 255)).all()  # no gutter magenta leaked in


def test_duplicate_cells_ignore_colour_under_full_transparency() -> None:
    sheet = np.zeros((4, 8, 4), np.uint8)
    sheet[:, :, 3] = 255
    sheet[0, 0] = (1, 2, 3, 0)  # left cell: hidden colour under a transparent pixel
    sheet[0, 4] = (9, 9, 9, 0)  # right cell: same visible pixels, different hidden colour
    cells = cut_sheet(sheet, 4, 4)
    assert (len(cells.tiles), cells.duplicates) == (1, 1)


def test_slice_to_folder_writes_named_pngs(tmp_path: Path) -> None:
    out = tmp_path / "new" / "tiles"
    result = slice_to_folder(SHEET, out, (32, 32))
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "sheet_4x2_32_r00_c00.png",
        "sheet_4x2_32_r00_c01.png",
        "sheet_4x2_32_r00_c02.png",
        "sheet_4x2_32_r00_c03.png",
        "sheet_4x2_32_r01_c00.png",
        "sheet_4x2_32_r01_c03.png",
    ]
    assert (result.empty, result.duplicates, result.rows, result.cols) == (1, 1, 2, 4)
    assert sorted(p.name for p in result.written) == names
    sheet = read_rgba(SHEET)
    assert np.array_equal(read_rgba(out / "sheet_4x2_32_r01_c03.png"), sheet[32:64, 96:128])
    # Running again refuses to replace the tiles; with force it does, and leaves no temporary files behind.
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(AssetganError, match="6 of the tiles already exist.*--force"):
        slice_to_folder(SHEET, out, (32, 32))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    slice_to_folder(SHEET, out, (32, 32), force=True)
    assert sorted(p.name for p in out.iterdir()) == names


def test_slice_to_folder_with_margin_and_spacing(tmp_path: Path) -> None:
    sheet_path = tmp_path / "gutters.png"
    Image.fromarray(_grid_sheet(rows=2, cols=3, tw=6, th=6, margin=1, spacing=2)).save(sheet_path)
    result = slice_to_folder(sheet_path, tmp_path / "out", (6, 6), margin=1, spacing=2)
    assert len(result.written) == 6
    tile = read_rgba(tmp_path / "out" / "gutters_r01_c02.png")
    assert (tile == (11, 21, 7, 255)).all()


def test_slice_to_folder_non_grid_names_the_sheet(tmp_path: Path) -> None:
    with pytest.raises(ImageError) as info:
        slice_to_folder(SHEET, tmp_path / "out", (30, 32))
    message = str(info.value)
    assert message.startswith(f"{SHEET}: sheet is 128x64") and "\n" not in message
    assert not (tmp_path / "out").exists()


def test_slice_to_folder_refuses_a_file_as_out_dir(tmp_path: Path) -> None:
    target = tmp_path / "taken.txt"
    target.write_text("keep me")
    with pytest.raises(AssetganError, match="exists and is a file, not a folder"):
        slice_to_folder(SHEET, target, (32, 32))
    assert target.read_text() == "keep me"


def test_slice_to_folder_unreadable_sheet(tmp_path: Path) -> None:
    bad = tmp_path / "sheet.png"
    bad.write_text("not an image")
    with pytest.raises(ImageError) as info:
        slice_to_folder(bad, tmp_path / "out", (32, 32))
    assert str(info.value).startswith(f"{bad}: ")
