"""Named DCGAN training recipes: the config fields `assetgan train dcgan` sets unless options override them.

Chosen by `benchmarks/quality.py` (equal CPU time, same held-out split; figures in benchmarks/README.md):
- sprites: DiffAugment (flip, translation, colour, cutout) + EMA generator + spectral norm in D. On crawl-sprites it
  beat Radford et al.'s recipe at 10 and 30 minutes (SWD 39.9 vs 93.5 at 30 min).
- textures: Radford's G, loss and BatchNorm D, no augmentation, plus: G's output layer gets a bias started at the
  data's mean colour (`mean_init`), the EMA generator is exported, D is half as wide (ndf 32: ~1.8x the steps in the
  same time, and D overfits the ~500 tiles later), G learns at twice D's rate for the first 1500 steps and then both
  rates halve (G 4e-4 -> 2e-4, D 2e-4 -> 1e-4), and the rates are planned by the budget (since 2026-12-04): a
  run planned longer than 1500 steps learns at 1500 / planned steps of them, down to a quarter (`lr_ref_steps`,
  `lr_min_scale`; the plan is --steps, or the steps a timed probe projects for --minutes). The best rates fell with
  the run's length in a GPU screen (full at 2000 steps, half at 4000, a quarter at 8000) as on this CPU (full at the
  slow day's ~1300 steps, half at the fast day's ~3000). Runs of up to 1500 steps are the fixed-rate recipe's exactly,
  so the slow day's 10-minute rows below stand. Planned, at the fast day's 10-minute step counts: 12-draw SWD 51.7 vs
  Radford's 56.2 (6 of 7 seeds, clear), C2ST 0.811 vs 0.948 (7 of 7); at 30 minutes 54.7 / 58.1 vs 75.7 / 85.6, C2ST
  0.756 / 0.772 vs 0.981 (2 seeds); at an in-between day's (~2200 steps in 10 minutes) 12-draw SWD 53.3 vs 56.5
  (10 of 13 seeds, 2.3 s.e.), C2ST 0.828 vs 0.963 (13 of 13). The figures below are the fixed-rate recipe's.
  Radford's G spends this budget finding the data's brightness and never reaches its dark pixels (median tile 65 vs
  the data's 42); the faster G wins the first minutes, and the drop counters D overfitting the tiles later on. On
  crawl-textures (tileable, 169 held-out tiles), against Radford's recipe trained beside it, three seeds at 30
  minutes: 12-draw SWD 60.5 vs 78.8 and C2ST 0.838 vs 0.982 (better with every seed); at 10 minutes, five seeds, C2ST
  0.870 vs 0.950 (every seed) and 12-draw SWD 54.5 vs 57.4 (3 of 5 seeds, within noise), and re-run on a faster day
  55.4 vs 53.3 (1 of 5: not better; benchmarks/README.md); on a slow day (half the steps) 53.6 vs 63.4 and C2ST 0.855
  vs 0.985, better with all 8 seeds (clear). A 1.5x wider G (`--ngf 96`) did not help at fast-day step counts (two
  seeds, worse than plain). Half the base rates (`--lr 1e-4`, the pick of a 16-candidate GPU screen,
  benchmarks/recipe_screen.py) beat plain at the fast day's step counts (7 seeds, 52.3 vs 56.2, 6 of 7) but lost to
  this recipe at the slow day's (2 of 2 seeds); quartering the rates at the drop instead of halving them (the recipe's
  slow-day runs unchanged) recovered most of the recipe's fast-day loss on its three losing seeds but stayed just
  behind plain in all three. Exporting the best snapshot (`--select-every 300`) gave 52.0 there (3 of 5, within noise)
  at a small C2ST cost; an option, not part of the recipe. The previous texture recipe (64-wide D, no tanh) measured
  SWD 73.3 at 30 minutes: without tanh G's finest detail got worse, with the narrower D alone the coarse colour layout
  did. Tanh costs the darkest tones (median pixel 46 vs the data's 31 at fixed rates, 38 planned). The sprite
  recipe lost to plain DCGAN on textures (30 min SWD 173.7 vs 87.6), so did spectral norm and DiffAugment
  translation. Options measured and not adopted were removed after tag pre-option-cull (lab/2026-12-06-option-cull.md).
- radford: the DCGAN paper's recipe (BCE/non-saturating loss, BatchNorm in D, no augmentation, no EMA).
"""

from __future__ import annotations

from typing import Any

from ..errors import AssetganError

# each recipe: DCGANConfig fields it sets over the dataclass defaults (dataclasses.replace); options given on top win
RECIPES: dict[str, dict[str, Any]] = {
    "sprites": {"augment": ("flip", "translation", "color", "cutout"), "ema_beta": 0.999, "spectral_norm": True},
    "textures": {"augment": (), "ema_beta": 0.999, "spectral_norm": False, "mean_init": True, "lr_g": 4e-4,
                 "lr_d": 2e-4, "lr_drop_at": 1500, "lr_drop_g": 0.5, "lr_drop_d": 0.5, "lr_ref_steps": 1500,
                 "lr_min_scale": 0.25, "ndf": 32},
    "radford": {"augment": (), "ema_beta": 0.0, "spectral_norm": False},
}


def resolve_recipe(name: str, channels: int) -> tuple[str, dict[str, Any]]:
    """The recipe's name and field overrides; 'auto' picks textures for opaque RGB (channels 3), else sprites."""
    if name == "auto":
        name = "textures" if channels == 3 else "sprites"
    if name not in RECIPES:
        raise AssetganError(f"--recipe {name}: unknown; choose auto, {', '.join(RECIPES)}")
    return name, dict(RECIPES[name])
