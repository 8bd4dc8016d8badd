"""The DCGAN trainer: alternate D and G steps, EMA, planned rates, snapshot selection, exact resume (the loop
itself is loop.py's, shared with CycleGAN)."""

from __future__ import annotations

import copy
import dataclasses
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ..core.errors import AssetganError
from .augment import diff_augment
from .config import DCGANConfig
from .device import Placement
from .distributed import DistInfo, max_over_ranks
from .loop import LoopTrainer
from .nets import Discriminator, Generator, init_weights, recalibrate_batchnorm
from .run_log import append_log
from .sample_grid import write_sample_grid
from .sampling import BatchSampler, ema_update
from .snapshot_select import SnapshotScorer, generator_pixels


def d_loss_fn(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Discriminator loss on logits: the logistic (minimax) loss, -log D(x) - log(1 - D(G(z)))."""
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def g_loss_fn(fake: torch.Tensor) -> torch.Tensor:
    """Generator loss: non-saturating -log D(G(z)), strong gradients early on."""
    return F.softplus(-fake).mean()


PROBE_STEPS = 20  # timed steps (then rolled back) that project a --minutes budget's length when rates are planned


class DCGANTrainer(LoopTrainer):
    """Holds G, D, the EMA generator, optimisers and data; `run()` trains until the budget or an abort.

    `place` says where it trains (see LoopTrainer.setup); the data set lives there too.
    """

    kind, config_cls = "dcgan", DCGANConfig

    def __init__(self, cfg: DCGANConfig, images: np.ndarray, run_dir: Path, data_meta: Mapping[str, Any],
                 dist: DistInfo | None = None, place: Placement | None = None,
                 labels: np.ndarray | None = None) -> None:
        """`labels`: each image's class id, int64 [N] in [0, len(cfg.classes)), for a conditional run (cfg.classes)."""
        dist, place = self.setup(cfg, run_dir, data_meta, dist, place)
        if dist.enabled and not cfg.spectral_norm:
            raise AssetganError("batch statistics in D (BatchNorm: spectral_norm off, the textures and radford "
                                "recipes) are not supported under torchrun; set spectral_norm=true for "
                                "multi-process runs")
        if images.ndim != 4 or images.shape[1:] != (cfg.size, cfg.size, cfg.channels):
            raise AssetganError(f"training images have shape {images.shape[1:]}, expected "
                                f"({cfg.size}, {cfg.size}, {cfg.channels})")
        k = len(cfg.classes)
        if k and (labels is None or labels.shape != (len(images),) or labels.min() < 0 or labels.max() >= k):
            raise AssetganError(f"a conditional run ({k} classes) needs a class id in [0, {k}) for each of the "
                                f"{len(images)} images")
        # [N, H, W, C] uint8 -> [N, C, H, W] uint8, converted to float per batch
        self.data = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).contiguous()
        # [N] int64 class ids, drawn with the same batch indices as the images (zeros when unconditional)
        self.labels = torch.from_numpy(np.asarray(labels if k else np.zeros(len(images)), np.int64))
        self.G = Generator(cfg)
        self.D = Discriminator(cfg)
        self.G.apply(init_weights)
        self.D.apply(init_weights)
        if cfg.mean_init:
            self.G.init_output_bias(self.data)
        place.module(self.G)
        place.module(self.D)
        self.data = self.data.to(place.device)  # uint8: batches are gathered on the device, no copy per step
        self.labels = self.labels.to(place.device)
        self.G_ema = copy.deepcopy(self.G).eval().requires_grad_(False)
        self.G_train, self.D_train = self.ddp(self.G, self.D)
        if dist.enabled:
            torch.manual_seed(cfg.seed + 1_000_003 * (dist.rank + 1))  # own z/augment stream per rank
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=cfg.lr_g, betas=(cfg.beta1, cfg.beta2))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=cfg.lr_d, betas=(cfg.beta1, cfg.beta2))
        # global batch = batch_size; each rank draws its share from its own stream
        rank_seed = cfg.seed + 1 + (7919 * (dist.rank + 1) if dist.enabled else 0)
        self.sampler = BatchSampler(len(self.data), cfg.batch_size // dist.world, rank_seed)
        self.fixed_z = torch.randn(64, cfg.nz, generator=torch.Generator().manual_seed(cfg.seed + 2))
        # the sample grid's classes: a row of 8 per class up to 8 classes (rows cycle), else 64 // k cells each in
        # class order, so every class shows
        self.fixed_y = (((torch.arange(64) // 8) % k if k <= 8 else torch.arange(64) * k // 64) if k else None)
        # best-snapshot selection (cfg.select_every): the weights export_generator() starts from, their step and
        # score; None until the first score
        self.scorer = SnapshotScorer(images, cfg.nz, cfg.seed + 4, labels=labels if k else None) \
            if cfg.select_every and dist.main else None
        self.best: dict[str, Any] | None = None
        self.scored_step = -1
        self.set_learning_rates()  # a planned run (cfg.plan_steps) starts at its scaled rates

    # ----- one step -------------------------------------------------------------------------------
    def train_step(self) -> dict[str, torch.Tensor]:
        """One D update with G fixed, then one G update with D fixed; returns detached losses."""
        cfg, place = self.cfg, self.place
        idx = self.sampler.next().to(place.device, non_blocking=True)
        real = place.batch(self.data[idx].float().div_(127.5).sub_(1.0))  # [B, C, H, W] in [-1, 1]
        # [B] class ids of the real batch; the fakes are made for the same classes (the data's class frequencies)
        y = self.labels[idx] if cfg.classes else None
        z = torch.randn(real.shape[0], cfg.nz, device=place.device)
        with place.autocast():
            fake = self.G_train(z, y) if y is not None else self.G_train(z)  # [B, C, H, W]

        aug = cfg.augment
        if cfg.lr_drop_at and self.step == cfg.lr_drop_at:
            self.set_learning_rates()
        d_real, d_fake = self._score_pair(diff_augment(real, aug, cfg.tileable),
                                          diff_augment(fake.detach(), aug, cfg.tileable), y)
        loss_d = d_loss_fn(d_real, d_fake)
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        self.opt_d.step()

        with place.autocast():
            d_fake_g = self._critic(diff_augment(fake, aug, cfg.tileable), y).float()
        loss_g = g_loss_fn(d_fake_g)
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()

        if cfg.ema_beta > 0:
            ema_update(self.G_ema, self.G, cfg.ema_beta, self.step)
        self.step += 1
        return {"loss_d": loss_d.detach(), "loss_g": loss_g.detach(),
                "d_real": d_real.detach().mean(), "d_fake": d_fake.detach().mean()}

    def _critic(self, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        return self.D_train(x) if y is None else self.D_train(x, y)

    def _score_pair(self, real_in: torch.Tensor, fake_in: torch.Tensor, y: torch.Tensor | None
                    ) -> tuple[torch.Tensor, torch.Tensor]:
        """D's fp32 logits [B] for a real and a fake batch (both of the classes y [B], when conditional)."""
        n = real_in.shape[0]
        with self.place.autocast():
            if self.cfg.spectral_norm:  # no batch statistics in D: one forward over real and fake
                logits = self._critic(torch.cat([real_in, fake_in]), None if y is None else torch.cat([y, y]))
                return logits[:n].float(), logits[n:].float()
            # Radford's BatchNorm D sees real and fake batches separately
            return self._critic(real_in, y).float(), self._critic(fake_in, y).float()

    def set_learning_rates(self) -> None:
        """The configured rates times the planned run's factor (cfg.lr_scale), and times the drop factors once
        `lr_drop_at` steps are done: a pure function of the config and the step."""
        cfg = self.cfg
        late = bool(cfg.lr_drop_at) and self.step >= cfg.lr_drop_at
        scale = cfg.lr_scale()
        for opt, lr, factor in ((self.opt_g, cfg.lr_g, cfg.lr_drop_g), (self.opt_d, cfg.lr_d, cfg.lr_drop_d)):
            for group in opt.param_groups:
                group["lr"] = (lr * factor if late else lr) * scale

    def before_loop(self) -> None:
        """Plan the rates: fix the run's length (cfg.plan_steps) when its rates depend on it (cfg.lr_ref_steps):
        --steps as given; for a --minutes budget, time PROBE_STEPS training steps, project the steps the budget
        holds, and roll everything back to step 0, so the run is the one `--plan-steps N` would train. The probe's
        time counts against the budget. Saved with the config: a resumed run keeps its rates."""
        cfg = self.cfg
        if not cfg.lr_ref_steps or cfg.plan_steps or self.step:
            return
        plan = cfg.steps
        if cfg.minutes is not None:
            start = copy.deepcopy(self.state_dict())
            times = []
            for _ in range(PROBE_STEPS):
                self.place.sync()
                t0 = time.perf_counter()
                self.train_step()
                self.place.sync()
                times.append(time.perf_counter() - t0)
            # the median step (the first ones warm up) and the probe's time, of the slowest rank, which sets the pace:
            # every rank plans the same
            per_step = max_over_ranks(self.dist, float(np.median(times)))
            spent = max_over_ranks(self.dist, float(sum(times)))
            self.load_state_dict(start)
            self.train_seconds = spent
            projected = max(1, int((cfg.minutes * 60.0 - spent) / per_step))
            plan = projected if plan is None else min(plan, projected)
        self.cfg = dataclasses.replace(cfg, plan_steps=int(plan))
        self.set_learning_rates()

    def export_generator(self, last: bool = False) -> torch.nn.Module:
        """The generator to sample from and export: the EMA copy (or G), BatchNorm recalibrated, eval mode; with
        snapshot selection the best snapshot's weights unless `last`."""
        g = copy.deepcopy(self.G_ema if self.cfg.ema_beta > 0 else self.G)
        g.to("cpu", memory_format=torch.contiguous_format)
        if self.best is not None and not last:
            g.load_state_dict(self.best["G"])
        recalibrate_batchnorm(g, self.cfg.nz, seed=self.cfg.seed + 3)
        return g.eval()

    def score_snapshot(self) -> None:
        """Score the current weights (as exported) and keep them if they beat the best so far; the time it takes
        counts as training time, so a time budget pays for it."""
        if self.scorer is None or self.scored_step == self.step:
            return
        self.scored_step = self.step
        t0 = time.perf_counter()
        g = self.export_generator(last=True)
        swd = self.scorer.score(g)
        if self.best is None or swd < self.best["swd"]:
            src = self.G_ema if self.cfg.ema_beta > 0 else self.G
            self.best = {"step": self.step, "swd": swd,
                         "G": {k: v.detach().to("cpu", copy=True) for k, v in src.state_dict().items()}}
        self.train_seconds += time.perf_counter() - t0
        append_log(self.run_dir, {"step": self.step, "select_swd": swd, "best_step": self.best["step"]})

    # ----- state (loop.py adds config, step, random state and every rank's streams) ---------------------------
    def net_state(self) -> dict[str, Any]:
        return {"G": self.G.state_dict(), "D": self.D.state_dict(), "G_ema": self.G_ema.state_dict(),
                "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict(), "fixed_z": self.fixed_z,
                "best": self.best}

    def load_net_state(self, s: Mapping[str, Any]) -> None:
        self.G.load_state_dict(s["G"])
        self.D.load_state_dict(s["D"])
        self.G_ema.load_state_dict(s["G_ema"])
        self.opt_g.load_state_dict(s["opt_g"])
        self.opt_d.load_state_dict(s["opt_d"])
        self.fixed_z = s["fixed_z"]
        self.best = s.get("best")

    def stream_state(self) -> dict[str, Any]:
        return {"sampler": self.sampler.state_dict()}

    def load_stream_state(self, s: Mapping[str, Any]) -> None:
        self.sampler.load_state_dict(s["sampler"])

    def load_state_dict(self, s: Mapping[str, Any]) -> None:
        super().load_state_dict(s)
        self.set_learning_rates()  # from the config and step (a resume may have changed the budget, not the rates)

    # ----- loop hooks (loop.py) -----------------------------------------------------------------------
    def write_samples(self) -> Path:
        arr = generator_pixels(self.export_generator(last=True), self.fixed_z, self.fixed_y)  # [64, H, W, C]
        return write_sample_grid(arr, self.run_dir / "samples", self.step)

    def after_step(self) -> None:
        if self.dist.main and self.cfg.select_every and self.step % self.cfg.select_every == 0:
            self.score_snapshot()

    def after_loop(self, status: str) -> None:
        if status == "done" and self.dist.main:
            self.score_snapshot()  # the last weights compete too


def resume_trainer(run_dir: Path, images: np.ndarray, data_meta: Mapping[str, Any],
                   overrides: Mapping[str, Any] | None = None, dist: DistInfo | None = None,
                   place: Placement | None = None, state: Mapping[str, Any] | None = None,
                   labels: np.ndarray | None = None) -> DCGANTrainer:
    """Rebuild a trainer from `run_dir/checkpoint.pt` (or its already loaded `state`); `overrides` may extend the
    budget (steps/minutes); `labels`: the class ids, for a conditional run."""
    return DCGANTrainer.resume(run_dir, overrides, state, images, run_dir, data_meta, dist, place, labels)
