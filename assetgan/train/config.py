"""Typed, frozen training configuration for DCGAN runs, validated in one place."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, TypeVar

from ..core.errors import AssetganError
from .removed import DCGAN_REMOVED, drop_removed

SIZES = (16, 32, 64, 128)
AUGMENTS = ("flip", "translation", "color", "cutout")
R = TypeVar("R", bound="RunConfig")


class RunConfig:
    """What both run configs share: the budget/device checks and the dict round trip (to_dict/from_dict)."""

    removed: dict[str, tuple[str, Any]]  # the options removed after tag pre-option-cull (removed.py)
    added: dict[str, Any] = {}  # fields whose default changed for new runs: the value a config saved without them meant
    steps: int | None
    minutes: float | None
    threads: int
    precision: str
    holdout: float

    def check_run(self, holdout_example: str) -> None:
        """Raise AssetganError for a missing or bad budget, threads, precision or holdout."""
        if self.steps is None and self.minutes is None:
            raise AssetganError("no training budget: pass --steps N or --minutes M")
        if self.steps is not None and self.steps < 1:
            raise AssetganError(f"--steps {self.steps}: must be at least 1")
        if self.minutes is not None and not (self.minutes > 0 and math.isfinite(self.minutes)):
            raise AssetganError(f"--minutes {self.minutes}: must be a positive number")
        if self.threads < 0:
            raise AssetganError(f"--threads {self.threads}: must be 0 (torch's default) or more")
        if self.precision not in ("fp32", "bf16"):
            raise AssetganError(f"--precision {self.precision}: must be fp32 or bf16")
        if not 0.0 <= self.holdout < 1.0:
            raise AssetganError(f"holdout {self.holdout}: must be a fraction in [0, 1), e.g. {holdout_example}")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls: type[R], d: dict[str, Any], source: str = "checkpoint") -> R:
        """Rebuild from `to_dict` output, ignoring unknown keys from newer versions; a removed option that is on
        stops with one line naming `source` and the tag that still has it; a field the saved dict predates takes
        the value it had then (`added`), so an old run resumes and exports unchanged."""
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        saved = {**cls.added, **drop_removed(d, cls.removed, source)}
        return cls(**{k: tuple(v) if isinstance(v, list) else v  # JSON lists back to tuple fields
                      for k, v in saved.items() if k in names})


@dataclass(frozen=True)
class DCGANConfig(RunConfig):
    """Everything that defines a DCGAN run; saved with every run, checkpoint and exported model."""

    data: str = ""  # training images: a folder (recursive) or a single image / sprite sheet
    data_licence: str = "unknown"  # licence of the training data, carried into the model card
    tile: tuple[int, int] | None = None  # slice every input image into WxH tiles (sprite sheets)
    margin: int = 0  # sprite-sheet margin in pixels (with tile)
    spacing: int = 0  # sprite-sheet spacing in pixels (with tile)
    holdout: float = 0.0  # fraction of the images held out from training (listed in the run's holdout.txt)
    labels: str = "auto"  # classes for a conditional G and D: "folders" (the folder each image sits in), a
    # file,label CSV, "none", or "auto" (folders when every image sits in one and there are 2-64 of 8+ images each)
    label_depth: int = 1  # --labels folders: how many folder levels under DATA name a class (1 = the top folder)
    label_map: str = ""  # a JSON file {"class": "class it merges into" or null to drop it} ("" = none)
    classes: tuple[str, ...] = ()  # resolved at the start from the labels: class names in sorted order, a class's
    # id its index (empty = unconditional); saved so a resume rebuilds the same nets and mapping
    size: int = 32  # output side in pixels: 16, 32, 64 or 128
    channels: int = 4  # 4 = RGBA sprites (transparent), 3 = RGB textures (opaque)
    tileable: bool = False  # circular padding in G so outputs wrap seamlessly (textures)
    nz: int = 128  # latent dimension
    recipe: str = ""  # the named recipe (recipes.py) whose fields the run started from ("" = none)
    ngf: int = 64  # generator width at the last hidden layer (doubles per layer towards 4x4, capped at 8x)
    ndf: int = 64  # discriminator width at the first layer
    batch_size: int = 64  # images per step
    lr_g: float = 2e-4  # Adam learning rate of G
    lr_d: float = 2e-4  # Adam learning rate of D
    beta1: float = 0.5  # Adam beta1 (Radford et al.)
    beta2: float = 0.999  # Adam beta2
    # DiffAugment ops, on real and fake. No "flip" by default: D then cannot see left from right, and a sprite model
    # drifted 4 px sideways (lab/2026-12-06-flip-drift.md); flip suits only data whose mirror image is as likely.
    augment: tuple[str, ...] = ("translation", "color", "cutout")
    ema_beta: float = 0.999  # EMA decay of the exported generator (0 disables EMA)
    spectral_norm: bool = True  # spectral norm on D's convolutions (replaces D's BatchNorm)
    mean_init: bool = False  # G's output layer gets a bias, initialised so samples start at the data's mean colour
    lr_drop_at: int = 0  # from this step on, G and D learn at lr_g * lr_drop_g and lr_d * lr_drop_d (0 = never)
    lr_drop_g: float = 1.0  # G's learning-rate factor after lr_drop_at
    lr_drop_d: float = 1.0  # D's learning-rate factor after lr_drop_at
    lr_ref_steps: int = 0  # budget-planned rates: a run planned longer than this many steps learns at its rates
    # times lr_ref_steps / plan_steps (the same total step size spread over more steps), at least lr_min_scale of
    # them; 0 = off (the rates as given, whatever the budget)
    lr_min_scale: float = 1.0  # the floor of that factor
    plan_steps: int = 0  # the run's planned length the factor is taken from: --steps, or for a --minutes budget the
    # steps a timed probe at the start projects (then saved, so a resumed run keeps its rates); 0 = not yet planned
    select_every: int = 0  # score the exported generator every N steps (SWD vs training images) and export the
    # best snapshot instead of the last (0 = export the last; train/snapshot_select.py)
    steps: int | None = None  # training budget in steps (one D step + one G step each)
    minutes: float | None = None  # training budget in wall-clock minutes of training
    seed: int = 0  # makes a run reproducible
    sample_every: int = 500  # write a sample grid every N steps
    checkpoint_every: int = 500  # write a checkpoint every N steps
    log_every: int = 50  # append losses to log.jsonl every N steps
    threads: int = 0  # torch intra-op threads (0 = torch's default)
    precision: str = "fp32"  # "bf16": forward passes under bf16 autocast (weights and optimiser state stay fp32)
    dry_run: bool = False  # a smoke test: a few steps on at most 32 images, smallest nets

    removed = DCGAN_REMOVED

    def validate(self) -> DCGANConfig:
        """Raise AssetganError naming the bad value and the fix; return self when valid."""
        if self.size not in SIZES:
            raise AssetganError(f"--size {self.size}: must be one of {', '.join(map(str, SIZES))}")
        if self.channels not in (3, 4):
            raise AssetganError(f"--channels {self.channels}: must be 4 (RGBA sprites) or 3 (RGB textures)")
        bad = [a for a in self.augment if a not in AUGMENTS]
        if bad:
            raise AssetganError(f"augment {','.join(bad)}: unknown; choose from {','.join(AUGMENTS)} or none")
        for name in ("nz", "ngf", "ndf", "batch_size", "sample_every", "checkpoint_every", "log_every"):
            if getattr(self, name) < 1:
                raise AssetganError(f"{name} = {getattr(self, name)}: must be at least 1")
        for flag, b in (("beta1", self.beta1), ("beta2", self.beta2)):
            if not 0.0 <= b < 1.0:
                raise AssetganError(f"{flag} {b}: must be in [0, 1), e.g. 0.5 for beta1, 0.999 for beta2")
        if not 0.0 <= self.ema_beta < 1.0:
            raise AssetganError(f"ema_beta {self.ema_beta}: must be in [0, 1)")
        if self.select_every < 0:
            raise AssetganError(f"select_every {self.select_every}: must be a number of steps (0 = export the "
                                "last weights)")
        if self.lr_drop_at < 0:
            raise AssetganError(f"lr_drop_at {self.lr_drop_at}: must be a step (0 = no drop)")
        for flag, f in (("lr_drop_g", self.lr_drop_g), ("lr_drop_d", self.lr_drop_d)):
            if not (0 < f <= 1):
                raise AssetganError(f"{flag} {f}: must be a factor in (0, 1], e.g. 0.5")
        if self.lr_ref_steps < 0:
            raise AssetganError(f"lr_ref_steps {self.lr_ref_steps}: must be a step count (0 = rates not planned "
                                "by the budget)")
        if not 0 < self.lr_min_scale <= 1:
            raise AssetganError(f"lr_min_scale {self.lr_min_scale}: must be a factor in (0, 1], e.g. 0.25")
        if self.plan_steps < 0:
            raise AssetganError(f"plan_steps {self.plan_steps}: must be a step count (0 = plan from the budget)")
        self.check_run("0.1")
        if self.label_depth < 1:
            raise AssetganError(f"--label-depth {self.label_depth}: must be 1 or more (1 = the folder right under "
                                "DATA)")
        if len(self.classes) > 64 or len(set(self.classes)) != len(self.classes):
            raise AssetganError(f"classes: {len(self.classes)} names; at most 64, each once")
        if self.margin < 0 or self.spacing < 0:
            raise AssetganError(f"margin {self.margin}, spacing {self.spacing}: must be 0 or more pixels")
        if self.tile is not None and (len(self.tile) != 2 or min(self.tile) < 1):
            raise AssetganError(f"tile {self.tile}: must be WxH in pixels, e.g. 32x32")
        for lr in (self.lr_g, self.lr_d):
            if not (0 < lr < 1):
                raise AssetganError(f"learning rate {lr}: must be in (0, 1)")
        return self

    def lr_scale(self) -> float:
        """The factor on G's and D's rates that the run's planned length gives (1 when not planned)."""
        if not self.lr_ref_steps or not self.plan_steps:
            return 1.0
        return min(1.0, max(self.lr_min_scale, self.lr_ref_steps / self.plan_steps))
