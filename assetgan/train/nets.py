"""DCGAN generator and discriminator (Radford et al. 2015) with optional circular padding and spectral norm."""

from __future__ import annotations

import math

import torch
from torch import nn

from .config import DCGANConfig


def _num_up(size: int) -> int:
    return int(math.log2(size)) - 2  # 4x4 -> size in stride-2 steps


def wrap_pad(x: torch.Tensor) -> torch.Tensor:
    """Pad [..., H, W] by one pixel each side with the opposite edge (a torus): [..., H + 2, W + 2]."""
    x = torch.cat([x[..., -1:, :], x, x[..., :1, :]], dim=-2)
    return torch.cat([x[..., -1:], x, x[..., :1]], dim=-1)


class CircularUpConv(nn.Module):
    """ConvTranspose2d(k=4, s=2, p=1) on a torus: the input wraps, so the output tiles seamlessly.

    The input is padded circularly by one pixel each side and transposed-convolved without padding; the
    3-pixel border of the result is the wrap-around overlap, and cropping it gives exactly the circular
    version of the usual layer: [N, C, n, n] -> [N, C', 2n, 2n].
    """

    def __init__(self, cin: int, cout: int, bias: bool = False) -> None:
        super().__init__()
        self.conv = nn.ConvTranspose2d(cin, cout, 4, 2, 0, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        y = self.conv(wrap_pad(x))  # [N, C', 2n+6, 2n+6]
        return y[..., 3 : 3 + 2 * h, 3 : 3 + 2 * w]


def _up(cin: int, cout: int, cfg: DCGANConfig, bias: bool = False) -> nn.Module:
    return CircularUpConv(cin, cout, bias) if cfg.tileable else nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=bias)


def generator_widths(cfg: DCGANConfig) -> list[int]:
    """Channel count at 4x4, 8x8, ... up to the last hidden layer."""
    n = _num_up(cfg.size)
    return [cfg.ngf * min(2 ** (n - 1 - i), 8) for i in range(n)]


class Generator(nn.Module):
    """z [N, nz] -> image [N, channels, size, size] in [-1, 1]."""

    def __init__(self, cfg: DCGANConfig) -> None:
        super().__init__()
        self.nz = cfg.nz
        widths = generator_widths(cfg)
        layers: list[nn.Module] = [
            # [N, nz, 1, 1] -> [N, w0, 4, 4]
            nn.ConvTranspose2d(cfg.nz, widths[0], 4, 1, 0, bias=False),
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(True),
        ]
        for cin, cout in zip(widths[:-1], widths[1:]):
            # [N, cin, s, s] -> [N, cout, 2s, 2s]
            layers += [_up(cin, cout, cfg), nn.BatchNorm2d(cout), nn.ReLU(True)]
        # [N, w_last, size/2, size/2] -> [N, channels, size, size]
        layers += [_up(widths[-1], cfg.channels, cfg, bias=cfg.mean_init), nn.Tanh()]
        self.main = nn.Sequential(*layers)

    @property
    def output_conv(self) -> nn.Module:
        """The last convolution, which makes the pixels."""
        last = self.main[-2]
        return last.conv if isinstance(last, CircularUpConv) else last

    @torch.no_grad()
    def init_output_bias(self, images: torch.Tensor) -> None:
        """Start the output bias at the data's mean colour per channel (through atanh), so training starts from the
        data's brightness instead of spending its first thousand steps finding it. `images`: uint8 [N, C, H, W];
        needs mean_init (the bias)."""
        mean = images.float().mean(dim=(0, 2, 3)).div(127.5).sub(1.0)  # [C] in [-1, 1]
        self.output_conv.bias.copy_(torch.atanh(mean.clamp(-0.95, 0.95)))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.main(z.reshape(z.shape[0], self.nz, 1, 1))


class Discriminator(nn.Module):
    """image [N, channels, size, size] -> logit [N] (probability of real = sigmoid(logit))."""

    def __init__(self, cfg: DCGANConfig) -> None:
        super().__init__()
        sn = nn.utils.parametrizations.spectral_norm if cfg.spectral_norm else (lambda m: m)
        n = _num_up(cfg.size)
        layers: list[nn.Module] = [
            # [N, C, size, size] -> [N, ndf, size/2, size/2]
            sn(nn.Conv2d(cfg.channels, cfg.ndf, 4, 2, 1, bias=False)),
            nn.LeakyReLU(0.2, True),
        ]
        ch = cfg.ndf
        for _ in range(n - 1):
            out = min(ch * 2, cfg.ndf * 8)
            # [N, ch, s, s] -> [N, out, s/2, s/2]
            layers.append(sn(nn.Conv2d(ch, out, 4, 2, 1, bias=False)))
            if not cfg.spectral_norm:
                layers.append(nn.BatchNorm2d(out))
            layers.append(nn.LeakyReLU(0.2, True))
            ch = out
        # [N, ch, 4, 4] -> [N, 1, 1, 1]
        self.main = nn.Sequential(*layers, sn(nn.Conv2d(ch, 1, 4, 1, 0, bias=False)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.main(x).reshape(-1)


def init_weights(m: nn.Module) -> None:
    """DCGAN initialisation: conv weights N(0, 0.02), BatchNorm weights N(1, 0.02), biases 0."""
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        w = m.parametrizations.weight.original if hasattr(m, "parametrizations") else m.weight
        nn.init.normal_(w, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


@torch.no_grad()
def recalibrate_batchnorm(g: nn.Module, nz: int, seed: int, batches: int = 16, batch_size: int = 64) -> None:
    """Re-estimate G's BatchNorm population statistics for its current weights (needed after EMA).

    Uses its own RNG so that calling it never changes the training run's random stream.
    """
    bns = [m for m in g.modules() if isinstance(m, nn.BatchNorm2d)]
    if not bns:
        return
    saved = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the calibration batches
    gen = torch.Generator().manual_seed(seed)
    g.train()
    for _ in range(batches):
        g(torch.randn(batch_size, nz, generator=gen))
    for m, mom in zip(bns, saved):
        m.momentum = mom
    g.eval()
