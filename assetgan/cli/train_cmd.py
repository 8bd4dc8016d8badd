"""`assetgan train dcgan` and `assetgan to-onnx`: the only commands that import torch (lazily, inside)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from . import train_common as tc
from .common import handle_errors, info, warn
from .train_cyclegan_cmd import cut, cyclegan

app = typer.Typer(help="Train generators (needs the 'train' extra: torch, onnx).", no_args_is_help=True)
app.command("cyclegan")(cyclegan)
app.command("cut")(cut)


@app.command("dcgan")
@handle_errors
def dcgan(
    data: Annotated[Path | None, typer.Argument(help="Folder of images (recursive) or one sprite sheet "
                                                     "(--set tile=WxH slices it).", show_default=False)] = None,
    size: Annotated[int | None, typer.Option(rich_help_panel=tc.DATA, help="Output side: 16, 32, 64 or 128.")]
    = None,
    channels: Annotated[int | None, typer.Option(rich_help_panel=tc.DATA, help="4 = RGBA sprites, 3 = RGB textures.")]
    = None,
    tileable: Annotated[bool | None, typer.Option(rich_help_panel=tc.DATA, help="Circular padding: outputs tile "
                                                                             "seamlessly.")] = None,
    licence: Annotated[str | None, typer.Option(rich_help_panel=tc.DATA, help="Licence of the training data, for the "
                                                                           "model card.")] = None,
    labels: Annotated[str | None, typer.Option(
        rich_help_panel=tc.DATA, metavar="MODE",
        help="Classes: auto (folders if clean), folders, none or FILE.csv of file,label rows.")] = None,
    label_depth: Annotated[int | None, typer.Option(rich_help_panel=tc.DATA, help="Folder levels under DATA "
                                                                                  "naming a class.")] = None,
    label_map: Annotated[Path | None, typer.Option(
        rich_help_panel=tc.DATA, metavar="FILE",
        help="JSON {class: class to merge into, or null to drop}.")] = None,
    recipe: Annotated[str | None, typer.Option(rich_help_panel=tc.DATA, help="auto (textures for --channels 3, else "
                                                                          "sprites), sprites, textures or radford: "
                                                                          "the fields a run starts from.")] = None,
    steps: tc.StepsOption = None,
    minutes: tc.MinutesOption = None,
    batch: Annotated[int | None, typer.Option(rich_help_panel=tc.BUDGET, help="Images per step.")] = None,
    seed: tc.SeedOption = None,
    out: tc.OutOption = None,
    name: tc.NameOption = None,
    resume: tc.ResumeOption = None,
    force: tc.ForceOption = False,
    device: tc.DeviceOption = "auto",
    precision: tc.PrecisionOption = None,
    threads: tc.ThreadsOption = None,
    sets: tc.SetOption = None,
    config: tc.ConfigOption = None,
    show_config: tc.PrintConfigOption = False,
    dry_run: tc.DryRunOption = False,
) -> None:
    """Train a DCGAN sprite/texture generator and export it to ONNX. Options left out take the recipe's or the
    config's defaults (see --print-config)."""
    tc.require_torch()
    from ..train.options import dcgan_config
    from ..train.run import load_run

    if resume is not None:
        from ..train.config import DCGANConfig
        from ..train.fields import parse_sets

        cfg = load_run(resume, "dcgan", steps, minutes, parse_sets(DCGANConfig, sets or []))[1]
        if data is not None or out is not None or config:
            warn("--resume continues the run with its saved configuration; DATA, --out and other "
                 "training options are ignored (only --steps/--minutes extend the budget, --set augment=... "
                 "changes D's augmentations from here on)")
    else:
        given = {"size": size, "channels": channels, "tileable": tileable, "licence": licence, "labels": labels,
                 "label_depth": label_depth, "label_map": None if label_map is None else str(label_map), "steps": steps,
                 "minutes": minutes, "batch": batch, "seed": seed, "threads": threads,
                 "precision": precision.value if precision else None}
        cfg = dcgan_config(None if data is None else str(data), given, recipe, config, sets or [], dry_run,
                           not show_config)
    if show_config:
        tc.print_config(cfg)
        return
    outcome = tc.run_training("dcgan", cfg, resume, out, device, force, name, ("augment",))
    if outcome.status == "done" and outcome.main:
        if outcome.config.lr_ref_steps:
            info(f"rates planned for {outcome.config.plan_steps} steps (x{outcome.config.lr_scale():.3g})")
        if outcome.best is not None:
            info(f"exporting the best snapshot: step {outcome.best['step']} (SWD {outcome.best['swd']:.1f} against "
                 f"the training images); the last weights: assetgan to-onnx {outcome.run_dir} --last --out FILE")
    tc.finish(outcome)


@handle_errors
def to_onnx(
    checkpoint: Annotated[Path, typer.Argument(help="A run folder or its checkpoint.pt.")],
    out: Annotated[Path | None, typer.Option(help="Output .onnx (default: RUN/model.onnx).")] = None,
    name: Annotated[str | None, typer.Option(help="Model name for the card.")] = None,
    last: Annotated[bool, typer.Option(help="DCGAN runs with --select-every: export the last weights, not the "
                                            "best snapshot.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace the .onnx file at --out (default: RUN/model.onnx) "
                                                        "if it already exists.")] = False,
) -> None:
    """Export a checkpoint to ONNX: a DCGAN's EMA generator, or both directions of a CycleGAN (parity-checked)."""
    tc.require_torch()
    from ..train.run import export_model

    report = export_model(checkpoint, out, name=name, last=last, force=force)
    info(f"exported {report.path}: {json.dumps(report.card.summary())} (parity max diff {report.max_diff})")
    typer.echo(str(report.path))
