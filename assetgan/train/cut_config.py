"""Typed, frozen training configuration for CUT runs (contrastive unpaired translation), validated in one place."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import AssetganError
from .cyclegan_config import TranslatorConfig


@dataclass(frozen=True)
class CUTConfig(TranslatorConfig):
    """Everything that defines a CUT run (Park et al. 2020): one generator A -> B, one discriminator, and a
    patch-wise contrastive loss that keeps each output patch closer to its own input patch than to the others."""

    d_scales: int = 2  # PatchGANs per discriminator (as TranslatorConfig's); CUT's measured recipe uses two
    lambda_nce: float = 1.0  # weight of the PatchNCE loss (FastCUT: 10)
    nce_identity: bool = True  # also PatchNCE between a B image and G(B) (CUT: yes; FastCUT: no)
    nce_layers: tuple[int, ...] = (0, 4, 8, 12, 14)  # generator trunk layers whose features are compared
    nce_patches: int = 256  # patch positions sampled per layer and image
    nce_tau: float = 0.07  # temperature of the contrastive softmax
    lambda_tone: float = 2.0  # weight of the L1 loss between output and input averaged over 16x16-pixel cells: keeps
    # each picture's own tonal key (without it, 0, PatchNCE maps every photo to one palette; 5 holds the photo's
    # colours too closely: lab/2026-12-07-cut.md, lab/2026-12-07-cut-tone2.md)

    removed = {}  # type: ignore[assignment]
    added = {"lambda_tone": 0.0}  # runs saved before the tone loss (2026-12-07) trained without it

    def validate(self) -> CUTConfig:
        """Raise AssetganError naming the bad value and the fix; return self when valid."""
        self.check_translator()
        if self.lambda_nce <= 0:
            raise AssetganError(f"lambda_nce {self.lambda_nce}: must be positive, e.g. 1 (CUT) or 10 (FastCUT)")
        last = 9 + self.blocks  # the trunk's layers: stem (0-3), two downsamplings (4-9), residual blocks
        if not self.nce_layers or any(not 0 <= i <= last for i in self.nce_layers):
            raise AssetganError(f"nce_layers {','.join(map(str, self.nce_layers)) or 'none'}: each must be a trunk "
                                f"layer from 0 to {last}, e.g. 0,4,8,12,14")
        if self.lambda_tone < 0:
            raise AssetganError(f"lambda_tone {self.lambda_tone}: must be zero or positive, e.g. 2")
        if self.nce_patches < 2:
            raise AssetganError(f"nce_patches {self.nce_patches}: must be at least 2, e.g. 256")
        if not 0 < self.nce_tau <= 1:
            raise AssetganError(f"nce_tau {self.nce_tau}: must be in (0, 1], e.g. 0.07")
        return self
