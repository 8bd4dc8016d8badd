"""Export a trained generator to ONNX: uint8 NHWC output, dynamic batch, model card, checked against torch."""

from __future__ import annotations

import copy
import dataclasses
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from .. import __version__
from ..core.atomic import atomic_write_bytes
from ..core.errors import AssetganError
from ..runtime.card import ModelCard
from ..runtime.card_io import attach_card, display_path
from ..runtime.latent import latents_for_seeds
from .checkpoint import load_checkpoint
from .config import DCGANConfig
from .nets import Discriminator, Generator, recalibrate_batchnorm

PARITY_SEEDS = 16
PARITY_MAX_LEVELS = 1
OPSET = 17


class ToUint8NHWC(nn.Module):
    """Wraps G: z [N, nz] float32 -> image [N, H, W, C] uint8, the [-1, 1] -> [0, 255] mapping in the graph."""

    def __init__(self, g: nn.Module) -> None:
        super().__init__()
        self.g = g

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.g(z)  # [N, C, H, W] in [-1, 1]
        x = ((x + 1.0) * 127.5).round().clamp(0.0, 255.0)
        return x.permute(0, 2, 3, 1).to(torch.uint8)  # [N, H, W, C]


class CriticOnUint8(nn.Module):
    """Wraps D: image [N, H, W, C] uint8 -> critic logit [N] (higher = more convincing to the discriminator)."""

    def __init__(self, d: nn.Module) -> None:
        super().__init__()
        self.d = d

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        x = image.permute(0, 3, 1, 2).to(torch.float32) / 127.5 - 1.0  # [N, C, H, W] in [-1, 1]
        return self.d(x)  # [N]


class GeneratorWithCritic(nn.Module):
    """Two independent graphs in one file: z -> image, and critic.image -> critic.score (fed only when scoring)."""

    def __init__(self, g: nn.Module, d: nn.Module) -> None:
        super().__init__()
        self.gen = ToUint8NHWC(g)
        self.critic = CriticOnUint8(d)

    def forward(self, z: torch.Tensor, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.gen(z), self.critic(image)


def critic_for_export(d: nn.Module) -> nn.Module:
    """A copy of D in eval mode with spectral norm folded into plain weights (no power iteration at inference)."""
    from torch.nn.utils import parametrize

    d = copy.deepcopy(getattr(d, "module", d)).eval()
    for m in d.modules():
        if parametrize.is_parametrized(m, "weight"):
            parametrize.remove_parametrizations(m, "weight", leave_parametrized=True)
    return d


@dataclass
class ExportReport:
    path: Path
    max_diff: int  # largest per-pixel difference ONNX Runtime vs torch over the parity seeds
    card: ModelCard


def generator_from_checkpoint(state: dict[str, Any], last: bool = False, source: str = "checkpoint"
                              ) -> tuple[nn.Module, DCGANConfig]:
    """The EMA generator (or G) of a DCGAN checkpoint, BatchNorm recalibrated, in eval mode: the best snapshot's
    weights when the run selected one (`select_every`), unless `last`."""
    cfg = DCGANConfig.from_dict(state["config"], source)
    g = Generator(cfg)
    best = state.get("best")
    if best is not None and not last:
        g.load_state_dict(best["G"])
    else:
        g.load_state_dict(state["G_ema"] if cfg.ema_beta > 0 else state["G"])
    recalibrate_batchnorm(g, cfg.nz, seed=cfg.seed + 3)
    return g.eval(), cfg


def critic_from_checkpoint(state: dict[str, Any]) -> nn.Module:
    """The discriminator of a DCGAN checkpoint, ready for export."""
    d = Discriminator(DCGANConfig.from_dict(state["config"]))
    d.load_state_dict(state["D"])
    return critic_for_export(d)


def build_card(cfg: DCGANConfig, state: dict[str, Any], name: str, last: bool = False) -> ModelCard:
    """`state`: a checkpoint's (or the trainer's) step, data and best snapshot; `last`: the last weights exported
    even where a best snapshot was selected."""
    data = state.get("data", {})
    best = state.get("best")
    picked = ""
    if best is not None:
        picked = (f"; the last weights (step {state['step']}), not the best snapshot" if last else
                  f"; weights of step {best['step']} of {state['step']}, the best snapshot by SWD against the "
                  f"training images ({best['swd']:.1f}, scored every {cfg.select_every} steps)")
    return ModelCard(
        kind="dcgan", name=name, size=cfg.size, channels=cfg.channels, nz=cfg.nz, tileable=cfg.tileable,
        data_source=display_path(str(data.get("source", cfg.data))),
        data_licence=str(data.get("licence", cfg.data_licence)),
        steps=int(state["step"]), assetgan_version=__version__, training_config=cfg.to_dict(),
        palette=list(data.get("palette", [])),
        notes=f"{data.get('count', '?')} training images, data sha256 {data.get('fingerprint', '?')[:16]}{picked}",
    )


CRITIC_INPUT = "critic.image"
CRITIC_OUTPUT = "critic.score"


def _critic_default(card: ModelCard) -> np.ndarray:
    return np.zeros((1, card.size, card.size, card.channels), np.uint8)


def trace(model: nn.Module, args: tuple, inputs: list[str], outputs: list[str], dyn: dict[str, Any]) -> Any:
    """The ONNX proto of `model` on `args` by TorchScript export (fast and exact for these conv nets)."""
    import onnx

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, args, buf, input_names=inputs, output_names=outputs, dynamic_axes=dyn,
                          opset_version=OPSET, dynamo=False)
    return onnx.load_from_string(buf.getvalue())


def check_and_write(out: Path, data: bytes, max_diff: int, card: ModelCard) -> ExportReport:
    """Refuse a model whose ONNX Runtime output differs from torch's by over PARITY_MAX_LEVELS, else write it."""
    if max_diff > PARITY_MAX_LEVELS:
        raise AssetganError(f"ONNX parity check failed for {out}: ONNX Runtime differs from torch by up to "
                            f"{max_diff} levels (limit {PARITY_MAX_LEVELS}); the model was not written")
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, data)
    return ExportReport(out, max_diff, card)


def _to_onnx(wrapper: nn.Module, card: ModelCard, with_critic: bool) -> Any:
    """The generator's graph; with a critic, the critic's input gets a default value."""
    from onnx import numpy_helper

    z = torch.randn(2, card.nz)
    args: tuple = (z,)
    inputs, outputs = ["z"], ["image"]
    dyn = {"z": {0: "batch"}, "image": {0: "batch"}}
    if with_critic:
        args = (z, torch.from_numpy(np.repeat(_critic_default(card), 2, 0)))
        inputs, outputs = inputs + [CRITIC_INPUT], outputs + [CRITIC_OUTPUT]
        dyn |= {CRITIC_INPUT: {0: "critic_batch"}, CRITIC_OUTPUT: {0: "critic_batch"}}
    proto = trace(wrapper, args, inputs, outputs, dyn)
    if with_critic:  # callers that only generate never feed the critic: it then scores one blank image
        proto.graph.initializer.append(numpy_helper.from_array(_critic_default(card), CRITIC_INPUT))
    return proto


def export_generator(g: nn.Module, card: ModelCard, out: str | Path, critic: nn.Module | None = None) -> ExportReport:
    """Export `g` (and the discriminator `critic`, for curation) with `card` to `out` atomically, after checking
    parity with ONNX Runtime on 16 seeds."""
    from ..runtime.model import cpu_session

    out = Path(out)
    card = dataclasses.replace(card, critic=critic is not None)
    wrapper = (GeneratorWithCritic(g, critic) if critic is not None else ToUint8NHWC(g)).eval()
    data = attach_card(_to_onnx(wrapper, card, critic is not None), card,
                       f"assetgan {card.kind} generator '{card.name}'")

    z = latents_for_seeds(range(PARITY_SEEDS), card.nz)
    with torch.no_grad():
        gen = wrapper.gen if critic is not None else wrapper
        ref = gen(torch.from_numpy(z))
    sess = cpu_session(data)
    got = sess.run(["image"], {"z": z})[0].astype(np.int16)
    if got.shape != tuple(ref.shape):
        raise AssetganError(f"ONNX parity check failed for {out}: output shape {got.shape} != torch's {ref.shape}")
    max_diff = int(np.abs(ref.numpy().astype(np.int16) - got).max())
    if critic is not None and max_diff <= PARITY_MAX_LEVELS:  # a generator over the limit is refused first
        with torch.no_grad():
            want = wrapper.critic(ref).numpy()
        score = sess.run([CRITIC_OUTPUT], {"z": z[:1], CRITIC_INPUT: ref.numpy()})[0]
        if not np.allclose(score, want, rtol=1e-3, atol=1e-3):
            raise AssetganError(f"ONNX parity check failed for {out}: critic scores differ from torch by up to "
                                f"{np.abs(score - want).max():.2g}; the model was not written")
    return check_and_write(out, data, max_diff, card)


def export_checkpoint(checkpoint: str | Path, out: str | Path, name: str | None = None,
                      last: bool = False, state: dict[str, Any] | None = None) -> ExportReport:
    """`assetgan to-onnx` and a finished run: export the EMA generator of a DCGAN checkpoint (its best snapshot,
    if the run selected one, unless `last`) with its critic; `state`: the checkpoint, when already loaded."""
    state = load_checkpoint(checkpoint) if state is None else state
    if state.get("kind") != "dcgan":
        raise AssetganError(f"{checkpoint}: a {state.get('kind')} checkpoint; this exports dcgan runs")
    g, cfg = generator_from_checkpoint(state, last, f"checkpoint {checkpoint}")
    critic = critic_from_checkpoint(state) if "D" in state else None
    run_name = Path(checkpoint).resolve()
    run_name = run_name.parent.name if run_name.is_file() else run_name.name
    card = build_card(cfg, state, name or run_name, last)
    return export_generator(g, card, out, critic)
