"""`assetgan stylize` against its targets on this machine: the whole command (start-up, decode, stylize, encode) at
3840x2400 (<= 6 s, <= 1.5 GB peak RSS) and at 1080p (<= 2 s), and tiled vs whole-image output at 1080p (>= 38 dB
PSNR), each printed with its ratio to the target.

    python benchmarks/stylize_speed.py [--model trained/monet.onnx] [--baseline-src DIR [--baseline-model FILE]]
                                       [--compare-model FILE] [--repeats 3]
    python benchmarks/stylize_speed.py --architectures [--skip-paper-4k] [--no-train]

--baseline-src runs the same commands, interleaved, with the `assetgan` package found in DIR (e.g. an older commit:
`git archive COMMIT assetgan | tar -x -C DIR`; --baseline-model: with the model file of that commit) and prints
new/baseline ratios; --compare-model does the same with another model file (e.g. the int8 copy from
benchmarks/stylize_int8.py). The 1080p input is the sample screenshot
with `--pixel-art off` (it is 3x pixel art, which `auto` would stylize at 640x360); the 4K one is it upscaled
(bicubic, no pixel grid left), run with the default options.

--architectures: stylize time and peak RSS at 1080p and 4K of the shipped generator vs the 6-block/32-wide and the
paper's 9-block/64-wide generators, as ratios, plus training seconds per step for each (needs torch). Speed and memory
depend only on the architecture, so the two reference generators are exported with their initial weights; every
(model, size) runs in a fresh process so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHOT = ROOT / "assets" / "samples" / "dungeon_1080p.png"

RUN = r"""
import json, resource, sys, time
import numpy as np
from PIL import Image
from assetgan.runtime.stylize import open_style_model
path, w, h, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
img = np.asarray(Image.open(sys.argv[5]).convert("RGB").resize((w, h), Image.BICUBIC))
m = open_style_model(path, ["CPUExecutionProvider"])
times = []
for _ in range(repeats):
    t = time.perf_counter(); m.stylize(img, "a2b"); times.append(time.perf_counter() - t)
print(json.dumps({"seconds": min(times), "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def export_reference(ngf: int, blocks: int, scale: int, folder: Path, upsample: str = "transpose") -> Path:
    import torch

    from assetgan.runtime.card import ModelCard
    from assetgan.train.cyclegan_export import export_cyclegan
    from assetgan.train.cyclegan_nets import GeneratorSpec, ResnetGenerator, init_normal

    torch.manual_seed(0)
    spec = GeneratorSpec(ngf=ngf, blocks=blocks, internal_scale=scale, upsample=upsample)
    gens = [ResnetGenerator(spec) for _ in range(2)]
    for g in gens:
        g.apply(init_normal)
    card = ModelCard(kind="cyclegan", name=f"ref-{ngf}x{blocks}", size=256, channels=3, domains=["a", "b"],
                     pad_multiple=spec.pad_multiple)
    out = folder / f"ref-{ngf}x{blocks}-s{scale}.onnx"
    export_cyclegan(gens[0], gens[1], card, out)
    return out


def measure(model: Path, w: int, h: int, repeats: int) -> dict:
    res = subprocess.run([sys.executable, "-c", RUN, str(model), str(w), str(h), str(repeats), str(SHOT)],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def train_seconds_per_step(ngf: int, blocks: int, scale: int, crop: int, upsample: str, steps: int = 4) -> float:
    import numpy as np

    from assetgan.train.cyclegan_config import CycleGANConfig
    from assetgan.train.cyclegan_data import Domain
    from assetgan.train.cyclegan_loop import CycleGANTrainer

    rng = np.random.default_rng(0)
    imgs = [rng.integers(0, 256, (crop + 16, crop + 16, 3), dtype=np.uint8) for _ in range(4)]
    dom = Domain(imgs, [str(i) for i in range(4)], [], "x")
    cfg = CycleGANConfig(ngf=ngf, blocks=blocks, internal_scale=scale, upsample=upsample, crop=crop,
                         load_size=crop + 16, steps=100)
    tr = CycleGANTrainer(cfg, dom, dom, Path(tempfile.mkdtemp()), {})
    tr.train_step()
    t = time.perf_counter()
    for _ in range(steps):
        tr.train_step()
    return (time.perf_counter() - t) / steps


def tiled_psnr(model: Path) -> dict[str, tuple[float, float]]:
    """PSNR and max difference vs the whole-image pass: shared statistics (ours) and per-tile ones (naive)."""
    import numpy as np
    from PIL import Image

    from assetgan.runtime.stylize import BORDER, DEFAULT_OVERLAP, DEFAULT_TILE, open_style_model
    from assetgan.runtime.tiling import plan_tiles, tile_weight

    img = np.asarray(Image.open(SHOT).convert("RGB"))
    m = open_style_model(model, ["CPUExecutionProvider"])
    whole = m.stylize(img).astype(np.float64)
    shared = m.stylize(img, tile=DEFAULT_TILE).astype(np.float64)
    canvas = m.canvas(img)  # naive tiling: the same tiles and blend, each tile normalised by its own statistics
    acc = np.zeros(canvas.shape, np.float64)
    wsum = np.zeros(canvas.shape[:2] + (1,))
    for t in plan_tiles(*canvas.shape[:2], DEFAULT_TILE, DEFAULT_OVERLAP, m.multiple):
        out = m.run_graph("a2b", canvas[t.y0 : t.y1, t.x0 : t.x1], None)[0]
        w = tile_weight(t, *canvas.shape[:2], DEFAULT_OVERLAP)[..., None]
        acc[t.y0 : t.y1, t.x0 : t.x1] += out * w
        wsum[t.y0 : t.y1, t.x0 : t.x1] += w
    b = BORDER
    naive = np.round(acc / wsum)[b : b + img.shape[0], b : b + img.shape[1]]

    def score(x: np.ndarray) -> tuple[float, float]:
        mse = float(np.mean((whole - x) ** 2))
        return (10 * np.log10(255.0**2 / mse) if mse else float("inf")), float(np.abs(whole - x).max())

    out = {"shared statistics (assetgan)": score(shared), "per-tile statistics (naive)": score(naive)}
    # 4K: the statistics pass sees a copy downscaled to STATS_PIXELS, so tiles are no longer exact
    big = np.asarray(Image.fromarray(img).resize((3840, 2400), Image.BICUBIC))
    whole = m.run_graph("a2b", m.canvas(big), None)[0][b : b + 2400, b : b + 3840].astype(np.float64)
    out["4K, default tiling (stats from 2.2 Mpx)"] = score(m.stylize(big).astype(np.float64))
    return out


def whole_command(model: Path, image: Path, folder: Path, src: Path | None, *options: str) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one `assetgan stylize` process, start-up included; `src`: where to import
    assetgan from (None: this checkout)."""
    env = {**os.environ, "PYTHONPATH": str(src or ROOT)}
    err = folder / "stderr.txt"
    with open(err, "wb") as fh:
        t = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-m", "assetgan.cli.main", "stylize", str(model), str(image), "--out",
                              str(folder / "out"), "--overwrite", *options], cwd=folder, env=env,
                             stdout=subprocess.DEVNULL, stderr=fh)
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        raise SystemExit(f"assetgan stylize {image.name} failed ({p.returncode}): {err.read_text()[-400:]}")
    return seconds, usage.ru_maxrss / 1024


def targets(model: Path, baseline_src: Path | None, compare_model: Path | None, repeats: int = 3,
            baseline_model: Path | None = None) -> None:
    """The stylize targets, each with its ratio to the target; variants interleaved with the shipped code and model."""
    from PIL import Image

    tmp = Path(tempfile.mkdtemp())
    big = tmp / "upscaled_3840x2400.png"
    Image.open(SHOT).convert("RGB").resize((3840, 2400), Image.BICUBIC).save(big, compress_level=1)
    variants: dict[str, tuple[Path, Path | None]] = {"this checkout": (model, None)}
    if baseline_src:
        label = f" + {baseline_model.name}" if baseline_model else ""
        variants[f"baseline {baseline_src.name}{label}"] = (baseline_model or model, baseline_src)
    if compare_model:
        variants[f"model {compare_model.name}"] = (compare_model, None)
    cases = {"4K": (big, ()), "1080p": (SHOT, ("--pixel-art", "off"))}
    got: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for case, (image, options) in cases.items():
        for _ in range(repeats):
            for name, (path, src) in variants.items():
                got.setdefault((name, case), []).append(whole_command(path, image, tmp, src, *options))

    def med(name: str, case: str, i: int) -> float:
        return statistics.median(r[i] for r in got[name, case]) if i == 0 else max(r[i] for r in got[name, case])

    def spread(name: str, case: str) -> str:
        runs = [r[0] for r in got[name, case]]
        return f"[{min(runs):.2f}-{max(runs):.2f}]"

    print(f"whole command (`assetgan stylize`, start-up to written PNG), median of {repeats} runs [fastest-slowest], "
          "variants interleaved; ratio to target (<= 1 meets it), and of this checkout to each variant (< 1: this "
          "checkout is quicker or smaller):")
    for name in variants:
        t4, rss4, t1 = med(name, "4K", 0), med(name, "4K", 1), med(name, "1080p", 0)
        print(f"  {name:30s} 4K {t4:6.2f} s {spread(name, '4K')} (x{t4 / 6.0:.2f} of 6 s)  peak RSS {rss4:5.0f} MB "
              f"(x{rss4 / 1536:.2f} of 1.5 GB)   1080p {t1:5.2f} s {spread(name, '1080p')} (x{t1 / 2.0:.2f} of 2 s)")
    first = next(iter(variants))
    for name in list(variants)[1:]:
        print(f"  {first} vs {name}: 4K time x{med(first, '4K', 0) / med(name, '4K', 0):.2f}, peak RSS "
              f"x{med(first, '4K', 1) / med(name, '4K', 1):.2f}; 1080p time "
              f"x{med(first, '1080p', 0) / med(name, '1080p', 0):.2f}")
    print("\ntiled (default tiles) vs whole-image output on the 1080p screenshot (and upscaled to 4K):")
    for name, (p, worst) in tiled_psnr(model).items():
        ratio = f" (x{p / 38.0:.2f} of 38 dB)" if name.startswith("shared") else ""
        print(f"  {name:40s} PSNR {p:5.1f} dB{ratio}, max difference {worst:.0f} levels")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=ROOT / "trained" / "monet.onnx")
    ap.add_argument("--baseline-src", type=Path, help="a folder holding an older `assetgan` package to compare with")
    ap.add_argument("--compare-model", type=Path, help="another model file to run the same commands with")
    ap.add_argument("--architectures", action="store_true", help="compare the shipped generator's architecture "
                                                                 "with the reference ones instead (needs torch)")
    ap.add_argument("--skip-paper-4k", action="store_true", help="the paper's generator at 4K takes minutes")
    ap.add_argument("--no-train", action="store_true", help="skip the training-speed part")
    ap.add_argument("--baseline-model", type=Path, help="the model the --baseline-src code runs (default: --model)")
    ap.add_argument("--repeats", type=int, default=3, help="runs of each whole command (the median is reported)")
    args = ap.parse_args()
    if not args.architectures:
        targets(args.model.resolve(), args.baseline_src and args.baseline_src.resolve(),
                args.compare_model and args.compare_model.resolve(), max(1, args.repeats),
                args.baseline_model and args.baseline_model.resolve())
        return

    from assetgan.runtime.model import read_card

    card = read_card(args.model)
    tc = card.training_config
    tmp = Path(tempfile.mkdtemp())
    models = {
        f"shipped ({tc.get('ngf')}x{tc.get('blocks')}, internal 1/{tc.get('internal_scale')})": args.model,
        "6-block/32-wide": export_reference(32, 6, 1, tmp),
        "paper 9-block/64-wide": export_reference(64, 9, 1, tmp),
    }
    sizes = {"1080p": (1920, 1080), "4K (3840x2400)": (3840, 2400)}
    rows: dict[tuple[str, str], dict] = {}
    for size_name, (w, h) in sizes.items():
        for name, path in models.items():
            if args.skip_paper_4k and name.startswith("paper") and w > 2000:
                continue
            rows[name, size_name] = r = measure(path, w, h, 2 if w < 2000 else 1)
            print(f"{size_name:15s} {name:42s} {r['seconds']:7.2f} s  peak RSS {r['rss_mb']:7.0f} MB", flush=True)
    shipped = next(iter(models))
    print("\nratios (reference / shipped; > 1 means the shipped model is faster or smaller):")
    for size_name in sizes:
        base = rows[shipped, size_name]
        for name in list(models)[1:]:
            if (name, size_name) in rows:
                r = rows[name, size_name]
                print(f"  {size_name:15s} {name:24s} time x{r['seconds'] / base['seconds']:.2f}  "
                      f"RSS x{r['rss_mb'] / base['rss_mb']:.2f}")
    if args.no_train:
        return
    print("\ntraining seconds per step (both directions, batch 1, PatchGAN D 64 wide):")
    for crop in (128, 256):
        base = train_seconds_per_step(tc.get("ngf", 32), tc.get("blocks", 6), tc.get("internal_scale", 2), crop,
                                      tc.get("upsample", "transpose"))
        ref = train_seconds_per_step(32, 6, 1, crop, "transpose")
        paper = train_seconds_per_step(64, 9, 1, crop, "transpose")
        print(f"  crop {crop}: shipped {base:.2f} s, 6/32 {ref:.2f} s (x{ref / base:.2f}), "
              f"paper 9/64 {paper:.2f} s (x{paper / base:.2f})")


if __name__ == "__main__":
    main()
