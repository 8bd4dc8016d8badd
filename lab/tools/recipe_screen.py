"""Screen training recipes at fixed step counts over many seeds, many runs at a time (made for a lent GPU).

    python lab/tools/recipe_screen.py --data ../shared/datasets/crawl-textures --out runs/screen \
        --seeds 1 2 3 4 --jobs 12 --device cuda --deadline 420 \
        plain=2000:PLAIN recipe=3000:--recipe,textures lrd=3000:--recipe,textures,--lr-d,1e-4

Each candidate is NAME=STEPS:FLAGS (FLAGS comma-separated `assetgan train dcgan` options, where the word PLAIN stands
for quality.py's Radford flags; STEPS the step count it would reach in the CPU budget, so candidates of different
speed are compared at equal CPU time). Every (candidate, seed)
is trained on the textures task of lab/tools/quality.py (32x32 RGB, tileable, the same 0.25 held-out split) and its
export is measured by the quality benchmark's 12-draw SWD against the held-out tiles. Runs go seed by seed, so a
deadline (seconds: no run starts after it) leaves every candidate with the same seeds done. The table gives each
candidate's mean and standard error over seeds, and its paired difference to the first candidate (the baseline).

A GPU trains differently from the CPU bit for bit, so a screen ranks candidates; a pick is then confirmed by
lab/tools/quality.py on the CPU, at equal wall-clock time, as the issue's target is stated.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quality import PLAIN, load_split, open_model_seeds, swd_over_draws  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
BASE = ["--size", "32", "--channels", "3", "--tileable", "--holdout", "0.25"]


def parse_candidate(text: str) -> tuple[str, int, list[str]]:
    name, _, rest = text.partition("=")
    steps, _, flags = rest.partition(":")
    if not name or not steps.isdigit() or int(steps) < 1:
        raise SystemExit(f"candidate {text!r}: expected NAME=STEPS:FLAGS, e.g. lrd=3000:--recipe,textures,--lr-d,1e-4")
    out: list[str] = []
    for f in flags.split(","):
        out += PLAIN if f == "PLAIN" else [f] if f else []
    return name, int(steps), out


def measure(run: Path, seed: int, n: int = 1000) -> dict:
    train, held, _ = load_split(run)
    gen = open_model_seeds(run / "model.onnx", seed, n)
    g = swd_over_draws(gen, held, seed)
    return {"swd_12": float(g.mean()), "swd_1": float(g[0])}


def one(name: str, steps: int, flags: list[str], seed: int, data: Path, out: Path, device: str) -> dict:
    run = out / f"{name}-s{seed}"
    done = run / "screen.json"
    if done.exists():
        return json.loads(done.read_text())
    t0 = time.time()
    cmd = [sys.executable, "-m", "assetgan", "train", "dcgan", str(data), "--out", str(run), *BASE, *flags,
           "--steps", str(steps), "--seed", str(seed), "--threads", "1", "--device", device,
           "--sample-every", "100000", "--checkpoint-every", "100000"]
    if (run / "checkpoint.pt").exists():
        cmd = [sys.executable, "-m", "assetgan", "train", "dcgan", "--resume", str(run), "--threads", "1",
               "--device", device]
    # PYTHONPATH: the measuring subprocess runs a script (its own folder on sys.path), and assetgan need not be
    # installed where a screen runs (a lent machine's Python)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    r = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        return {"name": name, "seed": seed, "error": (r.stderr.strip().splitlines() or ["?"])[-1]}
    t1 = time.time()
    m = subprocess.run([sys.executable, __file__, "--measure", str(run), "--seed", str(seed)], cwd=REPO, env=env,
                       capture_output=True, text=True)
    if m.returncode != 0:
        return {"name": name, "seed": seed, "error": (m.stderr.strip().splitlines() or ["?"])[-1]}
    row = {"name": name, "seed": seed, "steps": steps, **json.loads(m.stdout), "train_s": round(t1 - t0, 1),
           "measure_s": round(time.time() - t1, 1)}
    done.write_text(json.dumps(row) + "\n")
    return row


def table(rows: list[dict], names: list[str]) -> list[str]:
    by = {(r["name"], r["seed"]): r["swd_12"] for r in rows if "swd_12" in r}
    base = names[0]
    lines = [f"{'candidate':24s} {'seeds':>5s} {'swd_12':>7s} {'s.e.':>5s} {'vs ' + base:>12s} {'wins':>5s}"]
    for name in names:
        seeds = sorted(s for (n, s) in by if n == name)
        if not seeds:
            continue
        v = np.array([by[name, s] for s in seeds])
        se = v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else float("nan")
        paired = [s for s in seeds if (base, s) in by]
        d = np.array([by[name, s] - by[base, s] for s in paired])
        dse = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
        vs = f"{d.mean():+.1f}±{dse:.1f}" if len(d) else "-"
        lines.append(f"{name:24s} {len(v):5d} {v.mean():7.1f} {se:5.1f} {vs:>12s} {int((d < 0).sum()):2d}/{len(d)}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("candidates", nargs="*", help="NAME=STEPS:FLAGS; the first is the baseline")
    ap.add_argument("--data", type=Path, default=Path("..") / "shared" / "datasets" / "crawl-textures")
    ap.add_argument("--out", type=Path, default=REPO / "runs" / "screen")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--deadline", type=float, default=0, help="seconds after which no run starts (0 = none)")
    ap.add_argument("--summary", action="store_true", help="only print the table of the runs already in --out")
    ap.add_argument("--measure", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure, args.seed)))
        return
    if not args.candidates:
        raise SystemExit("no candidates: pass NAME=STEPS:FLAGS ...")
    cands = [parse_candidate(c) for c in args.candidates]
    names = [c[0] for c in cands]
    if args.summary:
        rows = [json.loads(p.read_text()) for p in sorted(args.out.glob("*/screen.json"))]
        print("\n".join(table(rows, names)))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    rows: list[dict] = []
    with cf.ThreadPoolExecutor(args.jobs) as pool:
        futs = []
        for seed in args.seeds:
            for name, steps, flags in cands:
                futs.append(pool.submit(lambda *a: None if args.deadline and time.time() - t0 > args.deadline
                                        else one(*a), name, steps, flags, seed, args.data.resolve(), args.out,
                                        args.device))
        for f in cf.as_completed(futs):
            row = f.result()
            if row is None:
                continue
            rows.append(row)
            print(json.dumps(row), flush=True)
    (args.out / "screen.json").write_text(json.dumps(rows, indent=1) + "\n")
    skipped = len(futs) - len(rows)
    print(f"-- {len(rows)} runs in {time.time() - t0:.0f} s"
          + (f"; {skipped} not started before the deadline" if skipped else ""), flush=True)
    print("\n".join(table(rows, names)), flush=True)


if __name__ == "__main__":
    main()
