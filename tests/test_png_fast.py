"""The multi-core PNG writer: lossless RGB and RGBA of any shape, valid for Pillow, the same bytes on any machine."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from assetgan.runtime import png_fast
from assetgan.runtime.png_fast import encode_png


@pytest.mark.parametrize("shape", [(1, 1, 3), (1, 37, 4), (53, 1, 3), (29, 31, 4), (1100, 1400, 3)])
def test_pillow_reads_back_exactly_the_pixels(shape):
    rng = np.random.default_rng(sum(shape))
    px = rng.integers(0, 256, shape, dtype=np.uint8)
    if shape[0] > 100:  # smooth, image-like content across several deflate pieces (4.6 MB of rows)
        px = np.cumsum(px // 64, axis=1, dtype=np.uint8)
    data = encode_png(px)
    im = Image.open(io.BytesIO(data))
    im.load()  # checks every chunk's CRC and the zlib stream's checksum
    assert im.mode == ("RGB" if shape[2] == 3 else "RGBA") and im.size == (shape[1], shape[0])
    assert np.array_equal(np.asarray(im), px)


def test_large_images_are_deflated_in_several_pieces_that_join_into_one_stream():
    px = np.zeros((1100, 1400, 3), np.uint8)
    px[::7] = 200
    data = encode_png(px)
    chunks, at = [], 8
    while at < len(data):  # walk the chunks: length, type, data, CRC
        (n,), kind = struct.unpack(">I", data[at : at + 4]), data[at + 4 : at + 8]
        chunks.append((kind, data[at + 8 : at + 8 + n]))
        at += 12 + n
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"IDAT", b"IEND"]  # one IDAT per deflated piece
    raw = zlib.decompress(b"".join(d for k, d in chunks if k == b"IDAT"))
    assert len(raw) == 1100 * (1 + 1400 * 3) > png_fast.PIECE
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), px)


def test_same_pixels_same_bytes_whatever_the_number_of_cores(monkeypatch):
    px = np.random.default_rng(1).integers(0, 256, (900, 1700, 4), dtype=np.uint8)  # 6.1 MB: two pieces
    monkeypatch.setattr(png_fast.os, "cpu_count", lambda: 1)
    one = encode_png(px)
    monkeypatch.setattr(png_fast.os, "cpu_count", lambda: 16)
    assert encode_png(px) == one
    assert encode_png(px[::-1]) != one


@pytest.mark.parametrize("bad", [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 2), np.uint8),
                                 np.zeros((4, 4, 3), np.float32), np.zeros((0, 4, 3), np.uint8)])
def test_refuses_what_it_cannot_write(bad):
    with pytest.raises(ValueError, match="expected uint8"):
        encode_png(bad)
