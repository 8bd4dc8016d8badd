"""What a user gave, turned into a validated training config in one place: recipe, --config file, options, --set.

Precedence, lowest first: the dataclass defaults, the recipe (DCGAN), the --config file, the command's first-class
options that were given, then --set FIELD=VALUE. The CLI declares its first-class options here (option name ->
config field); every other field is reached through --set or --config. Torch-free.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..core.errors import AssetganError
from .config import DCGANConfig
from .cut_config import CUTConfig
from .cyclegan_config import CycleGANConfig
from .fields import parse_sets, read_config_file
from .recipes import resolve_recipe

# first-class options of `assetgan train dcgan`, `train cyclegan` and `train cut` (parameter name -> config field)
_SHARED = {"steps": "steps", "minutes": "minutes", "batch": "batch_size", "seed": "seed", "threads": "threads",
           "precision": "precision"}
DCGAN_OPTIONS: dict[str, str] = {
    "size": "size", "channels": "channels", "tileable": "tileable", "licence": "data_licence", "labels": "labels",
    "label_depth": "label_depth", "label_map": "label_map", **_SHARED}
CYCLEGAN_OPTIONS: dict[str, str] = {
    "name_a": "name_a", "name_b": "name_b", "licence_a": "licence_a", "licence_b": "licence_b", "crop": "crop",
    **_SHARED}

def _layers(cls: type, mapping: Mapping[str, str], given: Mapping[str, Any], config_file: Path | None,
            sets: Sequence[str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The --config file's, the given options' and --set's field values (typed), in that order of precedence."""
    from_file = read_config_file(cls, config_file) if config_file is not None else {}
    from_options = {mapping[k]: v for k, v in given.items() if v is not None}
    return from_file, from_options, parse_sets(cls, sets)


def dcgan_config(data: str | None, given: Mapping[str, Any], recipe: str | None = None,
                 config_file: Path | None = None, sets: Sequence[str] = (), dry_run: bool = False,
                 require_data: bool = True) -> DCGANConfig:
    """The validated config of a new DCGAN run. `given`: first-class options by DCGAN_OPTIONS name (None = not
    given); `recipe`: --recipe (else the file's or --set's "recipe", else auto); `require_data`: a run needs DATA
    (--print-config does not)."""
    from_file, from_options, from_sets = _layers(DCGANConfig, DCGAN_OPTIONS, given, config_file, sets)
    if require_data and not (data or from_file.get("data") or from_sets.get("data")):
        raise AssetganError("missing DATA: pass a folder of images or a sprite sheet (or --resume RUN)")
    named = (recipe, from_sets.pop("recipe", None), from_file.pop("recipe", None))
    merged = from_file | from_options | from_sets
    name, fields = resolve_recipe(next((n for n in named if n), "auto"), merged.get("channels", DCGANConfig.channels))
    path = {} if data is None else {"data": str(data)}
    cfg = dataclasses.replace(DCGANConfig(), **fields | merged | {"recipe": name} | path)
    if dry_run:
        cfg = dataclasses.replace(cfg, dry_run=True, steps=cfg.steps or 4, size=min(cfg.size, 32), ngf=16, ndf=16,
                                  batch_size=min(cfg.batch_size, 8), sample_every=2, checkpoint_every=2)
    return cfg.validate()


def cyclegan_config(data_a: str | None, data_b: str | None, given: Mapping[str, Any],
                    config_file: Path | None = None, sets: Sequence[str] = (), dry_run: bool = False,
                    require_data: bool = True, cls: type[CycleGANConfig] | type[CUTConfig] = CycleGANConfig
                    ) -> CycleGANConfig | CUTConfig:
    """The validated config of a new CycleGAN run, or of a CUT run with `cls` CUTConfig (see dcgan_config)."""
    from_file, from_options, from_sets = _layers(cls, CYCLEGAN_OPTIONS, given, config_file, sets)
    merged = from_file | from_sets
    if require_data and not ((data_a or merged.get("data_a")) and (data_b or merged.get("data_b"))):
        raise AssetganError("missing --a/--b: pass two folders of images (or --resume RUN)")
    paths = {k: str(v) for k, v in (("data_a", data_a), ("data_b", data_b)) if v is not None}
    cfg = dataclasses.replace(cls(), **from_file | from_options | from_sets | paths)
    if dry_run:
        cfg = dataclasses.replace(cfg, dry_run=True, steps=cfg.steps or 3, ngf=8, blocks=2, ndf=8,
                                  crop=min(cfg.crop, 64), sample_every=2, checkpoint_every=2)
        if isinstance(cfg, CUTConfig):  # the smallest trunk has 2 residual blocks: compare the layers it has
            cfg = dataclasses.replace(cfg, nce_layers=tuple(i for i in cfg.nce_layers if i <= 11) or (0, 4, 8))
    return cfg.validate()
