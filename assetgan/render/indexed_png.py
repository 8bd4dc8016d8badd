"""Palette-mode ("P") PNGs with a transparent index: smaller files that pixel-art engines and editors prefer.

Written only where they are lossless: decoding one gives back exactly the RGB(A) pixels it was made from.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from .palette import check_image, check_palette
from .sheet import PNG_COMPRESS_LEVEL

_CHUNK_PIXELS = 1 << 20  # pixels mapped to indices at a time, so memory stays flat for a large sheet


def _keys(rgb: np.ndarray) -> np.ndarray:
    """[..., 3] uint8 -> [...] uint32 keys 0xRRGGBB."""
    c = rgb.astype(np.uint32)
    return (c[..., 0] << 16) | (c[..., 1] << 8) | c[..., 2]


def palette_indices(img: np.ndarray, palette: np.ndarray) -> np.ndarray | None:
    """The uint8 [H, W] palette indices of `img`, or None where palette mode cannot hold it exactly.

    With alpha, index 0 is the transparent colour and palette colour i is index i + 1; without, colour i is
    index i. Exact means: at most 256 entries, alpha only 0 or 255, transparent pixels (0, 0, 0, 0) and every
    opaque colour in the palette (a repeated colour maps to its first index).
    """
    img, pal = check_image(img), check_palette(palette)
    h, w, c = img.shape
    offset = 1 if c == 4 else 0
    if len(pal) + offset > 256:
        return None
    table, first = np.unique(_keys(pal), return_index=True)  # sorted keys [U], their first palette index [U]
    flat = img.reshape(-1, c)
    out = np.empty(h * w, dtype=np.uint8)
    for start in range(0, h * w, _CHUNK_PIXELS):
        px = flat[start : start + _CHUNK_PIXELS]  # [n, C]
        keys = _keys(px[:, :3])  # [n]
        pos = np.minimum(np.searchsorted(table, keys), len(table) - 1)  # [n]
        known = table[pos] == keys
        if c == 3:
            if not known.all():
                return None
            out[start : start + len(px)] = first[pos]
            continue
        alpha = px[:, 3]
        clear = alpha == 0
        if not ((alpha == 255) | clear).all() or keys[clear].any() or not known[~clear].all():
            return None
        out[start : start + len(px)] = np.where(clear, 0, first[pos] + offset)
    return out.reshape(h, w)


def encode_indexed_png(img: np.ndarray, palette: np.ndarray) -> bytes | None:
    """Palette-mode PNG bytes for `img` (see `palette_indices`), deterministic and without metadata; None where
    palette mode would change a pixel.

    The colour table is the whole palette (after the transparent entry, with alpha), so every file of one
    export shares it; Pillow picks 1, 2, 4 or 8 bits a pixel from its size.
    """
    indices = palette_indices(img, palette)
    if indices is None:
        return None
    pal = check_palette(palette)
    alpha = img.shape[2] == 4
    entries = np.concatenate([np.zeros((1, 3), np.uint8), pal]) if alpha else pal  # [K(+1), 3]
    im = Image.frombytes("P", (indices.shape[1], indices.shape[0]), np.ascontiguousarray(indices).tobytes())
    im.putpalette(entries.tobytes(), rawmode="RGB")
    buf = io.BytesIO()
    extra = {"transparency": 0} if alpha else {}
    im.save(buf, format="PNG", compress_level=PNG_COMPRESS_LEVEL, optimize=False, **extra)
    return buf.getvalue()
