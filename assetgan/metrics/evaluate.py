"""`assetgan evaluate`: offline quality figures for DCGAN and CycleGAN models against real images (no downloads)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import AssetganError
from ..data.dataset import load_training_images
from ..render.palette import parse_palette_spec
from ..render.postprocess import Finisher
from ..runtime.card import ModelCard
from ..runtime.clean import CleanOutput, clean_output
from ..runtime.curate import best_seeds, check_keep
from ..runtime.latent import check_truncation
from ..runtime.model import GeneratorModel
from ..runtime.stylize import StyleModel
from .memorisation import memorisation
from .per_class import class_samples, class_table, per_class_figures, proportional, real_class_ids
from .seam import wrap_seam_score
from .swd import sliced_wasserstein
from .translation import ssim_luminance


@dataclass
class Evaluation:
    model: str
    n_generated: int
    n_real: int
    figures: dict[str, Any] = field(default_factory=dict)

    def table(self) -> str:
        rows = [f"model {self.model}: {self.n_generated} generated vs {self.n_real} real images"]
        rows += [f"  {k:28s} {v:.4g}" if isinstance(v, float) else f"  {k:28s} {v}" for k, v in self.figures.items()
                 if k != "per_class"]
        if self.figures.get("per_class"):
            rows += ["per class (recognition: share of images the classifier trained on real sprites puts in "
                     "their class):", *class_table(self.figures["per_class"])]
        return "\n".join(rows)


def image_figures(gen: np.ndarray, real: np.ndarray, train: np.ndarray | None = None, tileable: bool = False,
                  seed: int = 0, c2st_repeats: int = 1, floor: np.ndarray | None = None) -> dict[str, Any]:
    """SWD to `real` (with a real-vs-real floor), C2ST (mean over `c2st_repeats` classifier seeds; needs torch),
    memorisation against `train`, wrap seams. `floor`: real images to compare with `real` for the floor
    (default: two halves of `real`). c2st_repeats=0 skips C2ST."""
    f: dict[str, Any] = {"swd_x1e3": sliced_wasserstein(gen, real, seed=seed).mean}
    if floor is not None:
        f["swd_floor_real_vs_real"] = sliced_wasserstein(floor, real, seed=seed).mean
    elif len(real) >= 32:
        perm = np.random.default_rng(seed).permutation(len(real))
        a, b = real[perm[: len(real) // 2]], real[perm[len(real) // 2 :]]
        f["swd_floor_real_vs_real"] = sliced_wasserstein(a, b, seed=seed).mean
    if c2st_repeats:
        from .c2st import c2st as run_c2st

        runs = [run_c2st(real, gen, seed=seed + k) for k in range(c2st_repeats)]
        f["c2st_accuracy"] = float(np.mean([r.accuracy for r in runs]))
        f["c2st_p_value"] = float(np.median([r.p_value for r in runs]))
    if train is not None:
        mem = memorisation(gen, train, real)
        f["nn_ratio_generated_heldout"] = mem.ratio
        f["near_duplicates"] = mem.near_duplicates
    if tileable:
        f["wrap_seam_generated"] = wrap_seam_score(gen)
        f["wrap_seam_real"] = wrap_seam_score(real)
    return f


def finisher(card: ModelCard, raw: bool) -> Callable[[np.ndarray], np.ndarray]:
    """What `generate` does to each image by default (the card's clean output), or nothing with `raw`."""
    clean = CleanOutput() if raw else clean_output(card)
    palette = parse_palette_spec(list(card.palette)) if clean.palette == "auto" else None
    return Finisher(1, palette, clean.alpha_threshold, clean.colours)


def curated_samples(model: GeneratorModel, start: int, n: int, truncation: float | None = None,
                    keep: float | None = None, raw: bool = False) -> np.ndarray:
    """What `assetgan generate` gives for these settings (card defaults when None): n images from seed `start`."""
    psi, keep = model.sampling(truncation, keep)
    seeds = best_seeds(model, start, n, keep, psi) if keep < 1.0 else range(start, start + n)
    finish = finisher(model.card, raw)
    return np.stack([finish(im) for im in model.generate_seeds(seeds, psi)])


def evaluate(model: GeneratorModel, real_dir: Path, train_dir: Path | None = None, n: int = 1000, seed: int = 0,
             c2st: bool = True, truncation: float | None = None, keep: float | None = None,
             c2st_repeats: int = 5, raw: bool = False, label_map: str | None = None) -> Evaluation:
    """SWD (with its real-vs-real floor), C2ST, memorisation (with --train) and the wrap-seam score, measured on
    what `generate` gives with the same truncation, keep-best and finishing (the card's defaults unless given).
    A conditional model is sampled per class in proportion to its training classes, and gets per-class figures:
    recognition (with --train), SWD and C2ST against the held-out images of each class."""
    card = model.card
    loaded = load_training_images(real_dir, card.size, card.channels)
    real = loaded.images
    if len(real) < 16:
        raise AssetganError(f"{real_dir}: only {len(real)} usable images; evaluation needs at least 16 real images")
    train_data = load_training_images(train_dir, card.size, card.channels) if train_dir is not None else None
    train = train_data.images if train_data is not None else None
    per_class: dict[str, Any] = {}
    if card.classes:
        psi, kp = model.sampling(truncation, keep)
        shares = proportional(card.class_counts, n)
        by_class = class_samples(model, seed, max(max(shares), -(-n // len(card.classes))), check_truncation(psi),
                                 check_keep(kp), finisher(card, raw))
        gen = np.concatenate([imgs[:k] for imgs, k in zip(by_class, shares)])
        real_ids = real_class_ids(card, loaded.files, label_map)
        if real_ids is not None:
            train_ids = real_class_ids(card, train_data.files, label_map) if train_data is not None else None
            per_class = per_class_figures(by_class, real, real_ids, train, train_ids, card.classes, seed, c2st)
    else:
        gen = curated_samples(model, seed, n, truncation, keep, raw)
    ev = Evaluation(model.path.name, len(gen), len(real))
    ev.figures.update(image_figures(gen, real, train, card.tileable, seed, c2st_repeats if c2st else 0))
    ev.figures["finishing"] = "raw" if raw else clean_output(card).describe()
    ev.figures.update(per_class)
    return ev


def evaluate_translation(model: StyleModel, inputs_dir: Path, target_dir: Path, direction: str = "a2b",
                         n: int = 1000, size: int = 256, seed: int = 0) -> Evaluation:
    """Style distance (SWD of outputs to the target domain relative to the inputs') and content (SSIM of luma).

    Inputs and targets are centre-cropped squares of `size` pixels; each input is translated whole.
    """
    inputs = load_training_images(inputs_dir, size, 3).images[:n]
    target = load_training_images(target_dir, size, 3).images
    if len(inputs) < 16 or len(target) < 16:
        raise AssetganError(f"{inputs_dir if len(inputs) < 16 else target_dir}: evaluation needs at least 16 images")
    outputs = np.stack([model.stylize(np.ascontiguousarray(img), direction) for img in inputs])
    ev = Evaluation(model.path.name, len(outputs), len(target))
    f = ev.figures
    swd_out = sliced_wasserstein(outputs, target, seed=seed).mean
    swd_in = sliced_wasserstein(inputs, target, seed=seed).mean
    f["swd_outputs_to_target_x1e3"] = swd_out
    f["swd_inputs_to_target_x1e3"] = swd_in
    f["style_distance"] = swd_out / max(swd_in, 1e-12)
    if len(target) >= 32:
        perm = np.random.default_rng(seed).permutation(len(target))
        half = len(target) // 2
        f["swd_floor_target_vs_target"] = sliced_wasserstein(target[perm[:half]], target[perm[half:]], seed).mean
    f["content_ssim_luma"] = ssim_luminance(inputs, outputs)
    return ev
