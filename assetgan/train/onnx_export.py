"""Export a trained generator to ONNX: uint8 NHWC output, dynamic batch, model card, checked against torch."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from .. import __version__
from ..atomic import atomic_write_bytes
from ..errors import AssetganError
from ..runtime.card import CARD_KEY, ModelCard
from ..runtime.latent import latents_for_seeds
from .checkpoint import load_checkpoint
from .config import DCGANConfig
from .nets import Generator, recalibrate_batchnorm

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


@dataclass
class ExportReport:
    path: Path
    max_diff: int  # largest per-pixel difference ONNX Runtime vs torch over the parity seeds
    card: ModelCard


def generator_from_checkpoint(state: dict[str, Any]) -> tuple[nn.Module, DCGANConfig]:
    """The EMA generator (or G) of a DCGAN checkpoint, BatchNorm recalibrated, in eval mode."""
    cfg = DCGANConfig.from_dict(state["config"])
    g = Generator(cfg)
    g.load_state_dict(state["G_ema"] if cfg.ema_beta > 0 else state["G"])
    recalibrate_batchnorm(g, cfg.nz, seed=cfg.seed + 3)
    return g.eval(), cfg


def build_card(cfg: DCGANConfig, state: dict[str, Any], name: str) -> ModelCard:
    data = state.get("data", {})
    return ModelCard(
        kind="dcgan", name=name, size=cfg.size, channels=cfg.channels, nz=cfg.nz, tileable=cfg.tileable,
        data_source=str(data.get("source", cfg.data)), data_licence=str(data.get("licence", cfg.data_licence)),
        steps=int(state["step"]), assetgan_version=__version__, training_config=cfg.to_dict(),
        palette=list(data.get("palette", [])),
        notes=f"{data.get('count', '?')} training images, data sha256 {data.get('fingerprint', '?')[:16]}",
    )


def _to_onnx_bytes(wrapper: nn.Module, nz: int) -> bytes:
    z = torch.randn(2, nz)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # The TorchScript exporter is fast and exact for these conv nets; fall back to torch.export's.
        try:
            torch.onnx.export(wrapper, (z,), buf, input_names=["z"], output_names=["image"],
                              dynamic_axes={"z": {0: "batch"}, "image": {0: "batch"}}, opset_version=OPSET,
                              dynamo=False)
        except Exception:
            buf = io.BytesIO()
            torch.onnx.export(wrapper, (z,), buf, input_names=["z"], output_names=["image"],
                              dynamic_shapes={"z": {0: torch.export.Dim("batch")}}, dynamo=True)
    return buf.getvalue()


def attach_card(proto: Any, card: ModelCard, title: str) -> bytes:
    """Put the model card (and kind, version, licence) into an ONNX model's metadata; return its bytes."""
    del proto.metadata_props[:]
    for key, value in ((CARD_KEY, card.to_json()), ("assetgan.kind", card.kind),
                       ("assetgan.version", __version__), ("assetgan.licence", card.data_licence)):
        proto.metadata_props.add(key=key, value=value)
    proto.doc_string = f"{title}: {card.summary()}"
    return proto.SerializeToString()


def export_generator(g: nn.Module, card: ModelCard, out: str | Path) -> ExportReport:
    """Export `g` with `card` to `out` atomically, after checking parity with ONNX Runtime on 16 seeds."""
    import onnx
    import onnxruntime as ort

    out = Path(out)
    wrapper = ToUint8NHWC(g).eval()
    model = onnx.load_from_string(_to_onnx_bytes(wrapper, card.nz))
    data = attach_card(model, card, f"assetgan {card.kind} generator '{card.name}'")

    z = latents_for_seeds(range(PARITY_SEEDS), card.nz)
    with torch.no_grad():
        ref = wrapper(torch.from_numpy(z)).numpy().astype(np.int16)
    sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    got = sess.run(None, {"z": z})[0].astype(np.int16)
    if got.shape != ref.shape:
        raise AssetganError(f"ONNX parity check failed for {out}: output shape {got.shape} != torch's {ref.shape}")
    max_diff = int(np.abs(ref - got).max())
    if max_diff > PARITY_MAX_LEVELS:
        raise AssetganError(f"ONNX parity check failed for {out}: ONNX Runtime differs from torch by up to "
                            f"{max_diff} levels (limit {PARITY_MAX_LEVELS}); the model was not written")
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, data)
    return ExportReport(out, max_diff, card)


def export_checkpoint(checkpoint: str | Path, out: str | Path, name: str | None = None) -> ExportReport:
    """`assetgan to-onnx`: export the EMA generator of a DCGAN checkpoint."""
    state = load_checkpoint(checkpoint)
    if state.get("kind") != "dcgan":
        raise AssetganError(f"{checkpoint}: a {state.get('kind')} checkpoint; this exports dcgan runs")
    g, cfg = generator_from_checkpoint(state)
    run_name = Path(checkpoint).resolve()
    run_name = run_name.parent.name if run_name.is_file() else run_name.name
    card = build_card(cfg, state, name or run_name)
    return export_generator(g, card, out)
