"""DCGAN generator and discriminator (Radford et al. 2015) with optional circular padding and spectral norm, and
class conditioning (cfg.classes): conditional BatchNorm in G, a projection term in D (Miyato & Koyama 2018)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .config import DCGANConfig


def _num_up(size: int) -> int:
    return int(math.log2(size)) - 2  # 4x4 -> size in stride-2 steps


class CircularUpConv(nn.Module):
    """ConvTranspose2d(k=4, s=2, p=1) on a torus: the input wraps, so the output tiles seamlessly.

    The layer is transposed-convolved without padding ([N, C, n, n] -> [N, C', 2n+2, 2n+2]); the outer row and column
    on each side are what spills over the torus's edge, so each is added onto the opposite edge of the inner 2n x 2n:
    exactly the circular version of the usual layer, at the usual layer's cost.
    """

    def __init__(self, cin: int, cout: int, bias: bool = False) -> None:
        super().__init__()
        self.conv = nn.ConvTranspose2d(cin, cout, 4, 2, 0, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.conv_transpose2d(x, self.conv.weight, None, 2)  # [N, C', 2n+2, 2n+2]; the bias once, after the fold
        y = torch.cat([y[..., 1:2, :] + y[..., -1:, :], y[..., 2:-2, :], y[..., -2:-1, :] + y[..., :1, :]], dim=-2)
        y = torch.cat([y[..., 1:2] + y[..., -1:], y[..., 2:-2], y[..., -2:-1] + y[..., :1]], dim=-1)
        return y if self.conv.bias is None else y + self.conv.bias.view(1, -1, 1, 1)


def _up(cin: int, cout: int, cfg: DCGANConfig, bias: bool = False) -> nn.Module:
    return CircularUpConv(cin, cout, bias) if cfg.tileable else nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=bias)


def generator_widths(cfg: DCGANConfig) -> list[int]:
    """Channel count at 4x4, 8x8, ... up to the last hidden layer."""
    n = _num_up(cfg.size)
    return [cfg.ngf * min(2 ** (n - 1 - i), 8) for i in range(n)]


class ConditionalBatchNorm2d(nn.Module):
    """BatchNorm whose scale and shift come per class from an embedding: (x [N, C, H, W], y [N] int64) -> same.

    The statistics are shared by all classes (one BatchNorm2d without affine); `embed` row y holds (gamma, beta)."""

    def __init__(self, num_features: int, num_classes: int) -> None:
        super().__init__()
        self.bn = nn.BatchNorm2d(num_features, affine=False)
        self.embed = nn.Embedding(num_classes, 2 * num_features)  # [K, 2C]: gamma then beta

    def reset_parameters(self) -> None:
        """gamma N(1, 0.02) and beta 0, as init_weights starts a plain BatchNorm."""
        c = self.bn.num_features
        nn.init.normal_(self.embed.weight[:, :c], 1.0, 0.02)
        nn.init.zeros_(self.embed.weight[:, c:])

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """y: class ids [N] int64, or class weights [N, K] float (a one-hot row is the lookup; a blend mixes rows)."""
        e = y.to(self.embed.weight.dtype) @ self.embed.weight if y.is_floating_point() else self.embed(y)  # [N, 2C]
        gamma, beta = e.unsqueeze(-1).unsqueeze(-1).chunk(2, dim=1)  # [N, C, 1, 1] each
        return self.bn(x) * gamma + beta


def _norm(width: int, cfg: DCGANConfig) -> nn.Module:
    return ConditionalBatchNorm2d(width, len(cfg.classes)) if cfg.classes else nn.BatchNorm2d(width)


class Generator(nn.Module):
    """z [N, nz] (and with cfg.classes the class y [N] int64, or class weights [N, K] float) -> image
    [N, channels, size, size] in [-1, 1]."""

    def __init__(self, cfg: DCGANConfig) -> None:
        super().__init__()
        self.nz = cfg.nz
        self.num_classes = len(cfg.classes)  # 0 = unconditional
        widths = generator_widths(cfg)
        layers: list[nn.Module] = [
            # [N, nz, 1, 1] -> [N, w0, 4, 4]
            nn.ConvTranspose2d(cfg.nz, widths[0], 4, 1, 0, bias=False),
            _norm(widths[0], cfg),
            nn.ReLU(True),
        ]
        for cin, cout in zip(widths[:-1], widths[1:]):
            # [N, cin, s, s] -> [N, cout, 2s, 2s]
            layers += [_up(cin, cout, cfg), _norm(cout, cfg), nn.ReLU(True)]
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

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        x = z.reshape(z.shape[0], self.nz, 1, 1)
        if not self.num_classes:
            return self.main(x)
        if y is None:
            raise ValueError("a conditional generator needs the classes y [N]")
        for m in self.main:
            x = m(x, y) if isinstance(m, ConditionalBatchNorm2d) else m(x)
        return x


class Discriminator(nn.Module):
    """image [N, channels, size, size] (and with cfg.classes the class y [N] int64) -> logit [N] (probability of
    real = sigmoid(logit)); conditional, the logit adds <embed(y), features summed over the last 4x4>."""

    def __init__(self, cfg: DCGANConfig) -> None:
        super().__init__()
        sn = nn.utils.parametrizations.spectral_norm if cfg.spectral_norm else (lambda m: m)
        self.num_classes = len(cfg.classes)
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
        if self.num_classes:
            self.embed = sn(nn.Embedding(self.num_classes, ch))  # [K, ch]: the projection's class vectors

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if not self.num_classes:
            return self.main(x).reshape(-1)
        if y is None:
            raise ValueError("a conditional discriminator needs the classes y [N]")
        h = self.main[:-1](x)  # [N, ch, 4, 4]
        logit = self.main[-1](h).reshape(-1)  # [N]
        return logit + (self.embed(y) * h.sum(dim=(2, 3))).sum(dim=1)  # + <embed(y), phi(x)>


def init_weights(m: nn.Module) -> None:
    """DCGAN initialisation: conv weights N(0, 0.02), BatchNorm weights N(1, 0.02), biases 0; D's class vectors
    N(0, 0.02), conditional BatchNorm's gamma N(1, 0.02) and beta 0 (applied after its embedding: apply() visits
    children first)."""
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Embedding)):
        w = m.parametrizations.weight.original if hasattr(m, "parametrizations") else m.weight
        nn.init.normal_(w, 0.0, 0.02)
        if getattr(m, "bias", None) is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, ConditionalBatchNorm2d):
        m.reset_parameters()
    elif isinstance(m, nn.BatchNorm2d) and m.affine:
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
    k = getattr(g, "num_classes", 0)
    g.train()
    for _ in range(batches):
        z = torch.randn(batch_size, nz, generator=gen)
        g(z, torch.randint(k, (batch_size,), generator=gen)) if k else g(z)  # every class alike
    for m, mom in zip(bns, saved):
        m.momentum = mom
    g.eval()
