"""Training images/s: one process with 2 threads vs two torchrun (gloo) processes with 1 thread each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "assets" / "samples" / "sprites"


def run(nproc: int, threads: int, steps: int) -> float:
    out = Path(tempfile.mkdtemp()) / "run"
    train = ["-m", "assetgan", "train", "dcgan", str(SAMPLES), "--out", str(out), "--steps", str(steps),
             "--set", "ngf=64", "--set", "ndf=64", "--batch", "64", "--threads", str(threads), "--set",
             "sample_every=100000", "--set", "checkpoint_every=100000"]
    prefix = [sys.executable] if nproc == 1 else [sys.executable, "-m", "torch.distributed.run", "--standalone",
                                                  "--nproc-per-node", str(nproc)]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    subprocess.run(prefix + train, check=True, capture_output=True, env=env)
    rows = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    return rows[-1]["step"] * 64 / rows[-1]["train_seconds"]  # global images per second of training


def main() -> None:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    one = [run(1, 2, steps) for _ in range(2)]
    two = [run(2, 1, steps) for _ in range(2)]
    a, b = max(one), max(two)
    print(f"32x32 RGBA, ngf=ndf=64, global batch 64, {steps} steps")
    print(f"1 process x 2 threads : {a:6.1f} images/s  (runs: {', '.join(f'{x:.0f}' for x in one)})")
    print(f"2 processes x 1 thread: {b:6.1f} images/s  (runs: {', '.join(f'{x:.0f}' for x in two)})")
    print(f"ratio 2-process / 1-process: {b / a:.2f}")


if __name__ == "__main__":
    main()
