"""What `assetgan train dcgan` and `train cyclegan` share: help panels, the --set/--config options, torch check."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from ..core.errors import AssetganError
from .common import Precision, info, warn

DATA, BUDGET, OUTPUT, DEVICE, SETTINGS = "Data", "Budget", "Output", "Device", "Every other setting"

# `train dcgan --force` and `train cyclegan --force`: exactly what they replace.
FORCE_HELP = ("Replace a model.onnx already in --out that no run there made (copied in, or left by another run); "
              "nothing else. A folder holding a run (checkpoint.pt) is still refused: continue it with --resume, "
              "which replaces that run's own model.onnx.")

StepsOption = Annotated[int | None, typer.Option(rich_help_panel=BUDGET, help="Budget in steps.")]
MinutesOption = Annotated[float | None, typer.Option(rich_help_panel=BUDGET, help="Budget in minutes of training.")]
SeedOption = Annotated[int | None, typer.Option(rich_help_panel=BUDGET, help="Seed for a reproducible run.")]
OutOption = Annotated[Path | None, typer.Option(rich_help_panel=OUTPUT, help="Run folder for checkpoints, samples and "
                                                                              "model.onnx.")]
PrecisionOption = Annotated[Precision | None, typer.Option(
    rich_help_panel=DEVICE, help="bf16: forward passes under bf16 autocast (weights stay fp32).")]
ThreadsOption = Annotated[int | None, typer.Option(rich_help_panel=DEVICE, help="Torch threads (0 = torch's default).")]
SetOption = Annotated[list[str] | None, typer.Option(
    "--set", metavar="FIELD=VALUE", rich_help_panel=SETTINGS,
    help="Set any config field, parsed by its type (repeatable): e.g. --set ndf=32 --set augment=color,cutout "
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


METRICS = {"dcgan": {"loss_d": ".3f", "loss_g": ".3f", "images_per_s": ".0f"},
           "cyclegan": {"loss_g": ".3f", "loss_cycle": ".3f", "loss_d": ".3f", "s_per_step": ".2f"},
           "cut": {"loss_g": ".3f", "loss_nce": ".3f", "loss_d": ".3f", "s_per_step": ".2f"}}


class LateProgress:
    """A RichProgress that appears at the first step, so a run refused before training stays one error line."""

    def __init__(self, kind: str) -> None:
        self._kind = kind
        self._bar = None

    def __enter__(self) -> LateProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def update(self, done: int, total: int | None, metrics: Mapping[str, float] | None = None) -> None:
        if self._bar is None:
            from .progress_ui import RichProgress

            self._bar = RichProgress(self._kind, METRICS[self._kind]).__enter__()
        self._bar.update(done, total, metrics)

    def aborted(self) -> bool:
        return self._bar is not None and self._bar.aborted()


def run_training(kind: str, config: object, resume: Path | None, out: Path | None, device: str, force: bool,
                 name: str | None, resumable: tuple[str, ...] = ()):  # -> RunOutcome
    """Start or resume a run through the run API with a progress bar (Ctrl-C asks for a clean stop); on resume the
    `resumable` fields of `config` (already checked by load_run) go on as the run's changes."""
    from ..train.run import RunEvents, resume_run, start_run
    from .progress_ui import QuietProgress

    events = RunEvents(info=info, warn=warn)
    main = os.environ.get("RANK", "0") == "0"  # torchrun's rank 0, or a plain single process, shows progress
    with LateProgress(kind) if main else QuietProgress() as progress:
        if resume is not None:
            return resume_run(resume, kind=kind, steps=getattr(config, "steps", None),
                              minutes=getattr(config, "minutes", None),
                              changes={f: getattr(config, f) for f in resumable}, device=device, name=name,
                              progress=progress, events=events)
        return start_run(config, out, device=device, force=force, name=name, progress=progress,  # type: ignore[arg-type]
                         events=events)


def finish(outcome) -> None:  # outcome: RunOutcome
    """Report how a run ended (main process) and end with its exit code: 0 done, 130 interrupted."""
    from ..core.paths import shown
    from ..train.run import resume_command

    code = 130 if outcome.status == "interrupted" else 0
    if outcome.main and outcome.status == "interrupted":
        info(f"interrupted at step {outcome.step}; checkpoint saved to {outcome.checkpoint}; "
             f"continue with: {resume_command(outcome.kind, outcome.run_dir)}")
    elif outcome.main:
        info(f"done: {outcome.step} steps, samples in {shown(outcome.run_dir / 'samples')}")
        info(f"exported {outcome.model.path} (ONNX Runtime vs torch: max {outcome.model.max_diff} levels)")
        typer.echo(str(outcome.model.path))
    outcome.close(code)
    if code:
        raise typer.Exit(code)
