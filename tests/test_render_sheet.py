"""Tests for assetgan.render.sheet: deterministic PNG bytes, sprite-sheet layout and the JSON atlas."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from assetgan.core.errors import AssetganError
from assetgan.render.sheet import atlas_json, encode_png, pack_sheet


def frame(seed: int, h: int = 4, w: int = 3, c: int = 4) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(h, w, c), dtype=np.uint8)


def decode(data: bytes) -> tuple[str, np.ndarray]:
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        return im.mode, np.asarray(im)


# --- encode_png -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("channels", "mode"), [(4, "RGBA"), (3, "RGB")])
def test_encode_png_is_deterministic_and_lossless(channels: int, mode: str) -> None:
    img = frame(0, 9, 11, channels)
    a = encode_png(img)
    b = encode_png(img.copy())
    assert a == b
    assert a.startswith(b"\x89PNG\r\n\x1a\n")
    decoded_mode, decoded = decode(a)
    assert decoded_mode == mode
    assert np.array_equal(decoded, img)


def test_encode_png_has_no_metadata_chunks() -> None:
    data = encode_png(frame(1))
    for chunk in (b"tIME", b"tEXt", b"iTXt", b"zTXt", b"pHYs"):
        assert chunk not in data


def test_encode_png_accepts_non_contiguous_views() -> None:
    img = frame(2, 6, 6)
    view = img[::2, ::-1]
    assert np.array_equal(decode(encode_png(view))[1], view)


def test_encode_png_rejects_non_uint8() -> None:
    with pytest.raises(ValueError, match="uint8"):
        encode_png(np.zeros((2, 2, 4), dtype=np.float32))


# --- pack_sheet -----------------------------------------------------------------------------------


def test_pack_sheet_positions_match_atlas_and_pixels() -> None:
    frames = [(f"sprite_{i}", frame(i)) for i in range(5)]
    sheet, atlas = pack_sheet(frames, padding=2, image_name="knights.png")
    # 5 frames -> 3 columns, 2 rows; 3x4 frames with 2 px gaps.
    assert sheet.shape == (2 * 4 + 2, 3 * 3 + 2 * 2, 4)
    assert list(atlas["frames"]) == [name for name, _ in frames]
    for name, img in frames:
        entry = atlas["frames"][name]
        f = entry["frame"]
        assert (f["w"], f["h"]) == (3, 4)
        assert np.array_equal(sheet[f["y"] : f["y"] + f["h"], f["x"] : f["x"] + f["w"]], img)
        assert entry["rotated"] is False and entry["trimmed"] is False
        assert entry["spriteSourceSize"] == {"x": 0, "y": 0, "w": 3, "h": 4}
        assert entry["sourceSize"] == {"w": 3, "h": 4}
    assert atlas["frames"]["sprite_4"]["frame"] == {"x": 5, "y": 6, "w": 3, "h": 4}
    # Gaps and the unused last cell stay fully transparent.
    covered = np.zeros(sheet.shape[:2], dtype=bool)
    for entry in atlas["frames"].values():
        f = entry["frame"]
        covered[f["y"] : f["y"] + f["h"], f["x"] : f["x"] + f["w"]] = True
    assert not sheet[~covered].any()
    assert atlas["meta"] == {
        "app": "assetgan",
        "image": "knights.png",
        "format": "RGBA8888",
        "size": {"w": 13, "h": 10},
        "scale": "1",
    }


def test_pack_sheet_columns_and_rgb_format() -> None:
    frames = [(str(i), frame(i, 2, 2, 3)) for i in range(4)]
    sheet, atlas = pack_sheet(frames, columns=1)
    assert sheet.shape == (8, 2, 3)
    assert [atlas["frames"][str(i)]["frame"]["y"] for i in range(4)] == [0, 2, 4, 6]
    assert atlas["meta"]["format"] == "RGB888"
    assert atlas["meta"]["size"] == {"w": 2, "h": 8}


def test_pack_sheet_mixed_rgb_and_rgba_makes_rgb_opaque() -> None:
    rgb = frame(1, 2, 2, 3)
    sheet, atlas = pack_sheet([("a", frame(0, 2, 2, 4)), ("b", rgb)])
    assert sheet.shape == (2, 4, 4) and atlas["meta"]["format"] == "RGBA8888"
    assert np.array_equal(sheet[:, 2:, :3], rgb) and (sheet[:, 2:, 3] == 255).all()


def test_pack_sheet_errors_name_the_problem() -> None:
    with pytest.raises(AssetganError, match=r"frame name 'a' is used twice"):
        pack_sheet([("a", frame(0)), ("b", frame(1)), ("a", frame(2))])
    with pytest.raises(AssetganError, match=r"frame 'b' is 4x4 but 'a' is 3x4"):
        pack_sheet([("a", frame(0)), ("b", frame(1, 4, 4))])
    with pytest.raises(AssetganError, match="no frames"):
        pack_sheet([])
    with pytest.raises(AssetganError, match=r"sheet columns 0"):
        pack_sheet([("a", frame(0))], columns=0)
    with pytest.raises(AssetganError, match=r"sheet padding -1"):
        pack_sheet([("a", frame(0))], padding=-1)
    with pytest.raises(ValueError, match="uint8"):  # every frame is checked, not only the first
        pack_sheet([("a", frame(0)), ("b", frame(1).astype(np.float32))])


# --- atlas_json -----------------------------------------------------------------------------------


def test_atlas_json_is_deterministic_ordered_and_ends_with_newline() -> None:
    frames = [("zeta", frame(0)), ("alpha", frame(1)), ("mü", frame(2))]
    _, atlas = pack_sheet(frames)
    data = atlas_json(atlas)
    assert data == atlas_json(pack_sheet(frames)[1])
    assert data.endswith(b"}\n") and not data.endswith(b"\n\n")
    parsed = json.loads(data.decode("utf-8"))
    assert parsed == atlas
    assert list(parsed["frames"]) == ["zeta", "alpha", "mü"]
    assert b'\n  "frames": {\n    "zeta": {' in data
