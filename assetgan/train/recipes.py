"""Named DCGAN training recipes: what `assetgan train dcgan` uses unless options override it.

Chosen by `benchmarks/quality.py` (equal CPU time, same held-out split; figures in benchmarks/README.md):
- sprites: DiffAugment (flip, translation, colour, cutout) + EMA generator + spectral norm in D. On crawl-sprites it
  beat Radford et al.'s recipe at 10 and 30 minutes (SWD 39.9 vs 93.5 at 30 min).
- textures: Radford's nets, loss and BatchNorm D, no augmentation, plus three changes to G: its output layer gets a
  bias started at the data's mean colour (`mean_init`), it ends without tanh (`linear_output`; pixels are clamped
  when made), and the EMA generator is exported. Radford's G spends this budget finding the data's brightness and
  never reaches its dark pixels (median tile 65 vs the data's 42, no pixel below 16/255 where a fifth of the data
  is). On crawl-textures (tileable) this recipe beat it at 10 minutes (SWD 77.9 vs 101.2, C2ST 0.865 vs 0.927) and
  is far more convincing to the classifier at 30 (C2ST 0.774 vs 0.932), but its SWD is worse there (104.8 vs 83.1):
  not better on both. The sprite recipe lost to plain DCGAN on textures (30 min SWD 173.7 vs 87.6), so did
  spectral norm alone.
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
