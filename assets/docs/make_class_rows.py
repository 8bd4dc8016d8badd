"""Build a class-rows picture: one row per class of a conditional model (seeds 0-7, as `generate` writes them with
the model's clean-output defaults), and last the unconditional model on the same seeds, each sprite at 3x on grey.

    python assets/docs/make_class_rows.py COND.onnx UNCOND.onnx OUT.png [--tile 3]

`--tile N` repeats each image N x N at 2x (for tileable textures: a seam would show inside the cell).

Run from the repository root (it uses only the runtime: no torch).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAD, SEEDS = 4, 8


def _finished(model, seeds, class_id=None):
    import numpy as np

    from assetgan.export.render import clean_settings, output_finisher
    from assetgan.runtime.latent import seed_latent

    z = np.stack([seed_latent(s, model.nz, model.sampling()[0]) for s in seeds])
    ids = None if class_id is None else np.full(len(seeds), class_id, np.int64)
    finish = output_finisher(clean_settings(model.card), model, ROOT)
    return [finish(im) for im in model.run(z, ids)]


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cond")
    ap.add_argument("uncond")
    ap.add_argument("out", type=Path)
    ap.add_argument("--tile", type=int, default=1, help="repeat each image N x N (tileable textures)")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    import numpy as np
    from PIL import Image, ImageDraw

    from assetgan.runtime.model import open_model

    cond, uncond, out = open_model(args.cond), open_model(args.uncond), args.out
    rows = [(name, _finished(cond, range(SEEDS), i)) for i, name in enumerate(cond.card.classes)]
    rows.append((f"unconditional ({uncond.card.name})", _finished(uncond, range(SEEDS))))
    zoom = 3 if args.tile == 1 else 2
    label = max(150, 7 * max(len(name) for name, _ in rows) + 2 * PAD)  # the default font: under 7 px a character
    cell = cond.card.size * args.tile * zoom + PAD
    canvas = Image.new("RGB", (label + SEEDS * cell + PAD, len(rows) * cell + PAD), (96, 96, 96))
    draw = ImageDraw.Draw(canvas)
    for r, (name, images) in enumerate(rows):
        y = PAD + r * cell
        draw.text((PAD, y + cell // 2 - 8), name, fill=(255, 255, 255))
        for c, im in enumerate(images):
            big = np.tile(np.asarray(im), (args.tile, args.tile, 1)).repeat(zoom, 0).repeat(zoom, 1)
            tile = Image.fromarray(big, "RGBA" if big.shape[2] == 4 else "RGB")
            canvas.paste(tile, (label + c * cell, y), tile if big.shape[2] == 4 else None)
    canvas.save(out)
    print(out)


if __name__ == "__main__":
    main()
