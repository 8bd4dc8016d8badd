"""Class recognition (Shmelkov et al. 2018, "GAN-test"): a small CNN trained from scratch on the real training
images' classes, then asked the class of generated images. Its accuracy on generated images of a class, next to its
accuracy on real held-out images of that class, says whether the model draws recognisable classes.
Uses torch (imported lazily by the caller's path only)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .common import to_float_rgb


def train_recogniser(images: np.ndarray, ids: np.ndarray, n_classes: int, seed: int = 0, epochs: int = 30,
                     batch: int = 64) -> Callable[[np.ndarray], np.ndarray]:
    """Train on uint8 images [N, H, W, 3|4] with class ids [N] (class-balanced batches, flips and 2-pixel shifts)
    for `epochs` passes (300-1500 steps); return predict(images uint8 [M, H, W, C]) -> class ids int64 [M]."""
    import torch
    from torch import nn

    steps = min(1500, max(300, epochs * len(images) // batch))
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x = torch.from_numpy(to_float_rgb(images)).permute(0, 3, 1, 2).contiguous() * 2 - 1  # [N, 3, H, W]
    y = torch.from_numpy(ids.astype(np.int64))
    net = nn.Sequential(
        nn.Conv2d(3, 32, 3, 2, 1), nn.BatchNorm2d(32), nn.LeakyReLU(0.2),  # [B, 32, H/2, W/2]
        nn.Conv2d(32, 64, 3, 2, 1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),  # [B, 64, H/4, W/4]
        nn.Conv2d(64, 128, 3, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),  # [B, 128, H/8, W/8]
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.3), nn.Linear(128, n_classes),  # [B, K]
    )
    counts = np.bincount(ids, minlength=n_classes).astype(np.float64)
    weights = torch.from_numpy(np.where(counts[ids] > 0, 1.0 / np.maximum(counts[ids], 1), 0.0))  # balanced classes
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    loss_fn = nn.CrossEntropyLoss()
    net.train()
    for _ in range(steps):
        idx = torch.multinomial(weights, batch, replacement=True, generator=gen)
        xb = x[idx]
        flip = torch.rand(batch, generator=gen) < 0.5
        xb = torch.where(flip[:, None, None, None], xb.flip(3), xb)
        dx, dy = (int(v) for v in torch.randint(-2, 3, (2,), generator=gen))
        xb = torch.roll(xb, (dy, dx), (2, 3))
        opt.zero_grad()
        loss_fn(net(xb), y[idx]).backward()
        opt.step()
        sched.step()
    net.eval()

    def predict(imgs: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            t = torch.from_numpy(to_float_rgb(imgs)).permute(0, 3, 1, 2).contiguous() * 2 - 1
            return torch.cat([net(t[i:i + 256]).argmax(1) for i in range(0, len(t), 256)]).numpy()

    return predict
