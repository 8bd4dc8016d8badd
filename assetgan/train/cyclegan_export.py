"""Export translator generators (both CycleGAN directions, or a CUT run's one) into one ONNX file: uint8 NHWC in and
out, dynamic size, card, parity check.

Graph interface (per direction D in {a2b, b2a}; every input has a default, so a caller feeds only what it uses):

    D.image   uint8 [1, H, W, 3]   H, W multiples of the card's pad_multiple
    D.stats   float [S]            InstanceNorm statistics to use (mean then variance per layer, in order)
    D.weight  float [1]            0: the image's own statistics (a plain whole-image pass), 1: D.stats
    -> D.output uint8 [1, H, W, 3], D.measured float [S] (the statistics this pass measured)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from .. import __version__
from ..core.errors import AssetganError
from ..runtime.card import ModelCard
from ..runtime.card_io import attach_card, display_path
from .checkpoint import load_checkpoint
from .cut_config import CUTConfig
from .cyclegan_config import CycleGANConfig, TranslatorConfig
from .cyclegan_nets import GeneratorWithStats, ResnetGenerator
from .onnx_export import ExportReport, check_and_write, trace
from .onnx_lean import make_lean

DIRECTIONS = ("a2b", "b2a")
DEFAULT_SIDE = 32  # the default (unused) input image: big enough for every reflection pad


class Uint8Translator(nn.Module):
    """(image u8 NHWC, stats, weight) -> (image u8 NHWC, measured stats) around a GeneratorWithStats."""

    def __init__(self, g: ResnetGenerator) -> None:
        super().__init__()
        self.g = GeneratorWithStats(g)

    def forward(self, img: torch.Tensor, stats: torch.Tensor, weight: torch.Tensor):
        x = img.permute(0, 3, 1, 2).float() / 127.5 - 1.0  # [1, 3, H, W] in [-1, 1]
        y, measured = self.g(x, stats, weight)
        y = ((y + 1.0) * 127.5).round().clamp(0.0, 255.0)
        return y.permute(0, 2, 3, 1).to(torch.uint8), measured  # [1, H, W, 3]


class Translators(nn.Module):
    """The directions a file holds, in DIRECTIONS order; inputs and outputs grouped per direction."""

    def __init__(self, gens: dict[str, ResnetGenerator]) -> None:
        super().__init__()
        self.directions = [d for d in DIRECTIONS if d in gens]
        for d in self.directions:  # attributes named by direction: the file's weights are "a2b.g.g.<layer>"
            self.add_module(d, Uint8Translator(gens[d]))

    def forward(self, *feeds: torch.Tensor):
        out: list[torch.Tensor] = []
        for i, d in enumerate(self.directions):
            out.extend(getattr(self, d)(*feeds[3 * i : 3 * i + 3]))
        return tuple(out)


def input_names(directions: list[str]) -> list[str]:
    return [f"{d}.{k}" for d in directions for k in ("image", "stats", "weight")]


def output_names(directions: list[str]) -> list[str]:
    return [f"{d}.{k}" for d in directions for k in ("output", "measured")]


def _defaults(stats_size: int, directions: list[str]) -> list[np.ndarray]:
    img = np.full((1, DEFAULT_SIDE, DEFAULT_SIDE, 3), 128, np.uint8)
    return [img, np.zeros(stats_size, np.float32), np.zeros(1, np.float32)] * len(directions)


def _to_onnx(model: Translators, stats_size: int) -> Any:
    from onnx import numpy_helper

    ways = model.directions
    args = tuple(torch.from_numpy(a) for a in _defaults(stats_size, ways))
    dyn = {f"{d}.{k}": {1: f"{d}_height", 2: f"{d}_width"} for d in ways for k in ("image", "output")}
    proto = trace(model, args, input_names(ways), output_names(ways), dyn)
    # every input gets a default value (an initializer of the same name), so callers feed one direction only
    existing = {i.name for i in proto.graph.initializer}
    for name, value in zip(input_names(ways), _defaults(stats_size, ways)):
        if name not in existing:
            proto.graph.initializer.append(numpy_helper.from_array(value, name))
    return proto


def build_cyclegan_card(cfg: TranslatorConfig, state: dict[str, Any], name: str) -> ModelCard:
    """The card of a translator file: a CUT run's holds photo -> painting only (directions ["a2b"])."""
    data = state.get("data", {})
    cut = state.get("kind") == "cut"
    return ModelCard(
        kind="cyclegan", name=name, size=cfg.crop, channels=3,
        data_source=f"A ({cfg.name_a}): {display_path(data.get('source_a', cfg.data_a))}; B ({cfg.name_b}): "
                    f"{display_path(data.get('source_b', cfg.data_b))}",
        data_licence=f"A: {cfg.licence_a}; B: {cfg.licence_b}",
        steps=int(state["step"]), assetgan_version=__version__, training_config=cfg.to_dict(),
        domains=[cfg.name_a, cfg.name_b], pad_multiple=cfg.spec.pad_multiple,
        directions=["a2b"] if cut else list(DIRECTIONS),
        notes=("CUT (contrastive, one direction); " if cut else "") + f"{data.get('count_a', '?')} + "
              f"{data.get('count_b', '?')} training images; {float(state.get('train_seconds', 0)) / 60:.1f} min of "
              "training",
    )


def _parity_images(seed: int = 0) -> list[np.ndarray]:
    """Smooth synthetic photos of odd aspect (multiples of 8) for the torch-vs-ONNX check."""
    rng = np.random.default_rng(seed)
    out = []
    for h, w in ((64, 96), (80, 48)):
        yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
        base = np.stack([np.sin(6 * xx + c) * np.cos(4 * yy - c) for c in (0.0, 1.0, 2.0)], -1)
        img = (base * 80 + 128 + rng.normal(0, 12, (h, w, 3))).clip(0, 255).astype(np.uint8)
        out.append(img[None])
    return out


def parity_check(model: Translators, data: bytes, stats_size: int) -> int:
    """Largest per-pixel difference (levels) between ONNX Runtime and torch, both directions, both stat modes, the
    lean fixed-statistics entry included."""
    from ..runtime.model import cpu_session

    sess = cpu_session(data)
    outs = {o.name for o in sess.get_outputs()}
    worst = 0
    imgs = _parity_images()
    for d in model.directions:
        tr = getattr(model, d)
        for img, other in zip(imgs, imgs[::-1]):
            with torch.no_grad():
                _, other_stats = tr(torch.from_numpy(other), torch.zeros(stats_size), torch.zeros(1))
            for stats, w in ((np.zeros(stats_size, np.float32), 0.0), (other_stats.numpy(), 1.0)):
                feeds = {f"{d}.image": img, f"{d}.stats": stats.astype(np.float32),
                         f"{d}.weight": np.array([w], np.float32)}
                with torch.no_grad():
                    ref, _ = tr(torch.from_numpy(img), torch.from_numpy(feeds[f"{d}.stats"]), torch.tensor([w]))
                ref = ref.numpy().astype(np.int16)
                runs = [sess.run([f"{d}.output"], feeds)[0]]
                if w == 1.0 and f"{d}.fixed.output" in outs:
                    runs.append(sess.run([f"{d}.fixed.output"], {f"{d}.fixed.image": img,
                                                                 f"{d}.stats": feeds[f"{d}.stats"]})[0])
                for got in runs:
                    if got.shape != ref.shape:
                        raise AssetganError(f"ONNX parity check failed: output shape {got.shape} != torch's "
                                            f"{ref.shape}")
                    worst = max(worst, int(np.abs(got.astype(np.int16) - ref).max()))
    return worst


def export_cyclegan(g_ab: ResnetGenerator, g_ba: ResnetGenerator | None, card: ModelCard,
                    out: str | Path) -> ExportReport:
    """Write both directions (a2b only without `g_ba`) with `card` to `out` atomically, after the parity check."""
    out = Path(out)
    gens = {"a2b": g_ab.eval()} | ({"b2a": g_ba.eval()} if g_ba is not None else {})
    model = Translators(gens).eval()
    stats_size = g_ab.stats_size()
    proto = _to_onnx(model, stats_size)
    make_lean(proto)  # the same results in the form ONNX Runtime runs fastest; checked by the parity check below
    data = attach_card(proto, card, f"assetgan cyclegan translator '{card.name}'")
    return check_and_write(out, data, parity_check(model, data, stats_size), card)


def generators_from_checkpoint(state: dict[str, Any], source: str = "checkpoint"
                               ) -> tuple[ResnetGenerator, ResnetGenerator | None, TranslatorConfig]:
    """A translator checkpoint's generators and config: (G_AB, G_BA, config); G_BA is None for a CUT run."""
    cfg = (CUTConfig if state.get("kind") == "cut" else CycleGANConfig).from_dict(state["config"], source)
    g_ab = ResnetGenerator(cfg.spec)
    g_ab.load_state_dict(state["G_AB"])
    g_ba = None
    if "G_BA" in state:
        g_ba = ResnetGenerator(cfg.spec)
        g_ba.load_state_dict(state["G_BA"])
        g_ba.eval()
    return g_ab.eval(), g_ba, cfg


def export_cyclegan_checkpoint(checkpoint: str | Path, out: str | Path, name: str | None = None,
                               state: dict[str, Any] | None = None) -> ExportReport:
    """`assetgan to-onnx` and a finished run, for CycleGAN and CUT: the checkpoint's generators (`state`: when
    already loaded)."""
    state = load_checkpoint(checkpoint) if state is None else state
    if state.get("kind") not in ("cyclegan", "cut"):
        raise AssetganError(f"{checkpoint}: a {state.get('kind')} checkpoint, not cyclegan or cut")
    g_ab, g_ba, cfg = generators_from_checkpoint(state, f"checkpoint {checkpoint}")
    run = Path(checkpoint).resolve()
    card = build_cyclegan_card(cfg, state, name or (run.parent.name if run.is_file() else run.name))
    return export_cyclegan(g_ab, g_ba, card, out)
