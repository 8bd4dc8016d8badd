"""Quality at equal CPU budget: a classic recipe and assetgan's default, trained side by side, measured offline.

    python lab/tools/quality.py sprites    # plain Radford DCGAN vs assetgan's recipe, crawl-sprites, RGBA 32x32
    python lab/tools/quality.py textures --variants plain assetgan   # crawl-textures, tileable RGB 32x32
    python lab/tools/quality.py textures --variants plain-ema --out runs/quality-textures-plainema
    python lab/tools/quality.py cyclegan   # the paper's 9-block/64-wide generator vs the shipped design, monet2photo

The variants run side by side for the whole budget (one torch thread each, started together), so each gets the same
wall-clock time and the same share of the CPU; on 2 cores run two at a time (`--variants`), with nothing else
running, as for the figures in lab/2026-12-06-benchmarks-log.md (where a run shared the CPU with more, its step
count shows it).
At every budget (default 10 and 30 minutes) the runs stop, their ONNX exports are measured with nothing else
running, and then both resume exactly from their checkpoints to the next budget; a run whose rates are planned by its
budget (--lr-ref-steps, the textures recipe) starts afresh instead, as a user's run of that budget would (the earlier
run is kept as NAME-run-<M>min).

DCGAN figures, all against the same held-out split (`--holdout`, by salted file-name hash; never trained on; 0.1 of
the sprites, 0.25 of the textures since Dec 2026: SWD compares as many samples as there are held-out images, and
with 68 tiles (0.1) the real-vs-real floor was where the models were; 169 tiles bring it from ~74 to ~43, see
lab/2026-12-06-benchmarks-log.md):
SWD x1e3 (Karras et al. 2018; floor: 1000 training images vs the held-out ones; each figure compares len(held-out)
samples, so the mean over 12 draws, swd_12, is printed beside it), C2ST accuracy (mean of 5 classifier
seeds; 0.5 = indistinguishable), memorisation ratio (>= 0.9: no copying), and for tileable models the wrap-seam
score. CycleGAN figures, on held-out photos: style distance (SWD of outputs to Monet / SWD of inputs to Monet; lower
is more Monet-like) and content SSIM of luma.

A finished stage is not re-run: re-running the command after an interruption continues where it stopped.

`--steps plain=1874 recipe-textures=2829 --budgets 10` stops those variants at the step counts instead of the budget's
minutes: training is deterministic for a seed on one machine, so this re-traces runs of known step counts, or
emulates a faster machine's budget on this one (lab/2026-12-06-benchmarks-log.md, "Is it the step count?").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DATA = Path("..") / "shared" / "datasets"  # relative to REPO (the runs' cwd), so cards name no machine paths
# Radford et al.: BCE, BatchNorm in G and D, Adam 2e-4 / beta1 0.5, batch 64, 64 wide (every option spelled out)
PLAIN = ["--recipe", "radford", "--loss", "ns", "--augment", "none", "--ema", "0", "--no-spectral-norm", "--ngf",
         "64", "--ndf", "64", "--batch", "64", "--lr", "2e-4"]
MI_EMA = [*PLAIN, "--mean-init", "--ema", "0.999"]  # + output bias at the data's mean colour, EMA generator
LIN_EMA = [*MI_EMA, "--linear-output"]  # ... and no tanh
# `--recipe textures` of 1-2 Dec 2026 (no tanh, 64-wide D), which the texture screens below started from
# the textures recipe as it was before its rates were planned by the budget (2026-12-04): what the variants below it
# measured; `--recipe textures` alone is the recipe of the day
TEX_FIXED = ["--recipe", "textures", "--lr-ref-steps", "0"]
PREV_TEX = [*TEX_FIXED, "--linear-output", "--ndf", "64"]
TASKS = {
    "sprites": {
        "kind": "dcgan", "data": DATA / "crawl-sprites", "base": ["--size", "32", "--channels", "4"],
        "licence": "CC0 1.0 (Dungeon Crawl Stone Soup tiles)",
        # assetgan: `--recipe sprites` (ns loss, spectral norm, DiffAugment, EMA), G 48 wide for < 50 ms / 64
        "variants": {"plain": PLAIN, "assetgan": ["--recipe", "sprites", "--ngf", "48"]},
    },
    "textures": {
        "kind": "dcgan", "data": DATA / "crawl-textures", "base": ["--size", "32", "--channels", "3", "--tileable"],
        "holdout": 0.25,
        "licence": "CC0 1.0 (Dungeon Crawl Stone Soup tiles)",
        "variants": {
            "plain": PLAIN,
            # the sprite recipe (what `auto` picked for everything before this benchmark): it lost to plain
            "assetgan": ["--recipe", "sprites", "--ngf", "48"],
            # the sprite recipe without colour jitter (which hides what tells floor and wall textures apart)
            "assetgan-nocolor": ["--recipe", "sprites", "--ngf", "48", "--augment", "flip,translation,cutout"],
            # Radford's nets, loss and D with only the EMA generator added (`--recipe textures` until Nov 2026)
            "plain-ema": [*PLAIN, "--ema", "0.999"],
            # plain's samples are too bright and too flat; is it Radford's D, which normalises real and fake batches
            # separately? Spectral norm instead of BatchNorm (later options override PLAIN's): no, as bright, worse
            "sn": [*PLAIN, "--spectral-norm"],
            "sn-ema": [*PLAIN, "--spectral-norm", "--ema", "0.999"],
            # Radford's G cannot reach dark pixels in this budget (none below 16/255; a fifth of the data is): start its
            # output bias at the data's mean colour
            "mi": [*PLAIN, "--mean-init"],
            "mi-ema": MI_EMA,
            # ... it still makes no pixel darker than 16/255: tanh needs pre-activations beyond -2 for them
            "lin-ema": LIN_EMA,
            "lin-ema-flip": [*LIN_EMA, "--augment", "flip"],
            # lin-ema, the winner of the 10-minute screens, was `--recipe textures` until it lost SWD at 30 minutes;
            # it got worse from 10 to 30 minutes while its D's loss fell to ~0.02 (620 tiles, 400 epochs): D
            # overfits. Wrapped translation (a rolled tileable texture is still one) or a slower D against it
            "lin-ema-trans": [*LIN_EMA, "--augment", "translation"],
            "lin-ema-lrd": [*LIN_EMA, "--lr-d", "1e-4"],
            # the slower D fixed C2ST at 30 minutes (0.644) but lost the 10-minute budget; R1 (Mescheder et al. 2018)
            # regularises D where it overfits, without slowing it early
            "lin-ema-r1": [*LIN_EMA, "--r1", "0.1"],
            "lin-ema-r1-strong": [*LIN_EMA, "--r1", "1"],
            # ... R1 did not (30 min C2ST 0.932 / 0.944). Keep the slower D's ratio but speed G up instead, so the
            # first 10 minutes are not lost; and the slower D on the tanh generator (the closest at 30 minutes)
            "lin-ema-lrg": [*LIN_EMA, "--lr-g", "4e-4"],
            "mi-ema-lrd": [*MI_EMA, "--lr-d", "1e-4"],
            # R1 lowered the 30-minute SWD, the slower D the C2ST: both together
            "lin-ema-lrd-r1": [*LIN_EMA, "--lr-d", "1e-4", "--r1", "1"],
            "mi-ema-lrd-r1": [*MI_EMA, "--lr-d", "1e-4", "--r1", "1"],
            # D overfits from ~1200-2000 steps on (its loss below 0.1 in every run), while a slower D from the start
            # loses the first 10 minutes: full rate first, D at half rate after 1500 steps; and the same with G at
            # twice D's rate early (lin-ema-lrg, best at 10 minutes) and both rates halved after 1500 steps
            "lin-ema-dropd": [*LIN_EMA, "--lr-drop-at", "1500", "--lr-drop-d", "0.5"],
            "lin-ema-lrg-drop": [*LIN_EMA, "--lr-g", "4e-4", "--lr-drop-at", "1500", "--lr-drop-g", "0.5",
                                 "--lr-drop-d", "0.5"],
            # lin-ema-dropd beat plain at 30 minutes on every figure (C2ST 0.70 vs 0.997) and on SWD at 10, but tied
            # on C2ST at 10 (0.900 vs 0.888): lin-ema-lrg-drop above, and the same with the drop at step 2000, so that
            # the 10-minute model (~1600 steps) is lin-ema-lrg's, the best 10-minute one so far
            "lin-ema-lrg-drop2000": [*LIN_EMA, "--lr-g", "4e-4", "--lr-drop-at", "2000", "--lr-drop-g", "0.5",
                                     "--lr-drop-d", "0.5"],
            # lin-ema-lrg-drop beat plain on SWD and C2ST at 10 and 30 minutes: `--recipe textures` of 1-2 Dec
            # 2026 (lin-ema-lrd before). Spelled out here, since the recipe has changed since (below); the
            # `recipe-textures` figures and folders of 1-2 Dec 2026 are this recipe
            "prev-textures": PREV_TEX,
            # `assetgan train dcgan --recipe textures` as the CLI resolves it today
            "recipe-textures": ["--recipe", "textures"],
            # --recipe textures ties plain on the 10-minute SWD (169 held-out tiles, 3 seeds): ~1300 steps of 64-wide
            # nets in 10 minutes, and the fine level gets worse as D overfits the 507 tiles. Narrower nets: ~3x the
            # steps at 32 wide (140 vs 410 ms per step, one thread) and a D with a quarter of the weights; or only D
            # narrower (~1.5x the steps, G keeps its width)
            "recipe-textures-w32": [*TEX_FIXED, "--linear-output", "--ngf", "32", "--ndf", "32"],
            "recipe-textures-d32": [*TEX_FIXED, "--linear-output", "--ndf", "32"],
            # ... w32 made 3.4x the steps and collapsed (43 near-duplicates, SWD 81), d32 tied: more steps do not
            # help. Wrapped translation gave the best 30-minute SWD so far on lin-ema but lost C2ST; on the recipe
            "recipe-textures-trans": [*PREV_TEX, "--augment", "translation"],
            # the samples at 10 minutes are speckled where the held-out tiles are flat with thin sharp lines, and the
            # gap moves to the fine Laplacian level: G's 4x4 transposed convolutions, whose four output phases see
            # different weights (checkerboard, Odena et al. 2016), replaced by nearest 2x + 3x3 conv (1.4x per step)
            "recipe-textures-resize": [*PREV_TEX, "--upsample", "resize"],
            # ... no better (59.2, 59.9 vs plain's 55.2, 57.9; C2ST 0.93-0.97 lost). Per Laplacian level the recipe
            # loses the finest level in every seed (32-36 vs 26-33, floor 25) and ties or wins the 16x16 low-pass:
            # G's tanh, which linear_output removed so dark pixels can be reached, also bounds the speckle; tanh back
            "recipe-textures-tanh": [*TEX_FIXED, "--no-linear-output", "--ndf", "64"],
            # ... no better either (58.3, 57.0 vs 55.2, 57.9) and C2ST lost (0.91): lab/2026-12-06-benchmarks-log.md
            # The recipe's SWD levels off from ~6 minutes (~900 steps) while its rates are still high; the drop at
            # step 1500 comes after the 10-minute mark. Drop at 800, so the last minutes refine at half the rates
            "recipe-textures-drop800": [*PREV_TEX, "--lr-drop-at", "800"],
            # ... a tie again (55.5, 56.2 vs 55.2, 57.9), C2ST worse than the recipe's (0.86)
            # Per level (swd_power.py, seed 1): tanh fixed the finest level (27.2 vs the recipe's 32.4, plain 25.8) but
            # lost the low-pass (89.5 vs 84.4); the narrower D won the low-pass (67.9) and lost the finest (47.7).
            # Both together
            "recipe-textures-tanh-d32": [*TEX_FIXED, "--no-linear-output", "--ndf", "32"],
            # ... better than plain on every 10-minute mean over 3 seeds (12-draw SWD 53.4 vs 56.2, within noise; C2ST
            # 0.86 vs 0.95, clear), and at 30 minutes on every seed (60.5 vs 78.8, C2ST 0.84 vs 0.98): `--recipe
            # textures` since the evening of 2 Dec 2026
            # With tanh back the tiles are brighter than the data (median pixel 46 vs 31, 0.2 % near-black pixels vs
            # 8.7 %; lab/tools/tile_tones.py): G's output as 1.5 * tanh reaches black where tanh still has slope
            "recipe-textures-gain15": [*TEX_FIXED, "--no-linear-output", "--ndf", "32", "--output-gain",
                                       "1.5"],
            # ... 10 minutes, seeds 1 and 2: the tones back (median pixel 28 / 33, near-black 11.6 / 6.2 %) and the
            # best 10-minute C2ST of any texture run (0.714 / 0.743), but the 12-draw SWD only plain's (56.9 / 54.5 vs
            # 55.2 / 57.9; tanh + D 32 had 51.7 / 48.1)
            # ... and at 30 minutes one good seed, one bad: seed 1 59.0 / 0.694 (the best 30-minute C2ST), seed 2 82.8 /
            # 0.920 (worse than plain's 75.1 SWD; it got worse from 10 minutes on). Half the gain
            "recipe-textures-gain125": [*TEX_FIXED, "--no-linear-output", "--ndf", "32", "--output-gain",
                                        "1.25"],
            # ... worse at 10 minutes on both seeds (12-draw SWD 63.7 / 58.6 vs plain's 55.2 / 57.9; C2ST 0.794 / 0.778;
            # median pixel 44, near-black 0.9 / 0.6 %); its 30-minute stage was stopped to free the machine
            # The recipe's held-out SWD moves within a run (seed 2: 48.1 at 10 minutes, 70.9 at 30): score the
            # exported generator every 300 steps against the training images and export the best snapshot (the
            # scoring's time counts in the budget; the run's last weights are measured too, as "-last")
            "recipe-textures-select": [*TEX_FIXED, "--select-every", "300"],
            # ... 10 minutes, 5 seeds on a faster day (fresh plain runs): 12-draw SWD 52.0 vs plain's 53.3 (3 of 5,
            # within noise) where the same runs' last weights measured 55.4 (1 of 5); C2ST 0.887 vs 0.947 (last
            # weights 0.867): lab/2026-12-06-benchmarks-log.md
            # Against D overfitting the ~500 tiles and G's tiles varying less than the data's: D sees the batch's
            # feature spread (minibatch standard deviation, Karras et al. 2018, whose SWD this is) ... seed 1, 10
            # minutes: 12-draw SWD 54.7 vs the recipe's 50.9, C2ST 0.878 vs 0.896; not adopted
            "recipe-textures-mbstd": [*TEX_FIXED, "--mbstd"],
            # ... or D's real target is 0.9 (one-sided label smoothing, Salimans et al. 2016): 60.9, 0.955, worse
            "recipe-textures-ls": [*TEX_FIXED, "--real-label", "0.9"],
            # ... or D's logits are kept from drifting apart: LeCam regularisation (Tseng et al. 2021, made for GANs on
            # small data sets), weight 0.05 (binds once D's real-fake margin passes ~2 logits, where the recipe's D
            # sits at ~4 late in a run)
            "recipe-textures-lecam": [*TEX_FIXED, "--lecam", "0.05"],
            # ... both worse than plain on seeds 4 and 6 at fast-day step counts (62.6 / 61.5 vs 52.3 / 56.0). Or the
            # plateau is G's capacity: a 1.5x wider G (0.59x the steps per second): 59.7 / 58.1, worse than plain too
            "recipe-textures-ngf96": [*TEX_FIXED, "--ngf", "96"],
            # D regularisers made for small data sets: consistency (bCR, Zhao et al. 2021: D scores a tile and its
            # flipped / wrap-shifted copy alike). With Radford's BatchNorm D it kills D (weight 10 and 1, seed 4:
            # by step 300 / 1500 D scores every tile alike, its loss at ln 4, so G learns nothing); stopped
            "recipe-textures-cr": [*TEX_FIXED, "--cr", "1"],
            # ... or a self-supervised D (Liu et al. 2021, FastGAN): a small decoder rebuilds each real tile at 16x16
            # from D's 8x8 features, so D keeps describing the whole tile (0.9x the steps per second)
            "recipe-textures-recon": [*TEX_FIXED, "--recon", "1"],
            # ... six seeds at 0.905x the recipe's fast-day step counts: 12-draw SWD 55.0 vs plain's 56.0 (4 of 6,
            # within noise; the recipe 55.4), C2ST 0.859 vs 0.952: narrower spread between seeds, same mean
            # A GPU screen of 16 candidates x 4 seeds at fast-day step counts (lab/tools/recipe_screen.py; Adam
            # betas, EMA decays, batch sizes, rates, drop points, latent size, flips) ranked half the rates first
            # (G 2e-4, D 1e-4 to step 1500, then half that): the steadiest and lowest mean SWD of the screen
            "recipe-textures-lr1e4": [*TEX_FIXED, "--lr", "1e-4"],
            # ... at the fast day's counts 52.8 vs plain's 56.0 (5 of 6 seeds, 1.9 s.e.), but at the slow day's ~1400
            # steps far worse (seed 1: 62.9 vs plain's 52.9): half the rates early costs the short runs. The recipe as
            # it is to step 1500 (so every slow-day row stays as it is: same trajectory), then half-rate's late rates
            # (G 1e-4, D 5e-5: both quartered at the drop instead of halved)
            "recipe-textures-drop25": [*TEX_FIXED, "--lr-drop-g", "0.25", "--lr-drop-d", "0.25"],
            # ... most of the loss recovered, still just behind plain (3 seeds). Lower rates win long runs, full rates
            # short ones (a GPU screen at 2000, 4000 and 8000 steps: half rates best at 4000, a quarter at 8000): plan
            # the rates by the budget, the same total step size spread over the steps the budget holds: a run
            # planned longer than 1500 steps learns at 1500 / planned of the rates, at least a quarter of them (runs
            # up to 1500 steps, the slow day's 10 minutes, are the recipe's exactly)
            "recipe-textures-plan": ["--recipe", "textures", "--lr-ref-steps", "1500", "--lr-min-scale", "0.25"],
            # ... at the fast day's 10-minute counts 12-draw SWD 51.7 vs plain's 56.2 (6 of 7 seeds, 3.0 s.e.), C2ST
            # 0.811 vs 0.948 (7 of 7); at the slow day's the recipe's rows exactly; 30 minutes 54.7 / 58.1 vs 75.7 /
            # 85.6 (2 seeds): `--recipe textures` since 2026-12-04 (these flags are its own now); at an in-between
            # day's counts (plain 1421, the recipe 2226) 53.3 vs 56.5 (10 of 13 seeds, 2.3 s.e.), C2ST 13 of 13
        },
    },
    "cyclegan": {
        "kind": "cyclegan", "a": DATA / "monet2photo" / "photo", "b": DATA / "monet2photo" / "monet",
        "base": ["--name-a", "photo", "--name-b", "monet", "--crop", "128", "--load-size", "256",
                 "--holdout", "0.05"],
        "variants": {
            "paper": ["--ngf", "64", "--blocks", "9", "--internal-scale", "1", "--upsample", "transpose"],
            "assetgan": [],  # the command's defaults = the shipped design
        },
    },
}


def log(msg: str) -> None:
    print(msg, flush=True)


def planned_for(run: Path) -> float | None:
    """The minutes budget a DCGAN run planned its rates for (--lr-ref-steps), None when its rates are not planned."""
    cfg = json.loads((run / "config.json").read_text()).get("config", {})
    return float(cfg.get("minutes") or 0) if cfg.get("lr_ref_steps") else None


def train_stage(task: dict, out: Path, minutes: float, seed: int, holdout: float,
                steps: dict[str, int] | None = None) -> None:
    """Train every variant to `minutes` of training time, side by side, one thread each; a variant named in `steps`
    stops at that step count instead (the stage is still labelled `minutes`)."""
    procs = {}
    # numpy's BLAS threads too: the snapshot scores (--select-every) must not take the other run's core
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    for name, extra in task["variants"].items():
        run = out / name
        if (out / f"{name}-{minutes:g}min.onnx").exists():
            continue
        cmd = [sys.executable, "-m", "assetgan", "train", task["kind"]]
        if (run / "checkpoint.pt").exists() and (earlier := planned_for(run)) is not None:
            # rates planned for the earlier budget (--lr-ref-steps): extended, the run would keep them, so a
            # user's run of this budget is a fresh one; the earlier run is kept beside it
            run.rename(out / f"{name}-run-{earlier:g}min")
        if (run / "checkpoint.pt").exists():
            cmd += ["--resume", str(run)]
        elif task["kind"] == "dcgan":
            cmd += [str(task["data"]), "--out", str(run), *task["base"], *extra, "--holdout", f"{holdout:g}",
                    "--seed", str(seed), "--licence", task["licence"], "--sample-every", "1000",
                    "--checkpoint-every", "1000"]
        else:
            cmd += ["--a", str(task["a"]), "--b", str(task["b"]), "--out", str(run), *task["base"], *extra,
                    "--seed", str(seed), "--sample-every", "250", "--checkpoint-every", "250"]
        cmd += ["--steps", str(steps[name])] if steps and name in steps else ["--minutes", f"{minutes:g}"]
        cmd += ["--threads", "1"]
        log(f"[{name}] {' '.join(cmd[2:])}")
        procs[name] = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(out / f"{name}.log", "a"),
                                       cwd=REPO, env=env)
    for name, p in procs.items():
        if p.wait() != 0:
            raise SystemExit(f"[{name}] training failed (exit {p.returncode}); see {out / (name + '.log')}")
        shutil.copyfile(out / name / "model.onnx", out / f"{name}-{minutes:g}min.onnx")
        if "--select-every" in task["variants"][name]:  # the same run's last weights, for comparison
            subprocess.run([sys.executable, "-m", "assetgan", "to-onnx", str(out / name), "--last", "--force", "--out",
                            str(out / f"{name}-last-{minutes:g}min.onnx")], cwd=REPO, check=True,
                           stdout=subprocess.DEVNULL)


def measured_rows(task: dict) -> list[tuple[str, str]]:
    """(row name, run folder name): every variant, and the last weights of those that export a best snapshot."""
    rows = []
    for name, extra in task["variants"].items():
        rows.append((name, name))
        if "--select-every" in extra:
            rows.append((f"{name}-last", name))
    return rows


def steps_of(run: Path) -> int:
    from assetgan.train.checkpoint import load_checkpoint

    return int(load_checkpoint(run / "checkpoint.pt")["step"])


def machine_of(run: Path) -> str:
    """The CPU kernels and CPU a run last trained on (config.json; runs from before the record: 'unrecorded').

    Seeds retrace bit for bit only on the same machine; runs of the same seed on different days can differ here."""
    m = json.loads((run / "config.json").read_text()).get("machine")
    if not m:
        return "unrecorded"
    return " ".join(m[k] for k in ("cpu_kernels", "cpu", "gpu") if k in m)


def split(run: Path, images, files: list[str]):
    held = set((run / "holdout.txt").read_text().split())
    mask = np.array([f in held for f in files])
    return images[~mask], images[mask]


SHORT = {"swd_x1e3": "swd", "swd_floor_real_vs_real": "swd_floor", "c2st_accuracy": "c2st", "c2st_p_value": "c2st_p",
         "nn_ratio_generated_heldout": "nn_ratio", "near_duplicates": "near_dup", "wrap_seam_generated": "seam",
         "wrap_seam_real": "seam_real"}


def load_split(run: Path):
    """Training and held-out images of a DCGAN run, split as the run split them."""
    from assetgan.data.dataset import load_training_images

    cfg = json.loads((run / "config.json").read_text())["config"]
    data = load_training_images(REPO / cfg["data"], cfg["size"], cfg["channels"])
    train, held = split(run, data.images, data.files)
    return train, held, bool(cfg.get("tileable"))


def open_model_seeds(model_path: Path, seed: int, n: int) -> np.ndarray:
    from assetgan.runtime.model import open_model

    return open_model(model_path).generate_seeds(range(seed, seed + n), truncation=1.0)


def measure_dcgan(model_path: Path, run: Path, n: int, seed: int) -> dict[str, float]:
    """Raw samples (truncation 1, no critic): the training recipes are compared, not the curation."""
    from assetgan.metrics.evaluate import image_figures

    train, held, tileable = load_split(run)
    gen = open_model_seeds(model_path, seed, n)
    floor = train[np.random.default_rng(seed).permutation(len(train))[:n]]  # as many real images as generated
    f = image_figures(gen, held, train, tileable, seed, c2st_repeats=5, floor=floor)
    return {SHORT.get(k, k): v for k, v in f.items()} | swd_draws(gen, held, train, seed)


SWD_DRAWS = 12


def swd_over_draws(a: np.ndarray, b: np.ndarray, seed: int, draws: int = SWD_DRAWS) -> np.ndarray:
    """SWD compares equal-sized sets, so one figure uses only len(held) of the n samples (68 textures) and moves
    by about ±9 with the draw: the figures of `draws` draws (subsample, patches and directions)."""
    from assetgan.metrics.swd import sliced_wasserstein

    return np.array([sliced_wasserstein(a, b, seed=seed + k).mean for k in range(draws)])


def swd_draws(gen, held, train, seed: int) -> dict[str, float]:
    """The mean and spread over SWD_DRAWS draws, and the real-vs-real floor the same way."""
    g = swd_over_draws(gen, held, seed)
    return {"swd_12": float(g.mean()), "swd_12_sd": float(g.std()),
            "swd_12_floor": float(swd_over_draws(train, held, seed).mean())}


def measure_cyclegan(model_path: Path, run: Path, task: dict, n: int, seed: int) -> dict[str, float]:
    from assetgan.metrics.evaluate import evaluate_translation
    from assetgan.runtime.stylize import open_style_model

    held = run.parent / "heldout-photos"
    if not held.exists():
        tmp = run.parent / "heldout-photos.tmp"
        tmp.mkdir(exist_ok=True)
        for name in (run / "holdout.txt").read_text().split():
            dst = tmp / name
            if not dst.exists():
                dst.symlink_to((REPO / task["a"] / name).resolve())
        tmp.rename(held)
    ev = evaluate_translation(open_style_model(model_path), held, REPO / task["b"], "a2b", n=n, seed=seed)
    return {"style_distance": ev.figures["style_distance"], "content_ssim": ev.figures["content_ssim_luma"],
            "swd_to_monet": ev.figures["swd_outputs_to_target_x1e3"]}


def verdict(task_kind: str, rows: dict[str, dict]) -> list[str]:
    """Each later row against the first (the classic recipe)."""
    names = list(rows)
    base, out = rows[names[0]], []
    for name in names[1:]:
        ours = rows[name]
        if task_kind == "dcgan":
            out.append(f"  {name}: SWD ratio to {names[0]} {ours['swd'] / base['swd']:.3f}  "
                       f"({'better' if ours['swd'] < base['swd'] else 'NOT better'})")
            if "swd_12" in ours and "swd_12" in base:
                out.append(f"  {name}: SWD over {SWD_DRAWS} draws {ours['swd_12']:.1f} vs {base['swd_12']:.1f} "
                           f"(floor {base['swd_12_floor']:.1f})  "
                           f"({'better' if ours['swd_12'] < base['swd_12'] else 'NOT better'})")
            d0, d1 = abs(base["c2st"] - 0.5), abs(ours["c2st"] - 0.5)
            out.append(f"  {name}: C2ST distance from 0.5 {d1:.3f} vs {d0:.3f}  "
                       f"({'better' if d1 < d0 else 'NOT better'})")
            out.append(f"  {name}: memorisation ratio {ours['nn_ratio']:.3f}  "
                       f"({'ok' if ours['nn_ratio'] >= 0.9 else 'COPYING'})")
        else:
            out.append(f"  {name}: style distance {ours['style_distance']:.3f} vs {base['style_distance']:.3f}  "
                       f"({'better' if ours['style_distance'] < base['style_distance'] else 'NOT better'})")
            out.append(f"  {name}: content SSIM {ours['content_ssim']:.3f} vs {base['content_ssim']:.3f}  "
                       f"({'better' if ours['content_ssim'] > base['content_ssim'] else 'NOT better'})")
    return out


DEFAULT_HOLDOUT = 0.1  # a DCGAN task's unless it names its own; also what work folders from before the key held out


def holdout_of(results: dict) -> float:
    """The held-out fraction a work folder's results.json records (folders from before the key: the default)."""
    return results.get("holdout", DEFAULT_HOLDOUT)


def check_holdout(results: dict, holdout: float, out: Path) -> None:
    """A work folder's runs all use the split it started with: a continued run must not change the fraction."""
    started = holdout_of(results) if results else holdout
    if started != holdout:
        raise SystemExit(f"{out} was started with --holdout {started:g}, not {holdout:g}: "
                         f"pass --holdout {started:g} or another --out")


def parse_steps(items: list[str], budgets: int) -> dict[str, int]:
    """--steps VARIANT=N ... as {variant: N}; only with one budget (a step count stands for one time budget)."""
    steps = {}
    for item in items:
        name, _, n = item.partition("=")
        if not n.isdigit() or int(n) < 1:
            raise SystemExit(f"--steps {item}: expected VARIANT=N with N a positive step count")
        steps[name] = int(n)
    if steps and budgets != 1:
        raise SystemExit("--steps goes with one budget (--budgets 10): a step count stands for one time budget")
    return steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("task", choices=sorted(TASKS))
    ap.add_argument("--budgets", type=float, nargs="+", default=[10.0, 30.0], help="minutes, ascending")
    ap.add_argument("--out", type=Path, default=None, help="work folder (default: runs/quality-TASK)")
    ap.add_argument("--n", type=int, default=1000, help="generated images per measurement")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--holdout", type=float, default=None, help="held-out fraction of a DCGAN task's data "
                    "(default: the task's; a work folder keeps the fraction it started with)")
    ap.add_argument("--variants", nargs="+", default=None, help="train and measure only these (default: all; "
                    "each in its own run folder under --out)")
    ap.add_argument("--steps", nargs="+", default=None, metavar="VARIANT=N",
                    help="one budget only: stop these variants at N steps instead of the budget's minutes (to "
                         "re-trace, or emulate, the step counts another machine reached in that time)")
    args = ap.parse_args()
    steps = parse_steps(args.steps or [], len(args.budgets))
    task = dict(TASKS[args.task])
    names = args.variants or list(task["variants"])
    unknown = [v for v in names if v not in task["variants"]]
    if unknown:
        raise SystemExit(f"unknown variant(s) {unknown}; choose from {list(task['variants'])}")
    stray = [v for v in steps if v not in names]
    if stray:
        raise SystemExit(f"--steps names {stray}, not among the variants {names}")
    task["variants"] = {v: task["variants"][v] for v in names}
    out = args.out or REPO / "runs" / f"quality-{args.task}"
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    holdout = args.holdout if args.holdout is not None else task.get("holdout", DEFAULT_HOLDOUT)
    if task["kind"] == "dcgan":
        check_holdout(results, holdout, out)
        results["holdout"] = holdout
        results_path.write_text(json.dumps(results, indent=2) + "\n")  # claimed before training: a rerun after an
        # interruption in the first stage is held to the fraction its run folders were split with
    for minutes in sorted(args.budgets):
        key = f"{minutes:g}"
        t0 = time.time()
        train_stage(task, out, minutes, args.seed, holdout, steps)
        rows = results.setdefault(key, {})
        stale = [v for v in task["variants"] if task["kind"] == "dcgan" and v in rows and "swd_12" not in rows[v]]
        for name in stale:
            train, held, _ = load_split(out / name)  # rows measured before the draw mean existed
            gen = open_model_seeds(out / f"{name}-{key}min.onnx", args.seed, args.n)
            rows[name] |= swd_draws(gen, held, train, args.seed)
            results_path.write_text(json.dumps(results, indent=2) + "\n")
        if any(name not in rows for name, _ in measured_rows(task)):
            for name, run in ((r, f) for r, f in measured_rows(task) if r not in rows):
                model = out / f"{name}-{key}min.onnx"
                if task["kind"] == "dcgan":
                    rows[name] = measure_dcgan(model, out / run, args.n, args.seed)
                else:
                    rows[name] = measure_cyclegan(model, out / run, task, args.n, args.seed)
                rows[name]["steps"] = steps_of(out / run)
                rows[name]["machine"] = machine_of(out / run)
            results_path.write_text(json.dumps(results, indent=2) + "\n")
        log(f"-- {key} min of training each (stage took {time.time() - t0:.0f} s)")
        for name, f in results[key].items():
            log(f"  {name:9s} " + "  ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                                             for k, v in f.items()))
        for line in verdict(task["kind"], results[key]) if len(results[key]) >= 2 else []:
            log(line)


if __name__ == "__main__":
    main()
