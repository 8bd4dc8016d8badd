"""The quality benchmark over several seeds: one baseline/candidate pair per seed, summed up per budget.

    python lab/tools/quality_seeds.py runs/quality-textures-v3 runs/quality-textures-seed2 \\
        runs/quality-textures-seed3 --baseline plain --candidate recipe-textures \\
        --alias lin-ema-lrg-drop=recipe-textures

Each folder is a `lab/tools/quality.py` work folder (its results.json). Every seed uses the same held-out split
(salted file-name hash) but its own initialisation, batches and samples; one SWD figure moves by about ±10 with
the draw, and the classic recipe's own figures vary widely from seed to seed (plain DCGAN's 30-minute texture SWD
59.4-114.2 over five seeds, lab/2026-12-06-benchmarks-log.md). This reads the pairs that are there, trains nothing, and
prints per budget: each seed's pair, the mean ± sd over seeds of SWD, the 12-draw SWD and C2ST, how many seeds
the candidate wins, whether it is better on the means, and the paired difference (candidate minus baseline, per
seed) with its standard error: "clear" when more than two standard errors from zero.
--alias names a variant that ran under another name with the same flags (old=new).
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from quality import holdout_of  # lab/tools/ (this script's folder) is on the path

METRICS = ("swd", "swd_12", "c2st")


def load(folders: list[Path], aliases: dict[str, str]) -> list[tuple[str, dict]]:
    out, holdouts = [], {}
    for folder in folders:
        path = folder / "results.json"
        if not path.is_file():
            raise SystemExit(f"{path}: no results.json; run lab/tools/quality.py with --out {folder} first")
        results = json.loads(path.read_text())
        holdouts[folder] = holdout_of(results)
        if len(set(holdouts.values())) > 1:
            first = next(iter(holdouts))
            raise SystemExit(f"{folder} held out {holdouts[folder]:g} of the data, {first} {holdouts[first]:g}: "
                             "summarise folders of one --holdout at a time")
        out.append((folder.name, {budget: {aliases.get(k, k): v for k, v in rows.items()}
                                  for budget, rows in results.items() if budget != "holdout"}))
    return out


def score(metric: str, row: dict) -> float:
    """Lower is better for every metric: C2ST counts as its distance from chance (0.5)."""
    return abs(row[metric] - 0.5) if metric == "c2st" else row[metric]


def sd(values: list[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else 0.0


def paired(diffs: list[float]) -> str:
    """Candidate minus baseline over the seeds, mean ± its standard error, and whether it is clear of zero (more
    than two standard errors; with fewer than 3 seeds it never is)."""
    n = len(diffs)
    mean = statistics.mean(diffs)
    se = sd(diffs) / n**0.5
    clear = n >= 3 and abs(mean) > 2 * se
    return f"difference {mean:+.3f} ± {se:.3f} (s.e.) {'clear' if clear else 'within noise'}"


def summary(runs: list[tuple[str, dict]], budget: str, base: str, cand: str) -> list[str]:
    pairs = [(name, rows[budget]) for name, rows in runs
             if budget in rows and base in rows[budget] and cand in rows[budget]]
    if not pairs:
        return [f"-- {budget} min: no folder has both {base} and {cand}"]
    lines = [f"-- {budget} min, {len(pairs)} seed(s): {cand} vs {base}  (C2ST as accuracy; lower is better for all)"]
    for name, rows in pairs:
        cells = "  ".join(f"{m} {rows[cand][m]:.3g} vs {rows[base][m]:.3g}" for m in METRICS)
        lines.append(f"  {name:28s} {cells}  steps {rows[cand].get('steps')} / {rows[base].get('steps')}")
    for m in METRICS:
        c = [score(m, rows[cand]) for _, rows in pairs]
        b = [score(m, rows[base]) for _, rows in pairs]
        wins = sum(x < y for x, y in zip(c, b))
        label = "C2ST distance from 0.5" if m == "c2st" else m
        lines.append(f"  mean {label:24s} {statistics.mean(c):8.3f} ± {sd(c):.3f} vs {statistics.mean(b):8.3f} ± "
                     f"{sd(b):.3f}  wins {wins}/{len(pairs)}  "
                     f"({'better' if statistics.mean(c) < statistics.mean(b) else 'NOT better'})  "
                     + paired([x - y for x, y in zip(c, b)]))
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", type=Path, nargs="+", help="lab/tools/quality.py work folders, one per seed")
    ap.add_argument("--baseline", default="plain")
    ap.add_argument("--candidate", required=True)
    ap.add_argument("--alias", action="append", default=[], metavar="OLD=NEW")
    args = ap.parse_args()
    bad = [a for a in args.alias if a.count("=") != 1]
    if bad:
        raise SystemExit(f"--alias {bad[0]!r}: write it as OLD=NEW, e.g. lin-ema-lrg-drop=recipe-textures")
    runs = load(args.folders, dict(a.split("=") for a in args.alias))
    budgets = sorted({b for _, rows in runs for b in rows}, key=float)
    for budget in budgets:
        print("\n".join(summary(runs, budget, args.baseline, args.candidate)))


if __name__ == "__main__":
    main()
