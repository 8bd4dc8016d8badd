"""The CycleGAN trainer: LSGAN + cycle + identity losses, history pools, lr decay, exact resume (the loop itself
is loop.py's, shared with DCGAN)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from .cyclegan_config import CycleGANConfig
from .cyclegan_data import Domain
from .cyclegan_nets import PatchDiscriminator, ResnetGenerator, init_normal
from .device import Placement
from .distributed import DistInfo
from .sample_grid import write_sample_grid
from .translator_loop import TranslatorTrainer


class ImagePool:
    """History of generated images (Shrivastava et al. 2017): D sees a mix of new and older fakes."""

    def __init__(self, size: int, seed: int, device: torch.device | None = None) -> None:
        self.size = size
        self.device = device or torch.device("cpu")  # where the kept images live (the training device)
        self.images: list[torch.Tensor] = []
        self.gen = torch.Generator().manual_seed(seed)  # on the CPU: the keep/swap decisions need no device sync

    def query(self, batch: torch.Tensor) -> torch.Tensor:
        if self.size == 0:
            return batch
        out = []
        for img in batch.detach():
            if len(self.images) < self.size:
                self.images.append(img.clone())
                out.append(img)
            elif float(torch.rand(1, generator=self.gen)) < 0.5:
                i = int(torch.randint(0, self.size, (1,), generator=self.gen))
                out.append(self.images[i].clone())
                self.images[i] = img.clone()
            else:
                out.append(img)
        return torch.stack(out)

    def state_dict(self) -> dict[str, Any]:
        return {"images": [t.clone() for t in self.images], "gen": self.gen.get_state()}

    def load_state_dict(self, s: Mapping[str, Any]) -> None:
        self.images = [t.to(self.device, copy=True) for t in s["images"]]
        self.gen.set_state(s["gen"])


Judged = torch.Tensor | tuple[torch.Tensor, ...]  # a discriminator's map, or one map per scale


def fp32(pred: Judged) -> Judged:
    return tuple(p.float() for p in pred) if isinstance(pred, tuple) else pred.float()


def lsgan(pred: Judged, real: bool) -> torch.Tensor:
    """Least-squares GAN loss (Mao et al.): (D(x) - target)^2; with several scales, their mean."""
    if isinstance(pred, tuple):
        return sum(lsgan(p, real) for p in pred) / len(pred)
    return F.mse_loss(pred, torch.full_like(pred, 1.0 if real else 0.0))


@dataclass
class Nets:
    g_ab: ResnetGenerator
    g_ba: ResnetGenerator
    d_a: PatchDiscriminator  # tells real A from G_BA(b)
    d_b: PatchDiscriminator  # tells real B from G_AB(a)


class GeneratorPass(torch.nn.Module):
    """Every generator output of a step in one forward, so DistributedDataParallel sees one call per step."""

    def __init__(self, g_ab: ResnetGenerator, g_ba: ResnetGenerator, identity: bool) -> None:
        super().__init__()
        self.g_ab, self.g_ba, self.identity = g_ab, g_ba, identity

    def forward(self, real_a: torch.Tensor, real_b: torch.Tensor) -> tuple[torch.Tensor, ...]:
        fake_b, fake_a = self.g_ab(real_a), self.g_ba(real_b)
        rec_a, rec_b = self.g_ba(fake_b), self.g_ab(fake_a)
        if not self.identity:
            return fake_b, fake_a, rec_a, rec_b
        return fake_b, fake_a, rec_a, rec_b, self.g_ab(real_b), self.g_ba(real_a)


class DiscriminatorPass(torch.nn.Module):
    """Both discriminators on real images and pooled fakes in one forward (one DDP call per step)."""

    def __init__(self, d_a: PatchDiscriminator, d_b: PatchDiscriminator) -> None:
        super().__init__()
        self.d_a, self.d_b = d_a, d_b

    def forward(self, real_a, fake_a, real_b, fake_b) -> tuple[torch.Tensor, ...]:
        return self.d_a(real_a), self.d_a(fake_a), self.d_b(real_b), self.d_b(fake_b)


class CycleGANTrainer(TranslatorTrainer):
    """Holds both generators and discriminators, optimisers, pools and data; `run()` trains to the budget.

    `place` says where it trains (see LoopTrainer.setup); crops are cut on the CPU and copied there without
    blocking.
    """

    kind, config_cls = "cyclegan", CycleGANConfig

    def __init__(self, cfg: CycleGANConfig, a: Domain, b: Domain, run_dir: Path, data_meta: Mapping[str, Any],
                 dist: DistInfo | None = None, place: Placement | None = None) -> None:
        dist, place = self.setup(cfg, run_dir, data_meta, dist, place, f", e.g. --batch {(dist or DistInfo()).world}")
        r = self.setup_domains(cfg, a, b, dist)
        self.nets = Nets(ResnetGenerator(cfg.spec), ResnetGenerator(cfg.spec),
                         PatchDiscriminator(cfg.ndf, cfg.d_scales), PatchDiscriminator(cfg.ndf, cfg.d_scales))
        for m in (self.nets.g_ab, self.nets.g_ba, self.nets.d_a, self.nets.d_b):
            m.apply(init_normal)
            place.module(m)
        self.g_pass, self.d_pass = self.ddp(GeneratorPass(self.nets.g_ab, self.nets.g_ba, cfg.lambda_identity > 0),
                                            DiscriminatorPass(self.nets.d_a, self.nets.d_b))
        betas = (cfg.beta1, 0.999)
        self.opt_g = torch.optim.Adam(itertools.chain(self.nets.g_ab.parameters(), self.nets.g_ba.parameters()),
                                      lr=cfg.lr, betas=betas)
        self.opt_d = torch.optim.Adam(itertools.chain(self.nets.d_a.parameters(), self.nets.d_b.parameters()),
                                      lr=cfg.lr, betas=betas)
        self.pool_a = ImagePool(cfg.pool_size, cfg.seed + 14 + r, place.device)  # each rank its own pool
        self.pool_b = ImagePool(cfg.pool_size, cfg.seed + 15 + r, place.device)

    # ----- one step -----------------------------------------------------------------------------------
    def train_step(self) -> dict[str, torch.Tensor]:
        """One G update (both directions, D fixed), then one D update on pooled fakes (G fixed)."""
        cfg, n, place = self.cfg, self.nets, self.place
        lr = self.lr_now()
        for opt in (self.opt_g, self.opt_d):
            for group in opt.param_groups:
                group["lr"] = lr
        real_a, real_b = self.real_batches()

        # generators, with the discriminators frozen (evaluated outside DDP: their gradients are not wanted)
        for d in (n.d_a, n.d_b):
            d.requires_grad_(False)
        with place.autocast():  # network outputs back in fp32 for the losses and the pools
            out = [o.float() for o in self.g_pass(real_a, real_b)]
            fake_b, fake_a, rec_a, rec_b = out[:4]
            d_fb, d_fa = fp32(n.d_b(fake_b)), fp32(n.d_a(fake_a))
        loss_gan = lsgan(d_fb, True) + lsgan(d_fa, True)
        loss_cycle = (F.l1_loss(rec_a, real_a) + F.l1_loss(rec_b, real_b)) * cfg.lambda_cycle
        loss_g = loss_gan + loss_cycle
        loss_id = torch.zeros((), device=place.device)
        if cfg.lambda_identity > 0:
            w = cfg.lambda_cycle * cfg.lambda_identity
            loss_id = (F.l1_loss(out[4], real_b) + F.l1_loss(out[5], real_a)) * w
            loss_g = loss_g + loss_id
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()

        # discriminators, on real images and on fakes from the history pools
        for d in (n.d_a, n.d_b):
            d.requires_grad_(True)
        pa, pb = self.pool_a.query(fake_a), self.pool_b.query(fake_b)
        with place.autocast():
            ra, fa, rb, fb = (fp32(t) for t in self.d_pass(real_a, pa, real_b, pb))
        loss_d_a = 0.5 * (lsgan(ra, True) + lsgan(fa, False))
        loss_d_b = 0.5 * (lsgan(rb, True) + lsgan(fb, False))
        self.opt_d.zero_grad(set_to_none=True)
        (loss_d_a + loss_d_b).backward()
        self.opt_d.step()
        self.step += 1
        return {"loss_g": loss_gan.detach(), "loss_cycle": loss_cycle.detach(), "loss_id": loss_id.detach(),
                "loss_d": (loss_d_a + loss_d_b).detach(), "lr": torch.tensor(lr)}

    # ----- state (loop.py adds config, step, random state and every rank's streams) ---------------------------
    def net_state(self) -> dict[str, Any]:
        n = self.nets
        return {"G_AB": n.g_ab.state_dict(), "G_BA": n.g_ba.state_dict(), "D_A": n.d_a.state_dict(),
                "D_B": n.d_b.state_dict(), "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict()}

    def load_net_state(self, s: Mapping[str, Any]) -> None:
        n = self.nets
        for net, key in ((n.g_ab, "G_AB"), (n.g_ba, "G_BA"), (n.d_a, "D_A"), (n.d_b, "D_B"),
                         (self.opt_g, "opt_g"), (self.opt_d, "opt_d")):
            net.load_state_dict(s[key])

    def stream_state(self) -> dict[str, Any]:
        return self.domain_streams() | {"pool_a": self.pool_a.state_dict(), "pool_b": self.pool_b.state_dict()}

    def load_stream_state(self, s: Mapping[str, Any]) -> None:
        self.load_domain_streams(s)
        self.pool_a.load_state_dict(s["pool_a"])
        self.pool_b.load_state_dict(s["pool_b"])

    # ----- samples (loop.py) ----------------------------------------------------------------------------
    @torch.no_grad()
    def write_samples(self) -> Path:
        """Rows: input A | A->B | cycle A, then input B | B->A | cycle B."""
        n = self.nets
        for g in (n.g_ab, n.g_ba):
            g.eval()
        try:
            fa, fb = self.place.batch(self.fixed_a), self.place.batch(self.fixed_b)
            ab = n.g_ab(fa)
            ba = n.g_ba(fb)
            tiles = torch.cat([torch.stack([fa, ab, n.g_ba(ab)], 1),
                               torch.stack([fb, ba, n.g_ab(ba)], 1)]).flatten(0, 1).cpu()
        finally:
            for g in (n.g_ab, n.g_ba):
                g.train()
        arr = ((tiles.permute(0, 2, 3, 1) + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).numpy()
        return write_sample_grid(arr, self.run_dir / "samples", self.step, columns=6, scale=1)


def resume_cyclegan(run_dir: Path, a: Domain, b: Domain, data_meta: Mapping[str, Any],
                    overrides: Mapping[str, Any] | None = None, dist: DistInfo | None = None,
                    place: Placement | None = None, state: Mapping[str, Any] | None = None) -> CycleGANTrainer:
    """Rebuild a trainer from `run_dir/checkpoint.pt` (or its already loaded `state`); `overrides` may extend the
    budget (steps/minutes)."""
    return CycleGANTrainer.resume(run_dir, overrides, state, a, b, run_dir, data_meta, dist, place)

