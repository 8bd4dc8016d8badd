"""PatchNCE for CUT (Park et al. 2020): features of the CycleGAN generator's encoder, a two-layer MLP head per tapped
layer, and the contrastive loss that asks each output patch to match the input patch at its own place.

The generator is cyclegan_nets.ResnetGenerator, unchanged; PatchNCE reads the outputs of some modules of its trunk
`g.net` (on the half-resolution copy when internal_scale is 2, as the generator itself does).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .cyclegan_nets import GeneratorSpec, ResnetGenerator

HEAD_WIDTH = 256  # the MLP heads' hidden and output width (CUT's netF)
FIRST_BLOCK = 10  # index in ResnetGenerator.net of the first residual block (pad, conv, norm, relu, 2 x down)


def nce_taps(blocks: int) -> tuple[int, ...]:
    """Modules of `g.net` whose outputs feed PatchNCE: the padded input, both downsampling convolutions and residual
    blocks 2 and 4 (0, 4, 7, 11, 13 with 6 blocks); a trunk of fewer blocks taps its last instead."""
    res = sorted({FIRST_BLOCK - 1 + min(k, blocks) for k in (2, 4)})
    return (0, 4, 7, *res)


def tap_channels(spec: GeneratorSpec, taps: Sequence[int]) -> list[int]:
    """Channels of each tapped output: 3 (the padded image), 2 * ngf (first downsampling), else 4 * ngf."""
    return [3 if t == 0 else 2 * spec.ngf if t == 4 else 4 * spec.ngf for t in taps]


def encode(g: ResnetGenerator, x: torch.Tensor, taps: Sequence[int]) -> list[torch.Tensor]:
    """image [N, 3, H, W] -> the features [N, C, h, w] at `taps` of G's trunk, which runs on the half-resolution copy
    when internal_scale is 2; stops after the last tap."""
    h = F.avg_pool2d(x, 2) if g.spec.internal_scale == 2 else x
    feats = []
    for i, layer in enumerate(g.net):
        h = layer(h)
        if i in taps:
            feats.append(h)
        if i >= taps[-1]:
            break
    return feats


def _head(channels: int) -> nn.Sequential:
    """[.., C] -> [.., HEAD_WIDTH]: Linear, ReLU, Linear, weights N(0, 0.02), zero biases."""
    head = nn.Sequential(nn.Linear(channels, HEAD_WIDTH), nn.ReLU(True), nn.Linear(HEAD_WIDTH, HEAD_WIDTH))
    for layer in head:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, 0.0, 0.02)
            nn.init.zeros_(layer.bias)
    return head


class PatchNCE(nn.Module):
    """The PatchNCE loss with its heads: (source image, G's output for it) -> mean InfoNCE over the tapped layers.

    At each layer `patches` places are drawn (the same for the whole batch, from torch's global generator); the
    output's feature at a place is the query, the source's feature at the same place its positive, the source's
    features at the other drawn places the negatives. The keys carry no gradient (CUT detaches them).
    """

    def __init__(self, spec: GeneratorSpec, patches: int = 256, temperature: float = 0.07) -> None:
        super().__init__()
        self.taps = nce_taps(spec.blocks)
        self.patches, self.temperature = patches, temperature
        self.heads = nn.ModuleList([_head(c) for c in tap_channels(spec, self.taps)])

    def forward(self, g: ResnetGenerator, src: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """src, out [N, 3, H, W] -> scalar loss; gradients reach G through `out` and the heads through the queries."""
        with torch.no_grad():
            keys = encode(g, src, self.taps)
        queries = encode(g, out, self.taps)
        total = torch.zeros((), device=src.device)
        for head, k, q in zip(self.heads, keys, queries):
            n, _, hh, ww = k.shape
            idx = torch.randperm(hh * ww)[: self.patches].to(k.device)
            with torch.autocast(k.device.type, enabled=False):  # the logits in fp32 also under bf16 training
                with torch.no_grad():
                    kk = F.normalize(head(k.float().flatten(2)[:, :, idx].transpose(1, 2)), dim=-1)  # [N, P, 256]
                qq = F.normalize(head(q.float().flatten(2)[:, :, idx].transpose(1, 2)), dim=-1)  # [N, P, 256]
                logits = qq @ kk.transpose(1, 2) / self.temperature  # [N, P, P]; the positives on the diagonal
                target = torch.arange(logits.shape[1], device=k.device).expand(n, -1)  # [N, P]
                total = total + F.cross_entropy(logits.flatten(0, 1), target.flatten())
        return total / len(self.taps)
