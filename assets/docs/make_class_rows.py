"""Build a class-rows picture: one row per class of a conditional model (seeds 0-7, as `generate` writes them with
the model's clean-output defaults), and last the unconditional model on the same seeds, each sprite at 3x on grey.

    python assets/docs/make_class_rows.py COND.onnx UNCOND.onnx OUT.png

Run from the repository root (it uses only the runtime: no torch).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ZOOM, PAD, SEEDS, LABEL = 3, 4, 8, 150


def _finished(model, seeds, class_id=None):
    import numpy as np

    from assetgan.export.render import clean_settings, output_finisher
    from assetgan.runtime.latent import seed_latent

    z = np.stack([seed_latent(s, model.nz, model.sampling()[0]) for s in seeds])
    ids = None if class_id is None else np.full(len(seeds), class_id, np.int64)
    finish = output_finisher(clean_settings(model.card), model, ROOT)
    return [finish(im) for im in model.run(z, ids)]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    import numpy as np
    from PIL import Image, ImageDraw

    from assetgan.runtime.model import open_model

    cond, uncond, out = open_model(sys.argv[1]), open_model(sys.argv[2]), Path(sys.argv[3])
    rows = [(name, _finished(cond, range(SEEDS), i)) for i, name in enumerate(cond.card.classes)]
    rows.append((f"unconditional ({uncond.card.name})", _finished(uncond, range(SEEDS))))
    cell = cond.card.size * ZOOM + PAD
    canvas = Image.new("RGB", (LABEL + SEEDS * cell + PAD, len(rows) * cell + PAD), (96, 96, 96))
    draw = ImageDraw.Draw(canvas)
    for r, (name, images) in enumerate(rows):
        y = PAD + r * cell
        draw.text((PAD, y + cell // 2 - 8), name, fill=(255, 255, 255))
        for c, im in enumerate(images):
            big = np.asarray(im).repeat(ZOOM, 0).repeat(ZOOM, 1)
            tile = Image.fromarray(big, "RGBA" if big.shape[2] == 4 else "RGB")
            canvas.paste(tile, (LABEL + c * cell, y), tile if big.shape[2] == 4 else None)
    canvas.save(out)
    print(out)


if __name__ == "__main__":
    main()
