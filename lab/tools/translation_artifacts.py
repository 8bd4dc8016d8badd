"""Border fringes and saturated blobs of a style model on held-out photos (what the eye catches first).

    python lab/tools/translation_artifacts.py MODEL.onnx [MODEL2.onnx ...] --inputs HELDOUT_DIR [--no-margin]

fringe: chroma the model changed (|output chroma - input chroma|, chroma = max-min of RGB, 0-255) in the outer
8-pixel band, over all photos, divided by the same in the band 24-48 pixels inside: about 1 when borders look like
the rest, well above 1 with colour fringes; also the worst photo's ratio. blobs: share of pixels whose chroma rose
by more than 96 levels (saturated patches where the photo was grey or pale), mean and worst image. --no-margin
runs the graph on the bare image (the runtime before the reflected margin), for comparison.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def chroma(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.int16)
    return (x.max(axis=2) - x.min(axis=2)).astype(np.float32)


def band(a: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Pixels whose distance to the nearest border is in [lo, hi)."""
    h, w = a.shape[:2]
    yy, xx = np.mgrid[:h, :w]
    d = np.minimum(np.minimum(yy, h - 1 - yy), np.minimum(xx, w - 1 - xx))
    return a[(d >= lo) & (d < hi)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", type=Path, nargs="+")
    ap.add_argument("--inputs", type=Path, required=True)
    ap.add_argument("--no-margin", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from assetgan.runtime.stylize import open_style_model

    files = sorted(p for p in args.inputs.iterdir() if p.suffix.lower() in (".jpg", ".png"))
    for path in args.models:
        m = open_style_model(path, ["CPUExecutionProvider"])
        fr, blob = [], []
        for f in files:
            src = np.asarray(Image.open(f).convert("RGB"))
            if args.no_margin:
                h, w = src.shape[:2]
                out = m.run_graph("a2b", m.pad(src), None)[0][:h, :w]
            else:
                out = m.stylize(src)
            added = chroma(out) - chroma(src)
            fr.append((float(np.abs(band(added, 0, 8)).mean()), float(np.abs(band(added, 24, 48)).mean())))
            blob.append(float((added > 96).mean()))
        outer, inner = np.array(fr).T
        print(f"{path.name}{' (no margin)' if args.no_margin else ''}: fringe {outer.mean() / inner.mean():.2f} (worst "
              f"photo {np.max(outer / np.maximum(inner, 1e-3)):.2f}), blobs {100 * np.mean(blob):.2f} % of pixels "
              f"(worst image {100 * np.max(blob):.2f} %), {len(files)} photos")


if __name__ == "__main__":
    main()
