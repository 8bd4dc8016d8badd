"""Export a trained generator to ONNX: uint8 NHWC output, dynamic batch, model card, checked against torch.

Inputs `z` float32 [N, nz] (and for a conditional model `class` int64 [N], and optionally `class_mix` float32 [N, K]
class weights used instead of the one-hot rows of `class`, for blends) -> `image` uint8 [N, H, W, C]; with the
critic also `critic.image` uint8 [N, H, W, C] (and `critic.class` int64 [N]) -> `critic.score` float32 [N]. Optional
inputs have defaults (`class_mix` an empty [0, K]), so callers that only generate never feed them."""

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
from .loop import setting_text
from .nets import Discriminator, Generator, recalibrate_batchnorm

PARITY_SEEDS = 16
PARITY_MAX_LEVELS = 1
OPSET = 17


class ToUint8NHWC(nn.Module):
    """Wraps G: z [N, nz] float32 (and class y [N] int64, class weights mix [M, K] float32) -> image [N, H, W, C]
    uint8, the [-1, 1] -> [0, 255] mapping in the graph. A conditional G takes the first N rows of mix stacked on
    one_hot(y): mix when it is fed, the one-hot classes when it is the empty default."""

    def __init__(self, g: nn.Module) -> None:
        super().__init__()
        self.g = g

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None, mix: torch.Tensor | None = None
                ) -> torch.Tensor:
        if y is not None and mix is not None:
            one_hot = nn.functional.one_hot(y, self.g.num_classes).to(mix.dtype)  # [N, K]
            y = torch.cat([mix, one_hot])[: z.shape[0]]  # [N, K] class weights
        x = self.g(z) if y is None else self.g(z, y)  # [N, C, H, W] in [-1, 1]
        x = ((x + 1.0) * 127.5).round().clamp(0.0, 255.0)
        return x.permute(0, 2, 3, 1).to(torch.uint8)  # [N, H, W, C]


class CriticOnUint8(nn.Module):
    """Wraps D: image [N, H, W, C] uint8 -> critic logit [N] (higher = more convincing to the discriminator)."""

    def __init__(self, d: nn.Module) -> None:
        super().__init__()
        self.d = d

    def forward(self, image: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        x = image.permute(0, 3, 1, 2).to(torch.float32) / 127.5 - 1.0  # [N, C, H, W] in [-1, 1]
        return self.d(x) if y is None else self.d(x, y)  # [N]


class GeneratorWithCritic(nn.Module):
    """Two independent graphs in one file: z (, class) -> image, and critic.image (, critic.class) -> critic.score
    (fed only when scoring)."""

    def __init__(self, g: nn.Module, d: nn.Module) -> None:
        super().__init__()
        self.gen = ToUint8NHWC(g)
        self.critic = CriticOnUint8(d)

    def forward(self, *feeds: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(z, image), or conditional (z, class, class_mix, image, critic class)."""
        if len(feeds) == 5:
            z, y, mix, image, critic_y = feeds
            return self.gen(z, y, mix), self.critic(image, critic_y)
        z, image = feeds
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
    for h in state.get("history", []):  # settings changed on resume: the card says when
        picked += f"; {h['field']} = {setting_text(h['to'])} from step {h['step']} on"
    counts = [int(n) for n in data.get("class_counts", [])]
    look = data.get("look", {})  # runs started before the data look was recorded: the card says 0 (not measured)
    return ModelCard(
        kind="dcgan", name=name, size=cfg.size, channels=cfg.channels, nz=cfg.nz, tileable=cfg.tileable,
        classes=list(cfg.classes), class_counts=counts if len(counts) == len(cfg.classes) else [0] * len(cfg.classes),
        data_source=display_path(str(data.get("source", cfg.data))),
        data_licence=str(data.get("licence", cfg.data_licence)),
        steps=int(state["step"]), assetgan_version=__version__, training_config=cfg.to_dict(),
        palette=list(data.get("palette", [])),
        data_binary_alpha=float(look.get("binary_alpha", 0.0)), data_colours=int(look.get("colours", 0)),
        data_palette_psnr=float(look.get("palette_psnr", 0.0)),
        notes=f"{data.get('count', '?')} training images, data sha256 {data.get('fingerprint', '?')[:16]}{picked}",
    )


CLASS_INPUT = "class"
MIX_INPUT = "class_mix"
CRITIC_INPUT = "critic.image"
CRITIC_CLASS = "critic.class"
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
    """The generator's graph; with a critic, the critic's inputs get default values."""
    from onnx import numpy_helper

    z = torch.randn(2, card.nz)
    y = torch.zeros(2, dtype=torch.long)  # [2] class ids (conditional)
    k = len(card.classes)
    cond = bool(k)
    mix = torch.full((2, max(k, 1)), 1.0 / max(k, 1))  # [2, K] class weights (conditional)
    args: tuple = (z, y, mix) if cond else (z,)
    inputs, outputs = (["z", CLASS_INPUT, MIX_INPUT] if cond else ["z"]), ["image"]
    dyn = {"z": {0: "batch"}, "image": {0: "batch"}} | ({CLASS_INPUT: {0: "batch"}, MIX_INPUT: {0: "mix_batch"}}
                                                        if cond else {})
    if with_critic:
        args += (torch.from_numpy(np.repeat(_critic_default(card), 2, 0)),) + ((y,) if cond else ())
        inputs += [CRITIC_INPUT] + ([CRITIC_CLASS] if cond else [])
        outputs += [CRITIC_OUTPUT]
        dyn |= {CRITIC_INPUT: {0: "critic_batch"}, CRITIC_OUTPUT: {0: "critic_batch"}}
        if cond:
            dyn |= {CRITIC_CLASS: {0: "critic_batch"}}
    proto = trace(wrapper, args, inputs, outputs, dyn)
    if cond:  # not fed: the one-hot rows of `class`
        proto.graph.initializer.append(numpy_helper.from_array(np.zeros((0, k), np.float32), MIX_INPUT))
    if with_critic:  # callers that only generate never feed the critic: it then scores one blank image (class 0)
        proto.graph.initializer.append(numpy_helper.from_array(_critic_default(card), CRITIC_INPUT))
        if cond:
            proto.graph.initializer.append(numpy_helper.from_array(np.zeros(1, np.int64), CRITIC_CLASS))
    return proto


def parity_feeds(card: ModelCard) -> dict[str, np.ndarray]:
    """The parity check's inputs: z for PARITY_SEEDS seeds (at least one per class), and each one's class."""
    k = len(card.classes)
    z = latents_for_seeds(range(max(PARITY_SEEDS, k)), card.nz)
    return {"z": z, CLASS_INPUT: np.arange(len(z), dtype=np.int64) % k} if k else {"z": z}


def blend_feed(y: np.ndarray, k: int) -> np.ndarray:
    """Class weights [N, K] for the parity check: row i half class y[i], half class y[i] + 1 (mod k)."""
    mix = np.zeros((len(y), k), np.float32)
    mix[np.arange(len(y)), y] += 0.5
    mix[np.arange(len(y)), (y + 1) % k] += 0.5
    return mix


def export_generator(g: nn.Module, card: ModelCard, out: str | Path, critic: nn.Module | None = None) -> ExportReport:
    """Export `g` (and the discriminator `critic`, for curation) with `card` to `out` atomically, after checking
    parity with ONNX Runtime on 16 seeds (a conditional model: by class and by class blend)."""
    from ..runtime.model import cpu_session

    out = Path(out)
    card = dataclasses.replace(card, critic=critic is not None)
    wrapper = (GeneratorWithCritic(g, critic) if critic is not None else ToUint8NHWC(g)).eval()
    data = attach_card(_to_onnx(wrapper, card, critic is not None), card,
                       f"assetgan {card.kind} generator '{card.name}'")

    feeds = parity_feeds(card)
    z, y = feeds["z"], feeds.get(CLASS_INPUT)
    with torch.no_grad():
        gen = wrapper.gen if critic is not None else wrapper
        ref = gen(torch.from_numpy(z)) if y is None else gen(torch.from_numpy(z), torch.from_numpy(y))
    sess = cpu_session(data)
    got = sess.run(["image"], feeds)[0].astype(np.int16)
    if got.shape != tuple(ref.shape):
        raise AssetganError(f"ONNX parity check failed for {out}: output shape {got.shape} != torch's {ref.shape}")
    max_diff = int(np.abs(ref.numpy().astype(np.int16) - got).max())
    if y is not None:  # the class blends too: each latent half its class, half the next one's
        mix = blend_feed(y, len(card.classes))
        with torch.no_grad():
            ref_mix = gen(torch.from_numpy(z), torch.from_numpy(y), torch.from_numpy(mix)).numpy().astype(np.int16)
        got_mix = sess.run(["image"], feeds | {MIX_INPUT: mix})[0].astype(np.int16)
        max_diff = max(max_diff, int(np.abs(ref_mix - got_mix).max()))
    if critic is not None and max_diff <= PARITY_MAX_LEVELS:  # a generator over the limit is refused first
        with torch.no_grad():
            want = (wrapper.critic(ref) if y is None else wrapper.critic(ref, torch.from_numpy(y))).numpy()
        critic_feeds = {k: v[:1] for k, v in feeds.items()} | {CRITIC_INPUT: ref.numpy()}
        if y is not None:
            critic_feeds[CRITIC_CLASS] = y
        score = sess.run([CRITIC_OUTPUT], critic_feeds)[0]
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
