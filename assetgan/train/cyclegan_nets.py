"""CycleGAN networks (Zhu et al. 2017): ResNet generators with whole-image InstanceNorm statistics, PatchGAN D.

The generator's InstanceNorm layers can take their statistics from outside (`StatsNorm`): the runtime measures
them once on the whole image and then runs overlapping tiles with those fixed statistics, so a tiled result
matches the whole-image one instead of each tile renormalising its own colours.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class GeneratorSpec:
    """Architecture of a CycleGAN generator."""

    ngf: int = 32  # width of the first layer; the trunk runs at 4 * ngf
    blocks: int = 6  # residual blocks in the trunk
    internal_scale: int = 1  # 2: run the network at half resolution, then a full-resolution guided refinement
    upsample: str = "bilinear"  # "bilinear": 3x3 conv then bilinear x2 (no checkerboard); "transpose": the paper's
    down_pad: str = "zero"  # padding of the two stride-2 convolutions: "zero" (the paper's) or "reflect"

    @property
    def pad_multiple(self) -> int:
        """Input sides must be multiples of this (two stride-2 stages, times the internal scale)."""
        return 4 * self.internal_scale


class StatsNorm(nn.Module):
    """InstanceNorm2d without affine parameters whose mean and variance can be supplied from outside.

    In training it is exactly InstanceNorm. For export, `GeneratorWithStats` sets `self.ext` to
    (mean [C], var [C], weight) before a forward pass: weight 1 uses the given statistics, 0 the tile's own;
    `self.last` holds the statistics the layer measured, so a whole-image pass can report them.
    """

    def __init__(self, channels: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.channels = channels
        self.eps = eps
        self.ext: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None
        self.last: tuple[torch.Tensor, torch.Tensor] | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # [N, C, H, W]
        if self.ext is None:
            return F.instance_norm(x, eps=self.eps)
        mean = x.mean(dim=(2, 3), keepdim=True)  # [N, C, 1, 1]
        var = (x - mean).pow(2).mean(dim=(2, 3), keepdim=True)
        self.last = (mean.reshape(-1), var.reshape(-1))  # batch 1 at export: [C]
        g_mean, g_var, w = self.ext
        mean = torch.lerp(mean, g_mean.reshape(1, -1, 1, 1), w)
        var = torch.lerp(var, g_var.reshape(1, -1, 1, 1), w)
        return (x - mean) * torch.rsqrt(var + self.eps)


def _down(cin: int, cout: int, pad: str) -> nn.Module:
    """[N, cin, h, w] -> [N, cout, h/2, w/2] for even h, w.

    On an even input a 3x3 stride-2 window never reaches the bottom or right padding, only the top and left: with
    zeros there the network sees where the image starts and can paint along those two edges. "reflect" pads with
    the image itself, so no edge is marked.
    """
    if pad == "zero":
        return nn.Conv2d(cin, cout, 3, 2, 1)
    if pad == "reflect":
        return nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(cin, cout, 3, 2))
    raise ValueError(f"down_pad {pad!r}: must be 'zero' or 'reflect'")


def _up(cin: int, cout: int, mode: str) -> nn.Module:
    """[N, cin, h, w] -> [N, cout, 2h, 2w]."""
    if mode == "transpose":
        return nn.ConvTranspose2d(cin, cout, 3, 2, 1, output_padding=1)
    if mode == "bilinear":  # convolve at the low resolution (same cost), then interpolate: no checkerboard
        return nn.Sequential(nn.Conv2d(cin, cout, 3, 1, 1), nn.Upsample(scale_factor=2.0, mode="bilinear"))
    raise ValueError(f"upsample {mode!r}: must be 'bilinear' or 'transpose'")


class ResBlock(nn.Module):
    """x + [reflect-pad, conv3, norm, ReLU, reflect-pad, conv3, norm](x)."""

    def __init__(self, ch: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(ch, ch, 3), StatsNorm(ch), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(ch, ch, 3), StatsNorm(ch),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class ResnetGenerator(nn.Module):
    """image [N, 3, H, W] in [-1, 1] -> image [N, 3, H, W] in [-1, 1]; H, W multiples of spec.pad_multiple.

    c7s1-ngf, d(2ngf), d(4ngf), R(4ngf) x blocks, u(2ngf), u(ngf), c7s1-3 as in Johnson et al. / Zhu et al.
    With internal_scale 2 this trunk runs on a 2x average-pooled copy; a small full-resolution head (no
    normalisation, so tiles need no statistics) adds detail to the bilinearly upsampled result, guided by the
    input's high-pass band only (input minus its own down-and-up-sampled copy): colour and style must come from the
    trunk, the head cannot route the input around it.
    """

    def __init__(self, spec: GeneratorSpec) -> None:
        super().__init__()
        self.spec = spec
        g = spec.ngf
        self.net = nn.Sequential(
            # [N, 3, h, w] -> [N, g, h, w]
            nn.ReflectionPad2d(3), nn.Conv2d(3, g, 7), StatsNorm(g), nn.ReLU(True),
            # -> [N, 2g, h/2, w/2] -> [N, 4g, h/4, w/4]
            _down(g, 2 * g, spec.down_pad), StatsNorm(2 * g), nn.ReLU(True),
            _down(2 * g, 4 * g, spec.down_pad), StatsNorm(4 * g), nn.ReLU(True),
            *[ResBlock(4 * g) for _ in range(spec.blocks)],
            # -> [N, 2g, h/2, w/2] -> [N, g, h, w]
            _up(4 * g, 2 * g, spec.upsample), StatsNorm(2 * g), nn.ReLU(True),
            _up(2 * g, g, spec.upsample), StatsNorm(g), nn.ReLU(True),
            # -> [N, 3, h, w]
            nn.ReflectionPad2d(3), nn.Conv2d(g, 3, 7), nn.Tanh(),
        )
        self.refine: nn.Module | None = None
        if spec.internal_scale == 2:
            # [N, 6, H, W] (upsampled output, input high-pass) -> [N, 3, H, W] residual; zero-initialised last layer
            last = nn.Conv2d(16, 3, 3, padding=1)
            nn.init.zeros_(last.weight)
            nn.init.zeros_(last.bias)
            last._keep_init = True  # type: ignore[attr-defined]
            self.refine = nn.Sequential(nn.Conv2d(6, 16, 3, padding=1), nn.ReLU(True), last)
        elif spec.internal_scale != 1:
            raise ValueError(f"internal_scale {spec.internal_scale}: must be 1 or 2")

    def norms(self) -> list[StatsNorm]:
        return [m for m in self.modules() if isinstance(m, StatsNorm)]

    def stats_size(self) -> int:
        """Floats in the statistics vector: mean and variance of every norm layer."""
        return sum(2 * n.channels for n in self.norms())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.refine is None:
            return self.net(x)
        low = F.avg_pool2d(x, 2)  # [N, 3, H/2, W/2]
        detail = x - F.interpolate(low, scale_factor=2.0, mode="bilinear", align_corners=False)  # high-pass band
        y = F.interpolate(self.net(low), scale_factor=2.0, mode="bilinear", align_corners=False)
        return (y + self.refine(torch.cat([y, detail], dim=1))).clamp(-1.0, 1.0)


class GeneratorWithStats(nn.Module):
    """Export wrapper: (image, stats, weight) -> (image, measured stats), all norm layers wired to `stats`.

    stats is [S] = per layer, in order, mean [C] then var [C]; weight is a [1] float in [0, 1].
    """

    def __init__(self, g: ResnetGenerator) -> None:
        super().__init__()
        self.g = g

    def forward(self, x: torch.Tensor, stats: torch.Tensor, weight: torch.Tensor):
        norms = self.g.norms()
        off = 0
        for n in norms:
            c = n.channels
            n.ext = (stats[off : off + c], stats[off + c : off + 2 * c], weight)
            off += 2 * c
        try:
            y = self.g(x)
            measured = torch.cat([t for n in norms for t in n.last])  # [S]
        finally:
            for n in norms:
                n.ext = None
                n.last = None
        return y, measured


def _patchgan(ndf: int) -> nn.Sequential:
    """70x70 PatchGAN: image [N, 3, H, W] -> realness map [N, 1, H/8 - 2, W/8 - 2]."""
    return nn.Sequential(
        nn.Conv2d(3, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True),  # C64, no norm
        nn.Conv2d(ndf, 2 * ndf, 4, 2, 1), nn.InstanceNorm2d(2 * ndf), nn.LeakyReLU(0.2, True),
        nn.Conv2d(2 * ndf, 4 * ndf, 4, 2, 1), nn.InstanceNorm2d(4 * ndf), nn.LeakyReLU(0.2, True),
        nn.Conv2d(4 * ndf, 8 * ndf, 4, 1, 1), nn.InstanceNorm2d(8 * ndf), nn.LeakyReLU(0.2, True),
        nn.Conv2d(8 * ndf, 1, 4, 1, 1),
    )


class PatchDiscriminator(nn.Module):
    """70x70 PatchGAN (least-squares targets): image [N, 3, H, W] -> realness map [N, 1, H/8 - 2, W/8 - 2].

    With `scales` > 1 (Wang et al. 2018, pix2pixHD) further PatchGANs of their own judge the image average-pooled
    2x, 4x, ...: their 70-pixel windows cover 140, 280, ... pixels, so the layout and tonal balance of a whole crop
    is judged, not only its texture. The forward then returns a tuple of maps, finest first.
    """

    def __init__(self, ndf: int = 64, scales: int = 1) -> None:
        super().__init__()
        if scales < 1:
            raise ValueError(f"scales {scales}: must be at least 1")
        self.net = _patchgan(ndf)
        self.coarser = nn.ModuleList([_patchgan(ndf) for _ in range(scales - 1)])

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, ...]:
        if not len(self.coarser):
            return self.net(x)
        maps = [self.net(x)]
        for d in self.coarser:
            x = F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)
            maps.append(d(x))
        return tuple(maps)


def init_normal(m: nn.Module) -> None:
    """N(0, 0.02) convolution weights, zero biases (the paper's initialisation); leaves zero-init heads alone."""
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        if getattr(m, "_keep_init", False):
            return
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
