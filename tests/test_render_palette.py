"""Tests for assetgan.render.palette: palette files, nearest-colour quantisation and palette learning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from assetgan.core.errors import AssetganError
from assetgan.render import palette as palette_mod
from assetgan.render.palette import learn_palette, load_palette, palette_to_hex, parse_palette_spec, quantize

GPL = """GIMP Palette
Name: Test
Columns: 4
# a comment
  0   0   0\tBlack
255 255 255 White

 255 0 0
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- load_palette: .gpl ---------------------------------------------------------------------------


def test_load_gpl_with_header_name_columns_comments_and_blank_lines(tmp_path: Path) -> None:
    pal = load_palette(write(tmp_path, "p.gpl", GPL))
    assert pal.dtype == np.uint8
    assert pal.tolist() == [[0, 0, 0], [255, 255, 255], [255, 0, 0]]


def test_load_gpl_windows_line_endings_bom_and_upper_case_suffix(tmp_path: Path) -> None:
    path = tmp_path / "P.GPL"
    path.write_bytes(b"\xef\xbb\xbfGIMP Palette\r\n1 2 3\r\n")
    assert load_palette(path).tolist() == [[1, 2, 3]]


def test_gpl_without_header_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "nohead.gpl", "0 0 0\n")
    with pytest.raises(AssetganError, match=r"nohead\.gpl: line 1: .*GIMP Palette"):
        load_palette(path)


@pytest.mark.parametrize("bad", ["0 0", "1 2 x", "0 0 256", "-1 0 0", "red green blue"])
def test_gpl_bad_line_names_file_and_line_number(tmp_path: Path, bad: str) -> None:
    path = write(tmp_path, "bad.gpl", f"GIMP Palette\n# ok\n0 0 0\n{bad}\n")
    with pytest.raises(AssetganError, match=r"bad\.gpl: line 4: .*fix or delete the line") as info:
        load_palette(path)
    assert "\n" not in str(info.value)


def test_gpl_without_colours(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.gpl", "GIMP Palette\nName: nothing\n# none\n")
    with pytest.raises(AssetganError, match=r"empty\.gpl: contains no colours"):
        load_palette(path)


def test_gpl_more_than_256_colours(tmp_path: Path) -> None:
    body = "".join(f"{i % 256} {i // 256} 0\n" for i in range(257))
    path = write(tmp_path, "big.gpl", "GIMP Palette\n" + body)
    with pytest.raises(AssetganError, match=r"big\.gpl: has 257 colours, more than 256"):
        load_palette(path)
    path = write(tmp_path, "ok.gpl", "GIMP Palette\n" + body.split("\n", 1)[1])
    assert load_palette(path).shape == (256, 3)


# --- load_palette: .hex and generic errors --------------------------------------------------------


def test_load_hex_with_and_without_hash(tmp_path: Path) -> None:
    pal = load_palette(write(tmp_path, "p.hex", "ff0000\n#00FF00\n\n  0000ff  \n"))
    assert pal.tolist() == [[255, 0, 0], [0, 255, 0], [0, 0, 255]]


@pytest.mark.parametrize("bad", ["ff00", "gg0000", "#ff00001", "ff 00 00"])
def test_hex_bad_line_names_file_and_line_number(tmp_path: Path, bad: str) -> None:
    path = write(tmp_path, "bad.hex", f"000000\n\n{bad}\n")
    with pytest.raises(AssetganError, match=r"bad\.hex: line 3: "):
        load_palette(path)


def test_hex_without_colours(tmp_path: Path) -> None:
    with pytest.raises(AssetganError, match=r"none\.hex: contains no colours"):
        load_palette(write(tmp_path, "none.hex", "\n\n"))


def test_hex_more_than_256_colours(tmp_path: Path) -> None:
    path = write(tmp_path, "big.hex", "".join(f"{i:06x}\n" for i in range(300)))
    with pytest.raises(AssetganError, match=r"big\.hex: has 300 colours"):
        load_palette(path)


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(AssetganError, match=r"missing\.gpl: no such palette file"):
        load_palette(tmp_path / "missing.gpl")


def test_unknown_extension_names_file_and_formats(tmp_path: Path) -> None:
    path = write(tmp_path, "p.act", "000000\n")
    with pytest.raises(AssetganError, match=r"p\.act: unknown palette format '\.act'; use a GIMP \.gpl or"):
        load_palette(path)


def test_folder_and_binary_file(tmp_path: Path) -> None:
    (tmp_path / "dir.gpl").mkdir()
    with pytest.raises(AssetganError, match=r"dir\.gpl: is a folder"):
        load_palette(tmp_path / "dir.gpl")
    (tmp_path / "bin.hex").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(AssetganError, match=r"bin\.hex: is not a UTF-8 text file"):
        load_palette(tmp_path / "bin.hex")


# --- parse_palette_spec / palette_to_hex ----------------------------------------------------------


def test_spec_list_of_hex_strings_round_trips_through_palette_to_hex() -> None:
    pal = parse_palette_spec(["#FF8800", "000000", "#0a0b0c"])
    assert pal.tolist() == [[255, 136, 0], [0, 0, 0], [10, 11, 12]]
    assert palette_to_hex(pal) == ["#ff8800", "#000000", "#0a0b0c"]
    assert parse_palette_spec(palette_to_hex(pal)).tolist() == pal.tolist()


def test_spec_path_string_and_comma_list(tmp_path: Path) -> None:
    path = write(tmp_path, "p.hex", "112233\n")
    assert parse_palette_spec(str(path)).tolist() == [[17, 34, 51]]
    assert parse_palette_spec(path).tolist() == [[17, 34, 51]]
    assert parse_palette_spec("#000000, ffffff").tolist() == [[0, 0, 0], [255, 255, 255]]


def test_spec_errors_name_the_value(tmp_path: Path) -> None:
    with pytest.raises(AssetganError, match=r"palette colour 2 \('nope'\)"):
        parse_palette_spec(["#000000", "nope"])
    with pytest.raises(AssetganError, match=r"contains no colours"):
        parse_palette_spec([])
    with pytest.raises(AssetganError, match=r"more than 256"):
        parse_palette_spec(["#000000"] * 257)
    with pytest.raises(AssetganError, match=r"palette 'not-a-palette'"):
        parse_palette_spec("not-a-palette")
    with pytest.raises(AssetganError, match=r"gone\.gpl: no such palette file"):
        parse_palette_spec(str(tmp_path / "gone.gpl"))


# --- quantize -------------------------------------------------------------------------------------

PAL = np.array([[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 0, 255]], dtype=np.uint8)


def brute_force_nearest(rgb: np.ndarray, pal: np.ndarray) -> np.ndarray:
    d = ((rgb[:, None, :].astype(np.int64) - pal[None, :, :].astype(np.int64)) ** 2).sum(-1)
    return pal[d.argmin(axis=1)]


def test_quantize_picks_nearest_and_keeps_alpha() -> None:
    img = np.array(
        [[[10, 10, 10, 200], [250, 240, 245, 255], [200, 30, 20, 1], [0, 0, 0, 0]]], dtype=np.uint8
    )
    img[0, 3, :3] = (200, 200, 200)  # fully transparent pixels lose their colour
    out = quantize(img, PAL)
    assert out.tolist() == [[[0, 0, 0, 200], [255, 255, 255, 255], [255, 0, 0, 1], [0, 0, 0, 0]]]
    assert img[0, 3].tolist() == [200, 200, 200, 0]  # input untouched


def test_quantize_rgb_and_ties_go_to_lowest_index() -> None:
    pal = np.array([[0, 0, 0], [10, 10, 10], [20, 20, 20], [0, 0, 0]], dtype=np.uint8)
    img = np.array([[[5, 5, 5], [15, 15, 15], [0, 0, 0]]], dtype=np.uint8)
    out = quantize(img, pal)
    assert out.shape == img.shape
    assert out.tolist() == [[[0, 0, 0], [10, 10, 10], [0, 0, 0]]]


def test_quantize_in_many_row_chunks_matches_brute_force(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(palette_mod, "_CHUNK_ELEMENTS", 64)  # forces one row per chunk
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, size=(17, 9, 3), dtype=np.uint8)
    pal = rng.integers(0, 256, size=(23, 3), dtype=np.uint8)
    out = quantize(img, pal)
    assert np.array_equal(out.reshape(-1, 3), brute_force_nearest(img.reshape(-1, 3), pal))


@settings(max_examples=40, deadline=None)
@given(
    img=arrays(np.uint8, st.tuples(st.integers(1, 6), st.integers(1, 6), st.sampled_from([3, 4]))),
    pal=arrays(np.uint8, st.tuples(st.integers(1, 12), st.just(3))),
)
def test_quantize_property_colours_in_palette_alpha_unchanged(img: np.ndarray, pal: np.ndarray) -> None:
    out = quantize(img, pal)
    assert out.shape == img.shape and out.dtype == np.uint8
    rgb = out[..., :3].reshape(-1, 3)
    if img.shape[2] == 4:
        assert np.array_equal(out[..., 3], img[..., 3])
        visible = img[..., 3].reshape(-1) > 0
        assert not out.reshape(-1, 4)[~visible].any()
    else:
        visible = np.ones(len(rgb), dtype=bool)
    pal_set = {tuple(c) for c in pal.tolist()}
    assert {tuple(c) for c in rgb[visible].tolist()} <= pal_set
    assert np.array_equal(rgb[visible], brute_force_nearest(img[..., :3].reshape(-1, 3)[visible], pal))


def test_quantize_rejects_bad_arrays() -> None:
    with pytest.raises(ValueError, match="uint8"):
        quantize(np.zeros((2, 2, 3), dtype=np.float32), PAL)
    with pytest.raises(ValueError, match="palette"):
        quantize(np.zeros((2, 2, 3), dtype=np.uint8), np.zeros((0, 3), dtype=np.uint8))


# --- learn_palette --------------------------------------------------------------------------------


def test_learn_palette_returns_exact_colours_when_few_sorted_by_luminance() -> None:
    imgs = np.zeros((2, 4, 4, 4), dtype=np.uint8)
    imgs[0, :2] = (255, 255, 255, 255)
    imgs[0, 2:] = (255, 0, 0, 200)
    imgs[1, :, :2] = (0, 0, 255, 128)
    imgs[1, :, 2:] = (0, 255, 0, 127)  # not opaque enough to count
    pal = learn_palette(imgs, k=8)
    assert pal.dtype == np.uint8
    assert pal.tolist() == [[0, 0, 255], [255, 0, 0], [255, 255, 255]]


def test_learn_palette_rgb_single_image() -> None:
    img = np.zeros((2, 2, 3), dtype=np.uint8)
    img[0, 0] = (9, 9, 9)
    assert learn_palette(img, k=2).tolist() == [[0, 0, 0], [9, 9, 9]]


def test_learn_palette_many_colours_is_deterministic_and_bounded() -> None:
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, size=(3, 16, 16, 4), dtype=np.uint8)
    a = learn_palette(imgs, k=16)
    b = learn_palette(imgs.copy(), k=16)
    assert np.array_equal(a, b)
    assert 1 <= len(a) <= 16 and a.shape[1] == 3 and a.dtype == np.uint8
    assert len({tuple(c) for c in a.tolist()}) == len(a)
    luma = a.astype(np.int64) @ np.array([299, 587, 114])
    assert np.all(np.diff(luma) >= 0)


def test_learn_palette_errors() -> None:
    with pytest.raises(AssetganError, match="no opaque pixels"):
        learn_palette(np.zeros((1, 2, 2, 4), dtype=np.uint8))
    with pytest.raises(AssetganError, match=r"palette size 0"):
        learn_palette(np.zeros((1, 2, 2, 3), dtype=np.uint8), k=0)
    with pytest.raises(AssetganError, match=r"palette size 257"):
        learn_palette(np.zeros((1, 2, 2, 3), dtype=np.uint8), k=257)
