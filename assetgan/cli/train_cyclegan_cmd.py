"""`assetgan train cyclegan`: unpaired image-to-image translation (photo <-> painting), exported to ONNX."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from ..atomic import atomic_write_text
from ..errors import AssetganError
from .common import Precision, handle_errors, info, warn
from .train_common import (
    BUDGET,
    DATA,
    DEVICE,
    OUTPUT,
    ConfigOption,
    DeviceOption,
    DryRunOption,
    ForceOption,
    NameOption,
    PrintConfigOption,
    ResumeOption,
    SetOption,
    print_config,
    require_torch,
)


@handle_errors
def cyclegan(
    a: Annotated[Path | None, typer.Option("--a", rich_help_panel=DATA, help="Folder of domain A images (e.g. "
                                                                             "photos).")] = None,
    b: Annotated[Path | None, typer.Option("--b", rich_help_panel=DATA, help="Folder of domain B images (e.g. "
                                                                             "paintings).")] = None,
    name_a: Annotated[str | None, typer.Option(rich_help_panel=DATA, help="Name of domain A, e.g. photo.")] = None,
    name_b: Annotated[str | None, typer.Option(rich_help_panel=DATA, help="Name of domain B, e.g. monet.")] = None,
    licence_a: Annotated[str | None, typer.Option(rich_help_panel=DATA, help="Licence of the A images, for the "
                                                                             "model card.")] = None,
    licence_b: Annotated[str | None, typer.Option(rich_help_panel=DATA, help="Licence of the B images.")] = None,
    crop: Annotated[int | None, typer.Option(rich_help_panel=DATA, help="Random crop side in pixels.")] = None,
    steps: Annotated[int | None, typer.Option(rich_help_panel=BUDGET, help="Budget in steps.")] = None,
    minutes: Annotated[float | None, typer.Option(rich_help_panel=BUDGET, help="Budget in minutes of training.")]
    = None,
    batch: Annotated[int | None, typer.Option(rich_help_panel=BUDGET, help="Images per domain per step.")] = None,
    seed: Annotated[int | None, typer.Option(rich_help_panel=BUDGET, help="Seed for a reproducible run.")] = None,
    out: Annotated[Path | None, typer.Option(rich_help_panel=OUTPUT, help="Run folder for checkpoints, samples "
                                                                          "and model.onnx.")] = None,
    name: NameOption = None,
    resume: ResumeOption = None,
    force: ForceOption = False,
    device: DeviceOption = "auto",
    precision: Annotated[Precision | None, typer.Option(rich_help_panel=DEVICE, help="bf16: forward passes under "
                                                        "bf16 autocast (weights stay fp32).")] = None,
    threads: Annotated[int | None, typer.Option(rich_help_panel=DEVICE, help="Torch threads (0 = torch's "
                                                                             "default).")] = None,
    sets: SetOption = None,
    config: ConfigOption = None,
    show_config: PrintConfigOption = False,
    dry_run: DryRunOption = False,
) -> None:
    """Train a CycleGAN (Zhu et al. 2017) between two folders of images and export both directions to ONNX.
    Options left out take the config's defaults (see --print-config)."""
    require_torch()
    from ..data.paths import resolve_input, shown
    from ..train.cyclegan_config import CycleGANConfig
    from ..train.cyclegan_data import load_domain
    from ..train.cyclegan_loop import CycleGANTrainer, holdout_split, resume_cyclegan
    from ..train.device import placement, resolve_device, resume_note
    from ..train.distributed import init_from_env, shutdown
    from ..train.options import cyclegan_config
    from ..train.run_folder import check_new_run_folder, model_write_error, prepare_run_folder, run_write_error
    from .progress_ui import QuietProgress, RichProgress

    if resume is None:
        given = {"name_a": name_a, "name_b": name_b, "licence_a": licence_a, "licence_b": licence_b, "crop": crop,
                 "steps": steps, "minutes": minutes, "batch": batch, "seed": seed, "threads": threads,
                 "precision": precision.value if precision else None}
        cfg = cyclegan_config(None if a is None else str(a), None if b is None else str(b), given, config,
                              sets or [], dry_run, not show_config)
        if show_config:
            print_config(cfg)
            return
    dev = resolve_device(device)  # before joining a process group: a bad --device fails every rank alike
    dist = init_from_env(dev)  # torchrun: join the process group (nccl on CUDA, gloo on the CPU); else one process
    say = info if dist.main else (lambda message: None)

    if resume is not None:
        from ..train.checkpoint import load_checkpoint, resolve_checkpoint

        state = load_checkpoint(resume)
        if state.get("kind") != "cyclegan":
            raise AssetganError(f"{resume}: a {state.get('kind')} run; resume it with its own train command")
        d = dict(state["config"])
        d.update({k: v for k, v in (("steps", steps), ("minutes", minutes)) if v is not None})
        cfg = CycleGANConfig.from_dict(d, f"checkpoint {shown(resolve_checkpoint(resume))}").validate()
        if show_config:
            print_config(cfg)
            return
        run_dir = resume if resume.is_dir() else resume.parent
    else:
        if not cfg.data_a or not cfg.data_b:
            raise AssetganError("missing --a/--b: pass two folders of images (or --resume RUN)")
        if out is None and not dry_run:
            raise AssetganError("missing --out: pass a run folder such as runs/monet")
        run_dir = out if out is not None else Path(tempfile.mkdtemp(prefix="assetgan-dry-run-"))
        check_new_run_folder(run_dir, force)  # before any training: a resumed run alone replaces its model.onnx
        cfg = dataclasses.replace(cfg, data_a=str(resolve_input(Path(cfg.data_a), "--a")),
                                  data_b=str(resolve_input(Path(cfg.data_b), "--b")))

    def skip(which: str):
        return (lambda p, why: warn(f"skipped {which} {shown(p)}: {shown(why)}")) if dist.main else \
            (lambda p, why: None)

    dom_a = load_domain(cfg.data_a, cfg.resize_to, skip("A"))
    dom_b = load_domain(cfg.data_b, cfg.resize_to, skip("B"))
    prepare_run_folder(run_dir)  # every rank alike: a read-only or full disk fails here, not after training
    if cfg.holdout > 0:
        dom_a, held = holdout_split(dom_a, cfg.holdout)
        if dist.main:
            atomic_write_text(run_dir / "holdout.txt", "".join(f + "\n" for f in held))
    if cfg.dry_run:
        dom_a.images, dom_b.images = dom_a.images[:4], dom_b.images[:4]
        dom_a.files, dom_b.files = dom_a.files[:4], dom_b.files[:4]
    data_meta = {"source_a": cfg.data_a, "source_b": cfg.data_b, "licence_a": cfg.licence_a,
                 "licence_b": cfg.licence_b, "count_a": len(dom_a), "count_b": len(dom_b),
                 "fingerprint_a": dom_a.fingerprint, "fingerprint_b": dom_b.fingerprint}
    place = placement(dev, cfg.precision)
    say(f"training {cfg.name_a} <-> {cfg.name_b} on {len(dom_a)} + {len(dom_b)} images -> {shown(run_dir)}"
        + (f", {dist.world} processes, global batch {cfg.batch_size}" if dist.enabled else "")
        + f"; device {place.describe()}")
    if resume is not None:
        if (state["data"].get("fingerprint_a"), state["data"].get("fingerprint_b")) != (dom_a.fingerprint,
                                                                                         dom_b.fingerprint):
            say("warning: training data changed since the run started; continuing with the new data")
        trainer = resume_cyclegan(run_dir, dom_a, dom_b, data_meta, {"steps": cfg.steps, "minutes": cfg.minutes},
                                  dist, place)
        say(f"resuming at step {trainer.step}")
        if dist.main and (note := resume_note(state.get("machine"), place)):
            warn(note)
    else:
        trainer = CycleGANTrainer(cfg, dom_a, dom_b, run_dir, data_meta, dist, place)

    fmt = {"loss_g": ".3f", "loss_cycle": ".3f", "loss_d": ".3f", "s_per_step": ".2f"}
    try:
        with RichProgress("cyclegan", fmt) if dist.main else QuietProgress() as progress:
            result = trainer.run(progress)
    except BrokenPipeError:
        raise
    except OSError as exc:  # a disk that filled up or went read-only during the run
        raise run_write_error(run_dir, exc, f"assetgan train cyclegan --resume {shown(run_dir)}") from None
    if not dist.main:
        shutdown(dist, 130 if result.status == "interrupted" else 0)
        raise typer.Exit(130 if result.status == "interrupted" else 0)
    if result.status == "interrupted":
        info(f"interrupted at step {result.step}; checkpoint saved to {result.checkpoint}; "
             f"continue with: assetgan train cyclegan --resume {run_dir}")
        shutdown(dist, 130)
        raise typer.Exit(130)
    from ..train.cyclegan_export import export_cyclegan_checkpoint

    try:
        report = export_cyclegan_checkpoint(result.checkpoint, run_dir / "model.onnx", name or run_dir.name)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise model_write_error(run_dir / "model.onnx", exc) from None
    info(f"done: {result.step} steps, samples in {run_dir / 'samples'}")
    info(f"exported {report.path} (ONNX Runtime vs torch: max {report.max_diff} levels)")
    typer.echo(str(report.path))
    shutdown(dist, 0)
