"""`assetgan train dcgan` and `assetgan to-onnx`: the only commands that import torch (lazily, inside)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from ..atomic import atomic_write_text
from ..errors import AssetganError
from .common import Precision, handle_errors, info, warn
from .train_cyclegan_cmd import FORCE_HELP, cyclegan

app = typer.Typer(help="Train generators (needs the 'train' extra: torch, onnx).", no_args_is_help=True)
app.command("cyclegan")(cyclegan)


def _parse_augment(text: str) -> tuple[str, ...]:
    text = text.strip().lower()
    if text in ("", "none", "off"):
        return ()
    return tuple(a.strip() for a in text.split(",") if a.strip())


def _require_torch() -> None:
    try:
        import torch  # noqa: F401
    except ImportError:
        raise AssetganError("training needs PyTorch: pip install 'assetgan[train]'") from None


@app.command("dcgan")
@handle_errors
def dcgan(
    data: Annotated[Path | None, typer.Argument(help="Folder of images (recursive) or one sprite sheet.")] = None,
    out: Annotated[Path | None, typer.Option(help="Run folder for checkpoints, samples and model.onnx.")] = None,
    size: Annotated[int, typer.Option(help="Output size: 16, 32, 64 or 128.")] = 32,
    channels: Annotated[int, typer.Option(help="4 = RGBA sprites, 3 = RGB textures.")] = 4,
    tileable: Annotated[bool, typer.Option(help="Circular padding: outputs tile seamlessly.")] = False,
    steps: Annotated[int | None, typer.Option(help="Budget in steps.")] = None,
    minutes: Annotated[float | None, typer.Option(help="Budget in minutes of training.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for a reproducible run.")] = 0,
    recipe: Annotated[str, typer.Option(help="auto (textures for --channels 3, else sprites), sprites, textures "
                                             "or radford: the defaults of --augment/--ema/--spectral-norm, "
                                             "chosen by benchmarks/quality.py.")] = "auto",
    augment: Annotated[str | None, typer.Option(help="DiffAugment ops: flip,translation,color,cutout or none "
                                                     "(default: the recipe's).")] = None,
    ema: Annotated[float | None, typer.Option(help="EMA decay of the exported generator, 0 = off "
                                                   "(default: the recipe's).")] = None,
    spectral_norm: Annotated[bool | None, typer.Option(help="Spectral norm in D; off = BatchNorm as in Radford et "
                                                            "al. (default: the recipe's).")] = None,
    mean_init: Annotated[bool | None, typer.Option(help="Output bias in G, started at the data's mean colour "
                                                        "(default: the recipe's).")] = None,
    nz: Annotated[int, typer.Option(help="Latent size.")] = 128,
    ngf: Annotated[int | None, typer.Option(help="Generator width (default: the recipe's, 64).")] = None,
    ndf: Annotated[int | None, typer.Option(help="Discriminator width (default: the recipe's: 64, 32 for "
                                                 "textures).")] = None,
    batch: Annotated[int, typer.Option(help="Batch size.")] = 64,
    lr: Annotated[float, typer.Option(help="Adam learning rate for G and D.")] = 2e-4,
    lr_g: Annotated[float | None, typer.Option(help="Adam learning rate of G (default: --lr times the recipe's G "
                                                    "factor: 2 for textures, else 1).")] = None,
    lr_d: Annotated[float | None, typer.Option(help="Adam learning rate of D (default: --lr times the recipe's "
                                                    "D factor).")] = None,
    beta1: Annotated[float, typer.Option(help="Adam beta1 of G and D (Radford et al.: 0.5; 0 = no momentum).")] = 0.5,
    beta2: Annotated[float, typer.Option(help="Adam beta2 of G and D.")] = 0.999,
    lr_drop_at: Annotated[int | None, typer.Option(help="From this step on, G and D learn at their rates times "
                                                        "--lr-drop-g / --lr-drop-d; 0 = never (default: the "
                                                        "recipe's).")] = None,
    lr_drop_g: Annotated[float | None, typer.Option(help="G's learning-rate factor after --lr-drop-at "
                                                         "(default: the recipe's).")] = None,
    lr_drop_d: Annotated[float | None, typer.Option(help="D's learning-rate factor after --lr-drop-at "
                                                         "(default: the recipe's).")] = None,
    lr_ref_steps: Annotated[int | None, typer.Option(help="Rates planned by the budget: a run planned longer than "
                                                          "this many steps learns at its rates times this / the "
                                                          "planned steps, down to --lr-min-scale; 0 = off "
                                                          "(default: the recipe's: 1500 for textures).")] = None,
    lr_min_scale: Annotated[float | None, typer.Option(help="The floor of that factor (default: the recipe's).")]
    = None,
    plan_steps: Annotated[int, typer.Option(help="The planned length the rates are scaled by (with "
                                                 "--lr-ref-steps); 0 = --steps, or for --minutes the steps a timed "
                                                 "probe at the start projects (then saved with the run).")] = 0,
    select_every: Annotated[int | None, typer.Option(help="Score the generator every N steps (SWD against the "
                                                          "training images) and export the best snapshot, not the "
                                                          "last; 0 = the last (default: the recipe's).")] = None,
    tile: Annotated[str | None, typer.Option(help="Slice inputs as sprite sheets of WxH tiles.")] = None,
    margin: Annotated[int, typer.Option(help="Sheet margin in pixels (with --tile).")] = 0,
    spacing: Annotated[int, typer.Option(help="Sheet spacing in pixels (with --tile).")] = 0,
    licence: Annotated[str, typer.Option(help="Licence of the training data, for the model card.")] = "unknown",
    holdout: Annotated[float, typer.Option(help="Fraction of images held out from training (listed in the run).")]
    = 0.0,
    name: Annotated[str | None, typer.Option(help="Model name in the card (default: run folder name).")] = None,
    sample_every: Annotated[int, typer.Option(help="Sample grid every N steps.")] = 500,
    checkpoint_every: Annotated[int, typer.Option(help="Checkpoint every N steps.")] = 500,
    threads: Annotated[int, typer.Option(help="Torch threads (0 = default).")] = 0,
    device: Annotated[str, typer.Option(help="auto (the GPU when torch sees one, else the CPU), cpu, cuda or "
                                             "cuda:N; under torchrun, auto = cuda:LOCAL_RANK.")] = "auto",
    precision: Annotated[Precision, typer.Option(help="bf16: forward passes under bf16 autocast (weights stay "
                                                      "fp32). A new run's choice; --resume keeps the run's.")]
    = Precision.fp32,
    resume: Annotated[Path | None, typer.Option(help="Continue the run in this folder exactly.")] = None,
    dry_run: Annotated[bool, typer.Option(help="A few steps on a few images, smallest nets: a smoke test.")]
    = False,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Train a DCGAN sprite/texture generator and export it to ONNX."""
    _require_torch()
    from ..data.dataset import load_training_images
    from ..data.paths import resolve_input, shown
    from ..data.slicing import parse_tile
    from ..train.config import DCGANConfig
    from ..train.dcgan_loop import DCGANTrainer, resume_trainer
    from ..train.device import placement, resolve_device, resume_note
    from ..train.distributed import init_from_env, shutdown
    from ..train.onnx_export import build_card, export_generator
    from ..train.recipes import config_fields, resolve_recipe
    from ..train.run_folder import (
        check_new_run_folder,
        model_write_error,
        prepare_run_folder,
        run_write_error,
    )
    from .progress_ui import QuietProgress, RichProgress

    dev = resolve_device(device)  # before joining a process group: a bad --device fails every rank alike
    dist = init_from_env(dev)  # torchrun: join the process group (nccl on CUDA, gloo on the CPU); else one process
    say = info if dist.main else (lambda message: None)

    if resume is not None:
        from ..train.checkpoint import load_checkpoint, resolve_checkpoint

        state = load_checkpoint(resume)
        cfg = _resume_config(state, steps, minutes, f"checkpoint {shown(resolve_checkpoint(resume))}")
        if data is not None or out is not None:
            warn("--resume continues the run with its saved configuration; DATA, --out and other "
                 "training options are ignored (only --steps/--minutes extend the budget)")
        run_dir = resume if resume.is_dir() else resume.parent
    else:
        if data is None:
            raise AssetganError("missing DATA: pass a folder of images or a sprite sheet (or --resume RUN)")
        if out is None and not dry_run:
            raise AssetganError("missing --out: pass a run folder such as runs/my-sprites")
        if dry_run:
            steps, size, ngf, ndf, batch = steps or 4, min(size, 32), 16, 16, min(batch, 8)
            sample_every = checkpoint_every = 2
        run_dir = out if out is not None else Path(tempfile.mkdtemp(prefix="assetgan-dry-run-"))
        check_new_run_folder(run_dir, force)  # before any training: a resumed run alone replaces its model.onnx
        data = resolve_input(data, "DATA")
        recipe_name, rec = resolve_recipe(recipe, channels)
        chosen = {"augment": None if augment is None else _parse_augment(augment), "ema_beta": ema,
                  "spectral_norm": spectral_norm, "mean_init": mean_init, "lr_g": lr_g, "lr_d": lr_d,
                  "lr_drop_at": lr_drop_at, "lr_drop_g": lr_drop_g, "lr_drop_d": lr_drop_d, "ngf": ngf, "ndf": ndf,
                  "lr_ref_steps": lr_ref_steps, "lr_min_scale": lr_min_scale, "select_every": select_every}
        cfg = DCGANConfig(
            data=str(data), data_licence=licence, tile=parse_tile(tile) if tile else None, size=size,
            channels=channels, tileable=tileable, nz=nz, batch_size=batch, beta1=beta1, beta2=beta2,
            **(config_fields(rec, lr) | {k: v for k, v in chosen.items() if v is not None}),
            plan_steps=plan_steps, steps=steps, minutes=minutes, seed=seed, sample_every=sample_every,
            checkpoint_every=checkpoint_every, threads=threads, precision=precision.value,
            extra={"holdout": holdout, "margin": margin, "spacing": spacing, "dry_run": dry_run,
                   "recipe": recipe_name},
        ).validate()

    loaded = load_training_images(
        cfg.data, cfg.size, cfg.channels, tile=cfg.tile, margin=int(cfg.extra.get("margin", 0)),
        spacing=int(cfg.extra.get("spacing", 0)), on_skip=lambda p, why: warn(f"skipped {shown(p)}: {shown(why)}"),
    )
    prepare_run_folder(run_dir)  # every rank alike: a read-only or full disk fails here, not after training
    images, files = loaded.images, list(loaded.files)
    frac = float(cfg.extra.get("holdout", 0.0))
    if frac > 0:
        from ..train.holdout import holdout_mask

        mask = holdout_mask(files, frac)
        if dist.main:
            atomic_write_text(run_dir / "holdout.txt", "".join(f + "\n" for f, m in zip(files, mask) if m))
        images = images[~mask]
        files = [f for f, m in zip(files, mask) if not m]
    if cfg.extra.get("dry_run"):
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
    _require_torch()
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
