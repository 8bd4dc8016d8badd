"""`assetgan train cyclegan`: unpaired image-to-image translation (photo <-> painting), exported to ONNX."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from ..atomic import atomic_write_text
from ..errors import AssetganError
from .common import Precision, handle_errors, info, warn

# `train dcgan --force` and `train cyclegan --force`: exactly what they replace.
FORCE_HELP = ("Replace a model.onnx already in --out that no run there made (copied in, or left by another run); "
              "nothing else. A folder holding a run (checkpoint.pt) is still refused: continue it with --resume, "
              "which replaces that run's own model.onnx.")


@handle_errors
def cyclegan(
    a: Annotated[Path | None, typer.Option("--a", help="Folder of domain A images (e.g. photos).")] = None,
    b: Annotated[Path | None, typer.Option("--b", help="Folder of domain B images (e.g. paintings).")] = None,
    out: Annotated[Path | None, typer.Option(help="Run folder for checkpoints, samples and model.onnx.")] = None,
    name_a: Annotated[str, typer.Option(help="Name of domain A, e.g. photo.")] = "a",
    name_b: Annotated[str, typer.Option(help="Name of domain B, e.g. monet.")] = "b",
    licence_a: Annotated[str, typer.Option(help="Licence of the A images, for the model card.")] = "unknown",
    licence_b: Annotated[str, typer.Option(help="Licence of the B images, for the model card.")] = "unknown",
    ngf: Annotated[int, typer.Option(help="Generator width (paper: 64).")] = 32,
    blocks: Annotated[int, typer.Option(help="Residual blocks in the generator (paper: 9).")] = 6,
    internal_scale: Annotated[int, typer.Option(help="2: trunk at half resolution + guided full-res head; "
                                                     "1: the paper's full-resolution generator.")] = 2,
    upsample: Annotated[str, typer.Option(help="Generator upsampling: bilinear (3x3 conv, then bilinear x2: no "
                                               "checkerboard) or transpose (the paper's transposed convs).")]
    = "bilinear",
    ndf: Annotated[int, typer.Option(help="PatchGAN discriminator width.")] = 64,
    crop: Annotated[int, typer.Option(help="Random crop side.")] = 256,
    load_size: Annotated[int, typer.Option(help="Resize shorter side to this before cropping (0: crop*1.12).")]
    = 0,
    batch: Annotated[int, typer.Option(help="Images per domain per step.")] = 1,
    lr: Annotated[float, typer.Option(help="Adam learning rate.")] = 2e-4,
    lambda_cycle: Annotated[float, typer.Option(help="Cycle-consistency weight.")] = 10.0,
    lambda_identity: Annotated[float, typer.Option(help="Identity weight, as a fraction of lambda-cycle.")] = 0.5,
    pool: Annotated[int, typer.Option(help="History pool size (0 = off).")] = 50,
    steps: Annotated[int | None, typer.Option(help="Budget in steps.")] = None,
    minutes: Annotated[float | None, typer.Option(help="Budget in minutes of training.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for a reproducible run.")] = 0,
    holdout: Annotated[float, typer.Option(help="Fraction of A held out from training (listed in the run).")]
    = 0.0,
    name: Annotated[str | None, typer.Option(help="Model name in the card (default: run folder name).")] = None,
    sample_every: Annotated[int, typer.Option(help="Sample sheet every N steps.")] = 200,
    checkpoint_every: Annotated[int, typer.Option(help="Checkpoint every N steps.")] = 200,
    threads: Annotated[int, typer.Option(help="Torch threads (0 = default).")] = 0,
    device: Annotated[str, typer.Option(help="auto (the GPU when torch sees one, else the CPU), cpu, cuda or "
                                             "cuda:N; under torchrun, auto = cuda:LOCAL_RANK.")] = "auto",
    precision: Annotated[Precision, typer.Option(help="bf16: forward passes under bf16 autocast (weights stay "
                                                      "fp32). A new run's choice; --resume keeps the run's.")]
    = Precision.fp32,
    resume: Annotated[Path | None, typer.Option(help="Continue the run in this folder exactly.")] = None,
    dry_run: Annotated[bool, typer.Option(help="A few steps, smallest nets: a smoke test.")] = False,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Train a CycleGAN (Zhu et al. 2017) between two folders of images and export both directions to ONNX."""
    from .train_cmd import _require_torch

    _require_torch()
    from ..data.paths import resolve_input, shown
    from ..train.cyclegan_config import CycleGANConfig
    from ..train.cyclegan_data import load_domain
    from ..train.cyclegan_loop import CycleGANTrainer, holdout_split, resume_cyclegan
    from ..train.device import placement, resolve_device, resume_note
    from ..train.distributed import init_from_env, shutdown
    from ..train.run_folder import check_new_run_folder, model_write_error, prepare_run_folder, run_write_error
    from .progress_ui import QuietProgress, RichProgress

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
        run_dir = resume if resume.is_dir() else resume.parent
    else:
        if a is None or b is None:
            raise AssetganError("missing --a/--b: pass two folders of images (or --resume RUN)")
        if out is None and not dry_run:
            raise AssetganError("missing --out: pass a run folder such as runs/monet")
        if dry_run:
            steps, ngf, blocks, ndf, crop = steps or 3, 8, 2, 8, min(crop, 64)
            sample_every = checkpoint_every = 2
        run_dir = out if out is not None else Path(tempfile.mkdtemp(prefix="assetgan-dry-run-"))
        check_new_run_folder(run_dir, force)  # before any training: a resumed run alone replaces its model.onnx
        a, b = resolve_input(a, "--a"), resolve_input(b, "--b")
        cfg = CycleGANConfig(
            data_a=str(a), data_b=str(b), name_a=name_a, name_b=name_b, licence_a=licence_a,
            licence_b=licence_b, ngf=ngf, blocks=blocks, internal_scale=internal_scale,
            upsample=upsample, ndf=ndf, crop=crop, load_size=load_size, batch_size=batch, lr=lr,
            lambda_cycle=lambda_cycle,
            lambda_identity=lambda_identity, pool_size=pool, steps=steps, minutes=minutes, seed=seed,
            sample_every=sample_every, checkpoint_every=checkpoint_every, threads=threads, holdout=holdout,
            precision=precision.value, extra={"dry_run": dry_run},
        ).validate()

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
    if cfg.extra.get("dry_run"):
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
