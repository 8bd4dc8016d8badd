"""Time to generate 64 sprites with a model once it is loaded (default: the shipped one), against the 30 ms target;
with --baseline, another model timed alternately in the same run, and the ratio.

    python benchmarks/generate_speed.py [MODEL] [--baseline MODEL] [--repeats N]

A class-conditional model makes the 64 sprites round robin over its classes, as `assetgan generate` does.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from assetgan.export.collection import Collection, Item, ModelRef, OutputSettings
from assetgan.export.render import render_collection
from assetgan.runtime.latent import latents_for_seeds
from assetgan.runtime.model import open_model
from assetgan.runtime.registry import resolve_model

TARGET_MS = 30.0


def _case(spec: str | None):
    path = resolve_model(spec)
    t = time.perf_counter()
    m = open_model(path)
    load_ms = (time.perf_counter() - t) * 1000
    z = latents_for_seeds(range(64), m.nz, 1.0)
    k = len(m.card.classes)
    ids = np.arange(64, dtype=np.int64) % k if k else None
    items = [Item(f"s{i}", seed=i, class_name=m.card.classes[i % k] if k else None) for i in range(64)]
    col = Collection(ModelRef(path.stem, m.sha256()), items, OutputSettings())
    m.run(z, ids)
    return path, m, load_ms, z, ids, col


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", nargs="?", default=None)
    ap.add_argument("--baseline", help="another model (name or .onnx) timed alternately in the same run")
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args()
    cases = [_case(args.model)] + ([_case(args.baseline)] if args.baseline else [])
    infer: list[list[float]] = [[] for _ in cases]
    full: list[list[float]] = [[] for _ in cases]
    for _ in range(args.repeats):
        for i, (_path, m, _load, z, ids, col) in enumerate(cases):
            t = time.perf_counter()
            m.run(z, ids)
            infer[i].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            files = list(render_collection(col, m, Path.cwd()))  # seeds -> z -> ONNX -> finish -> PNG bytes
            full[i].append((time.perf_counter() - t) * 1000)
            assert len(files) == 65
    for i, (path, m, load_ms, *_rest) in enumerate(cases):
        classes = f", {len(m.card.classes)} classes" if m.card.classes else ""
        print(f"model {path.name} ({m.card.training_config.get('ngf', '?')} wide{classes}) on {m.device}; "
              f"load {load_ms:.0f} ms")
        for name, xs in (("inference only", infer[i]), ("generate (z, inference, PNG bytes)", full[i])):
            med = statistics.median(xs)
            print(f"  {name:36s} median {med:6.1f} ms  min {min(xs):6.1f} ms  ratio to {TARGET_MS:.0f} ms target: "
                  f"{med / TARGET_MS:.2f}")
    if len(cases) == 2:
        print(f"inference time, model / baseline: x{statistics.median(infer[0]) / statistics.median(infer[1]):.2f}")


if __name__ == "__main__":
    main()
