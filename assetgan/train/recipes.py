"""Named DCGAN training recipes: what `assetgan train dcgan` uses unless options override it.

Chosen by `benchmarks/quality.py` (equal CPU time, same held-out split; figures in benchmarks/README.md):
- sprites: DiffAugment (flip, translation, colour, cutout) + EMA generator + spectral norm in D. On crawl-sprites it
  beat Radford et al.'s recipe at 10 and 30 minutes (SWD 39.9 vs 93.5 at 30 min).
- textures: Radford's D (BatchNorm, no augmentation) with the EMA generator. The sprite recipe lost to plain DCGAN on
  crawl-textures (SWD 173.7 vs 87.6 at 30 min, C2ST 0.985 vs 0.947); this one is the most convincing to the
  classifier (C2ST 0.871 vs 0.947) but its SWD is worse (116.9 vs 87.6): nothing tried beat plain on both.
- radford: the DCGAN paper's recipe (BCE/non-saturating loss, BatchNorm in D, no augmentation, no EMA).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import AssetganError


@dataclass(frozen=True)
class Recipe:
    augment: tuple[str, ...]  # DiffAugment ops applied to real and fake images before D
    ema_beta: float  # EMA decay of the exported generator (0 = the raw generator)
    spectral_norm: bool  # spectral norm in D instead of BatchNorm
    mean_init: bool = False  # G's output bias starts at the data's mean colour
    linear_output: bool = False  # no tanh at G's output


RECIPES: dict[str, Recipe] = {
    "sprites": Recipe(("flip", "translation", "color", "cutout"), 0.999, True),
    "textures": Recipe((), 0.999, False, mean_init=True, linear_output=True),
    "radford": Recipe((), 0.0, False),
}


def resolve_recipe(name: str, channels: int) -> tuple[str, Recipe]:
    """'auto' picks textures for opaque RGB (channels 3) and sprites for RGBA."""
    if name == "auto":
        name = "textures" if channels == 3 else "sprites"
    if name not in RECIPES:
        raise AssetganError(f"--recipe {name}: unknown; choose auto, {', '.join(RECIPES)}")
    return name, RECIPES[name]
