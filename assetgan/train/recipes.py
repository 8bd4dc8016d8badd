"""Named DCGAN training recipes: config field overrides applied over the dataclass defaults (`dataclasses.replace`).

How each was chosen and what it measured: lab/2026-12-06-training-docstrings.md.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import AssetganError

# each recipe: DCGANConfig fields it sets over the dataclass defaults (dataclasses.replace); options given on top win
RECIPES: dict[str, dict[str, Any]] = {
    "sprites": {"augment": ("translation", "color", "cutout"), "ema_beta": 0.999, "spectral_norm": True},
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
