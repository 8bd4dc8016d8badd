"""The CUT trainer (Park et al. 2020): one generator A -> B, LSGAN, PatchNCE instead of a second generator and the
cycle loss, exact resume (the loop is loop.py's; the lr decay and the image streams translator_loop.py's)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from .cut_config import CUTConfig
from .cut_nets import PatchNCE
from .cyclegan_data import Domain
from .cyclegan_loop import lsgan
from .cyclegan_nets import PatchDiscriminator, ResnetGenerator, init_normal
from .device import Placement
from .distributed import DistInfo
from .sample_grid import write_sample_grid
from .sampling import to_uint8
from .translator_loop import TranslatorTrainer


class CUTGeneratorPass(torch.nn.Module):
    """G's outputs and the PatchNCE loss of a step in one forward, so DistributedDataParallel sees one call per step.

    With `identity`, G runs once on [real_a; real_b] (InstanceNorm is per image, so that is two passes in one) and
    the loss is the mean of PatchNCE on A -> G(A) and on B -> G(B); else G runs on real_a alone.
    """

    def __init__(self, g: ResnetGenerator, nce: PatchNCE, identity: bool) -> None:
        super().__init__()
        self.g, self.nce, self.identity = g, nce, identity

    def forward(self, real_a: torch.Tensor, real_b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if not self.identity:
            fake_b = self.g(real_a)
            return fake_b, self.nce(self.g, real_a, fake_b)
        out = self.g(torch.cat([real_a, real_b]))  # [2N, 3, crop, crop]
        fake_b, idt_b = out[: len(real_a)], out[len(real_a) :]
        return fake_b, 0.5 * (self.nce(self.g, real_a, fake_b) + self.nce(self.g, real_b, idt_b))


class CUTTrainer(TranslatorTrainer):
    """Holds G, D, the PatchNCE heads, optimisers and data; `run()` trains to the budget (see CycleGANTrainer for
    `place` and `dist`)."""

    kind, config_cls = "cut", CUTConfig

    def __init__(self, cfg: CUTConfig, a: Domain, b: Domain, run_dir: Path, data_meta: Mapping[str, Any],
                 dist: DistInfo | None = None, place: Placement | None = None) -> None:
        dist, place = self.setup(cfg, run_dir, data_meta, dist, place, f", e.g. --batch {(dist or DistInfo()).world}")
        self.setup_domains(a, b)  # samplers, crop stream, fixed crops, clock (translator_loop.py)
        self.g, self.d = ResnetGenerator(cfg.spec), PatchDiscriminator(cfg.ndf)
        for m in (self.g, self.d):
            m.apply(init_normal)
            place.module(m)
        self.nce = place.module(PatchNCE(cfg.spec, cfg.nce_patches, cfg.nce_temperature))  # N(0, 0.02) heads
        self.g_pass, self.d_pass = self.ddp(CUTGeneratorPass(self.g, self.nce, cfg.nce_idt), self.d)
        betas = (cfg.beta1, 0.999)
        self.opt_g = torch.optim.Adam([*self.g.parameters(), *self.nce.parameters()], lr=cfg.lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.d.parameters(), lr=cfg.lr, betas=betas)

    # ----- one step -----------------------------------------------------------------------------------
    def train_step(self) -> dict[str, torch.Tensor]:
        """One G (and heads) update with D fixed, then one D update on this step's fake (G fixed)."""
        cfg, place = self.cfg, self.place
        lr = self.apply_lr(self.opt_g, self.opt_d)
        real_a, real_b = self.next_crops()

        # generator and heads, with the discriminator frozen (evaluated outside DDP: its gradients are not wanted)
        self.d.requires_grad_(False)
        with place.autocast():  # network outputs back in fp32 for the losses
            fake_b, loss_nce = (t.float() for t in self.g_pass(real_a, real_b))
            d_fake = self.d(fake_b).float()
        loss_gan = lsgan(d_fake, True)
        self.opt_g.zero_grad(set_to_none=True)
        (loss_gan + cfg.lambda_nce * loss_nce).backward()
        self.opt_g.step()

        # discriminator: real B against this step's G(A), in one pass (InstanceNorm is per image)
        self.d.requires_grad_(True)
        n = len(real_b)
        with place.autocast():
            pred = self.d_pass(torch.cat([real_b, fake_b.detach()])).float()
        loss_d = 0.5 * (lsgan(pred[:n], True) + lsgan(pred[n:], False))
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        self.opt_d.step()
        self.step += 1
        return {"loss_g": loss_gan.detach(), "loss_nce": loss_nce.detach(), "loss_d": loss_d.detach(),
                "lr": torch.tensor(lr)}

    # ----- state (loop.py adds config, step, random state and every rank's streams) ---------------------------
    def net_state(self) -> dict[str, Any]:
        return {"G": self.g.state_dict(), "D": self.d.state_dict(), "NCE": self.nce.state_dict(),
                "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict()}

    def load_net_state(self, s: Mapping[str, Any]) -> None:
        for net, key in ((self.g, "G"), (self.d, "D"), (self.nce, "NCE"), (self.opt_g, "opt_g"),
                         (self.opt_d, "opt_d")):
            net.load_state_dict(s[key])

    def stream_state(self) -> dict[str, Any]:
        return self.crop_state()

    def load_stream_state(self, s: Mapping[str, Any]) -> None:
        self.load_crop_state(s)

    # ----- loop hooks (loop.py) -------------------------------------------------------------------------
    @torch.no_grad()
    def write_samples(self) -> Path:
        """Rows of input A | A->B, then input B | B->B (what the identity term keeps)."""
        self.g.eval()
        try:
            fa, fb = self.place.batch(self.fixed_a), self.place.batch(self.fixed_b)
            tiles = torch.cat([torch.stack([fa, self.g(fa)], 1), torch.stack([fb, self.g(fb)], 1)]).flatten(0, 1)
        finally:
            self.g.train()
        return write_sample_grid(to_uint8(tiles.float().cpu()), self.run_dir / "samples", self.step, columns=4,
                                 scale=1)


def resume_cut(run_dir: Path, a: Domain, b: Domain, data_meta: Mapping[str, Any],
               overrides: Mapping[str, Any] | None = None, dist: DistInfo | None = None,
               place: Placement | None = None, state: Mapping[str, Any] | None = None) -> CUTTrainer:
    """Rebuild a trainer from `run_dir/checkpoint.pt` (or its already loaded `state`); `overrides` may extend the
    budget (steps/minutes)."""
    return CUTTrainer.resume(run_dir, overrides, state, a, b, run_dir, data_meta, dist, place)
