"""Time to generate 64 sprites with the shipped model once it is loaded, against the 50 ms target."""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from assetgan.export.collection import Collection, Item, ModelRef, OutputSettings
from assetgan.export.render import render_collection
from assetgan.runtime.latent import latents_for_seeds
from assetgan.runtime.model import open_model
from assetgan.runtime.registry import resolve_model

TARGET_MS = 50.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("model", nargs="?", default=None)
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args()
    path = resolve_model(args.model)
    t = time.perf_counter()
    m = open_model(path)
    load_ms = (time.perf_counter() - t) * 1000
    z = latents_for_seeds(range(64), m.nz, 1.0)
    col = Collection(ModelRef(path.stem, m.sha256()), [Item(f"s{i}", seed=i) for i in range(64)], OutputSettings())
    infer, full = [], []
    m.run(z)
    for _ in range(args.repeats):
        t = time.perf_counter()
        m.run(z)
        infer.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        files = list(render_collection(col, m, Path.cwd()))  # seeds -> z -> ONNX -> finish -> PNG bytes
        full.append((time.perf_counter() - t) * 1000)
    assert len(files) == 65
    print(f"model {path.name} on {m.device}; load {load_ms:.0f} ms")
    for name, xs in (("inference only", infer), ("generate (z, inference, PNG bytes)", full)):
        med = statistics.median(xs)
        print(f"{name:36s} median {med:6.1f} ms  min {min(xs):6.1f} ms  ratio to {TARGET_MS:.0f} ms target: "
              f"{med / TARGET_MS:.2f}")


if __name__ == "__main__":
    main()
