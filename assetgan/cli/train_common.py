"""What `assetgan train dcgan` and `train cyclegan` share: help panels, the --set/--config options, torch check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..errors import AssetganError

DATA, BUDGET, OUTPUT, DEVICE, SETTINGS = "Data", "Budget", "Output", "Device", "Every other setting"

# `train dcgan --force` and `train cyclegan --force`: exactly what they replace.
FORCE_HELP = ("Replace a model.onnx already in --out that no run there made (copied in, or left by another run); "
              "nothing else. A folder holding a run (checkpoint.pt) is still refused: continue it with --resume, "
              "which replaces that run's own model.onnx.")

SetOption = Annotated[list[str] | None, typer.Option(
    "--set", metavar="FIELD=VALUE", rich_help_panel=SETTINGS,
    help="Set any config field, parsed by its type (repeatable): e.g. --set ndf=32 --set augment=flip,color "
         "--set tile=32x32. --print-config lists the fields.")]
ConfigOption = Annotated[Path | None, typer.Option(
    "--config", metavar="FILE.json", rich_help_panel=SETTINGS,
    help="A JSON object of config fields (a run's config.json works too); options and --set override it.")]
PrintConfigOption = Annotated[bool, typer.Option(
    "--print-config", rich_help_panel=SETTINGS, help="Print the resolved config as JSON and exit.")]
DryRunOption = Annotated[bool, typer.Option(
    "--dry-run", rich_help_panel=SETTINGS, help="A few steps on a few images, smallest nets: a smoke test.")]
ResumeOption = Annotated[Path | None, typer.Option(
    rich_help_panel=OUTPUT, help="Continue the run in this folder exactly (only --steps/--minutes extend it).")]
ForceOption = Annotated[bool, typer.Option("--force", rich_help_panel=OUTPUT, help=FORCE_HELP)]
NameOption = Annotated[str | None, typer.Option(rich_help_panel=OUTPUT,
                                                help="Model name in the card (default: the run folder's name).")]
DeviceOption = Annotated[str, typer.Option(rich_help_panel=DEVICE,
                                           help="auto (the GPU when torch sees one, else the CPU), cpu, cuda or "
                                                "cuda:N; under torchrun, auto = cuda:LOCAL_RANK.")]


def print_config(config: object) -> None:
    """--print-config: the resolved config as JSON on stdout."""
    typer.echo(json.dumps(config.to_dict(), indent=2))  # type: ignore[attr-defined]


def require_torch() -> None:
    try:
        import torch  # noqa: F401
    except ImportError:
        raise AssetganError("training needs PyTorch: pip install 'assetgan[train]'") from None
