"""Side by side: two CycleGAN models (e.g. trained for the same time) on the same held-out photos.

    python lab/tools/stylize_quality.py runs/monet/model.onnx runs/monet-ref/model.onnx \
        --inputs heldout-photos/ --target ../shared/datasets/monet2photo/monet --picture compare.png

Prints, per model, the style distance (SWD of outputs to the target domain relative to the inputs'; lower is
more of the target style) and content preservation (SSIM of luminance, input vs output; higher keeps more), and
the ratio of the two models; writes a picture with rows input | model 1 | model 2 to judge by eye.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs=2, type=Path)
    ap.add_argument("--inputs", type=Path, required=True, help="held-out images of the source domain")
    ap.add_argument("--target", type=Path, required=True, help="images of the target domain")
    ap.add_argument("--direction", default="a2b")
    ap.add_argument("--picture", type=Path, default=None)
    ap.add_argument("--rows", type=int, default=6)
    args = ap.parse_args()

    from assetgan.metrics.evaluate import evaluate_translation
    from assetgan.runtime.stylize import open_style_model

    figures = []
    for path in args.models:
        m = open_style_model(path, ["CPUExecutionProvider"])
        ev = evaluate_translation(m, args.inputs, args.target, args.direction)
        f = ev.figures
        figures.append(f)
        print(f"{path}: style distance {f['style_distance']:.3f} (SWD {f['swd_outputs_to_target_x1e3']:.1f} vs "
              f"inputs {f['swd_inputs_to_target_x1e3']:.1f}, target floor "
              f"{f.get('swd_floor_target_vs_target', float('nan')):.1f}), content SSIM {f['content_ssim_luma']:.3f}")
    a, b = figures
    print(f"model 1 / model 2: style distance x{a['style_distance'] / b['style_distance']:.3f} "
          f"(< 1: model 1 closer to the target style), content SSIM x"
          f"{a['content_ssim_luma'] / b['content_ssim_luma']:.3f} (> 1: model 1 keeps more content)")
    if args.picture:
        from assetgan.data.dataset import load_training_images
        from assetgan.render.sheet import encode_png

        imgs = load_training_images(args.inputs, 256, 3).images[: args.rows]
        models = [open_style_model(p, ["CPUExecutionProvider"]) for p in args.models]
        rows = [np.concatenate([img] + [m.stylize(np.ascontiguousarray(img), args.direction) for m in models], 1)
                for img in imgs]
        args.picture.write_bytes(encode_png(np.ascontiguousarray(np.concatenate(rows, 0))))
        print(f"picture: {args.picture}")


if __name__ == "__main__":
    main()
