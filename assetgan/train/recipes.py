"""Named DCGAN training recipes: what `assetgan train dcgan` uses unless options override it.

Chosen by `benchmarks/quality.py` (equal CPU time, same held-out split; figures in benchmarks/README.md):
- sprites: DiffAugment (flip, translation, colour, cutout) + EMA generator + spectral norm in D. On crawl-sprites it
  beat Radford et al.'s recipe at 10 and 30 minutes (SWD 39.9 vs 93.5 at 30 min).
- textures: Radford's nets, loss and BatchNorm D, no augmentation, plus: G's output layer gets a bias started at
  the data's mean colour (`mean_init`), G ends without tanh (`linear_output`; pixels are clamped when made), the EMA
  generator is exported, G learns at twice D's rate for the first 1500 steps and then both rates halve (G 2e-4,
  D 1e-4 with the default --lr). Radford's G spends this budget finding the data's brightness and never reaches its
  dark pixels (median tile 65 vs the data's 42, no pixel below 16/255 where a fifth of the data is); the faster G
  wins the first minutes, and the drop counters D overfitting the ~600 tiles later on (its loss falls to ~0.02 by
  30 minutes at full rate). On crawl-textures (tileable), against Radford's recipe trained beside it, five seeds:
  C2ST 0.642 vs 0.914 at 10 minutes and 0.661 vs 0.975 at 30 (better with every seed); SWD 75.5 vs 80.0 and 77.8
  vs 88.1 on average, but the 12-draw SWD is better in only 2 of 5 seeds at each budget (benchmarks/README.md). The
  sprite recipe lost to plain DCGAN on textures (30 min SWD 173.7 vs 87.6), so did spectral norm, R1 and
  DiffAugment translation (benchmarks/README.md).
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
    r1_gamma: float = 0.0  # R1 penalty weight on D at real images (0 = off)
    g_lr_factor: float = 1.0  # G's learning rate = --lr times this
    d_lr_factor: float = 1.0  # D's learning rate = --lr times this
    lr_drop_at: int = 0  # step from which G's and D's rates are multiplied by the factors below (0 = never)
    lr_drop_g: float = 1.0
    lr_drop_d: float = 1.0
    upsample: str = "transpose"  # G's 2x layers: transposed conv (Radford) or nearest 2x + 3x3 conv ("resize")


RECIPES: dict[str, Recipe] = {
    "sprites": Recipe(("flip", "translation", "color", "cutout"), 0.999, True),
    "textures": Recipe((), 0.999, False, mean_init=True, linear_output=True, g_lr_factor=2.0, lr_drop_at=1500,
                       lr_drop_g=0.5, lr_drop_d=0.5),
    "radford": Recipe((), 0.0, False),
}


def resolve_recipe(name: str, channels: int) -> tuple[str, Recipe]:
    """'auto' picks textures for opaque RGB (channels 3) and sprites for RGBA."""
    if name == "auto":
        name = "textures" if channels == 3 else "sprites"
    if name not in RECIPES:
        raise AssetganError(f"--recipe {name}: unknown; choose auto, {', '.join(RECIPES)}")
    return name, RECIPES[name]
