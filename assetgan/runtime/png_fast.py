"""A lossless 8-bit RGB/RGBA PNG writer that compresses on several cores.

Every row is written with PNG's "Up" filter (the difference to the row above, one numpy subtraction for the whole
image) and the filtered bytes are deflated in fixed 4-MiB pieces, each ending on a byte boundary so that the pieces
join into one zlib stream; the pieces run on a thread pool (zlib releases the GIL), each written as one IDAT chunk.
The pieces are cut by size, never by the number of cores, so the same pixels give the same bytes on every machine.
On a 3840x2400 result this takes about a third of Pillow's time at the same zlib level, for files about 1-2 % larger
(lab/2026-12-06-stylize-speed.md).
"""

from __future__ import annotations

import os
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np

LEVEL = 3  # zlib level: 3 is about 3x quicker than 6 for files about 18 % larger; the pixels are the same
PIECE = 4 << 20  # bytes of filtered image data deflated as one piece
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZLIB_HEADER = b"\x78\x5e"  # deflate, 32 KiB window, "fast" level flag; (0x78 * 256 + 0x5e) % 31 == 0


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _filtered(pixels: np.ndarray) -> np.ndarray:
    """[H, 1 + W * C] rows: filter type 2 ("Up") and each byte minus the one above it (mod 256)."""
    h = pixels.shape[0]
    flat = pixels.reshape(h, -1)
    rows = np.empty((h, 1 + flat.shape[1]), np.uint8)
    rows[:, 0] = 2
    rows[0, 1:] = flat[0]  # the first row's "above" is zero
    np.subtract(flat[1:], flat[:-1], out=rows[1:, 1:])
    return rows


def _deflate(view: memoryview, last: bool) -> bytes:
    co = zlib.compressobj(LEVEL, zlib.DEFLATED, -15, 9)  # raw deflate; the zlib wrapper is written around it
    return co.compress(view) + co.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def encode_png(pixels: np.ndarray) -> bytes:
    """uint8 [H, W, 3] (RGB) or [H, W, 4] (RGBA) -> PNG file bytes."""
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] not in (3, 4) or 0 in pixels.shape[:2]:
        raise ValueError(f"pixels {pixels.shape} {pixels.dtype}: expected uint8 [H, W, 3 or 4]")
    h, w, c = pixels.shape
    data = _filtered(np.ascontiguousarray(pixels)).data.cast("B")
    cuts = list(range(0, len(data), PIECE)) + [len(data)]
    pieces = [(data[a:b], i == len(cuts) - 2) for i, (a, b) in enumerate(zip(cuts[:-1], cuts[1:]))]
    workers = max(1, min(len(pieces), os.cpu_count() or 1))
    if workers == 1:
        parts = [_deflate(v, last) for v, last in pieces]
    else:
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(lambda p: _deflate(*p), pieces))
    parts[0] = _ZLIB_HEADER + parts[0]  # the pieces in order form one zlib stream ...
    parts[-1] += struct.pack(">I", zlib.adler32(data))  # ... checked over all the filtered bytes
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2 if c == 3 else 6, 0, 0, 0)
    idats = b"".join(_chunk(b"IDAT", part) for part in parts)  # one chunk a piece: none near PNG's 2 GiB limit
    return _SIGNATURE + _chunk(b"IHDR", ihdr) + idats + _chunk(b"IEND", b"")
