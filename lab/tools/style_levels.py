"""Where a style model's style distance sits, level by level, and what the coarsest level looks like.

    python lab/tools/style_levels.py MODEL.onnx [MODEL2.onnx ...] --inputs HELDOUT_DIR --target PAINTINGS_DIR

`assetgan evaluate`'s style distance is the mean over the Laplacian levels of patch SWD (outputs to target) over
the same mean for the inputs. This prints each level's SWD relative to the inputs' (finest first, the low-pass
residual last), then statistics of the residual level per set (photos, each model's outputs, the paintings), after
each set's own per-channel normalisation as the SWD sees it: skew per channel, the within-image spread over the
whole-set spread (low: each picture holds one tone, pictures differ from each other), and the R-G correlation.
Inputs and targets are centre-cropped 256-pixel squares, as in `evaluate`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def coarse_stats(name: str, images: np.ndarray) -> str:
    from assetgan.metrics.common import to_float_rgb
    from assetgan.metrics.swd import laplacian_pyramid

    low = laplacian_pyramid(to_float_rgb(images))[-1]  # [N, h, w, 3]
    flat = low.reshape(-1, 3)
    z = (flat - flat.mean(0)) / flat.std(0)
    skew = np.round((z**3).mean(0), 2)
    within = np.round(low.std(axis=(1, 2)).mean(0) / flat.std(0), 2)
    corr = np.corrcoef(flat.T)[0, 1]
    return f"{name:28s} skew {skew}  within/whole {within}  R-G corr {corr:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", type=Path, nargs="+")
    ap.add_argument("--inputs", type=Path, required=True)
    ap.add_argument("--target", type=Path, required=True)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from assetgan.data.dataset import load_training_images
    from assetgan.metrics.swd import sliced_wasserstein
    from assetgan.metrics.translation import ssim_luminance
    from assetgan.runtime.stylize import open_style_model

    inputs = load_training_images(args.inputs, 256, 3).images
    target = load_training_images(args.target, 256, 3).images
    base = sliced_wasserstein(inputs, target, 0)
    print(f"{'inputs to target':28s} per level {[round(v, 1) for v in base.per_level]}  mean {base.mean:.1f}")
    stats = [coarse_stats("inputs", inputs)]
    for path in args.models:
        m = open_style_model(path, ["CPUExecutionProvider"])
        out = np.stack([m.stylize(np.ascontiguousarray(x)) for x in inputs])
        swd = sliced_wasserstein(out, target, 0)
        rel = [round(a / b, 2) for a, b in zip(swd.per_level, base.per_level)]
        print(f"{path.name:28s} relative per level {rel}  style distance {swd.mean / base.mean:.3f}  "
              f"SSIM {ssim_luminance(inputs, out):.3f}")
        stats.append(coarse_stats(path.name, out))
    stats.append(coarse_stats("target", target))
    print("\n".join(["coarsest level:", *stats]))


if __name__ == "__main__":
    main()
