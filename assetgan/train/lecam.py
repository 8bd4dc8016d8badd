"""LeCam regularisation of the discriminator (Tseng et al., "Regularizing Generative Adversarial Networks under
Limited Data", CVPR 2021).

D's logits on real images are pulled down towards the moving average of its logits on fakes, and its logits on
fakes up towards the moving average on reals, each only on the side where they overshoot:

    R = mean(relu(D(x) - a_fake)^2) + mean(relu(a_real - D(G(z)))^2)

With few training images D learns to separate them from G's by ever larger margins; R bounds that margin, so D's
signal to G stays informative late in training. The anchors are bias-corrected exponential moving averages of the
batch means (decay 0.99, as in the paper); they are part of the training state, so a resumed run continues exactly.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

DECAY = 0.99


class LeCamAnchors:
    """The moving averages of D's mean logit on real and on generated images."""

    def __init__(self, device: torch.device | str = "cpu", decay: float = DECAY) -> None:
        self.decay = decay
        # decay-weighted sums (tensors on D's device: no host sync per step); divided by (1 - decay^n) they are
        # unbiased from the first step on
        self.sums = torch.zeros(2, device=device)
        self.n = 0

    def update(self, d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
        """Fold in one batch's mean logits; return the corrected anchors [real, fake] (no gradient)."""
        means = torch.stack([d_real.detach().mean(), d_fake.detach().mean()]).float()
        self.sums = self.decay * self.sums + (1 - self.decay) * means
        self.n += 1
        return self.anchors()

    def anchors(self) -> torch.Tensor:
        return self.sums / (1.0 - self.decay ** self.n) if self.n else self.sums.clone()

    def state_dict(self) -> dict[str, Any]:
        return {"sums": self.sums.tolist(), "n": self.n}

    def load_state_dict(self, s: dict[str, Any]) -> None:
        self.sums = torch.tensor(s["sums"], dtype=torch.float32, device=self.sums.device)
        self.n = int(s["n"])


def lecam_penalty(d_real: torch.Tensor, d_fake: torch.Tensor, anchors: torch.Tensor) -> torch.Tensor:
    """R above, for one batch of logits and the anchors [real, fake] (differentiable in d_real and d_fake)."""
    return F.relu(d_real - anchors[1]).square().mean() + F.relu(anchors[0] - d_fake).square().mean()
