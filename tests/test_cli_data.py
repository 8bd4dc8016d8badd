"""`assetgan data inspect` and `assetgan data slice` through the CLI: output, files written, exit codes."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from assetgan.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "assets" / "samples"
SHEET = SAMPLES / "sheet_4x2_32.png"

runner = CliRunner()


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` 1-bit pixels."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


def _assert_one_line_error(args: list[str], *fragments: str) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an uncaught exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def test_data_group_help_lists_commands() -> None:
    result = runner.invoke(app, ["data", "--help"])
    assert result.exit_code == 0
    assert "inspect" in result.output and "slice" in result.output


def test_inspect_samples() -> None:
    result = runner.invoke(app, ["data", "inspect", str(SAMPLES / "sprites")])
    assert result.exit_code == 0, result.output
    assert f"{SAMPLES / 'sprites'}: 48 image files, 48 readable" in result.output
    assert "32x32 (45), 32x48 (3)" in result.output


def test_inspect_lists_bad_files_then_exits_2(tmp_path: Path) -> None:
    Image.new("RGB", (8, 8)).save(tmp_path / "ok.png")
    (tmp_path / "zero.png").write_bytes(b"")
    (tmp_path / "bomb.png").write_bytes(_bomb_png(30000, 30000))
    result = runner.invoke(app, ["data", "inspect", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == f"error: {tmp_path}: 2 unreadable files (listed above); fix or remove them"
    assert "unreadable: 2" in result.output
    assert "  bomb.png: is " in result.output and "decompression bomb" in result.output
    assert "  zero.png: is an empty (0-byte) file" in result.output


def test_inspect_empty_folder(tmp_path: Path) -> None:
    line = _assert_one_line_error(["data", "inspect", str(tmp_path)], str(tmp_path))
    assert line.endswith("no image files found (.png, .jpg, .webp…); point at a folder of images")


def test_inspect_missing_path(tmp_path: Path) -> None:
    _assert_one_line_error(
        ["data", "inspect", str(tmp_path / "gone")], str(tmp_path / "gone"), "no such file"
    )


def test_slice_sample_sheet(tmp_path: Path) -> None:
    out = tmp_path / "tiles"
    result = runner.invoke(app, ["data", "slice", str(SHEET), "--tile", "32x32", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 6 tiles from 2 rows x 4 columns" in result.output
    assert "dropped 1 empty cell and 1 duplicate cell" in result.output
    assert len(list(out.glob("sheet_4x2_32_r*_c*.png"))) == 6


def test_slice_with_margin_and_spacing(tmp_path: Path) -> None:
    sheet = np.zeros((1 + 4 + 2 + 4 + 1, 1 + 4 + 2 + 4 + 2 + 4 + 1, 4), np.uint8)  # 2 rows x 3 cols
    for r in range(2):
        for c in range(3):
            y, x = 1 + r * 6, 1 + c * 6
            sheet[y : y + 4, x : x + 4] = (r * 100 + 1, c * 80 + 1, 5, 255)
    Image.fromarray(sheet).save(tmp_path / "s.png")
    args = ["data", "slice", str(tmp_path / "s.png"), "--tile", "4x4", "--margin", "1", "--spacing", "2"]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "wrote 6 tiles from 2 rows x 3 columns" in result.output and "0 empty cells" in result.output
    tile = np.asarray(Image.open(tmp_path / "out" / "s_r01_c02.png"))
    assert (tile == (101, 161, 5, 255)).all()


def test_slice_non_grid_sheet(tmp_path: Path) -> None:
    line = _assert_one_line_error(
        ["data", "slice", str(SHEET), "--tile", "30x32", "--out", str(tmp_path / "out")],
        str(SHEET),
        "128x64",
        "30x32",
        "120x64 or 150x64",
    )
    assert line.startswith(f"error: {SHEET}: ")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("tile", ["abc", "0x8", "32x"])
def test_slice_bad_tile_value(tmp_path: Path, tile: str) -> None:
    _assert_one_line_error(["data", "slice", str(SHEET), "--tile", tile, "--out", str(tmp_path)], repr(tile))


def test_slice_negative_margin(tmp_path: Path) -> None:
    args = ["data", "slice", str(SHEET), "--tile", "32x32", "--margin", "-1", "--out", str(tmp_path)]
    _assert_one_line_error(args, "margin -1")


def test_slice_out_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x")
    _assert_one_line_error(
        ["data", "slice", str(SHEET), "--tile", "32x32", "--out", str(target)], str(target), "not a folder"
    )


@pytest.mark.parametrize("kind", ["corrupt", "truncated", "empty", "text", "bomb", "missing"])
def test_slice_bad_sheet_files(tmp_path: Path, kind: str) -> None:
    sheet = tmp_path / "sheet.png"
    good = SHEET.read_bytes()
    contents = {
        "corrupt": good[:40] + b"\xff" * 200 + good[240:],
        "truncated": good[: len(good) // 2],
        "empty": b"",
        "text": b"this is a text file",
        "bomb": _bomb_png(30000, 30000),
    }
    if kind in contents:
        sheet.write_bytes(contents[kind])
    _assert_one_line_error(
        ["data", "slice", str(sheet), "--tile", "32x32", "--out", str(tmp_path / "o")], str(sheet)
    )
    assert not (tmp_path / "o").exists()


def test_cli_module_imports_stay_light() -> None:
    code = (
        "import sys\n"
        "import assetgan.cli.data_cmd\n"
        "heavy = {'numpy', 'PIL', 'torch'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)
