"""What the CycleGAN and CUT trainers share: two image domains with their samplers and random crops, fixed crops for
the samples, and one training clock for the learning-rate schedule (agreed by all ranks under torchrun)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ..core.errors import AssetganError
from .cyclegan_config import TranslatorConfig
from .cyclegan_data import Domain, random_crops
from .distributed import DistInfo, max_over_ranks
from .loop import LoopTrainer, linear_decay
from .sampling import BatchSampler


class TranslatorTrainer(LoopTrainer):
    """A LoopTrainer over domains A and B; a subclass calls `setup_domains` in __init__ (after `setup`)."""

    cfg: TranslatorConfig
    a: Domain
    b: Domain

    def setup_domains(self, cfg: TranslatorConfig, a: Domain, b: Domain, dist: DistInfo) -> int:
        """Check the images against the crop; samplers (seeds + 11, 12), crops (+ 13), fixed sample crops (+ 16);
        returns this rank's seed offset, for the subclass's own streams (+ 14, 15)."""
        self.a, self.b = a, b
        for dom, label in ((a, "A"), (b, "B")):
            small = min(min(img.shape[:2]) for img in dom.images)
            if small < cfg.crop:
                raise AssetganError(f"domain {label} has an image with a {small}-pixel side, below --crop {cfg.crop}")
        r = 7919 * (dist.rank + 1) if dist.enabled else 0  # each rank its own stream of images and crops
        per_rank = cfg.batch_size // dist.world
        self.sampler_a = BatchSampler(len(a), per_rank, cfg.seed + 11 + r)
        self.sampler_b = BatchSampler(len(b), per_rank, cfg.seed + 12 + r)
        self.crop_gen = torch.Generator().manual_seed(cfg.seed + 13 + r)
        gen = torch.Generator().manual_seed(cfg.seed + 16)
        n = min(4, len(a), len(b))
        self.fixed_a = random_crops(a.images, torch.arange(n), cfg.crop, gen)  # [n, 3, crop, crop]
        self.fixed_b = random_crops(b.images, torch.arange(n), cfg.crop, gen)
        self.clock = 0.0  # training seconds agreed by all ranks at the last poll: the schedule's time
        return r

    def real_batches(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The next crops of A and of B, on the training device."""
        cfg, place = self.cfg, self.place
        real_a = place.batch(random_crops(self.a.images, self.sampler_a.next(), cfg.crop, self.crop_gen))
        real_b = place.batch(random_crops(self.b.images, self.sampler_b.next(), cfg.crop, self.crop_gen))
        return real_a, real_b

    def lr_now(self) -> float:
        """Constant for the first `decay_from` of the budget, then linear to zero (Zhu et al.)."""
        cfg = self.cfg
        return linear_decay(cfg.lr, cfg.decay_from, cfg.steps, self.step, cfg.minutes, self.clock)

    def domain_streams(self) -> dict[str, Any]:
        return {"sampler_a": self.sampler_a.state_dict(), "sampler_b": self.sampler_b.state_dict(),
                "crop_gen": self.crop_gen.get_state()}

    def load_domain_streams(self, s: Mapping[str, Any]) -> None:
        self.sampler_a.load_state_dict(s["sampler_a"])
        self.sampler_b.load_state_dict(s["sampler_b"])
        self.crop_gen.set_state(s["crop_gen"])

    def load_state_dict(self, s: Mapping[str, Any]) -> None:
        super().load_state_dict(s)
        self.clock = self.train_seconds

    def before_poll(self) -> None:
        # ranks share one clock, so the time budget and the learning-rate decay agree everywhere
        self.clock = self.train_seconds = max_over_ranks(self.dist, self.train_seconds)
