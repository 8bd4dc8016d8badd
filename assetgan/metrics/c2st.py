"""Classifier two-sample test (Lopez-Paz & Oquab 2017): can a small CNN tell generated from real?

A CNN is trained from scratch on half of each set and tested on the other half; accuracy near 0.5 means the
sets are indistinguishable to it. The p-value is the exact one-sided binomial tail P(X >= correct | n, 0.5).
Uses torch (imported lazily by the caller's path only).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .common import to_float_rgb


@dataclass
class C2STResult:
    accuracy: float  # on the held-out halves
    n_test: int
    p_value: float  # probability of at least this accuracy if the sets were indistinguishable


def binomial_tail(k: int, n: int) -> float:
    """P(X >= k) for X ~ Binomial(n, 1/2), exact (log-space sum)."""
    if k <= 0:
        return 1.0
    logs = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) - n * math.log(2) for i in range(k, n + 1)]
    m = max(logs)
    return min(1.0, math.exp(m) * sum(math.exp(v - m) for v in logs))


def c2st(real: np.ndarray, fake: np.ndarray, seed: int = 0, epochs: int = 8, min_steps: int = 200,
         threads: int = 0) -> C2STResult:
    """Train on disjoint halves, test on the rest; both sets uint8 [N, H, W, 3|4] of one size."""
    import torch
    from torch import nn

    n = min(len(real), len(fake))
    if n < 8:
        raise ValueError(f"C2ST needs at least 8 images per set, got {n}")
    if threads:
        torch.set_num_threads(threads)
    rng = np.random.default_rng(seed)
    x = np.concatenate([to_float_rgb(real[rng.permutation(len(real))[:n]]),
                        to_float_rgb(fake[rng.permutation(len(fake))[:n]])])  # [2n, H, W, 3]
    y = np.concatenate([np.ones(n), np.zeros(n)]).astype(np.float32)
    order = rng.permutation(2 * n)
    x, y = x[order], y[order]
    half = n  # first half trains, second half tests: disjoint splits
    xt = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous() * 2 - 1  # [2n, 3, H, W]
    yt = torch.from_numpy(y)
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    net = nn.Sequential(
        nn.Conv2d(3, 32, 3, 2, 1), nn.LeakyReLU(0.2),  # [B, 32, H/2, W/2]
        nn.Conv2d(32, 64, 3, 2, 1), nn.LeakyReLU(0.2),  # [B, 64, H/4, W/4]
        nn.Conv2d(64, 64, 3, 2, 1), nn.LeakyReLU(0.2),  # [B, 64, H/8, W/8]
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 1),  # [B, 1]
    )
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    steps = max(min_steps, epochs * math.ceil(half / 64))  # small sets still get enough updates
    for _ in range(steps):
        idx = torch.randint(0, half, (min(64, half),), generator=gen)
        opt.zero_grad()
        loss_fn(net(xt[idx]).squeeze(1), yt[idx]).backward()
        opt.step()
    with torch.no_grad():
        pred = (net(xt[half:]).squeeze(1) > 0).float()
    correct = int((pred == yt[half:]).sum())
    n_test = len(pred)
    return C2STResult(correct / n_test, n_test, binomial_tail(correct, n_test))
