"""bf16 autocast vs fp32 training: speed, and whether the model is as good after the same number of steps.

    python lab/tools/precision.py                      # the sprite recipe on crawl-sprites, 1000 steps each
    python lab/tools/precision.py --steps 300 --device cuda

Both runs use `assetgan train dcgan --recipe sprites --ngf 48` (the shipped sprite model's recipe) with the same seed
and held-out split, for the same number of steps: the only difference is `--precision`. On the CPU they run side by
side with one thread each (same share of the machine); on CUDA one after the other. Speed is images/s of training
(log.jsonl); quality is SWD (mean of 12 draws) and C2ST against the held-out sprites, as in quality.py.
bf16 "keeps quality" when its SWD and C2ST are within the spread between two fp32 seeds (`--seeds 2` measures it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from quality import DATA, REPO, measure_dcgan  # lab/tools/ is on sys.path when run as a script


def train(out: Path, precision: str, seed: int, steps: int, device: str, threads: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "assetgan", "train", "dcgan", str(DATA / "crawl-sprites"), "--out", str(out),
           "--size", "32", "--channels", "4", "--recipe", "sprites", "--ngf", "48", "--holdout", "0.1",
           "--seed", str(seed), "--steps", str(steps), "--precision", precision, "--device", device,
           "--threads", str(threads), "--sample-every", "100000", "--checkpoint-every", "100000"]
    return subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=open(out.parent / f"{out.name}.log", "w"))


def images_per_s(run: Path) -> float:
    """Training images/s over the whole run, from the last log row (train_seconds counts training only)."""
    rows = [json.loads(x) for x in (run / "log.jsonl").read_text().splitlines()]
    cfg = json.loads((run / "config.json").read_text())["config"]
    return rows[-1]["step"] * cfg["batch_size"] / rows[-1]["train_seconds"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--seeds", type=int, default=1, help="fp32 seeds (2 = also the fp32 seed-to-seed spread)")
    ap.add_argument("--out", type=Path, default=REPO / "runs" / "precision")
    ap.add_argument("--n", type=int, default=1000, help="generated images per measurement")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    import torch

    cuda = args.device.startswith("cuda") or (args.device == "auto" and torch.cuda.is_available())
    plan = [("fp32", 1), ("bf16", 1)] + [("fp32", 1 + k) for k in range(1, args.seeds)]
    names = [f"{p}-seed{s}" for p, s in plan]
    todo = [(n, p, s) for n, (p, s) in zip(names, plan) if not (args.out / n / "model.onnx").exists()]
    if cuda:  # one GPU: one run at a time, all threads
        for n, p, s in todo:
            if train(args.out / n, p, s, args.steps, args.device, 0).wait():
                raise SystemExit(f"{n} failed; see {args.out / (n + '.log')}")
    else:  # the CPU: side by side, one thread each, so both get the same share of the machine
        for i in range(0, len(todo), 2):
            procs = {n: train(args.out / n, p, s, args.steps, args.device, 1) for n, p, s in todo[i:i + 2]}
            for n, proc in procs.items():
                if proc.wait():
                    raise SystemExit(f"{n} failed; see {args.out / (n + '.log')}")
    rows = {}
    for n in names:
        run = args.out / n
        f = measure_dcgan(run / "model.onnx", run, args.n, seed=1)
        rows[n] = {"images_per_s": images_per_s(run), "swd": f["swd"], "swd_12": f["swd_12"], "c2st": f["c2st"],
                   "device": json.loads((run / "config.json").read_text()).get("device", "?")}
    (args.out / "results.json").write_text(json.dumps(rows, indent=2) + "\n")
    print(f"{args.steps} steps each, sprite recipe (ngf 48), crawl-sprites held-out split; device "
          f"{rows[names[0]]['device'].split(',')[0]}")
    for n, r in rows.items():
        print(f"  {n:12s} {r['images_per_s']:7.1f} images/s   SWD {r['swd']:6.1f}  SWD_12 {r['swd_12']:6.1f}  "
              f"C2ST {r['c2st']:.3f}")
    a, b = rows[names[0]], rows[names[1]]
    print(f"bf16 / fp32: speed x{b['images_per_s'] / a['images_per_s']:.2f}, SWD_12 x{b['swd_12'] / a['swd_12']:.3f}, "
          f"C2ST distance from 0.5 {abs(b['c2st'] - 0.5):.3f} vs {abs(a['c2st'] - 0.5):.3f}")
    if len(names) > 2:
        c = rows[names[2]]
        print(f"fp32 seed-to-seed: SWD_12 x{c['swd_12'] / a['swd_12']:.3f}, C2ST distance "
              f"{abs(c['c2st'] - 0.5):.3f} vs {abs(a['c2st'] - 0.5):.3f} (the noise bf16 is judged against)")


if __name__ == "__main__":
    main()
