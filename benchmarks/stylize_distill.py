"""A shallower, faster copy of a CycleGAN model, distilled from it, and how it compares with it, in one run.

    python benchmarks/stylize_distill.py --teacher MODEL_FP32.onnx --out RUN [--data DATASET] [--exclude HOLDOUT]
                                         [--keep 0,1,5] [--steps N | --minutes M] [--threads T]
    python benchmarks/stylize_distill.py --resume RUN [--steps N | --minutes M]

The student is the teacher's generator with only the residual blocks in --keep, every weight starting from the
teacher's, trained to reproduce the teacher's output (assetgan/train/distill.py) on DATASET's `photo/` and `monet/`
folders, both directions. Left out of training and used for the comparison: the photos named in --exclude (the
teacher run's held-out list) and the last 12 paintings. The run folder gets the checkpoint (exact resume), the log,
sample grids (input | teacher | student) and `model.onnx`. Then: SSIM of the student's output against the teacher's
on those held-out images and the 1080p sample screenshot, and the time of a 1080p pass of each. An int8 copy for
shipping: `python benchmarks/stylize_int8.py --model RUN/model.onnx ...`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
HELD_OUT_PAINTINGS = 12  # the last paintings by name: the int8 script compares on them too


class Printer:
    """Progress as a line every `every` steps."""

    def __init__(self, every: int = 100) -> None:
        self.every = every

    def update(self, done: int, total: int | None, metrics: Mapping[str, float] | None = None) -> None:
        if done % self.every == 0 and metrics:
            shown = "  ".join(f"{k} {v:.3g}" for k, v in metrics.items() if k != "train_seconds")
            print(f"step {done}/{total}: {shown}", flush=True)

    def aborted(self) -> bool:
        return False


def compare(teacher: Path, student: Path, data: Path, held_photos: list[str], held_paintings: list[str],
            repeats: int = 3) -> None:
    import numpy as np
    from PIL import Image
    from stylize_int8 import SHOT, ssim

    from assetgan.runtime.stylize import open_style_model

    def load(p: Path) -> np.ndarray:
        return np.asarray(Image.open(p).convert("RGB"))

    models = [open_style_model(p, ["CPUExecutionProvider"]) for p in (teacher, student)]
    sets = [("held-out photos a2b", [data / "photo" / n for n in held_photos], "a2b"),
            ("held-out paintings b2a", [data / "monet" / n for n in held_paintings], "b2a"),
            ("1080p screenshot a2b", [SHOT], "a2b")]
    sets = [x for x in sets if x[2] in models[0].card.translations]  # a CUT teacher translates a2b only
    print("SSIM of the student's output against the teacher's:")
    for name, files, way in sets:
        s = [ssim(*(m.stylize(img, way) for m in models)) for img in map(load, files)]
        print(f"  {name:24s} min {min(s):.4f}  mean {statistics.mean(s):.4f}  ({len(s)} images)")
    shot = load(SHOT)
    times: list[list[float]] = [[], []]
    for _ in range(repeats):
        for i, m in enumerate(models):
            t = time.perf_counter()
            m.stylize(shot, "a2b")
            times[i].append(time.perf_counter() - t)
    t0, t1 = (statistics.median(t) for t in times)
    print(f"1080p stylize, median of {repeats}: teacher {t0:.2f} s, student {t1:.2f} s (x{t1 / t0:.2f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teacher", type=Path, help="an fp32 CycleGAN model (.onnx) or run")
    ap.add_argument("--out", type=Path, help="a new run folder")
    ap.add_argument("--resume", type=Path, help="a run folder this script started")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets" / "monet2photo")
    ap.add_argument("--exclude", type=Path, help="the teacher run's holdout.txt (photos never trained on)")
    ap.add_argument("--keep", default="0,1,5", help="the teacher's residual blocks the student keeps")
    ap.add_argument("--steps", type=int)
    ap.add_argument("--minutes", type=float)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--name", help="the student's model name (default: the teacher's)")
    args = ap.parse_args()

    from assetgan.core.errors import AssetganError

    try:
        run(args)
    except AssetganError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def run(args: argparse.Namespace) -> None:
    from assetgan.core.errors import AssetganError
    from assetgan.train.checkpoint import load_checkpoint
    from assetgan.train.cyclegan_data import load_domain
    from assetgan.train.distill import DistillConfig, DistillTrainer, start_config

    if (args.resume is None) == (args.out is None):
        raise AssetganError("give --out NEW_RUN (with --teacher) or --resume RUN")
    if args.resume is not None:
        state = load_checkpoint(args.resume)
        if state.get("kind") != "distill":
            raise AssetganError(f"{args.resume}: not a distillation run")
        saved = DistillConfig.from_dict(dict(state["config"]))
        run_dir = args.resume
    else:
        if args.teacher is None:
            raise AssetganError("--out needs --teacher MODEL_FP32.onnx")
        if args.out.exists() and any(args.out.iterdir()):
            raise AssetganError(f"{args.out}: exists and is not empty; choose a new --out or --resume it")
        try:
            keep = tuple(int(k) for k in args.keep.split(","))
        except ValueError:
            raise AssetganError(f"--keep {args.keep}: must be block numbers separated by commas, e.g. 0,1,5") from None
        paintings = sorted(p.name for p in (args.data / "monet").glob("*.jpg"))
        held = args.exclude.read_text(encoding="utf-8").split() if args.exclude else []
        saved = DistillConfig(teacher=str(args.teacher.resolve()), data_a=str(args.data / "photo"),
                              data_b=str(args.data / "monet"), exclude_a=tuple(held),
                              exclude_b=tuple(paintings[-HELD_OUT_PAINTINGS:]), keep=keep, threads=args.threads)
        state, run_dir = None, args.out
    budget = {"steps": args.steps, "minutes": args.minutes}
    cfg = start_config(DistillConfig.from_dict(saved.to_dict() | {k: v for k, v in budget.items() if v is not None}))
    cfg.validate()

    def skipped(name: str, reason: str) -> None:
        print(f"skipped {name}: {reason}")

    a = load_domain(cfg.data_a, cfg.load_size, skipped)
    b = load_domain(cfg.data_b, cfg.load_size, skipped)
    meta = {"source_a": cfg.data_a, "source_b": cfg.data_b, "count_a": len(a) - len(cfg.exclude_a),
            "count_b": len(b) - len(cfg.exclude_b), "fingerprint_a": a.fingerprint, "fingerprint_b": b.fingerprint}
    if state is None:
        trainer = DistillTrainer(cfg, a, b, run_dir, meta)
    else:
        trainer = DistillTrainer.resume(run_dir, budget, state, a, b, run_dir, meta)
    print(f"distilling {Path(cfg.teacher).name}: blocks {','.join(map(str, cfg.keep))} kept, from step "
          f"{trainer.step}; {meta['count_a']} + {meta['count_b']} images -> {run_dir}", flush=True)
    t = time.perf_counter()
    result = trainer.run(Printer())
    print(f"{result.status} at step {result.step} ({time.perf_counter() - t:.0f} s, {result.images_per_s:.1f} "
          "images/s)")
    if result.status != "done":
        return
    out = run_dir / "model.onnx"
    report = trainer.export(out, args.name or trainer.teacher_facts["name"])
    print(f"{out}: {out.stat().st_size / 1e6:.1f} MB, ONNX parity {report.max_diff} levels")
    if Path(cfg.teacher).suffix.lower() == ".onnx":
        compare(Path(cfg.teacher), out, Path(cfg.data_a).parent, list(cfg.exclude_a), list(cfg.exclude_b))


if __name__ == "__main__":
    main()
