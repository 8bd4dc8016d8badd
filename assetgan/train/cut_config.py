"""Typed, frozen training configuration for CUT runs (one-way contrastive translation), validated in one place."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.errors import AssetganError
from .removed import CUT_REMOVED
from .translator_config import TranslatorConfig


@dataclass(frozen=True)
class CUTConfig(TranslatorConfig):
    """Everything that defines a CUT run (Park et al. 2020): one generator A -> B, a PatchGAN, and PatchNCE on the
    generator's encoder instead of a second generator and the cycle loss. Shared fields are TranslatorConfig's."""

    lambda_nce: float = 1.0  # weight of the PatchNCE loss
    nce_idt: bool = True  # also PatchNCE on B -> G(B) (CUT's identity term; each half-weighted)
    nce_patches: int = 256  # patches drawn per layer and image for PatchNCE
    nce_temperature: float = 0.07  # softmax temperature of PatchNCE's logits

    removed = CUT_REMOVED

    def validate(self) -> CUTConfig:
        """Raise AssetganError naming the bad value and the fix; return self when valid."""
        self.check_translator()
        if not (self.lambda_nce >= 0 and math.isfinite(self.lambda_nce)):
            raise AssetganError(f"lambda_nce {self.lambda_nce}: must be zero or positive, e.g. 1.0")
        if self.nce_patches < 1:
            raise AssetganError(f"nce_patches = {self.nce_patches}: must be at least 1, e.g. 256")
        if not (self.nce_temperature > 0 and math.isfinite(self.nce_temperature)):
            raise AssetganError(f"nce_temperature {self.nce_temperature}: must be positive, e.g. 0.07")
        return self
