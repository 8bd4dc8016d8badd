"""`assetgan evaluate`: offline quality figures for a DCGAN model against real images (no downloads)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .data.dataset import load_training_images
from .errors import AssetganError
from .metrics.memorisation import memorisation
from .metrics.seam import wrap_seam_score
from .metrics.swd import sliced_wasserstein
from .runtime.model import GeneratorModel


@dataclass
class Evaluation:
    model: str
    n_generated: int
    n_real: int
    figures: dict[str, Any] = field(default_factory=dict)

    def table(self) -> str:
        rows = [f"model {self.model}: {self.n_generated} generated vs {self.n_real} real images"]
        rows += [f"  {k:28s} {v:.4g}" if isinstance(v, float) else f"  {k:28s} {v}" for k, v in self.figures.items()]
        return "\n".join(rows)


def evaluate(model: GeneratorModel, real_dir: Path, train_dir: Path | None = None, n: int = 1000, seed: int = 0,
             c2st: bool = True, truncation: float | None = None) -> Evaluation:
    """SWD (with its real-vs-real floor), C2ST, memorisation (with --train) and the wrap-seam score."""
    card = model.card
    real = load_training_images(real_dir, card.size, card.channels).images
    if len(real) < 16:
        raise AssetganError(f"{real_dir}: only {len(real)} usable images; evaluation needs at least 16 real images")
    gen = model.generate_seeds(range(seed, seed + n), truncation)
    ev = Evaluation(model.path.name, len(gen), len(real))
    f = ev.figures
    f["swd_x1e3"] = sliced_wasserstein(gen, real, seed=seed).mean
    if len(real) >= 32:
        rng = np.random.default_rng(seed)
        perm = rng.permutation(len(real))
        a, b = real[perm[: len(real) // 2]], real[perm[len(real) // 2 :]]
        f["swd_floor_real_vs_real"] = sliced_wasserstein(a, b, seed=seed).mean
    if c2st:
        from .metrics.c2st import c2st as run_c2st

        res = run_c2st(real, gen, seed=seed)
        f["c2st_accuracy"] = res.accuracy
        f["c2st_p_value"] = res.p_value
    if train_dir is not None:
        train = load_training_images(train_dir, card.size, card.channels).images
        mem = memorisation(gen, train, real)
        f["nn_ratio_generated_heldout"] = mem.ratio
        f["near_duplicates"] = mem.near_duplicates
    if card.tileable:
        f["wrap_seam_generated"] = wrap_seam_score(gen)
        f["wrap_seam_real"] = wrap_seam_score(real)
    return ev
