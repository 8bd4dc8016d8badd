"""`stylize --pixel-art`: grid detection, native-size stylizing that keeps the grid and alpha, the CLI's lines."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.core.errors import AssetganError
from assetgan.runtime.pixel_grid import (
    MAX_FACTOR,
    WORK_SCALE,
    PixelArtMode,
    detect_grid,
    from_native,
    parse_pixel_art,
    to_native,
)
from assetgan.runtime.stylize import open_style_model
from assetgan.runtime.stylize_io import encode_result, read_for_stylize, stylize_image

from .conftest import ROOT, TEXTURES, one_line_error

runner = CliRunner()
SAMPLES = ROOT / "assets" / "samples"
SCREENSHOT = SAMPLES / "dungeon_1080p.png"  # built at 3x from 32px tiles (make_screenshot.py)
SHEET = SAMPLES / "sheet_4x2_32.png"  # 128x64 RGBA, one fully transparent cell


def up(img: np.ndarray, k: int) -> np.ndarray:
    """Nearest-neighbour upscale by k."""
    return np.repeat(np.repeat(img, k, 0), k, 1)


def native_frame(h: int = 60, w: int = 80) -> np.ndarray:
    """A crop of the screenshot at its native (1x) size: real pixel art."""
    return np.asarray(Image.open(SCREENSHOT).convert("RGB"))[::3, ::3][100 : 100 + h, 200 : 200 + w].copy()


def keeps_grid(img: np.ndarray, grid) -> bool:
    """Every k x k block of `img` is one colour."""
    return np.array_equal(from_native(to_native(img, grid), grid), img)


@pytest.fixture(scope="module")
def style(tiny_style_model):
    return open_style_model(tiny_style_model, ["CPUExecutionProvider"])


# ----- detection -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("k", [2, 3, 6])
def test_detects_integer_upscales(k):
    native = native_frame()
    grid = detect_grid(up(native, k))
    assert grid is not None and (grid.factor, grid.offset_y, grid.offset_x) == (k, 0, 0)
    assert (grid.native_height, grid.native_width) == native.shape[:2]
    assert np.array_equal(to_native(up(native, k), grid), native)
    noise = np.random.default_rng(k).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    assert detect_grid(up(noise, k)).factor == k


def test_the_sample_screenshot_is_a_3x_frame():
    rgb = np.asarray(Image.open(SCREENSHOT).convert("RGB"))
    grid = detect_grid(rgb)
    assert grid is not None and grid.factor == 3 and grid.describe() == "3x (640x360 native)"


def test_a_cropped_frame_has_an_offset_and_round_trips_exactly():
    big = up(native_frame(), 6)[5:-2, 2:-3]  # cut through blocks on every side
    grid = detect_grid(big)
    assert (grid.factor, grid.offset_y, grid.offset_x) == (6, 1, 4)
    assert "grid offset 4,1" in grid.describe()
    assert np.array_equal(from_native(to_native(big, grid), grid), big)


def test_hidden_colours_under_alpha_zero_do_not_break_the_grid():
    rgb = up(native_frame(), 4)
    alpha = np.full(rgb.shape[:2], 255, np.uint8)
    alpha[:, :80] = 0
    rgb[:, :80] = np.random.default_rng(0).integers(0, 256, (rgb.shape[0], 80, 3), dtype=np.uint8)
    assert detect_grid(rgb) is None
    assert detect_grid(rgb, alpha).factor == 4


def test_large_blocks_are_capped():
    noise = np.random.default_rng(1).integers(0, 256, (10, 12, 3), dtype=np.uint8)
    grid = detect_grid(up(noise, 48))
    assert grid.factor == 24 <= MAX_FACTOR and keeps_grid(up(noise, 48), grid)


def _smooth(h: int, w: int) -> np.ndarray:
    img = Image.open(SCREENSHOT).convert("RGB").crop((300, 200, 300 + 4 * w, 200 + 4 * h))
    return np.asarray(img.resize((w, h), Image.BILINEAR))


def _negatives() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    flat = np.full((240, 320, 3), 90, np.uint8)
    box = flat.copy()
    box[40:140, 60:260] = 200  # two edges per axis, 100 and 200 pixels apart
    steps = np.repeat((np.arange(320) // 4).astype(np.uint8)[None, :, None], 240, 0).repeat(3, 2)  # x only
    cases = {"noise": rng.integers(0, 256, (240, 320, 3), dtype=np.uint8), "smooth": _smooth(180, 320),
             "smooth 4x": _smooth(720, 1280), "flat": flat, "one box": box, "steps on one axis": steps,
             "jpeg photo": np.asarray(Image.open(ROOT / "assets" / "docs" / "monet-dungeon-before-after.jpg")
                                      .convert("RGB"))}
    for path in sorted(TEXTURES.rglob("*.png"))[:8]:
        cases[path.name] = np.asarray(Image.open(path).convert("RGB"))
    return cases


def test_no_grid_in_photos_textures_noise_or_flat_images():
    for name, img in _negatives().items():
        assert detect_grid(img) is None, name
    flat = np.zeros((64, 64, 3), np.uint8)
    assert detect_grid(flat, np.zeros((64, 64), np.uint8)) is None


def test_on_trusts_fewer_edges_than_auto(style):
    native = np.zeros((12, 16, 3), np.uint8)
    native[3:6, 5:12] = (200, 40, 40)  # one red box, 3 x 7 native pixels: 2 edges per axis
    img = up(native, 5)
    assert detect_grid(img) is None
    assert detect_grid(img, min_lines=2).factor == 5
    res = stylize_image(style, img, None, "a2b", pixel_art=PixelArtMode.on)
    assert res.grid.factor == 5 and keeps_grid(res.rgb, res.grid)


# ----- stylizing -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", [PixelArtMode.auto, PixelArtMode.on])
@pytest.mark.parametrize("k", [2, 3, 6])
def test_output_keeps_the_grid(style, mode, k):
    img = up(native_frame(36, 52), k)
    res = stylize_image(style, img, None, "a2b", pixel_art=mode)
    assert res.grid.factor == k and res.rgb.shape == img.shape and res.rgb.dtype == np.uint8
    assert keeps_grid(res.rgb, res.grid)
    # the native frame stylized at min(k, 3) times its size, each s x s block averaged back to one pixel
    s = min(k, WORK_SCALE)
    styled = style.stylize(up(native_frame(36, 52), s), "a2b").astype(np.float64)
    expected = np.rint(styled.reshape(36, s, 52, s, 3).mean(axis=(1, 3))).astype(np.uint8)
    assert np.abs(to_native(res.rgb, res.grid).astype(int) - expected).max() <= 1  # float32 vs float64 means
    assert res.note.endswith(f"stylized at {s}x native size")
    off = stylize_image(style, img, None, "a2b", pixel_art=PixelArtMode.off)
    assert off.grid is None and off.note is None and not keeps_grid(off.rgb, res.grid)


def test_small_sprites_and_sheets_run_at_native_size(style):
    sheet_rgb, sheet_alpha = read_for_stylize(SHEET)
    sprite = sheet_rgb[:32, :32]
    for rgb, alpha, k in [(sprite, sheet_alpha[:32, :32], 2), (sheet_rgb, sheet_alpha, 4)]:
        res = stylize_image(style, up(rgb, k), up(alpha, k), "b2a", pixel_art=PixelArtMode.auto)
        assert res.grid.factor == k and res.rgb.shape == up(rgb, k).shape and keeps_grid(res.rgb, res.grid)


def test_alpha_and_hidden_colours_are_kept(style):
    rgb, alpha = read_for_stylize(SHEET)
    rgb, alpha = up(rgb, 4), up(alpha, 4)
    hidden = alpha == 0
    rgb[hidden] = np.random.default_rng(2).integers(0, 256, (int(hidden.sum()), 3), dtype=np.uint8)
    res = stylize_image(style, rgb, alpha, "a2b", strength=0.7, pixel_art=PixelArtMode.auto)
    assert res.grid.factor == 4
    assert np.array_equal(res.rgb[hidden], rgb[hidden])  # what lay under alpha 0 stays as it was
    shown = ~hidden
    assert np.array_equal(from_native(to_native(res.rgb, res.grid), res.grid)[shown], res.rgb[shown])


def test_no_grid_falls_back_to_the_full_resolution_run(style):
    img = _smooth(48, 64)
    for mode in (PixelArtMode.auto, PixelArtMode.on):
        res = stylize_image(style, img, None, "a2b", pixel_art=mode)
        assert res.grid is None and "no integer pixel grid found" in res.note
        assert np.array_equal(res.rgb, style.stylize(img, "a2b"))


def test_parse_pixel_art():
    assert parse_pixel_art("AUTO") is PixelArtMode.auto and parse_pixel_art(PixelArtMode.off) is PixelArtMode.off
    with pytest.raises(AssetganError, match="--pixel-art maybe"):
        parse_pixel_art("maybe")


# ----- CLI -------------------------------------------------------------------------------------------------
@pytest.fixture()
def frames(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    Image.fromarray(up(native_frame(30, 40), 6)).save(folder / "dungeon.png")
    sheet = np.asarray(Image.open(SHEET))
    Image.fromarray(up(sheet, 4)).save(folder / "sheet.png")
    Image.fromarray(_smooth(40, 56)).save(folder / "photo.png")
    return folder


def _run(model, src, out, *extra):
    r = runner.invoke(app, ["stylize", str(model), str(src), "--out", str(out), *extra])
    assert r.exit_code == 0, r.output
    return r


def test_cli_says_what_it_did_per_image(tiny_style_model, frames, tmp_path):
    r = _run(tiny_style_model, frames, tmp_path / "auto")
    lines = [line for line in r.stderr.splitlines() if "pixel" in line]
    assert sorted(lines) == sorted([
        f"{frames / 'dungeon.png'}: pixel art at 6x (40x30 native), stylized at 3x native size",
        f"{frames / 'photo.png'}: no integer pixel grid found; stylizing at full resolution",
        f"{frames / 'sheet.png'}: pixel art at 4x (128x64 native), stylized at 3x native size"])
    out = np.asarray(Image.open(tmp_path / "auto" / "sheet.sprite.png"))
    src = np.asarray(Image.open(frames / "sheet.png"))
    assert np.array_equal(out[..., 3], src[..., 3])
    assert keeps_grid(out, detect_grid(src[..., :3], src[..., 3]))
    r = _run(tiny_style_model, frames / "photo.png", tmp_path / "on", "--pixel-art", "on")
    assert "photo.png: no integer pixel grid found; stylizing at full resolution" in r.stderr
    r = _run(tiny_style_model, frames, tmp_path / "off", "--pixel-art", "off")
    assert "pixel" not in r.stderr


def test_cli_off_is_the_plain_run_byte_for_byte(tiny_style_model, frames, tmp_path):
    _run(tiny_style_model, frames, tmp_path / "off", "--pixel-art", "off")
    _run(tiny_style_model, frames, tmp_path / "default")
    style = open_style_model(tiny_style_model, ["CPUExecutionProvider"])
    for name in ("dungeon", "sheet", "photo"):
        rgb, alpha = read_for_stylize(frames / f"{name}.png")
        before = encode_result(style.stylize(rgb, "a2b"), alpha)  # what stylize wrote before --pixel-art
        assert (tmp_path / "off" / f"{name}.sprite.png").read_bytes() == before, name
    assert (tmp_path / "default" / "photo.sprite.png").read_bytes() == \
        (tmp_path / "off" / "photo.sprite.png").read_bytes()
    assert (tmp_path / "default" / "dungeon.sprite.png").read_bytes() != \
        (tmp_path / "off" / "dungeon.sprite.png").read_bytes()


def test_cli_bad_pixel_art_value(tiny_style_model, frames, tmp_path):
    r = runner.invoke(app, ["stylize", str(tiny_style_model), str(frames), "--out", str(tmp_path / "o"),
                            "--pixel-art", "maybe"])
    one_line_error(r, "--pixel-art maybe", "auto", "on", "off")
    assert not (tmp_path / "o").exists()
