"""Typed, frozen training configuration for CycleGAN runs, validated in one place."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import AssetganError
from .config import RunConfig
from .cyclegan_nets import GeneratorSpec
from .removed import CYCLEGAN_REMOVED


@dataclass(frozen=True)
class TranslatorConfig(RunConfig):
    """What every unpaired translator run shares (CycleGAN, CUT): data, generator, discriminator, crops, budget."""

    data_a: str = ""  # folder of domain A images (e.g. photos)
    data_b: str = ""  # folder of domain B images (e.g. Monet paintings)
    name_a: str = "a"  # domain names, for the model card and the CLI ("photo", "monet")
    name_b: str = "b"
    licence_a: str = "unknown"  # licences of the two data sets, carried into the model card
    licence_b: str = "unknown"
    ngf: int = 32  # generator width (paper: 64)
    blocks: int = 6  # residual blocks (paper: 9 at 256x256)
    internal_scale: int = 2  # 2: the trunk runs at half resolution with a full-resolution guided head
    upsample: str = "bilinear"  # generator upsampling: "bilinear" (conv + bilinear x2) or "transpose" (paper)
    down_pad: str = "reflect"  # padding of G's two stride-2 convolutions: "reflect" or "zero" (the paper's)
    ndf: int = 64  # PatchGAN discriminator width
    d_scales: int = 1  # PatchGANs per discriminator, each on the image pooled 2x more (pix2pixHD); 1: the paper's
    crop: int = 256  # random crop side in pixels
    load_size: int = 0  # images are resized so their shorter side is this before cropping (0: crop * 1.12)
    batch_size: int = 1  # images per domain per step (paper: 1)
    lr: float = 2e-4  # Adam learning rate of G and D
    beta1: float = 0.5  # Adam beta1
    decay_from: float = 0.5  # learning rate is constant for this fraction of the budget, then decays to 0
    steps: int | None = None  # budget in steps
    minutes: float | None = None  # budget in minutes of training
    seed: int = 0
    sample_every: int = 200
    checkpoint_every: int = 200
    log_every: int = 20
    threads: int = 0  # torch intra-op threads (0 = torch's default)
    precision: str = "fp32"  # "bf16": forward passes under bf16 autocast (weights and optimiser state stay fp32)
    holdout: float = 0.0  # fraction of domain A held out from training (listed in the run)
    dry_run: bool = False  # a smoke test: a few steps on 4 images per domain, smallest nets

    @property
    def spec(self) -> GeneratorSpec:
        return GeneratorSpec(self.ngf, self.blocks, self.internal_scale, self.upsample, self.down_pad)

    @property
    def resize_to(self) -> int:
        return self.load_size or int(round(self.crop * 1.12))

    def check_translator(self) -> None:
        """Raise AssetganError naming a bad shared value and the fix."""
        if self.upsample not in ("bilinear", "transpose"):
            raise AssetganError(f"upsample {self.upsample}: must be bilinear or transpose")
        if self.down_pad not in ("zero", "reflect"):
            raise AssetganError(f"down_pad {self.down_pad}: must be zero or reflect")
        if self.internal_scale not in (1, 2):
            raise AssetganError(f"internal_scale {self.internal_scale}: must be 1 or 2")
        mult = self.spec.pad_multiple * 8
        if self.crop < mult or self.crop % self.spec.pad_multiple:
            raise AssetganError(f"--crop {self.crop}: must be a multiple of {self.spec.pad_multiple} and at least "
                                f"{mult}, e.g. 128 or 256")
        if self.resize_to < self.crop:
            raise AssetganError(f"load_size {self.load_size}: must be at least --crop {self.crop}")
        if not 1 <= self.d_scales <= 3:
            raise AssetganError(f"d_scales {self.d_scales}: must be 1, 2 or 3")
        if self.crop >> (self.d_scales - 1) < 24:  # the coarsest PatchGAN needs 24 pixels for one output
            raise AssetganError(f"d_scales {self.d_scales}: --crop {self.crop} is too small for it; use "
                                f"--crop {24 << (self.d_scales - 1)} or more, or fewer scales")
        for name in ("ngf", "blocks", "ndf", "batch_size", "sample_every", "checkpoint_every", "log_every"):
            if getattr(self, name) < 1:
                raise AssetganError(f"{name} = {getattr(self, name)}: must be at least 1")
        if not 0 < self.lr < 1:
            raise AssetganError(f"lr {self.lr}: must be in (0, 1)")
        if not 0.0 <= self.decay_from <= 1.0:
            raise AssetganError(f"decay_from {self.decay_from}: must be a fraction in [0, 1]")
        self.check_run("0.05")


@dataclass(frozen=True)
class CycleGANConfig(TranslatorConfig):
    """Everything that defines a CycleGAN run (Zhu et al. 2017); saved with every run, checkpoint and model."""

    lambda_cycle: float = 10.0  # weight of the cycle-consistency L1 loss
    lambda_identity: float = 0.5  # identity loss weight as a fraction of lambda_cycle (paper: 0.5)
    pool_size: int = 50  # history of generated images shown to D (Shrivastava et al.)

    removed = CYCLEGAN_REMOVED
    added = {"down_pad": "zero"}  # runs saved before 2026-12-06's reflection padding

    def validate(self) -> CycleGANConfig:
        """Raise AssetganError naming the bad value and the fix; return self when valid."""
        self.check_translator()
        if self.pool_size < 0:
            raise AssetganError(f"pool_size = {self.pool_size}: must be 0 (no history) or more")
        if self.lambda_cycle < 0 or self.lambda_identity < 0:
            raise AssetganError("lambda_cycle and lambda_identity must be zero or positive")
        return self
