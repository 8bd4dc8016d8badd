"""`inspect_folder` / `format_report`: counts by size and mode, transparency, duplicates, unreadable files."""

from __future__ import annotations

import io
import shutil
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from assetgan.core.errors import AssetganError
from assetgan.data.inspect import format_report, inspect_folder

SAMPLES = Path(__file__).resolve().parents[1] / "assets" / "samples"


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


def _png_bytes(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def test_inspect_sample_sprites() -> None:
    report = inspect_folder(SAMPLES / "sprites")
    assert report.total_files == report.readable == 48
    assert report.sizes == {"32x32": 45, "32x48": 3}
    assert set(report.modes) == {"P", "RGBA", "L"} and sum(report.modes.values()) == 48
    assert report.transparent == 48
    assert report.duplicate_groups == [] and report.unreadable == [] and report.too_small == []


def test_inspect_sample_textures_modes() -> None:
    report = inspect_folder(SAMPLES / "textures")
    assert report.readable == 24
    assert {"P", "RGB", "RGBA", "L", "LA"} <= set(report.modes)
    assert report.transparent < report.readable  # textures are mostly opaque


def test_inspect_mixed_folder_reports_every_problem(tmp_path: Path) -> None:
    sprite = np.zeros((8, 6, 4), np.uint8)
    sprite[2:6, 1:5] = (200, 30, 30, 255)
    Image.fromarray(sprite).save(tmp_path / "a.png")
    shutil.copyfile(tmp_path / "a.png", tmp_path / "copy_of_a.png")
    hidden = sprite.copy()
    hidden[0, 0] = (1, 2, 3, 0)  # differs only under a fully transparent pixel: still a duplicate
    (tmp_path / "sub").mkdir()
    Image.fromarray(hidden).save(tmp_path / "sub" / "a_again.png")
    Image.new("RGB", (16, 16), (0, 90, 0)).save(tmp_path / "opaque.jpg")
    Image.fromarray(np.full((10, 10), 40000, np.uint16)).save(tmp_path / "deep.png")  # 16-bit grey
    Image.new("L", (1, 1), 9).save(tmp_path / "dot.png")
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "notes.png").write_text("just text")
    (tmp_path / "huge.png").write_bytes(_bomb_png(30000, 30000))
    good = _png_bytes(Image.new("RGB", (16, 16), (5, 5, 5)))
    (tmp_path / "cut.png").write_bytes(good[: len(good) // 2])
    (tmp_path / "readme.txt").write_text("not an image suffix: ignored")

    report = inspect_folder(tmp_path)
    assert report.total_files == 10 and report.readable == 6
    assert report.sizes == {"6x8": 3, "16x16": 1, "10x10": 1, "1x1": 1}
    assert report.modes == {"RGBA": 3, "RGB": 1, "I;16": 1, "L": 1}
    assert report.transparent == 3
    assert report.duplicate_groups == [["a.png", "copy_of_a.png", "sub/a_again.png"]]
    assert report.redundant == 2
    assert report.too_small == [("dot.png", "1x1")]
    reasons = dict(report.unreadable)
    assert sorted(reasons) == ["cut.png", "empty.png", "huge.png", "notes.png"]
    assert "0-byte" in reasons["empty.png"]
    assert "not a readable image" in reasons["notes.png"]
    assert "decompression bomb" in reasons["huge.png"]
    assert "corrupt or truncated" in reasons["cut.png"]
    assert all("\n" not in r for r in reasons.values())

    text = format_report(report)
    assert text.splitlines()[0] == f"{tmp_path}: 10 image files, 6 readable"
    assert "modes: RGBA (3), I;16 (1), L (1), RGB (1)" in text
    assert "  a.png, copy_of_a.png, sub/a_again.png" in text
    assert "  dot.png (1x1)" in text
    assert "  empty.png: is an empty (0-byte) file; re-export or remove it" in text


def test_format_report_clean_folder_says_none(tmp_path: Path) -> None:
    Image.new("RGBA", (8, 8), (1, 2, 3, 255)).save(tmp_path / "one.png")
    text = format_report(inspect_folder(tmp_path))
    assert "duplicates: none" in text and "unreadable: none" in text and "too small" in text
    assert "training skips" not in text


def test_inspect_long_lists_are_shortened(tmp_path: Path) -> None:
    for i in range(25):
        (tmp_path / f"bad{i:02d}.png").write_bytes(b"")
    text = format_report(inspect_folder(tmp_path))
    assert "  … and 5 more" in text and "bad19.png" in text and "bad20.png" not in text


def test_inspect_single_file(tmp_path: Path) -> None:
    Image.new("P", (12, 12)).save(tmp_path / "pal.png")
    report = inspect_folder(tmp_path / "pal.png")
    assert (report.total_files, report.readable, dict(report.modes)) == (1, 1, {"P": 1})


def test_inspect_skips_hidden_files_and_folders(tmp_path: Path) -> None:
    Image.new("RGB", (8, 8)).save(tmp_path / "seen.png")
    (tmp_path / ".thumbs").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / ".thumbs" / "cached.png")
    Image.new("RGB", (8, 8)).save(tmp_path / ".hidden.png")
    assert inspect_folder(tmp_path).total_files == 1


def test_inspect_empty_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no images here")
    with pytest.raises(AssetganError) as info:
        inspect_folder(tmp_path)
    assert str(info.value) == (
        f"{tmp_path}: no image files found (.png, .jpg, .webp…); point at a folder of images"
    )


def test_inspect_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(AssetganError, match="no such file or folder"):
        inspect_folder(tmp_path / "missing")
