"""Probe: does a one-sided contrastive translator (CUT, Park et al. 2020) beat our CycleGAN at equal CPU time?

    python lab/tools/cut_probe.py --a ../shared/datasets/monet2photo/photo --b ../shared/datasets/monet2photo/monet \
        --out runs/cut-probe --minutes 40 --threads 1

Same generator as the shipped Monet model (32 wide, 6 blocks, half-resolution trunk with the full-resolution head),
the same 70x70 PatchGAN, LSGAN, Adam 2e-4 / 0.5, linear decay over the second half of the budget, batch 1, 128-pixel
crops of the 256-pixel images, and the same 5 % of the photos held out (the run's holdout.txt). Instead of a second
generator and the cycle loss: PatchNCE on five layers of G's encoder (the padded input, both downsampling
convolutions, residual blocks 2 and 4), 256 patches a layer through a two-layer MLP head, temperature 0.07, on
photo -> painting and on painting -> itself (CUT's identity term), each weighted 1.

The result is written as `model.onnx` in the runtime's two-direction form so `assetgan evaluate` and `stylize` can
measure it as they measure the shipped model; its b2a direction is an untrained generator (CUT translates one way)
and the card's notes say so. A probe for the lab, not a trainer: no resume, one process.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TAPS = (0, 4, 7, 11, 13)  # outputs of these modules of ResnetGenerator.net feed PatchNCE


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", type=Path, required=True)
    ap.add_argument("--b", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--minutes", type=float, default=40.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lambda-nce", type=float, default=1.0)
    ap.add_argument("--patches", type=int, default=256)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))

    import numpy as np
    import torch
    import torch.nn.functional as F
    from torch import nn

    from assetgan.core.atomic import atomic_write_text
    from assetgan.train.cyclegan_config import CycleGANConfig
    from assetgan.train.cyclegan_data import load_domain, random_crops
    from assetgan.train.cyclegan_export import build_cyclegan_card, export_cyclegan
    from assetgan.train.cyclegan_nets import PatchDiscriminator, ResnetGenerator, init_normal
    from assetgan.train.holdout import holdout_mask
    from assetgan.train.sample_grid import write_sample_grid

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    cfg = CycleGANConfig(data_a=str(args.a), data_b=str(args.b), name_a="photo", name_b="monet", crop=128,
                         load_size=256, minutes=args.minutes, holdout=0.05, threads=args.threads, seed=args.seed,
                         licence_a="Kaggle 'I'm Something of a Painter Myself' competition data (research and model "
                                   "training)", licence_b="public domain (Claude Monet paintings)").validate()
    dom_a, dom_b = load_domain(cfg.data_a, cfg.resize_to), load_domain(cfg.data_b, cfg.resize_to)
    held = holdout_mask(dom_a.files, cfg.holdout)
    args.out.mkdir(parents=True, exist_ok=False)
    atomic_write_text(args.out / "holdout.txt", "".join(f + "\n" for f, h in zip(dom_a.files, held) if h))
    dom_a.images = [im for im, h in zip(dom_a.images, held) if not h]
    print(f"CUT probe: {len(dom_a.images)} photos, {len(dom_b.images)} paintings, {args.minutes} min, "
          f"{args.threads} thread(s) -> {args.out}", flush=True)

    g, d = ResnetGenerator(cfg.spec), PatchDiscriminator(cfg.ndf)
    for m in (g, d):
        m.apply(init_normal)
    g_width = cfg.ngf
    tap_channels = {0: 3, 4: 2 * g_width, 7: 4 * g_width, 11: 4 * g_width, 13: 4 * g_width}
    heads = nn.ModuleList([nn.Sequential(nn.Linear(tap_channels[t], 256), nn.ReLU(True), nn.Linear(256, 256))
                           for t in TAPS])
    for h in heads:
        for layer in h:
            if isinstance(layer, nn.Linear):
                nn.init.normal_(layer.weight, 0.0, 0.02)
                nn.init.zeros_(layer.bias)
    opt_g = torch.optim.Adam([*g.parameters(), *heads.parameters()], lr=cfg.lr, betas=(cfg.beta1, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=cfg.lr, betas=(cfg.beta1, 0.999))
    gen = torch.Generator().manual_seed(args.seed + 13)

    def encode(x: torch.Tensor) -> list[torch.Tensor]:
        """Features [N, C, h, w] at TAPS of G's trunk (which runs on the half-resolution copy)."""
        h = F.avg_pool2d(x, 2) if cfg.spec.internal_scale == 2 else x
        feats = []
        for i, layer in enumerate(g.net):
            h = layer(h)
            if i in TAPS:
                feats.append(h)
            if i >= TAPS[-1]:
                break
        return feats

    def patch_nce(src: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """Each output patch must match the input patch at its own place among `patches` of the same image."""
        with torch.no_grad():  # the keys carry no gradient (CUT detaches them after the head)
            fk = encode(src)
        fq = encode(out)
        total = torch.zeros(())
        for head, k, q in zip(heads, fk, fq):
            n, c, hh, ww = k.shape
            idx = torch.randperm(hh * ww)[: args.patches]
            with torch.no_grad():
                kk = F.normalize(head(k.flatten(2)[:, :, idx].transpose(1, 2)), dim=-1)  # [N, P, 256]
            qq = F.normalize(head(q.flatten(2)[:, :, idx].transpose(1, 2)), dim=-1)
            logits = qq @ kk.transpose(1, 2) / 0.07  # [N, P, P]; the positive is the diagonal
            target = torch.arange(logits.shape[1]).expand(n, -1)
            total = total + F.cross_entropy(logits.flatten(0, 1), target.flatten())
        return total / len(TAPS)

    def lsgan(pred: torch.Tensor, real: bool) -> torch.Tensor:
        return F.mse_loss(pred, torch.full_like(pred, 1.0 if real else 0.0))

    budget = args.minutes * 60.0
    t0, spent, step = time.perf_counter(), 0.0, 0
    log = []
    while spent < budget:
        frac = spent / budget
        lr = cfg.lr if frac <= cfg.decay_from else cfg.lr * max(0.0, (1 - frac) / (1 - cfg.decay_from))
        for opt in (opt_g, opt_d):
            for group in opt.param_groups:
                group["lr"] = lr
        ia = torch.randint(0, len(dom_a.images), (1,), generator=gen)
        ib = torch.randint(0, len(dom_b.images), (1,), generator=gen)
        real_a = random_crops(dom_a.images, ia, cfg.crop, gen)
        real_b = random_crops(dom_b.images, ib, cfg.crop, gen)
        out = g(torch.cat([real_a, real_b]))  # InstanceNorm is per image: one pass for both
        fake_b, idt_b = out[:1], out[1:]
        d.requires_grad_(False)
        loss_gan = lsgan(d(fake_b), True)
        loss_nce = 0.5 * (patch_nce(real_a, fake_b) + patch_nce(real_b, idt_b))
        opt_g.zero_grad(set_to_none=True)
        (loss_gan + args.lambda_nce * loss_nce).backward()
        opt_g.step()
        d.requires_grad_(True)
        loss_d = 0.5 * (lsgan(d(real_b), True) + lsgan(d(fake_b.detach()), False))
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        step += 1
        spent = time.perf_counter() - t0
        if step % 50 == 0:
            log.append(f"step {step} gan {loss_gan.item():.3f} nce {loss_nce.item():.3f} d {loss_d.item():.3f} "
                       f"lr {lr:.2e} s/step {spent / step:.2f}")
            print(log[-1], flush=True)
        if step % 500 == 0:
            with torch.no_grad():
                g.eval()
                fixed = random_crops(dom_a.images, torch.arange(4), cfg.crop, torch.Generator().manual_seed(16))
                tiles = torch.stack([fixed, g(fixed)], 1).flatten(0, 1)
                g.train()
            arr = ((tiles.permute(0, 2, 3, 1) + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).numpy()
            write_sample_grid(arr, args.out / "samples", step, columns=4, scale=1)

    torch.save({"G": g.state_dict(), "D": d.state_dict(), "heads": heads.state_dict(), "step": step,
                "seconds": spent, "args": vars(args) | {"a": str(args.a), "b": str(args.b), "out": str(args.out)}},
               args.out / "cut-probe.pt")
    g_ba = ResnetGenerator(cfg.spec)
    g_ba.apply(init_normal)
    card = build_cyclegan_card(cfg, {"step": step, "train_seconds": spent, "data": {
        "source_a": cfg.data_a, "source_b": cfg.data_b, "count_a": len(dom_a.images),
        "count_b": len(dom_b.images)}}, "cut-probe")
    card = dataclasses.replace(card, notes=card.notes + "; lab probe: CUT (PatchNCE, one generator); b2a is untrained")
    report = export_cyclegan(g.eval(), g_ba.eval(), card, args.out / "model.onnx")
    print(f"{step} steps in {spent / 60:.1f} min ({spent / step:.2f} s/step); {report.path} (ONNX vs torch "
          f"{report.max_diff} levels)", flush=True)
    np.savetxt(args.out / "log.txt", np.array(log), fmt="%s")


if __name__ == "__main__":
    main()
