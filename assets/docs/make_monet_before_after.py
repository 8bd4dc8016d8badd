"""Build `monet-dungeon-before-after.jpg`: the CC0 dungeon screenshot before and after `assetgan stylize`.

Top: the whole 1920x1080 frame, before | after, each at half size. Bottom: a 1:1 crop, before | after.
Run from the repository root after shipping trained/monet.onnx.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    import numpy as np
    from PIL import Image

    from assetgan.runtime.stylize import open_style_model

    src = np.asarray(Image.open(ROOT / "assets" / "samples" / "dungeon_1080p.png").convert("RGB"))
    out = open_style_model(ROOT / "trained" / "monet.onnx", ["CPUExecutionProvider"]).stylize(src)
    half = [np.asarray(Image.fromarray(a).resize((960, 540), Image.LANCZOS)) for a in (src, out)]
    y, x = 200, 880
    crops = [a[y : y + 400, x : x + 960] for a in (src, out)]
    gap = np.full((540, 8, 3), 255, np.uint8)
    top = np.concatenate([half[0], gap, half[1]], 1)
    bottom = np.concatenate([crops[0], gap[:400], crops[1]], 1)
    sheet = np.concatenate([top, np.full((8, top.shape[1], 3), 255, np.uint8), bottom], 0)
    Image.fromarray(sheet).save(ROOT / "assets" / "docs" / "monet-dungeon-before-after.jpg", quality=88)


if __name__ == "__main__":
    main()
