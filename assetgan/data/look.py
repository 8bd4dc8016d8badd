"""What a training set looks like to an artist: binary alpha or not, colours per image, how well one palette fits.

Recorded in the model card at training time; the runtime turns it into clean-output defaults
(`assetgan.runtime.clean`).
"""

from __future__ import annotations

import numpy as np

from ..render.palette import map_to_palette

SAMPLE = 512  # images measured: enough for a stable median, bounded time on big sets


def data_look(images: np.ndarray, palette: np.ndarray) -> dict[str, float | int]:
    """For uint8 images [N, H, W, C] and their learned palette [K, 3]: `binary_alpha` (share of RGBA images whose
    alpha is only 0 or 255; 0 for RGB), `colours` (median distinct RGB colours of an image's visible pixels) and
    `palette_psnr` (dB: visible pixels mapped to the palette against the originals; higher = more palette-like).
    Measured on an evenly spaced sample of at most SAMPLE images: deterministic."""
    if len(images) == 0:
        return {"binary_alpha": 0.0, "colours": 0, "palette_psnr": 0.0}
    pick = images[np.linspace(0, len(images) - 1, min(len(images), SAMPLE)).astype(int)]  # [n, H, W, C]
    rgba = pick.shape[3] == 4
    visible = pick[..., 3] > 0 if rgba else np.ones(pick.shape[:3], bool)  # [n, H, W]
    binary = float(np.mean([np.isin(a, (0, 255)).all() for a in pick[..., 3]])) if rgba else 0.0
    colours = [len(np.unique(im[..., :3][v], axis=0)) for im, v in zip(pick, visible)]
    err = []
    for im, v in zip(pick, visible):
        mapped = map_to_palette(im, palette)
        err.append((mapped[..., :3][v].astype(np.float64) - im[..., :3][v]) ** 2)
    mse = float(np.concatenate(err).mean()) if err else 0.0
    psnr = 99.0 if mse == 0 else min(99.0, 10 * float(np.log10(255.0**2 / mse)))
    return {"binary_alpha": round(binary, 4), "colours": int(np.median(colours)), "palette_psnr": round(psnr, 2)}
