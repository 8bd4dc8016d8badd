"""Export a CUT run's generator as a one-way translator: the a2b half of the CycleGAN graph interface
(cyclegan_export.py), same names, wrapper, card fields and parity check; the card's kind is "cut"."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ..core.errors import AssetganError
from ..runtime.card import ModelCard
from .checkpoint import load_checkpoint
from .cut_config import CUTConfig
from .cyclegan_export import build_cyclegan_card, export_translator
from .cyclegan_nets import ResnetGenerator
from .onnx_export import ExportReport


def build_cut_card(cfg: CUTConfig, state: dict[str, Any], name: str) -> ModelCard:
    card = build_cyclegan_card(cfg, state, name, kind="cut")
    return dataclasses.replace(card, notes=f"{card.notes}; one way: {cfg.name_a} -> {cfg.name_b} (CUT, PatchNCE)")


def export_cut(g: ResnetGenerator, card: ModelCard, out: str | Path) -> ExportReport:
    """Write the A -> B generator with `card` to `out` atomically, after the parity check."""
    return export_translator({"a2b": g}, card, out)


def generator_from_checkpoint(state: dict[str, Any], source: str = "checkpoint") -> tuple[ResnetGenerator, CUTConfig]:
    cfg = CUTConfig.from_dict(state["config"], source)
    g = ResnetGenerator(cfg.spec)
    g.load_state_dict(state["G"])
    return g.eval(), cfg


def export_cut_checkpoint(checkpoint: str | Path, out: str | Path, name: str | None = None,
                          state: dict[str, Any] | None = None) -> ExportReport:
    """`assetgan to-onnx` and a finished run, for CUT: the checkpoint's generator (`state`: when already loaded)."""
    state = load_checkpoint(checkpoint) if state is None else state
    if state.get("kind") != "cut":
        raise AssetganError(f"{checkpoint}: a {state.get('kind')} checkpoint, not cut")
    g, cfg = generator_from_checkpoint(state, f"checkpoint {checkpoint}")
    run = Path(checkpoint).resolve()
    card = build_cut_card(cfg, state, name or (run.parent.name if run.is_file() else run.name))
    return export_cut(g, card, out)
