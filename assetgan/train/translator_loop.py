"""What both image-translator trainers (CycleGAN, CUT) share: the learning-rate schedule on the ranks' agreed
clock, the two domains' image streams and the fixed crops their sample grids show."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ..core.errors import AssetganError
from .cyclegan_data import Domain, random_crops
from .distributed import max_over_ranks
from .loop import LoopTrainer
from .sampling import BatchSampler
from .translator_config import TranslatorConfig


def decayed_lr(lr: float, decay_from: float, step: int, steps: int | None, seconds: float,
               minutes: float | None) -> float:
    """`lr` for the first `decay_from` of the budget, then linear to zero (Zhu et al.); the budget's spent fraction
    is the larger of `step / steps` and `seconds / (minutes * 60)` (whichever budgets are set)."""
    done = [step / steps] if steps is not None else []
    if minutes is not None:
        done.append(seconds / (minutes * 60.0))
    f = min(1.0, max(done))
    if f <= decay_from or decay_from >= 1.0:
        return lr
    return lr * max(0.0, (1.0 - f) / (1.0 - decay_from))


class TranslatorTrainer(LoopTrainer):
    """A LoopTrainer over two domains of images: call `setup_domains` after `setup`; crops come from `next_crops`,
    the schedule from `lr_now` on `clock`, the training seconds all ranks agreed on at the last poll."""

    cfg: TranslatorConfig
    a: Domain
    b: Domain

    def setup_domains(self, a: Domain, b: Domain) -> None:
        """Check both domains against --crop; seed this rank's samplers and crop stream; cut the fixed crops."""
        cfg, dist = self.cfg, self.dist
        self.a, self.b = a, b
        for dom, label in ((a, "A"), (b, "B")):
            small = min(min(img.shape[:2]) for img in dom.images)
            if small < cfg.crop:
                raise AssetganError(f"domain {label} has an image with a {small}-pixel side, below --crop {cfg.crop}")
        per_rank = cfg.batch_size // dist.world
        r = self.rank_offset()
        self.sampler_a = BatchSampler(len(a), per_rank, cfg.seed + 11 + r)
        self.sampler_b = BatchSampler(len(b), per_rank, cfg.seed + 12 + r)
        self.crop_gen = torch.Generator().manual_seed(cfg.seed + 13 + r)
        gen = torch.Generator().manual_seed(cfg.seed + 16)
        n = min(4, len(a), len(b))
        self.fixed_a = random_crops(a.images, torch.arange(n), cfg.crop, gen)  # [n, 3, crop, crop]
        self.fixed_b = random_crops(b.images, torch.arange(n), cfg.crop, gen)
        self.clock = 0.0  # training seconds agreed by all ranks at the last poll: the schedule's time

    def rank_offset(self) -> int:
        """Added to this rank's stream seeds: each rank its own images, crops and pools under torchrun."""
        return 7919 * (self.dist.rank + 1) if self.dist.enabled else 0

    def lr_now(self) -> float:
        cfg = self.cfg
        return decayed_lr(cfg.lr, cfg.decay_from, self.step, cfg.steps, self.clock, cfg.minutes)

    def apply_lr(self, *optimizers: torch.optim.Optimizer) -> float:
        """Set this step's learning rate on `optimizers`; returns it."""
        lr = self.lr_now()
        for opt in optimizers:
            for group in opt.param_groups:
                group["lr"] = lr
        return lr

    def next_crops(self) -> tuple[torch.Tensor, torch.Tensor]:
        """This step's crops of A and B, each [per-rank batch, 3, crop, crop] on the training device."""
        cfg, place = self.cfg, self.place
        real_a = place.batch(random_crops(self.a.images, self.sampler_a.next(), cfg.crop, self.crop_gen))
        real_b = place.batch(random_crops(self.b.images, self.sampler_b.next(), cfg.crop, self.crop_gen))
        return real_a, real_b

    def crop_state(self) -> dict[str, Any]:
        return {"sampler_a": self.sampler_a.state_dict(), "sampler_b": self.sampler_b.state_dict(),
                "crop_gen": self.crop_gen.get_state()}

    def load_crop_state(self, s: Mapping[str, Any]) -> None:
        self.sampler_a.load_state_dict(s["sampler_a"])
        self.sampler_b.load_state_dict(s["sampler_b"])
        self.crop_gen.set_state(s["crop_gen"])

    def load_state_dict(self, s: Mapping[str, Any]) -> None:
        super().load_state_dict(s)
        self.clock = self.train_seconds

    def before_poll(self) -> None:
        # ranks share one clock, so the time budget and the learning-rate decay agree everywhere
        self.clock = self.train_seconds = max_over_ranks(self.dist, self.train_seconds)

