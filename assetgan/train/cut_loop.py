"""The CUT trainer (Park et al. 2020, contrastive unpaired translation): one generator A -> B judged by one
PatchGAN, its content kept by PatchNCE instead of a second generator and a cycle: each output patch's features must
match its own input patch's better than 255 other patches of the same image. About half a CycleGAN step's work.
The loop itself is loop.py's."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ..core.errors import AssetganError
from .cut_config import CUTConfig
from .cyclegan_data import Domain
from .cyclegan_loop import fp32, lsgan
from .cyclegan_nets import PatchDiscriminator, ResnetGenerator, init_normal
from .device import Placement
from .distributed import DistInfo
from .sample_grid import write_sample_grid
from .translator_loop import TranslatorTrainer

NCE_WIDTH = 256  # width of the projection heads' output
TONE_CELL = 16  # pixels per side of the cells whose mean colour the tone loss compares (the style measure's coarsest)


def trunk_features(g: ResnetGenerator, x: torch.Tensor, layers: tuple[int, ...]) -> list[torch.Tensor]:
    """The outputs of G's trunk layers `layers` (indices into g.net) for images `x` [N, 3, H, W], in that order; the
    trunk sees what it sees in G's forward (the 2x-pooled image when spec.internal_scale is 2)."""
    if g.refine is not None:
        x = F.avg_pool2d(x, 2)
    want, out = set(layers), {}
    for i, layer in enumerate(g.net):
        x = layer(x)
        if i in want:
            out[i] = x
            if len(out) == len(want):
                break
    return [out[i] for i in layers]


class ProjectionHeads(nn.Module):
    """One two-layer MLP per compared layer: features [N, C, h, w] at sampled positions -> unit vectors [N, P, 256]."""

    def __init__(self, channels: list[int]) -> None:
        super().__init__()
        self.mlps = nn.ModuleList(nn.Sequential(nn.Linear(c, NCE_WIDTH), nn.ReLU(True), nn.Linear(NCE_WIDTH, NCE_WIDTH))
                                  for c in channels)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0.0, 0.02)
                nn.init.zeros_(m.bias)

    def forward(self, feats: list[torch.Tensor], ids: list[torch.Tensor]) -> list[torch.Tensor]:
        out = []
        for mlp, f, idx in zip(self.mlps, feats, ids):
            picked = f.flatten(2).transpose(1, 2)[:, idx]  # [N, P, C]
            out.append(F.normalize(mlp(picked), dim=-1))
        return out


def patch_nce(q: torch.Tensor, k: torch.Tensor, tau: float) -> torch.Tensor:
    """InfoNCE over patches: q, k [N, P, D] unit vectors; q[:, i]'s positive is k[:, i], the other P - 1 patches of
    the same image its negatives. k is a fixed target (no gradient)."""
    logits = torch.bmm(q, k.detach().transpose(1, 2)) / tau  # [N, P, P], positives on the diagonal
    n, p, _ = logits.shape
    target = torch.arange(p, device=q.device).expand(n, p)
    return F.cross_entropy(logits.flatten(0, 1), target.flatten())


class CUTTrainer(TranslatorTrainer):
    """Holds G (A -> B), D (on B), the projection heads, their optimisers and the data; `run()` trains to the
    budget. Its checkpoint names the generator G_AB, as a CycleGAN's, so the export is the same."""

    kind, config_cls = "cut", CUTConfig

    def __init__(self, cfg: CUTConfig, a: Domain, b: Domain, run_dir: Path, data_meta: Mapping[str, Any],
                 dist: DistInfo | None = None, place: Placement | None = None) -> None:
        dist, place = self.setup(cfg, run_dir, data_meta, dist, place)
        if dist.enabled:  # PatchNCE calls G's trunk and the heads several times a step: not one DDP call
            raise AssetganError("a CUT run trains in one process: start it without torchrun")
        r = self.setup_domains(cfg, a, b, dist)
        self.g = ResnetGenerator(cfg.spec)
        self.d = PatchDiscriminator(cfg.ndf, cfg.d_scales)
        for m in (self.g, self.d):
            m.apply(init_normal)
        with torch.no_grad():
            probe = trunk_features(self.g, torch.zeros(1, 3, cfg.crop, cfg.crop), cfg.nce_layers)
        self.heads = ProjectionHeads([f.shape[1] for f in probe])
        for m in (self.g, self.d, self.heads):
            place.module(m)
        betas = (cfg.beta1, 0.999)
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=cfg.lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.d.parameters(), lr=cfg.lr, betas=betas)
        self.opt_h = torch.optim.Adam(self.heads.parameters(), lr=cfg.lr, betas=betas)
        self.patch_gen = torch.Generator().manual_seed(cfg.seed + 14 + r)  # the patch positions PatchNCE compares

    def nce(self, src: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """PatchNCE between G's input `src` and its output `out`, averaged over the compared layers."""
        cfg = self.cfg
        with torch.no_grad():  # the keys are a fixed target: no graph for them
            f_src = trunk_features(self.g, src, cfg.nce_layers)
            ids = []
            for f in f_src:
                hw = f.shape[2] * f.shape[3]
                ids.append(torch.randperm(hw, generator=self.patch_gen)[: min(cfg.nce_patches, hw)].to(f.device))
            k = self.heads(f_src, ids)
        q = self.heads(trunk_features(self.g, out, cfg.nce_layers), ids)
        return sum(patch_nce(qi, ki, cfg.nce_tau) for qi, ki in zip(q, k)) / len(q)

    def train_step(self) -> dict[str, torch.Tensor]:
        """One G (and heads) update with D fixed, then one D update on this step's fake."""
        cfg, place = self.cfg, self.place
        lr = self.lr_now()
        for opt in (self.opt_g, self.opt_d, self.opt_h):
            for group in opt.param_groups:
                group["lr"] = lr
        real_a, real_b = self.real_batches()

        self.d.requires_grad_(False)
        with place.autocast():
            both = self.g(torch.cat([real_a, real_b]) if cfg.nce_identity else real_a).float()
            fake_b = both[: len(real_a)]
            loss_gan = lsgan(fp32(self.d(fake_b)), True)
            loss_nce = self.nce(real_a, fake_b)
            if cfg.nce_identity:
                loss_nce = 0.5 * (loss_nce + self.nce(real_b, both[len(real_a):]))
        loss_g = loss_gan + cfg.lambda_nce * loss_nce
        loss_tone = torch.zeros((), device=place.device)
        if cfg.lambda_tone > 0:
            loss_tone = F.l1_loss(F.avg_pool2d(fake_b, TONE_CELL), F.avg_pool2d(real_a, TONE_CELL))
            loss_g = loss_g + cfg.lambda_tone * loss_tone
        self.opt_g.zero_grad(set_to_none=True)
        self.opt_h.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()
        self.opt_h.step()

        self.d.requires_grad_(True)
        with place.autocast():
            judged = fp32(self.d(torch.cat([real_b, fake_b.detach()])))
        maps = judged if isinstance(judged, tuple) else (judged,)
        n = len(real_b)
        loss_d = 0.5 * (lsgan(tuple(m[:n] for m in maps), True) + lsgan(tuple(m[n:] for m in maps), False))
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        self.opt_d.step()
        self.step += 1
        return {"loss_g": loss_gan.detach(), "loss_nce": loss_nce.detach(), "loss_tone": loss_tone.detach(),
                "loss_d": loss_d.detach(), "lr": torch.tensor(lr)}

    def net_state(self) -> dict[str, Any]:
        return {"G_AB": self.g.state_dict(), "D_B": self.d.state_dict(), "heads": self.heads.state_dict(),
                "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict(), "opt_h": self.opt_h.state_dict()}

    def load_net_state(self, s: Mapping[str, Any]) -> None:
        for net, key in ((self.g, "G_AB"), (self.d, "D_B"), (self.heads, "heads"), (self.opt_g, "opt_g"),
                         (self.opt_d, "opt_d"), (self.opt_h, "opt_h")):
            net.load_state_dict(s[key])

    def stream_state(self) -> dict[str, Any]:
        return self.domain_streams() | {"patch_gen": self.patch_gen.get_state()}

    def load_stream_state(self, s: Mapping[str, Any]) -> None:
        self.load_domain_streams(s)
        self.patch_gen.set_state(s["patch_gen"])

    @torch.no_grad()
    def write_samples(self) -> Path:
        """Rows of four: input A | A -> B | input B | G(B) (what G does to an image already in B)."""
        self.g.eval()
        try:
            fa, fb = self.place.batch(self.fixed_a), self.place.batch(self.fixed_b)
            tiles = torch.stack([fa, self.g(fa), fb, self.g(fb)], 1).flatten(0, 1).cpu()
        finally:
            self.g.train()
        arr = ((tiles.permute(0, 2, 3, 1) + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).numpy()
        return write_sample_grid(arr, self.run_dir / "samples", self.step, columns=4, scale=1)


def resume_cut(run_dir: Path, a: Domain, b: Domain, data_meta: Mapping[str, Any],
               overrides: Mapping[str, Any] | None = None, dist: DistInfo | None = None,
               place: Placement | None = None, state: Mapping[str, Any] | None = None) -> CUTTrainer:
    """Rebuild a trainer from `run_dir/checkpoint.pt` (or its loaded `state`); `overrides` may extend the budget."""
    return CUTTrainer.resume(run_dir, overrides, state, a, b, run_dir, data_meta, dist, place)
