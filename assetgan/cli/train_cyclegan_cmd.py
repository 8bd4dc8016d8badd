"""`assetgan train cyclegan` and `train cut`: unpaired image-to-image translation (photo <-> painting, or CUT's one
way), exported to ONNX."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Any

import typer

from . import train_common as tc
from .common import handle_errors


@handle_errors
def cyclegan(
    a: Annotated[Path | None, typer.Option("--a", rich_help_panel=tc.DATA, help="Folder of domain A images (e.g. "
                                                                             "photos).")] = None,
    b: Annotated[Path | None, typer.Option("--b", rich_help_panel=tc.DATA, help="Folder of domain B images (e.g. "
                                                                             "paintings).")] = None,
    name_a: Annotated[str | None, typer.Option(rich_help_panel=tc.DATA, help="Name of domain A, e.g. photo.")] = None,
    name_b: Annotated[str | None, typer.Option(rich_help_panel=tc.DATA, help="Name of domain B, e.g. monet.")] = None,
    licence_a: Annotated[str | None, typer.Option(rich_help_panel=tc.DATA, help="Licence of the A images, for the "
                                                                             "model card.")] = None,
    licence_b: Annotated[str | None, typer.Option(rich_help_panel=tc.DATA, help="Licence of the B images.")] = None,
    crop: Annotated[int | None, typer.Option(rich_help_panel=tc.DATA, help="Random crop side in pixels.")] = None,
    steps: tc.StepsOption = None,
    minutes: tc.MinutesOption = None,
    batch: Annotated[int | None, typer.Option(rich_help_panel=tc.BUDGET, help="Images per domain per step.")] = None,
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
    """Train a CycleGAN (Zhu et al. 2017) between two folders of images and export both directions to ONNX.
    Options left out take the config's defaults (see --print-config)."""
    _train("cyclegan", **locals())


def _train(kind: str, *, a, b, name_a, name_b, licence_a, licence_b, crop, steps, minutes, batch, seed, out, name,
           resume, force, device, precision, threads, sets, config, show_config, dry_run) -> None:
    """What both translator commands do, for `kind` "cyclegan" or "cut"."""
    tc.require_torch()
    from ..train.options import cyclegan_config
    from ..train.run import load_run

    if resume is not None:
        cfg = load_run(resume, kind, steps, minutes)[1]
    else:
        given = {"name_a": name_a, "name_b": name_b, "licence_a": licence_a, "licence_b": licence_b, "crop": crop,
                 "steps": steps, "minutes": minutes, "batch": batch, "seed": seed, "threads": threads,
                 "precision": precision.value if precision else None}
        from ..train.cut_config import CUTConfig
        from ..train.cyclegan_config import CycleGANConfig

        cfg = cyclegan_config(None if a is None else str(a), None if b is None else str(b), given, config,
                              sets or [], dry_run, not show_config, CUTConfig if kind == "cut" else CycleGANConfig)
    if show_config:
        tc.print_config(cfg)
        return
    tc.finish(tc.run_training(kind, cfg, resume, out, device, force, name))


@handle_errors
def cut(**options: Any) -> None:
    """Train CUT (Park et al. 2020: one generator, a patch-wise contrastive loss, about half CycleGAN's work per step)
    from folder A to folder B and export that one direction to ONNX. Options left out take the config's defaults (see
    --print-config)."""
    _train("cut", **options)


cut.__signature__ = inspect.signature(cyclegan, eval_str=True)  # type: ignore[attr-defined]  # the same options as cyclegan
