"""Curated defaults: does truncation, or dropping what the critic finds least convincing, improve the metrics?

    python lab/tools/curation.py runs/quality-sprites/assetgan [--model M.onnx] [--n 1000]

Measures, for one DCGAN run (its held-out split) and its exported model (with critic), the images `assetgan generate`
would give at several truncation psi (keep 1) and several keep-best fractions (psi 1): SWD x1e3 against the held-out
images, C2ST accuracy (mean of 5 classifier seeds), memorisation ratio, and for tileable models the wrap-seam score.
Every row is printed as a ratio to the untouched baseline (psi 1, keep 1) of the same run; a setting is worth a
default only if it improves SWD and C2ST together without a memorisation ratio under 0.9.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quality import SHORT, load_split  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path, help="DCGAN run folder (holdout.txt, config.json)")
    ap.add_argument("--model", type=Path, default=None, help="default: RUN/model.onnx")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--psi", type=float, nargs="+", default=[1.0, 0.9, 0.8, 0.7, 0.6])
    ap.add_argument("--keep", type=float, nargs="+", default=[0.9, 0.8, 0.7, 0.5])
    ap.add_argument("--json", type=Path, default=None, help="write the rows here")
    args = ap.parse_args()

    from assetgan.metrics.evaluate import curated_samples, image_figures
    from assetgan.runtime.model import open_model

    train, held, tileable = load_split(args.run)
    model = open_model(args.model or args.run / "model.onnx")
    floor = train[np.random.default_rng(args.seed).permutation(len(train))[: args.n]]
    settings = [(psi, 1.0) for psi in args.psi] + [(1.0, k) for k in args.keep if model.card.critic]
    if not model.card.critic:
        print(f"{model.path.name} has no critic: keep-best rows skipped")
    print(f"{model.path.name}: {args.n} images per setting vs {len(held)} held-out real, {len(train)} training")
    rows = []
    for psi, keep in settings:
        t = time.perf_counter()
        gen = curated_samples(model, args.seed, args.n, psi, keep)
        f = {SHORT.get(k, k): v for k, v in image_figures(gen, held, train, tileable, args.seed, 5, floor).items()}
        rows.append({"psi": psi, "keep": keep, **f, "seconds": time.perf_counter() - t})
    base = rows[0]
    print(f"SWD floor (real vs real) {base['swd_floor']:.2f}")
    head = f"{'psi':>5} {'keep':>5} {'SWD':>8} {'xbase':>6} {'C2ST':>6} {'|C2ST-.5| xbase':>15} {'NN ratio':>9}"
    print(head + ("  seam" if tileable else ""))
    for r in rows:
        c = abs(r["c2st"] - 0.5) / max(abs(base["c2st"] - 0.5), 1e-9)
        line = (f"{r['psi']:5.2f} {r['keep']:5.2f} {r['swd']:8.2f} {r['swd'] / base['swd']:6.3f} {r['c2st']:6.3f} "
                f"{c:15.3f} {r['nn_ratio']:9.3f}")
        print(line + (f"  {r['seam']:.3f}" if tileable else ""), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
