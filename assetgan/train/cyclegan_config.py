"""Typed, frozen training configuration for CycleGAN runs, validated in one place."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import AssetganError
from .removed import CYCLEGAN_REMOVED
from .translator_config import TranslatorConfig


@dataclass(frozen=True)
class CycleGANConfig(TranslatorConfig):
    """Everything that defines a CycleGAN run (Zhu et al. 2017); saved with every run, checkpoint and model. The
    data, network, crop, optimiser and budget fields are TranslatorConfig's."""

    lambda_cycle: float = 10.0  # weight of the cycle-consistency L1 loss
    lambda_identity: float = 0.5  # identity loss weight as a fraction of lambda_cycle (paper: 0.5)
    pool_size: int = 50  # history of generated images shown to D (Shrivastava et al.)

    removed = CYCLEGAN_REMOVED

    def validate(self) -> CycleGANConfig:
        """Raise AssetganError naming the bad value and the fix; return self when valid."""
        self.check_translator()
        if self.pool_size < 0:
            raise AssetganError(f"pool_size = {self.pool_size}: must be 0 (no history) or more")
        if self.lambda_cycle < 0 or self.lambda_identity < 0:
            raise AssetganError("lambda_cycle and lambda_identity must be zero or positive")
        return self
