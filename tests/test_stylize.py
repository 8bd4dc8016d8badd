"""Style transfer runtime and `assetgan stylize`: tiling equivalence, sizes, modes, alpha, EXIF and bad input."""

from __future__ import annotations

import shutil
import struct
import zlib

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.core.errors import AssetganError, ModelError
from assetgan.runtime.stylize import BORDER, Cancelled, open_style_model
from assetgan.runtime.stylize_io import expand_inputs, plan_jobs, read_for_stylize
from assetgan.runtime.tiling import Blend, plan_tiles, tile_weight

from .conftest import ROOT, one_line_error

runner = CliRunner()
SCREENSHOT = ROOT / "assets" / "samples" / "dungeon_1080p.png"


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def _photo(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A crop of the committed CC0 screenshot, resized: real edges and colours at any size."""
    img = Image.open(SCREENSHOT).convert("RGB").crop((300, 200, 300 + 4 * w, 200 + 4 * h))
    return np.asarray(img.resize((w, h), Image.BILINEAR))


@pytest.fixture(scope="module")
def style(tiny_style_model):
    return open_style_model(tiny_style_model, ["CPUExecutionProvider"])


# ----- tiling ---------------------------------------------------------------------------------------------
def test_tiles_cover_the_canvas_and_weights_sum_to_one():
    h, w, ov = 200, 328, 16
    tiles = plan_tiles(h, w, 64, ov, 8)
    acc = np.zeros((h, w))
    for t in tiles:
        assert t.y0 % 8 == 0 and t.x0 % 8 == 0 and (t.y1 - t.y0) % 8 == 0 and (t.x1 - t.x0) % 8 == 0
        acc[t.y0 : t.y1, t.x0 : t.x1] += tile_weight(t, h, w, ov)
    assert len(tiles) > 4 and np.allclose(acc, 1.0, atol=1e-5)


@pytest.mark.parametrize("h, w, tile, ov, m", [(200, 328, 64, 16, 8), (2400 // 8, 3840 // 8, 128, 32, 8),
                                                (72, 520, 64, 32, 8), (64, 64, 64, 16, 8), (96, 200, 16, 8, 4)])
def test_blend_copies_single_cover_pixels_and_equals_a_whole_image_accumulator(h, w, tile, ov, m):
    rng = np.random.default_rng(h + w)
    tiles = plan_tiles(h, w, tile, ov, m)
    ov = -(-ov // m) * m
    outs = [rng.integers(0, 256, (t.y1 - t.y0, t.x1 - t.x0, 3), dtype=np.uint8) for t in tiles]
    acc, wsum = np.zeros((h, w, 3), np.float32), np.zeros((h, w, 1), np.float32)
    blend = Blend(tiles, h, w, ov)
    for t, out in zip(tiles, outs):
        wt = tile_weight(t, h, w, ov)[..., None]
        acc[t.y0 : t.y1, t.x0 : t.x1] += out * wt
        wsum[t.y0 : t.y1, t.x0 : t.x1] += wt
        blend.add(t, out)
    expected = np.clip(np.rint(acc / wsum), 0, 255).astype(np.uint8)
    assert np.array_equal(blend.finish(), expected)


def test_blend_refuses_tiles_that_are_not_a_grid():
    tiles = plan_tiles(128, 128, 32, 8, 8)
    with pytest.raises(ValueError, match="not a grid"):
        Blend(tiles[:-1], 128, 128, 8)


def test_tiled_matches_whole_image(style):
    img = _photo(252, 316)  # not multiples of 8: padded, then cropped back; 5 x 4 tiles
    whole = style.stylize(img, "a2b")
    tiled = style.stylize(img, "a2b", tile=64, overlap=64, stats_pixels=10**9)
    assert tiled.shape == whole.shape == img.shape
    assert psnr(tiled, whole) >= 38.0


def test_tiles_without_shared_statistics_would_shift_colours(style):
    """The control for the test above: per-tile statistics (what naive tiling does) differ much more."""
    img = _photo(136, 200)
    whole = style.stylize(img, "a2b").astype(np.float64)
    naive = np.zeros_like(whole)
    for y in range(0, 136, 72):
        for x in range(0, 200, 104):
            naive[y : y + 72, x : x + 104] = style.stylize(np.ascontiguousarray(img[y : y + 72, x : x + 104]))
    shared = style.stylize(img, "a2b", tile=64, overlap=64, stats_pixels=10**9).astype(np.float64)
    assert np.abs(naive - whole).mean() > 2 * np.abs(shared - whole).mean()


@pytest.mark.parametrize("h, w", [(1, 1), (7, 13), (33, 65), (64, 64)])
def test_any_size_round_trips(style, h, w):
    img = np.random.default_rng(h * w).integers(0, 256, (h, w, 3), dtype=np.uint8)
    for d in ("a2b", "b2a"):
        assert style.stylize(img, d).shape == (h, w, 3)


def test_the_network_sees_a_reflected_margin_on_every_side(style):
    img = _photo(40, 56)
    canvas = np.pad(img, ((BORDER, BORDER), (BORDER, BORDER), (0, 0)), mode="reflect")
    assert np.array_equal(style.canvas(img)[: canvas.shape[0], : canvas.shape[1]], canvas)
    direct = style.run_graph("a2b", style.pad(canvas), None)[0][BORDER : BORDER + 40, BORDER : BORDER + 56]
    assert np.array_equal(style.stylize(img), direct)
    # without the margin the outer pixels come from the network's own (zero-padded) border behaviour
    edge = style.run_graph("a2b", style.pad(img), None)[0][:40, :56]
    assert not np.array_equal(edge[:, :2], direct[:, :2])


def test_strength_blends_with_the_input(style):
    img = _photo(48, 64)
    assert np.array_equal(style.stylize(img, strength=0.0), img)
    full = style.stylize(img).astype(np.float64)
    half = style.stylize(img, strength=0.5).astype(np.float64)
    assert np.abs(half - (img + full) / 2).max() <= 1.0


def test_cancel_stops_a_tiled_run(style):
    class StopNow:
        def update(self, done, total, metrics=None):
            pass

        def aborted(self):
            return True

    with pytest.raises(Cancelled):
        style.stylize(_photo(136, 200), tile=64, progress=StopNow())


def test_bad_arguments(style):
    img = _photo(32, 32)
    with pytest.raises(AssetganError, match="--direction"):
        style.stylize(img, "sideways")
    with pytest.raises(AssetganError, match="--strength"):
        style.stylize(img, strength=1.5)
    with pytest.raises(AssetganError, match="--tile"):
        style.stylize(img, tile=8)


def test_dcgan_model_is_refused(tiny_model):
    with pytest.raises(ModelError, match="assetgan generate"):
        open_style_model(tiny_model)


# ----- files ------------------------------------------------------------------------------------------------
def _save(path, img, **kw):
    Image.fromarray(img).save(path, **kw)
    return path


@pytest.fixture()
def inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    rgb = _photo(40, 56)
    _save(folder / "rgb.png", rgb)
    rgba = np.dstack([rgb, np.tile(np.arange(56, dtype=np.uint8) * 4, (40, 1))])
    _save(folder / "alpha.png", rgba)
    _save(folder / "grey.png", rgb[..., 0])
    Image.fromarray(rgb).convert("P").save(folder / "palette.png")
    Image.fromarray(rgb).convert("CMYK").save(folder / "cmyk.jpg")
    Image.fromarray(rgb[..., 1].astype(np.uint16) * 257).save(folder / "deep16.png")
    return folder


def test_modes_alpha_and_exif(inputs, tmp_path):
    for name in ("grey.png", "palette.png", "cmyk.jpg", "deep16.png", "rgb.png"):
        rgb, alpha = read_for_stylize(inputs / name)
        assert rgb.shape == (40, 56, 3) and rgb.dtype == np.uint8 and alpha is None, name
    rgb, alpha = read_for_stylize(inputs / "alpha.png")
    assert alpha is not None and alpha[0, 10] == 40
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    Image.fromarray(_photo(40, 56)).save(tmp_path / "rot.jpg", exif=exif.tobytes())
    assert read_for_stylize(tmp_path / "rot.jpg")[0].shape == (56, 40, 3)


def test_cli_stylizes_a_folder_and_passes_alpha_through(tiny_style_model, inputs, tmp_path):
    r = runner.invoke(app, ["stylize", str(tiny_style_model), str(inputs), "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    outs = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert outs == sorted(f"{p.stem}.sprite.png" for p in inputs.iterdir())
    src = np.asarray(Image.open(inputs / "alpha.png"))
    got = np.asarray(Image.open(tmp_path / "out" / "alpha.sprite.png"))
    assert got.shape == src.shape and np.array_equal(got[..., 3], src[..., 3])
    assert r.stdout.count("\n") == len(outs)  # one written path per line on stdout


def test_cli_goes_on_past_a_corrupt_file(tiny_style_model, inputs, tmp_path):
    (inputs / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    data = (inputs / "rgb.png").read_bytes()
    (inputs / "truncated.png").write_bytes(data[: len(data) // 2])
    r = runner.invoke(app, ["stylize", str(tiny_style_model), str(inputs), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2, r.output
    assert "broken.png" in r.stderr and "truncated.png" in r.stderr and "skipped" in r.stderr
    assert len(list((tmp_path / "out").iterdir())) == 6


def test_cli_glob_and_b2a_direction(tiny_style_model, inputs, tmp_path):
    r = runner.invoke(app, ["stylize", str(tiny_style_model), str(inputs / "*.png"), "--out",
                            str(tmp_path / "o"), "--direction", "b2a", "--tile", "64"])
    assert r.exit_code == 0, r.output
    assert {p.name for p in (tmp_path / "o").iterdir()} == {f"{p.stem}.texture.png" for p in inputs.glob("*.png")}


def _huge_png(path, side=16000):
    """A PNG whose header claims side x side pixels (the body is tiny and never decoded)."""
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(  # noqa: E731
        ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 10))
                     + chunk(b"IEND", b""))
    return path


def test_cli_refuses_huge_images_cleanly(tiny_style_model, tmp_path):
    big = _huge_png(tmp_path / "huge.png")
    r = runner.invoke(app, ["stylize", str(tiny_style_model), str(big), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "huge.png" in r.stderr and "Mpixel limit" in r.stderr, r.output


def test_cli_never_overwrites_inputs_or_results(tiny_style_model, inputs, tmp_path):
    r = runner.invoke(app, ["stylize", str(tiny_style_model), str(inputs / "rgb.png"), "--suffix", ""])
    one_line_error(r, "rgb.png", "overwrite an input")
    out = tmp_path / "o"
    assert runner.invoke(app, ["stylize", str(tiny_style_model), str(inputs / "rgb.png"), "--out", str(out)]
                         ).exit_code == 0
    r = runner.invoke(app, ["stylize", str(tiny_style_model), str(inputs / "rgb.png"), "--out", str(out)])
    one_line_error(r, "already exists", "--overwrite")
    r = runner.invoke(app, ["stylize", str(tiny_style_model), str(inputs / "rgb.png"), "--out", str(out),
                            "--overwrite"])
    assert r.exit_code == 0, r.output


def test_cli_bad_inputs_are_one_line_errors(tiny_style_model, tiny_model, inputs, tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    cases = [
        (["stylize", str(tiny_style_model), str(inputs), "--out", str(a_file)], ["is a file"]),
        (["stylize", str(tiny_model), str(inputs / "rgb.png")], ["dcgan", "assetgan generate"]),
        (["generate", str(tiny_style_model), "--out", str(tmp_path / "g")], ["cyclegan", "assetgan stylize"]),
        (["stylize", str(tiny_style_model), str(tmp_path / "nope.png")], ["nope.png", "no such file"]),
        (["stylize", str(tiny_style_model), str(tmp_path / "*.webp")], ["matches no image"]),
        (["stylize", str(tiny_style_model), str(inputs), "--strength", "2"], ["--strength 2"]),
        (["stylize", str(tiny_style_model)], ["no input images"]),
        (["stylize", str(a_file.with_suffix(".onnx")), str(inputs)], ["file.onnx", "not found"]),
    ]
    for args, needles in cases:
        one_line_error(runner.invoke(app, args), *needles)


def test_plan_jobs_names_distinct_outputs(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    files = [_save(tmp_path / d / "shot.png", _photo(16, 16)) for d in ("a", "b")]
    jobs = plan_jobs(files, tmp_path / "out", ".monet")
    assert [j.dst.name for j in jobs] == ["shot.monet.png", "shot.monet-2.png"]
    assert expand_inputs([tmp_path / "a", tmp_path / "a" / "shot.png"]) == [files[0]]


def test_default_model_is_the_shipped_monet(tmp_path, inputs):
    if not (ROOT / "trained" / "monet.onnx").exists():
        pytest.skip("trained/monet.onnx not shipped in this checkout")
    shutil.copy(inputs / "rgb.png", tmp_path / "shot.png")
    r = runner.invoke(app, ["stylize", str(tmp_path / "shot.png"), "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "o" / "shot.monet.png").is_file()


def test_evaluate_a_cyclegan_model(tiny_style_model, tmp_path):
    from .conftest import SPRITES, TEXTURES

    out = tmp_path / "eval.json"
    r = runner.invoke(app, ["evaluate", str(tiny_style_model), "--real", str(SPRITES), "--inputs", str(TEXTURES),
                            "--n", "16", "--json", str(out)])
    assert r.exit_code == 0, r.output
    import json

    f = json.loads(out.read_text())
    assert f["n_generated"] == 16 and 0 < f["content_ssim_luma"] <= 1
    assert f["style_distance"] == pytest.approx(f["swd_outputs_to_target_x1e3"] / f["swd_inputs_to_target_x1e3"])
    r = runner.invoke(app, ["evaluate", str(tiny_style_model), "--real", str(SPRITES)])
    one_line_error(r, "--inputs")


def test_icc_profiles_are_applied_and_a_broken_one_is_ignored(tmp_path, monkeypatch):
    from PIL import ImageCms

    calls = []
    real = ImageCms.profileToProfile
    monkeypatch.setattr(ImageCms, "profileToProfile", lambda *a, **k: calls.append(1) or real(*a, **k))
    rgb = _photo(24, 32)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.fromarray(rgb).save(tmp_path / "tagged.png", icc_profile=srgb)
    Image.fromarray(rgb).save(tmp_path / "broken.png", icc_profile=b"not a profile")
    got, _ = read_for_stylize(tmp_path / "tagged.png")  # sRGB -> sRGB through littleCMS: the same colours
    assert got.shape == rgb.shape and np.abs(got.astype(int) - rgb).max() <= 2 and calls == [1]
    assert np.array_equal(read_for_stylize(tmp_path / "broken.png")[0], rgb)
