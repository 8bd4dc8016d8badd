"""Does stylized pixel art stay pixel art? `--pixel-art off` vs `auto` on real pixel-art frames, in one run.

    python benchmarks/pixel_grid.py [--model trained/monet.onnx] [--crops DIR]

Inputs: the sample screenshot (a 3x frame), the same frame remade as a 320x180 game shown at 1920x1080 (every
other native pixel, upscaled 6x by nearest neighbour) and the sample sprite sheet upscaled 4x (RGBA).
Per input and mode: the share of k x k grid cells whose visible output pixels are all one colour (cells that
are fully transparent are left out; RGB under alpha 0 is ignored), the mean colour change of the output against
the input, and the stylize time; then auto against off (points, ratios). Grid detection time on a 4K frame
is printed too.
`--crops` writes input | off | auto crops at 4x, to look at.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "assets" / "samples"


def up(img: np.ndarray, k: int) -> np.ndarray:
    return np.repeat(np.repeat(img, k, 0), k, 1)


def inputs() -> dict[str, tuple[np.ndarray, np.ndarray | None, int]]:
    """name -> (RGB, alpha or None, the factor it was made at)."""
    shot = np.asarray(Image.open(SAMPLES / "dungeon_1080p.png").convert("RGB"))
    sheet = np.asarray(Image.open(SAMPLES / "sheet_4x2_32.png").convert("RGBA"))
    return {
        "dungeon_1080p.png (3x, 640x360)": (shot, None, 3),
        "dungeon at 6x (320x180 -> 1920x1080)": (up(shot[::6, ::6], 6), None, 6),
        "sheet_4x2_32.png at 4x (512x256 RGBA)": (up(sheet[..., :3], 4), up(sheet[..., 3], 4), 4),
    }


def grid_kept(out: np.ndarray, alpha: np.ndarray | None, k: int) -> float:
    """Share of k x k cells (offset 0) whose visible pixels are all one colour; fully transparent cells skipped."""
    h, w = out.shape[0] // k * k, out.shape[1] // k * k
    px = out[:h, :w].astype(np.int32)
    if alpha is not None:
        a = alpha[:h, :w].astype(np.int32)
        px = np.dstack([px * (a[..., None] > 0), a])
    cells = px.reshape(h // k, k, w // k, k, -1).transpose(0, 2, 1, 3, 4).reshape(h // k, w // k, k * k, -1)
    one = (cells == cells[:, :, :1]).all(axis=(2, 3))
    if alpha is not None:
        seen = alpha[:h, :w].reshape(h // k, k, w // k, k).max(axis=(1, 3)) > 0
        return float(one[seen].mean())
    return float(one.mean())


def colour_change(out: np.ndarray, rgb: np.ndarray, alpha: np.ndarray | None) -> float:
    """Mean absolute RGB difference (0-255) between output and input over visible pixels."""
    d = np.abs(out.astype(np.float64) - rgb).mean(axis=2)
    return float(d[alpha > 0].mean() if alpha is not None else d.mean())


def crop4(img: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    y, x, h, w = box
    return up(img[y : y + h, x : x + w], 4)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=str(ROOT / "trained" / "monet.onnx"))
    ap.add_argument("--direction", default="a2b")
    ap.add_argument("--crops", type=Path, help="write input | off | auto crops (4x) into this folder")
    args = ap.parse_args()

    from assetgan.runtime.pixel_grid import PixelArtMode, detect_grid
    from assetgan.runtime.stylize import open_style_model
    from assetgan.runtime.stylize_io import stylize_image

    m = open_style_model(args.model, ["CPUExecutionProvider"])
    print(f"model {args.model} ({m.direction_label(args.direction)})")
    big = up(np.asarray(Image.open(SAMPLES / "dungeon_1080p.png").convert("RGB"))[::6, ::6], 12)  # 3840x2160
    t = []
    for _ in range(5):
        t0 = time.perf_counter()
        detect_grid(big)
        t.append(time.perf_counter() - t0)
    print(f"grid detection on a 3840x2160 12x frame: {min(t) * 1000:.1f} ms (best of 5)\n")
    print(f"{'input':40s} {'mode':5s} {'grid kept':>9s} {'colour change':>13s} {'seconds':>8s}  note")
    for name, (rgb, alpha, k) in inputs().items():
        res = {}
        for mode in (PixelArtMode.off, PixelArtMode.auto):
            t0 = time.perf_counter()
            r = stylize_image(m, rgb, alpha, args.direction, pixel_art=mode)
            res[mode] = (r, time.perf_counter() - t0)
            kept = grid_kept(r.rgb, alpha, k)
            print(f"{name:40s} {mode.value:5s} {kept:9.2%} {colour_change(r.rgb, rgb, alpha):13.1f} "
                  f"{res[mode][1]:8.2f}  {r.note or ''}")
        (off, t_off), (auto, t_auto) = res[PixelArtMode.off], res[PixelArtMode.auto]
        gained = grid_kept(auto.rgb, alpha, k) - grid_kept(off.rgb, alpha, k)
        change = colour_change(auto.rgb, rgb, alpha) / colour_change(off.rgb, rgb, alpha)
        print(f"{'':40s} auto vs off: grid kept {gained * 100:+.1f} points, colour change x{change:.2f}, "
              f"time x{t_auto / t_off:.3f}\n")
        if args.crops:
            args.crops.mkdir(parents=True, exist_ok=True)
            box = (120, 150, 64, 96) if alpha is None else (0, 0, 64, 128)
            parts = [crop4(rgb, box), crop4(off.rgb, box), crop4(auto.rgb, box)]
            if alpha is not None:  # composite over mid grey so transparency reads as such
                a = crop4(alpha, box)[..., None] / 255.0
                parts = [np.round(p * a + 128 * (1 - a)).astype(np.uint8) for p in parts]
            sep = np.full((parts[0].shape[0], 8, 3), 255, np.uint8)
            row = np.concatenate([parts[0], sep, parts[1], sep, parts[2]], axis=1)
            out = args.crops / (name.split(" ")[0].replace(".png", "") + f"_{k}x_input_off_auto.png")
            Image.fromarray(row).save(out)
            print(f"{'':40s} crops: {out}\n")


if __name__ == "__main__":
    main()
