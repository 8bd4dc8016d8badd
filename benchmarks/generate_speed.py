"""Time to generate 64 sprites with a model once it is loaded (default: the shipped one), against the 30 ms target;
with --baseline, another model timed alternately in the same run, and the ratio.

    python benchmarks/generate_speed.py [MODEL] [--baseline MODEL] [--repeats N] [--rounds R]

A class-conditional model makes the 64 sprites round robin over its classes, as `assetgan generate` does. Each model
runs in its own process with one ONNX Runtime session, as `assetgan generate` has it (two sessions in one process
slow each other: their worker threads spin after each run), and the processes alternate for R rounds of N/R calls.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
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


def _worker(spec: str, repeats: int) -> None:
    """One process, one session: print {"load_ms", "infer", "full", "name", "wide", "classes", "device"} as JSON."""
    path, m, load_ms, z, ids, col = _case(spec)
    infer, full = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        m.run(z, ids)
        infer.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        files = list(render_collection(col, m, Path.cwd()))  # seeds -> z -> ONNX -> finish -> PNG bytes
        full.append((time.perf_counter() - t) * 1000)
        assert len(files) == 65
    print(json.dumps({"load_ms": load_ms, "infer": infer, "full": full, "name": path.name, "device": m.device,
                      "wide": m.card.training_config.get("ngf", "?"), "classes": len(m.card.classes)}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", nargs="?", default=None)
    ap.add_argument("--baseline", help="another model (name or .onnx) timed alternately in the same run")
    ap.add_argument("--repeats", type=int, default=60, help="calls per model in all")
    ap.add_argument("--rounds", type=int, default=4, help="processes per model, alternating with the baseline's")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker is not None:
        _worker(args.worker or None, args.repeats)
        return
    specs = [args.model or ""] + ([args.baseline] if args.baseline else [])
    per = max(1, args.repeats // max(1, args.rounds))
    runs: list[list[dict]] = [[] for _ in specs]
    for _ in range(args.rounds):
        for i, spec in enumerate(specs):
            out = subprocess.run([sys.executable, __file__, "--worker", spec, "--repeats", str(per)],
                                 capture_output=True, text=True)
            if out.returncode:
                raise SystemExit(f"generate_speed worker for {spec or 'the shipped model'} failed: "
                                 f"{out.stderr.strip()[-400:]}")
            runs[i].append(json.loads(out.stdout.strip().splitlines()[-1]))
    medians = []
    for rs in runs:
        r = rs[0]
        classes = f", {r['classes']} classes" if r["classes"] else ""
        load = statistics.median(x["load_ms"] for x in rs)
        print(f"model {r['name']} ({r['wide']} wide{classes}) on {r['device']}; load {load:.0f} ms; "
              f"{len(rs)} processes x {per} calls")
        for name, key in (("inference only", "infer"), ("generate (z, inference, PNG bytes)", "full")):
            xs = [x for run in rs for x in run[key]]
            med = statistics.median(xs)
            print(f"  {name:36s} median {med:6.1f} ms  min {min(xs):6.1f} ms  ratio to {TARGET_MS:.0f} ms target: "
                  f"{med / TARGET_MS:.2f}")
            if key == "infer":
                medians.append(med)
    if len(medians) == 2:
        print(f"inference time, model / baseline: x{medians[0] / medians[1]:.2f}")


if __name__ == "__main__":
    main()
