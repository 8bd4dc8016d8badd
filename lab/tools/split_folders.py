"""Materialise a run's split as two folders of symlinks, for `assetgan evaluate --real HELD --train TRAIN`.

    python lab/tools/split_folders.py runs/quality-sprites/assetgan runs/quality-sprites/split
    # -> runs/quality-sprites/split/heldout/..., runs/quality-sprites/split/train/...

The held-out names come from the run's holdout.txt; every other image under the run's data folder is training.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assetgan.data.imageio import IMAGE_SUFFIXES

REPO = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path)
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    cfg = json.loads((args.run / "config.json").read_text())["config"]
    data = (REPO / cfg["data"]).resolve()
    held = set((args.run / "holdout.txt").read_text().split())
    counts = {"heldout": 0, "train": 0}
    for f in sorted(data.rglob("*")):
        if not f.is_file() or f.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        rel = f.relative_to(data).as_posix()
        part = "heldout" if rel in held else "train"
        dst = args.out / part / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if not dst.is_symlink():
            dst.symlink_to(f)
        counts[part] += 1
    print(f"{args.out}: {counts['heldout']} held-out, {counts['train']} training images (symlinks)")


if __name__ == "__main__":
    main()
