"""Deterministic, resumable mini-batch sampling over an in-memory dataset, the EMA generator update, and generator
output as pixels."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn


class BatchSampler:
    """Draws batches from shuffled epochs with its own RNG; its state saves and restores exactly."""

    def __init__(self, n: int, batch_size: int, seed: int) -> None:
        self.n = n
        self.batch_size = batch_size
        self.gen = torch.Generator().manual_seed(seed)
        self.queue = torch.empty(0, dtype=torch.long)

    def next(self) -> torch.Tensor:
        while self.queue.numel() < self.batch_size:
            self.queue = torch.cat([self.queue, torch.randperm(self.n, generator=self.gen)])
        idx, self.queue = self.queue[: self.batch_size], self.queue[self.batch_size :]
        return idx

    def state_dict(self) -> dict[str, Any]:
        return {"gen": self.gen.get_state(), "queue": self.queue.clone()}

    def load_state_dict(self, s: dict[str, Any]) -> None:
        self.gen.set_state(s["gen"])
        self.queue = s["queue"].clone()


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """Generator output [N, C, H, W] in [-1, 1] -> uint8 [N, H, W, C], mapped as the ONNX exports map it."""
    return ((x.permute(0, 2, 3, 1) + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).numpy()


@torch.no_grad()
def ema_update(ema: nn.Module, model: nn.Module, beta: float, step: int, warmup: float = 9.0) -> None:
    """ema <- beta_t * ema + (1 - beta_t) * model, with a warm-up so early weights fade quickly: until beta_t
    reaches beta the average lags the model by about step / (warmup + 1) steps (9: 10 % of the run; 19: 5 %,
    StyleGAN2's ramp; 1: the plain mean of every step so far)."""
    beta_t = min(beta, (1.0 + step) / (1.0 + warmup + step))
    e = list(ema.parameters())
    m = [p.detach() for p in model.parameters()]
    torch._foreach_lerp_(e, m, 1.0 - beta_t)
