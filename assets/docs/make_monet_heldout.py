"""Build `monet-heldout-photos.jpg`: input | output of `trained/monet.onnx` on 8 photos its training never saw.

    python assets/docs/make_monet_heldout.py RUN/holdout.txt ../shared/datasets/monet2photo/photo

The 8 photos are every 9th of the run's held-out list (sorted), so the picture is the same for the same split.
Two columns of pairs, 256 px each. Run from the repository root after shipping trained/monet.onnx.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("holdout", type=Path, help="the run's holdout.txt (one file name per line)")
    ap.add_argument("photos", type=Path, help="the folder those names are in")
    ap.add_argument("--model", type=Path, default=ROOT / "trained" / "monet.onnx")
    ap.add_argument("--out", type=Path, default=ROOT / "assets" / "docs" / "monet-heldout-photos.jpg")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    import numpy as np
    from PIL import Image

    from assetgan.runtime.stylize import open_style_model

    names = sorted(n for n in args.holdout.read_text(encoding="utf-8").split() if n)[::9][:8]
    model = open_style_model(args.model, ["CPUExecutionProvider"])
    gap = 8
    rows = []
    for i in range(0, len(names), 2):
        row = []
        for name in names[i : i + 2]:
            src = np.asarray(Image.open(args.photos / name).convert("RGB").resize((256, 256), Image.LANCZOS))
            row += [src, np.full((256, gap // 2, 3), 255, np.uint8), model.stylize(src),
                    np.full((256, 3 * gap, 3), 255, np.uint8)]
        rows += [np.concatenate(row[:-1], 1), np.full((gap, 1, 3), 255, np.uint8)]
    width = max(r.shape[1] for r in rows)
    sheet = np.concatenate([np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0)), constant_values=255)
                            if r.shape[0] > gap else np.full((gap, width, 3), 255, np.uint8) for r in rows[:-1]], 0)
    Image.fromarray(sheet).save(args.out, quality=88)
    print(f"{args.out}: {len(names)} held-out photos, input | output ({args.model.name})")


if __name__ == "__main__":
    main()
