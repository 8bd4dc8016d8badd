"""`load_training_images`: every input mode, fitting, sheets, bad files skipped, duplicates, fingerprint."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from assetgan.core.errors import AssetganError
from assetgan.data.dataset import load_training_images

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "assets" / "samples"


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


def _save_p(path: Path) -> None:
    im = Image.new("P", (8, 8), 0)
    im.putpalette([0, 255, 0, 200, 10, 20] + [0] * 762)  # index 0: green (transparent), 1: red
    im.paste(1, (2, 2, 6, 6))
    im.save(path, transparency=0)


def _save_l(path: Path) -> None:
    Image.new("L", (8, 8), 100).save(path)


def _save_la(path: Path) -> None:
    Image.new("LA", (8, 8), (100, 50)).save(path)


def _save_rgb(path: Path) -> None:
    Image.new("RGB", (8, 8), (10, 20, 30)).save(path)


def _save_rgba(path: Path) -> None:
    a = np.zeros((8, 8, 4), np.uint8)
    a[...] = (77, 66, 55, 0)  # colour hidden under full transparency: must reach training as zeros
    a[2:6, 2:6] = (10, 20, 30, 40)
    Image.fromarray(a).save(path)


def _save_i16(path: Path) -> None:
    a = np.zeros((8, 8), np.uint16)
    a[:, :4] = 65535
    a[:, 4:] = 32896  # 32896 * 255 / 65535 == 128
    Image.fromarray(a).save(path)


def _save_i16_transparent(path: Path) -> None:
    a = np.full((8, 8), 65535, np.uint16)
    a[:, :4] = 0
    Image.fromarray(a).save(path, transparency=0)


def _save_jpeg(path: Path) -> None:
    Image.new("RGB", (8, 8), (200, 100, 50)).save(path, quality=95)


def _save_webp(path: Path) -> None:
    a = np.zeros((8, 8, 4), np.uint8)
    a[:, :4] = (0, 0, 255, 255)
    Image.fromarray(a).save(path, lossless=True)


def _expect_p() -> np.ndarray:
    e = np.zeros((8, 8, 4), np.uint8)
    e[2:6, 2:6] = (200, 10, 20, 255)
    return e


def _expect_i16_transparent() -> np.ndarray:
    e = np.full((8, 8, 4), 255, np.uint8)
    e[:, :4] = 0
    return e


def _expect_i16() -> np.ndarray:
    e = np.full((8, 8, 4), 255, np.uint8)
    e[:, 4:, :3] = 128
    return e


def _expect_rgba() -> np.ndarray:
    e = np.zeros((8, 8, 4), np.uint8)
    e[2:6, 2:6] = (10, 20, 30, 40)
    return e


def _expect_webp() -> np.ndarray:
    e = np.zeros((8, 8, 4), np.uint8)
    e[:, :4] = (0, 0, 255, 255)
    return e


MODES: list[tuple[str, Callable[[Path], None], str, Callable[[], np.ndarray]]] = [
    ("p.png", _save_p, "P", _expect_p),
    ("l.png", _save_l, "L", lambda: np.tile(np.uint8([100, 100, 100, 255]), (8, 8, 1))),
    ("la.png", _save_la, "LA", lambda: np.tile(np.uint8([100, 100, 100, 50]), (8, 8, 1))),
    ("rgb.png", _save_rgb, "RGB", lambda: np.tile(np.uint8([10, 20, 30, 255]), (8, 8, 1))),
    ("rgba.png", _save_rgba, "RGBA", _expect_rgba),
    ("i16.png", _save_i16, "I;16", _expect_i16),
    ("i16t.png", _save_i16_transparent, "I;16", _expect_i16_transparent),
    ("webp.webp", _save_webp, "RGBA", _expect_webp),
]


@pytest.mark.parametrize(("name", "save", "mode", "expect"), MODES, ids=[m[0] for m in MODES])
def test_every_mode_loads_as_straight_rgba(
    tmp_path: Path, name: str, save: Callable[[Path], None], mode: str, expect: Callable[[], np.ndarray]
) -> None:
    path = tmp_path / name
    save(path)
    with Image.open(path) as im:
        assert im.mode == mode  # the file really is in the mode under test
    data = load_training_images(path, size=8, channels=4)
    assert data.images.dtype == np.uint8 and data.images.shape == (1, 8, 8, 4)
    assert data.files == [name]
    np.testing.assert_array_equal(data.images[0], expect())


def test_jpeg_loads_close_to_its_colour(tmp_path: Path) -> None:
    _save_jpeg(tmp_path / "photo.jpg")
    data = load_training_images(tmp_path, size=8, channels=3)
    assert data.images.shape == (1, 8, 8, 3)
    assert np.abs(data.images[0].astype(int) - (200, 100, 50)).max() <= 3


def test_all_modes_in_one_folder_as_textures(tmp_path: Path) -> None:
    for name, save, _, _ in MODES:
        save(tmp_path / name)
    _save_jpeg(tmp_path / "photo.jpg")
    data = load_training_images(tmp_path, size=4, channels=3)
    assert data.images.shape == (len(MODES) + 1, 4, 4, 3) and data.skipped == []


def test_sample_sprites_and_textures() -> None:
    sprites = load_training_images(SAMPLES / "sprites", size=32, channels=4)
    assert sprites.images.shape == (48, 32, 32, 4) and sprites.skipped == []
    assert "mon/boggart.png" in sprites.files and "item/lychee.png" in sprites.files
    assert (sprites.images[..., 3] == 0).any(axis=(1, 2)).all()  # every sprite keeps transparency
    textures = load_training_images(SAMPLES / "textures", size=16, channels=3)
    assert textures.images.shape == (24, 16, 16, 3) and textures.skipped == []


def test_tall_sprite_is_shrunk_to_fit_without_distortion() -> None:
    data = load_training_images(SAMPLES / "sprites" / "mon" / "demon_wings_bat.png", size=32, channels=4)
    assert data.images.shape == (1, 32, 32, 4)


def test_odd_sized_sprite_is_centred_on_transparency(tmp_path: Path) -> None:
    Image.new("RGBA", (5, 9), (250, 1, 2, 255)).save(tmp_path / "thin.png")  # 5 wide, 9 high
    img = load_training_images(tmp_path, size=16, channels=4).images[0]
    y0, x0 = (16 - 9) // 2, (16 - 5) // 2
    assert (img[y0 : y0 + 9, x0 : x0 + 5] == (250, 1, 2, 255)).all()
    assert img[..., 3].sum() == 9 * 5 * 255  # everything else is transparent
    assert (img[img[..., 3] == 0] == 0).all()


def test_non_square_texture_is_centre_cropped(tmp_path: Path) -> None:
    a = np.zeros((7, 12, 3), np.uint8)
    a[:, :, 0] = np.arange(12, dtype=np.uint8) * 10  # column index in red
    Image.fromarray(a).save(tmp_path / "wide.png")
    img = load_training_images(tmp_path, size=7, channels=3).images[0]
    assert img.shape == (7, 7, 3)
    assert list(img[0, :, 0]) == [20, 30, 40, 50, 60, 70, 80]  # columns 2..8 of 12


def test_texture_with_transparency_shows_no_hidden_colour(tmp_path: Path) -> None:
    a = np.zeros((4, 4, 4), np.uint8)
    a[...] = (90, 90, 90, 0)
    a[:2] = (10, 20, 30, 255)
    Image.fromarray(a).save(tmp_path / "holes.png")
    img = load_training_images(tmp_path, size=4, channels=3).images[0]
    assert (img[:2] == (10, 20, 30)).all() and (img[2:] == 0).all()


def test_sheet_tiles_are_named_and_empty_and_duplicate_cells_dropped() -> None:
    data = load_training_images(SAMPLES / "sheet_4x2_32.png", size=32, channels=4, tile=(32, 32))
    assert data.files == [
        "sheet_4x2_32.png#r00c00",
        "sheet_4x2_32.png#r00c01",
        "sheet_4x2_32.png#r00c02",
        "sheet_4x2_32.png#r00c03",
        "sheet_4x2_32.png#r01c00",
        "sheet_4x2_32.png#r01c03",
    ]
    assert (data.empty_cells, data.duplicates) == (1, 1)


def test_sheets_in_subfolders_with_margin_and_spacing_and_a_non_grid_sheet(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    sheet = np.zeros(
        (2 + 8 + 1 + 8 + 2, 2 + 8 + 1 + 8 + 2, 4), np.uint8
    )  # 2x2 cells of 8, margin 2, spacing 1
    for r in range(2):
        for c in range(2):
            y, x = 2 + r * 9, 2 + c * 9
            sheet[y : y + 8, x : x + 8] = (50 * r + 1, 50 * c + 1, 9, 255)
    Image.fromarray(sheet).save(tmp_path / "a" / "b.png")
    Image.new("RGBA", (20, 16), (1, 1, 1, 255)).save(tmp_path / "odd.png")
    skips: list[tuple[Path, str]] = []
    data = load_training_images(
        tmp_path,
        size=8,
        channels=4,
        tile=(8, 8),
        margin=2,
        spacing=1,
        on_skip=lambda p, r: skips.append((p, r)),
    )
    assert data.files == ["a/b.png#r00c00", "a/b.png#r00c01", "a/b.png#r01c00", "a/b.png#r01c01"]
    assert (data.images[3, ..., :3] == (51, 51, 9)).all()
    assert [p.name for p, _ in skips] == ["odd.png"] and "not an exact grid" in skips[0][1]
    assert data.skipped == [("odd.png", skips[0][1])]


def test_bad_files_are_skipped_and_the_rest_load(tmp_path: Path) -> None:
    Image.new("RGBA", (8, 8), (255, 0, 0, 255)).save(tmp_path / "good1.png")
    Image.new("RGB", (8, 8), (0, 0, 255)).save(tmp_path / "good2.png")
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (3, 4, 5)).save(buf, format="PNG")
    png = buf.getvalue()
    (tmp_path / "corrupt.png").write_bytes(png[:16] + b"\x00garbage" * 20)
    (tmp_path / "truncated.png").write_bytes(png[: len(png) // 2])
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "text.png").write_text("hello, I am not a picture")
    (tmp_path / "bomb.png").write_bytes(_bomb_png(30000, 30000))
    Image.new("RGBA", (1, 1), (9, 9, 9, 255)).save(tmp_path / "dot.png")
    Image.new("RGBA", (8, 8), (0, 0, 0, 0)).save(tmp_path / "clear.png")

    skips: list[tuple[Path, str]] = []
    data = load_training_images(tmp_path, size=8, channels=4, on_skip=lambda p, r: skips.append((p, r)))
    assert data.files == ["good1.png", "good2.png"]
    reasons = dict(data.skipped)
    assert sorted(reasons) == [
        "bomb.png",
        "clear.png",
        "corrupt.png",
        "dot.png",
        "empty.png",
        "text.png",
        "truncated.png",
    ]
    assert [(p.name, r) for p, r in skips] == data.skipped
    assert all(isinstance(p, Path) and p.parent == tmp_path for p, _ in skips)
    assert "decompression bomb" in reasons["bomb.png"]
    assert "0-byte" in reasons["empty.png"]
    assert "not a readable image" in reasons["text.png"]
    assert "1x1" in reasons["dot.png"] and "4 px" in reasons["dot.png"]
    assert "fully transparent" in reasons["clear.png"]
    for reason in reasons.values():
        assert "\n" not in reason and "Traceback" not in reason


def test_max_pixels_limit_skips_large_images(tmp_path: Path) -> None:
    Image.new("RGB", (16, 16)).save(tmp_path / "big.png")
    Image.new("RGB", (6, 6), (1, 2, 3)).save(tmp_path / "small.png")
    data = load_training_images(tmp_path, size=8, channels=3, max_pixels=100)
    assert data.files == ["small.png"]
    assert data.skipped[0][0] == "big.png" and "Mpixel limit" in data.skipped[0][1]


def test_duplicates_after_fitting_are_dropped_and_counted(tmp_path: Path) -> None:
    a = np.zeros((8, 8, 4), np.uint8)
    a[2:6, 2:6] = (1, 2, 3, 255)
    Image.fromarray(a).save(tmp_path / "a.png")
    shutil.copyfile(tmp_path / "a.png", tmp_path / "b.png")
    a[0, 0] = (50, 60, 70, 0)  # differs only under a transparent pixel
    Image.fromarray(a).save(tmp_path / "c.png")
    Image.fromarray(a[1:7, 1:7].copy()).save(tmp_path / "d.png")  # same sprite, less padding
    data = load_training_images(tmp_path, size=8, channels=4)
    assert data.files == ["a.png"] and data.duplicates == 3


def test_fingerprint_is_stable_and_tracks_names_and_pixels(tmp_path: Path) -> None:
    for i in range(3):
        Image.new("RGB", (8, 8), (i * 40, 0, 0)).save(tmp_path / f"t{i}.png")
    first = load_training_images(tmp_path, size=8, channels=3).fingerprint
    assert len(first) == 64 and first == load_training_images(tmp_path, size=8, channels=3).fingerprint
    assert first != load_training_images(tmp_path, size=8, channels=4).fingerprint
    (tmp_path / "t2.png").rename(tmp_path / "t9.png")
    renamed = load_training_images(tmp_path, size=8, channels=3).fingerprint
    assert renamed != first
    Image.new("RGB", (8, 8), (81, 0, 0)).save(tmp_path / "t9.png")
    assert load_training_images(tmp_path, size=8, channels=3).fingerprint not in (first, renamed)


def test_no_usable_images_is_an_error_naming_the_path(tmp_path: Path) -> None:
    (tmp_path / "bad.png").write_bytes(b"")
    skips: list[tuple[Path, str]] = []
    with pytest.raises(AssetganError) as info:
        load_training_images(tmp_path, size=8, channels=4, on_skip=lambda p, r: skips.append((p, r)))
    message = str(info.value)
    assert message.startswith(f"{tmp_path}: no usable images") and "\n" not in message
    assert len(skips) == 1


def test_empty_folder_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(AssetganError, match="no image files found"):
        load_training_images(tmp_path, size=8, channels=4)
    with pytest.raises(AssetganError, match="no such file or folder"):
        load_training_images(tmp_path / "nope", size=8, channels=4)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"size": 2, "channels": 4}, "image size 2"),
        ({"size": 8, "channels": 2}, "channels 2"),
        ({"size": 8, "channels": 4, "tile": (2, 2)}, "tile size 2x2"),
        ({"size": 8, "channels": 4, "tile": (8, 8), "margin": -1}, "margin -1"),
    ],
)
def test_bad_parameters_are_errors(tmp_path: Path, kwargs: dict, match: str) -> None:
    Image.new("RGB", (8, 8)).save(tmp_path / "x.png")
    with pytest.raises(AssetganError, match=match):
        load_training_images(tmp_path, **kwargs)


def test_data_modules_import_without_torch() -> None:
    code = (
        "import sys\n"
        "import assetgan.data.dataset, assetgan.data.inspect, assetgan.data.slicing\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
        "import assetgan.cli.data_cmd\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)
