"""Two DCGAN models' SWD against one held-out folder over many seeds, paired per seed.

    python lab/tools/swd_pair.py OLD.onnx NEW.onnx --real runs/crawl-sprites-split/heldout --seeds 20

Each seed draws the generated images (from the same start seed for both models: conditional models sample each
class in proportion to its training images, as `assetgan evaluate` does) and the metric's own patches and
directions, so the two models meet the same projections. Prints each seed's pair, mean and spread per model, the
real-vs-real floor, and the paired difference (NEW minus OLD) with its standard error: "clear" when more than two
standard errors from zero, otherwise a tie. `--raw-new` / `--raw-old` measure the network's output without the
card's clean-output defaults (the default: what `generate` gives).
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from assetgan.metrics.evaluate import evaluate
from assetgan.runtime.model import open_model


def swd_per_seed(path: Path, real: Path, seeds: int, n: int, raw: bool) -> tuple[list[tuple[float, float]], int]:
    """(SWD, real-vs-real floor) per seed, and how many real images were measured against."""
    model = open_model(path)
    runs = [evaluate(model, real, n=n, seed=s, c2st=False, raw=raw) for s in range(seeds)]
    rows = [(e.figures["swd_x1e3"], e.figures.get("swd_floor_real_vs_real", float("nan"))) for e in runs]
    return rows, runs[0].n_real


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--real", type=Path, required=True, help="held-out images")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--raw-old", action="store_true")
    ap.add_argument("--raw-new", action="store_true")
    args = ap.parse_args()
    old, n_real = swd_per_seed(args.old, args.real, args.seeds, args.n, args.raw_old)
    new, _ = swd_per_seed(args.new, args.real, args.seeds, args.n, args.raw_new)
    print(f"{args.seeds} seeds, {args.n} generated vs {n_real} held-out images")
    print(f"{'seed':>4} {'old':>7} {'new':>7} {'floor':>7}")
    for s, ((a, fl), (b, _)) in enumerate(zip(old, new)):
        print(f"{s:>4} {a:7.2f} {b:7.2f} {fl:7.2f}")
    a = [r[0] for r in old]
    b = [r[0] for r in new]
    fl = [r[1] for r in old]
    d = [y - x for x, y in zip(a, b)]
    se = statistics.stdev(d) / len(d) ** 0.5
    for name, v in (("old", a), ("new", b), ("floor", fl)):
        print(f"{name:>5}: mean {statistics.mean(v):6.2f}  sd {statistics.stdev(v):5.2f}  "
              f"median {statistics.median(v):6.2f}")
    verdict = "clear" if abs(statistics.mean(d)) > 2 * se else "a tie"
    print(f"new - old: {statistics.mean(d):+.2f} ± {se:.2f} (standard error); new lower on {sum(x < 0 for x in d)} "
          f"of {len(d)} seeds: {verdict}")


if __name__ == "__main__":
    main()
