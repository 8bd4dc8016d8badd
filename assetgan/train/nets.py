"""DCGAN generator and discriminator (Radford et al. 2015) with optional circular padding and spectral norm."""

from __future__ import annotations

import math

import torch
from torch import nn

from .config import DCGANConfig

RECON_FROM = 8  # side of D's feature map the recon decoder starts from


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


class ResizeConv(nn.Module):
    """Nearest-neighbour 2x, then a 3x3 convolution (Odena et al. 2016): every output pixel sees the same number of
    input pixels, so no checkerboard. Tileable: the 3x3 conv pads circularly. [N, C, n, n] -> [N, C', 2n, 2n]."""

    def __init__(self, cin: int, cout: int, tileable: bool, bias: bool = False) -> None:
        super().__init__()
        self.tileable = tileable
        self.conv = nn.Conv2d(cin, cout, 3, 1, 0 if tileable else 1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = nn.functional.interpolate(x, scale_factor=2.0, mode="nearest")
        return self.conv(wrap_pad(x) if self.tileable else x)


def _up(cin: int, cout: int, cfg: DCGANConfig, bias: bool = False) -> nn.Module:
    if cfg.upsample == "resize":
        return ResizeConv(cin, cout, cfg.tileable, bias)
    return CircularUpConv(cin, cout, bias) if cfg.tileable else nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=bias)


def generator_widths(cfg: DCGANConfig) -> list[int]:
    """Channel count at 4x4, 8x8, ... up to the last hidden layer."""
    n = _num_up(cfg.size)
    return [cfg.ngf * min(2 ** (n - 1 - i), 8) for i in range(n)]


class ScaledTanh(nn.Module):
    """gain * tanh(x): with gain > 1 the darkest and brightest pixels lie where tanh still has slope (clamped to
    [-1, 1] when made into pixels), while the output stays bounded."""

    def __init__(self, gain: float) -> None:
        super().__init__()
        self.gain = gain

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.gain * torch.tanh(x)


def _output_activation(cfg: DCGANConfig) -> nn.Module:
    if cfg.linear_output:
        return nn.Identity()
    return nn.Tanh() if cfg.output_gain == 1.0 else ScaledTanh(cfg.output_gain)


class Generator(nn.Module):
    """z [N, nz] -> image [N, channels, size, size] in [-1, 1] (beyond it with linear_output or output_gain > 1:
    clamp to use)."""

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
        layers += [_up(widths[-1], cfg.channels, cfg, bias=cfg.mean_init), _output_activation(cfg)]
        self.main = nn.Sequential(*layers)

    @property
    def output_conv(self) -> nn.Module:
        """The last convolution, which makes the pixels."""
        last = self.main[-2]
        return last.conv if isinstance(last, (CircularUpConv, ResizeConv)) else last

    @torch.no_grad()
    def init_output_bias(self, images: torch.Tensor) -> None:
        """Start the output bias at the data's mean colour per channel (through atanh, and the gain, when G ends in
        tanh), so training starts from the data's brightness instead of spending its first thousand steps finding
        it. `images`: uint8 [N, C, H, W]; needs mean_init (the bias)."""
        mean = images.float().mean(dim=(0, 2, 3)).div(127.5).sub(1.0)  # [C] in [-1, 1]
        act = self.main[-1]
        if isinstance(act, nn.Identity):
            self.output_conv.bias.copy_(mean)
        else:
            gain = act.gain if isinstance(act, ScaledTanh) else 1.0
            self.output_conv.bias.copy_(torch.atanh((mean / gain).clamp(-0.95, 0.95)))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.main(z.reshape(z.shape[0], self.nz, 1, 1))


def minibatch_spread(h: torch.Tensor, fixed: float | None = None) -> torch.Tensor:
    """[N, C, H, W] -> [N, C + 1, H, W]: appends the batch's mean standard deviation (over samples, per feature and
    place, then averaged) as a constant channel (Karras et al. 2018), so D can see when a batch varies less than
    real ones do. Population std over the whole batch: any batch size, one sample included (spread 0). `fixed`: that
    value instead, so each image is scored on its own (the exported critic)."""
    if fixed is not None:
        return torch.cat([h, torch.full_like(h[:, :1], fixed)], dim=1)
    spread = (h.var(dim=0, unbiased=False) + 1e-8).sqrt().mean()
    return torch.cat([h, spread.expand(h.shape[0], 1, *h.shape[2:])], dim=1)


class Discriminator(nn.Module):
    """image [N, channels, size, size] -> logit [N] (probability of real = sigmoid(logit)).

    With mbstd the last layer also sees the batch's spread (minibatch_spread): feed real and fake batches
    separately. The spread enters the last, linear layer only, so it shifts every logit of one batch alike; the
    exported critic, which ranks images across batches, holds it at `fixed_spread` instead (set by
    critic_for_export), which leaves every ranking as it was inside one batch."""

    def __init__(self, cfg: DCGANConfig) -> None:
        super().__init__()
        sn = nn.utils.parametrizations.spectral_norm if cfg.spectral_norm else (lambda m: m)
        n = _num_up(cfg.size)
        layers: list[nn.Module] = [
            # [N, C, size, size] -> [N, ndf, size/2, size/2]
            sn(nn.Conv2d(cfg.channels, cfg.ndf, 4, 2, 1, bias=False)),
            nn.LeakyReLU(0.2, True),
        ]
        ch, side = cfg.ndf, cfg.size // 2
        feat_at, feat_ch = (len(layers), ch) if side == RECON_FROM else (0, 0)
        for _ in range(n - 1):
            out = min(ch * 2, cfg.ndf * 8)
            # [N, ch, s, s] -> [N, out, s/2, s/2]
            layers.append(sn(nn.Conv2d(ch, out, 4, 2, 1, bias=False)))
            if not cfg.spectral_norm:
                layers.append(nn.BatchNorm2d(out))
            layers.append(nn.LeakyReLU(0.2, True))
            ch, side = out, side // 2
            if side == RECON_FROM:
                feat_at, feat_ch = len(layers), ch
        # [N, ch (+1 with mbstd), 4, 4] -> [N, 1, 1, 1]
        last = sn(nn.Conv2d(ch + int(cfg.mbstd), 1, 4, 1, 0, bias=False))
        self.mbstd = cfg.mbstd
        self.fixed_spread: float | None = None
        if cfg.mbstd:
            self.main = nn.Sequential(*layers)
            self.head = last
        else:  # one Sequential, as in checkpoints from before mbstd
            self.main = nn.Sequential(*layers, last)
        self.feat_at = feat_at
        # the self-supervised decoder (cfg.recon; Liu et al. 2021): D's 8x8 features -> the image at 16x16
        self.decoder = ReconDecoder(feat_ch, cfg.ndf, cfg.channels) if cfg.recon > 0 else None

    def forward(self, x: torch.Tensor, recon: bool = False) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Logits [N]; with `recon`, also the decoder's reconstruction [N, C, 16, 16] of x from D's features."""
        if recon and self.decoder is None:
            raise ValueError("recon=True needs a Discriminator built with cfg.recon > 0")
        feat = self.main[: self.feat_at](x) if recon else x
        h = self.main[self.feat_at :](feat) if recon else self.main(x)
        logits = (self.head(minibatch_spread(h, self.fixed_spread)) if self.mbstd else h).reshape(-1)
        return (logits, self.decoder(feat)) if recon else logits


class ReconDecoder(nn.Module):
    """[N, cin, 8, 8] -> [N, channels, 16, 16] in [-1, 1]: nearest 2x, 3x3 conv, BatchNorm, LeakyReLU, 3x3 conv,
    tanh. Only D's training uses it: reconstructing the real images keeps D's features descriptive of the whole
    image rather than of the few cues that tell a small training set apart from G's output."""

    def __init__(self, cin: int, width: int, channels: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv2d(cin, width, 3, 1, 1, bias=False),
            nn.BatchNorm2d(width),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(width, channels, 3, 1, 1),
            nn.Tanh(),
        )

    def forward(self, feat: torch.Tensor) -> torch.Tensor:
        return self.net(feat)


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
