"""`assetgan train dcgan` and `assetgan to-onnx`: the only commands that import torch (lazily, inside)."""

from __future__ import annotations

import dataclasses
import json
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
from .train_cyclegan_cmd import cyclegan

app = typer.Typer(help="Train generators (needs the 'train' extra: torch, onnx).", no_args_is_help=True)
app.command("cyclegan")(cyclegan)


@app.command("dcgan")
@handle_errors
def dcgan(
    data: Annotated[Path | None, typer.Argument(help="Folder of images (recursive) or one sprite sheet "
                                                     "(--set tile=WxH slices it).", show_default=False)] = None,
    size: Annotated[int | None, typer.Option(rich_help_panel=DATA, help="Output side: 16, 32, 64 or 128.")]
    = None,
    channels: Annotated[int | None, typer.Option(rich_help_panel=DATA, help="4 = RGBA sprites, 3 = RGB textures.")]
    = None,
    tileable: Annotated[bool | None, typer.Option(rich_help_panel=DATA, help="Circular padding: outputs tile "
                                                                             "seamlessly.")] = None,
    licence: Annotated[str | None, typer.Option(rich_help_panel=DATA, help="Licence of the training data, for the "
                                                                           "model card.")] = None,
    recipe: Annotated[str | None, typer.Option(rich_help_panel=DATA, help="auto (textures for --channels 3, else "
                                                                          "sprites), sprites, textures or radford: "
                                                                          "the fields a run starts from.")] = None,
    steps: Annotated[int | None, typer.Option(rich_help_panel=BUDGET, help="Budget in steps.")] = None,
    minutes: Annotated[float | None, typer.Option(rich_help_panel=BUDGET, help="Budget in minutes of training.")]
    = None,
    batch: Annotated[int | None, typer.Option(rich_help_panel=BUDGET, help="Images per step.")] = None,
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
    """Train a DCGAN sprite/texture generator and export it to ONNX. Options left out take the recipe's or the
    config's defaults (see --print-config)."""
    require_torch()
    from ..data.dataset import load_training_images
    from ..data.paths import resolve_input, shown
    from ..train.dcgan_loop import DCGANTrainer, resume_trainer
    from ..train.device import placement, resolve_device, resume_note
    from ..train.distributed import init_from_env, shutdown
    from ..train.onnx_export import build_card, export_generator
    from ..train.options import dcgan_config
    from ..train.run_folder import (
        check_new_run_folder,
        model_write_error,
        prepare_run_folder,
        run_write_error,
    )
    from .progress_ui import QuietProgress, RichProgress

    if resume is None:
        given = {"size": size, "channels": channels, "tileable": tileable, "licence": licence, "steps": steps,
                 "minutes": minutes, "batch": batch, "seed": seed, "threads": threads,
                 "precision": precision.value if precision else None}
        cfg = dcgan_config(None if data is None else str(data), given, recipe, config, sets or [], dry_run,
                           not show_config)
        if show_config:
            print_config(cfg)
            return
    dev = resolve_device(device)  # before joining a process group: a bad --device fails every rank alike
    dist = init_from_env(dev)  # torchrun: join the process group (nccl on CUDA, gloo on the CPU); else one process
    say = info if dist.main else (lambda message: None)

    if resume is not None:
        from ..train.checkpoint import load_checkpoint, resolve_checkpoint

        state = load_checkpoint(resume)
        cfg = _resume_config(state, steps, minutes, f"checkpoint {shown(resolve_checkpoint(resume))}")
        if show_config:
            print_config(cfg)
            return
        if data is not None or out is not None:
            warn("--resume continues the run with its saved configuration; DATA, --out and other "
                 "training options are ignored (only --steps/--minutes extend the budget)")
        run_dir = resume if resume.is_dir() else resume.parent
    else:
        if not cfg.data:
            raise AssetganError("missing DATA: pass a folder of images or a sprite sheet (or --resume RUN)")
        if out is None and not dry_run:
            raise AssetganError("missing --out: pass a run folder such as runs/my-sprites")
        run_dir = out if out is not None else Path(tempfile.mkdtemp(prefix="assetgan-dry-run-"))
        check_new_run_folder(run_dir, force)  # before any training: a resumed run alone replaces its model.onnx
        cfg = dataclasses.replace(cfg, data=str(resolve_input(Path(cfg.data), "DATA")))

    loaded = load_training_images(
        cfg.data, cfg.size, cfg.channels, tile=cfg.tile, margin=cfg.margin,
        spacing=cfg.spacing, on_skip=lambda p, why: warn(f"skipped {shown(p)}: {shown(why)}"),
    )
    prepare_run_folder(run_dir)  # every rank alike: a read-only or full disk fails here, not after training
    images, files = loaded.images, list(loaded.files)
    frac = cfg.holdout
    if frac > 0:
        from ..train.holdout import holdout_mask

        mask = holdout_mask(files, frac)
        if dist.main:
            atomic_write_text(run_dir / "holdout.txt", "".join(f + "\n" for f, m in zip(files, mask) if m))
        images = images[~mask]
        files = [f for f, m in zip(files, mask) if not m]
    if cfg.dry_run:
        images = images[:32]
    data_meta = _data_meta(cfg, images, loaded.fingerprint)
    place = placement(dev, cfg.precision)
    say(f"training on {len(images)} images from {shown(cfg.data)} ({len(loaded.skipped)} skipped) -> {shown(run_dir)}"
        + (f", {dist.world} processes, global batch {cfg.batch_size}" if dist.enabled else "")
        + f"; device {place.describe()}")

    if resume is not None:
        if state["data"].get("fingerprint") != data_meta["fingerprint"]:
            warn(f"training data under {cfg.data} changed since the run started; continuing with the new data")
        trainer = resume_trainer(run_dir, images, state["data"] | {"fingerprint": data_meta["fingerprint"]},
                                 {"steps": cfg.steps, "minutes": cfg.minutes}, dist, place)
        say(f"resuming at step {trainer.step}")
        if dist.main and (note := resume_note(state.get("machine"), place)):
            warn(note)
    else:
        trainer = DCGANTrainer(cfg, images, run_dir, data_meta, dist, place)

    fmt = {"loss_d": ".3f", "loss_g": ".3f", "images_per_s": ".0f"}
    try:
        with RichProgress("dcgan", fmt) if dist.main else QuietProgress() as progress:
            result = trainer.run(progress)
    except BrokenPipeError:
        raise
    except OSError as exc:  # a disk that filled up or went read-only during the run
        raise run_write_error(run_dir, exc, f"assetgan train dcgan --resume {shown(run_dir)}") from None
    if not dist.main:
        shutdown(dist, 130 if result.status == "interrupted" else 0)
        raise typer.Exit(130 if result.status == "interrupted" else 0)
    if result.status == "interrupted":
        info(f"interrupted at step {result.step}; checkpoint saved to {result.checkpoint}; "
             f"continue with: assetgan train dcgan --resume {run_dir}")
        shutdown(dist, 130)
        raise typer.Exit(130)
    g = trainer.export_generator()
    card = build_card(trainer.cfg, {"step": trainer.step, "data": trainer.data_meta, "best": trainer.best},
                      name or run_dir.name)
    try:
        report = export_generator(g, card, run_dir / "model.onnx", trainer.export_critic())
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise model_write_error(run_dir / "model.onnx", exc) from None
    planned = (f"; rates planned for {trainer.cfg.plan_steps} steps (x{trainer.cfg.lr_scale():.3g})"
               if trainer.cfg.lr_ref_steps else "")
    info(f"done: {result.step} steps{planned}, samples in {run_dir / 'samples'}")
    if trainer.best is not None:
        info(f"exporting the best snapshot: step {trainer.best['step']} (SWD {trainer.best['swd']:.1f} against the "
             f"training images); the last weights: assetgan to-onnx {run_dir} --last --out FILE")
    info(f"exported {report.path} (ONNX Runtime vs torch: max {report.max_diff} level)")
    typer.echo(str(report.path))
    shutdown(dist, 0)


def _resume_config(state: dict, steps: int | None, minutes: float | None, source: str):
    from ..train.config import DCGANConfig

    if state.get("kind") != "dcgan":
        raise AssetganError(f"checkpoint is a {state.get('kind')} run; resume it with its own train command")
    d = dict(state["config"])
    if steps is not None:
        d["steps"] = steps
    if minutes is not None:
        d["minutes"] = minutes
    return DCGANConfig.from_dict(d, source).validate()


def _data_meta(cfg, images, fingerprint: str) -> dict:
    from ..render.palette import learn_palette, palette_to_hex

    return {
        "source": cfg.data,
        "licence": cfg.data_licence,
        "fingerprint": fingerprint,
        "count": int(len(images)),
        "palette": palette_to_hex(learn_palette(images, 32)),
    }


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
    require_torch()
    from ..train.checkpoint import load_checkpoint, resolve_checkpoint
    from ..train.run_folder import MODEL_NAME, check_model_target, model_write_error

    ckpt = resolve_checkpoint(checkpoint)
    target = out or ckpt.parent / MODEL_NAME
    cyclegan = load_checkpoint(ckpt).get("kind") == "cyclegan"
    if cyclegan and last:
        raise AssetganError("--last: a CycleGAN run keeps only its last weights; drop --last")
    check_model_target(target, force, "--out")
    try:
        if cyclegan:
            from ..train.cyclegan_export import export_cyclegan_checkpoint

            report = export_cyclegan_checkpoint(ckpt, target, name)
        else:
            from ..train.onnx_export import export_checkpoint

            report = export_checkpoint(ckpt, target, name, last)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise model_write_error(target, exc) from None
    info(f"exported {report.path}: {json.dumps(report.card.summary())} (parity max diff {report.max_diff})")
    typer.echo(str(report.path))
