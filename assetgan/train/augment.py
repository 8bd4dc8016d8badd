"""DiffAugment (Zhao et al. 2020): differentiable augmentations applied to real and fake images alike.

Geometric ops move colour and alpha together; colour ops change RGB only, on every pixel. For RGBA the empty value is
transparent black (-1 in every channel); tileable textures translate by wrapping, so D sees the wrap seam.
"""

from __future__ import annotations

import torch


def diff_augment(x: torch.Tensor, ops: tuple[str, ...], tileable: bool = False) -> torch.Tensor:
    """Augment a batch [N, C, H, W] in [-1, 1]; each sample draws its own parameters from torch's RNG."""
    for op in ops:
        x = _OPS[op](x, tileable)
    return x


def _flip(x: torch.Tensor, tileable: bool) -> torch.Tensor:
    mask = torch.rand(x.shape[0], 1, 1, 1, device=x.device) < 0.5
    return torch.where(mask, x.flip(3), x)


def _color(x: torch.Tensor, tileable: bool) -> torch.Tensor:
    n = x.shape[0]
    rgb, rest = x[:, :3], x[:, 3:]
    rgb = rgb + (torch.rand(n, 1, 1, 1, device=x.device) - 0.5)  # brightness
    mean = rgb.mean(dim=1, keepdim=True)
    rgb = (rgb - mean) * (torch.rand(n, 1, 1, 1, device=x.device) * 2) + mean  # saturation
    mean = rgb.mean(dim=[1, 2, 3], keepdim=True)
    rgb = (rgb - mean) * (torch.rand(n, 1, 1, 1, device=x.device) + 0.5) + mean  # contrast
    # Every pixel's colour moves alike, transparent ones too: masking by alpha would let D tell real
    # (exactly transparent) backgrounds from generated (almost transparent) ones.
    return torch.cat([rgb, rest], dim=1) if rest.shape[1] else rgb


def _translation(x: torch.Tensor, tileable: bool, ratio: float = 0.125) -> torch.Tensor:
    n, c, h, w = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    ty = torch.randint(-sh, sh + 1, (n, 1, 1), device=x.device)
    tx = torch.randint(-sw, sw + 1, (n, 1, 1), device=x.device)
    gy = torch.arange(h, device=x.device).view(1, h, 1) + ty  # [N, H, 1] source rows
    gx = torch.arange(w, device=x.device).view(1, 1, w) + tx  # [N, 1, W] source cols
    if tileable:
        gy, gx = gy % h, gx % w
        idx = (gy * w + gx).view(n, 1, h * w).expand(n, c, h * w)
        return x.reshape(n, c, h * w).gather(2, idx).view(n, c, h, w)
    fill = -1.0 if c == 4 else 0.0
    pad = torch.nn.functional.pad(x, [1, 1, 1, 1], value=fill)  # out-of-range reads hit the border
    gy = gy.clamp(-1, h) + 1
    gx = gx.clamp(-1, w) + 1
    idx = (gy * (w + 2) + gx).view(n, 1, h * w).expand(n, c, h * w)
    return pad.reshape(n, c, (h + 2) * (w + 2)).gather(2, idx).view(n, c, h, w)


def _cutout(x: torch.Tensor, tileable: bool, ratio: float = 0.5) -> torch.Tensor:
    n, c, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    oy = torch.randint(0, h + (1 - ch % 2), (n, 1, 1), device=x.device) - ch // 2
    ox = torch.randint(0, w + (1 - cw % 2), (n, 1, 1), device=x.device) - cw // 2
    ys = torch.arange(h, device=x.device).view(1, h, 1)
    xs = torch.arange(w, device=x.device).view(1, 1, w)
    inside = (ys >= oy) & (ys < oy + ch) & (xs >= ox) & (xs < ox + cw)  # [N, H, W]
    fill = -1.0 if c == 4 else 0.0
    return torch.where(inside.unsqueeze(1), torch.full_like(x, fill), x)


_OPS = {"flip": _flip, "color": _color, "translation": _translation, "cutout": _cutout}
