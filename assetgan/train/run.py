"""Starting, resuming and exporting training runs: the API the CLI calls (and the app will), free of printing.

    outcome = start_run(config, out, device="auto", progress=progress, events=RunEvents(info=..., warn=...))
    outcome = resume_run(run_folder, steps=..., progress=progress, events=events)   # the checkpoint loaded once
    report = export_model(checkpoint, out, name=..., last=..., force=...)         # what `to-onnx` calls too

A run: device and torchrun process group, the run folder checked before anything is trained, the data loaded (and
held out), the trainer built (or rebuilt from its checkpoint), the shared loop (loop.py) run with `progress`, and on
completion the model exported from the checkpoint through `export_model`. Messages go to `events` (main process
only); errors are AssetganError with one line. Under torchrun, call `outcome.close(exit_code)` last.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import AssetganError
from ..core.paths import make_out_folder, resolve_input, shown, write_error
from ..core.progress import Progress
from .checkpoint import load_checkpoint, resolve_checkpoint
from .config import DCGANConfig
from .cut_config import CUTConfig
from .cyclegan_config import CycleGANConfig
from .run_folder import MODEL_NAME, check_model_target, check_new_run_folder, run_write_error

Config = DCGANConfig | CycleGANConfig | CUTConfig


def _quiet(message: str) -> None:
    return None


@dataclass
class RunEvents:
    """Where a run's one-line messages go: `info` (what it trains on, where it resumes), `warn` (skipped files,
    changed data, another machine)."""

    info: Callable[[str], None] = _quiet
    warn: Callable[[str], None] = _quiet


@dataclass
class RunOutcome:
    """What a run did: its status, final config and step, the checkpoint and (when done) the exported model."""

    kind: str  # "dcgan" or "cyclegan"
    status: str  # "done" or "interrupted"
    step: int
    run_dir: Path
    checkpoint: Path
    config: Config  # the run's final config (a DCGAN run's planned length included)
    main: bool  # this process reports (False on torchrun's other ranks)
    model: Any = None  # the ExportReport of RUN/model.onnx when done (main process)
    best: dict[str, Any] | None = None  # DCGAN snapshot selection: the exported snapshot's step and SWD
    _dist: Any = field(default=None, repr=False)

    def close(self, exit_code: int | None = None) -> None:
        """Leave torchrun's process group (with `exit_code`, also end the process there); a no-op otherwise."""
        from .distributed import shutdown

        if self._dist is not None:
            shutdown(self._dist, exit_code)


def resume_command(kind: str, run_dir: Path) -> str:
    return f"assetgan train {kind} --resume {shown(run_dir)}"


def start_run(config: Config, out: Path | None, *, device: str = "auto", force: bool = False,
              name: str | None = None, progress: Progress | None = None, events: RunEvents | None = None
              ) -> RunOutcome:
    """Train a new run of `config` (validated) into `out` (None only for a dry run: a temporary folder) and export
    it. A folder that holds a run, or a model.onnx no run there made (unless `force`), is refused first."""
    config.validate()
    dcgan = isinstance(config, DCGANConfig)
    inputs = {"data": "DATA"} if dcgan else {"data_a": "--a", "data_b": "--b"}  # config field -> CLI name
    if not all(getattr(config, field) for field in inputs):
        raise AssetganError("missing DATA: pass a folder of images or a sprite sheet (or --resume RUN)" if dcgan
                            else "missing --a/--b: pass two folders of images (or --resume RUN)")
    if out is None and not config.dry_run:
        raise AssetganError("missing --out: pass a run folder such as runs/my-sprites")
    run_dir = out if out is not None else Path(tempfile.mkdtemp(prefix="assetgan-dry-run-"))
    check_new_run_folder(run_dir, force)  # before any training: a resumed run alone replaces its model.onnx
    config = dataclasses.replace(config, **{field: str(resolve_input(Path(getattr(config, field)), flag))
                                            for field, flag in inputs.items()})
    if dcgan:  # the label files as absolute paths, so the saved config finds them again on resume
        from ..data.labels import MODES

        files = {"label_map": "--label-map"} | ({} if config.labels in MODES else {"labels": "--labels"})
        config = dataclasses.replace(config, **{f: str(resolve_input(Path(getattr(config, f)), flag))
                                                for f, flag in files.items() if getattr(config, f)})
    return _train(config, run_dir, None, device, name, progress, events)


# Settings a resumed run may change (`--resume RUN --set FIELD=VALUE`): they change what D is shown, not the networks,
# their optimisers or the data streams, so the checkpoint still fits; each change is recorded in the run's history.
RESUMABLE = {"dcgan": ("augment",), "cyclegan": (), "cut": ()}


def load_run(run: Path, kind: str | None = None, steps: int | None = None, minutes: float | None = None,
             changes: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], Config]:
    """A run's checkpoint state and its config with the budget extended by `steps` / `minutes` and `changes` (of
    RESUMABLE fields) applied (validated); a checkpoint of another kind than `kind`, trained with a removed option,
    or a change to any other field stops with one line."""
    ckpt = resolve_checkpoint(run)
    state = load_checkpoint(ckpt)
    found = state.get("kind")
    if kind is not None and found != kind:
        raise AssetganError(f"{shown(ckpt)}: checkpoint is a {found} run; resume it with its own train command")
    cls = {"dcgan": DCGANConfig, "cyclegan": CycleGANConfig, "cut": CUTConfig}.get(str(found))
    if cls is None:
        raise AssetganError(f"{shown(ckpt)}: checkpoint of an unknown kind {found!r}; use an assetgan run's")
    allowed = RESUMABLE[str(found)]
    saved = cls.from_dict(dict(state["config"]), f"checkpoint {shown(ckpt)}")
    changes = {k: v for k, v in (changes or {}).items() if k in allowed or getattr(saved, k, None) != v}
    for name in changes:  # the same value as saved is no change (e.g. the command that started the run, again)
        if name not in allowed:
            can = f"only {', '.join(allowed)} can" if allowed else "nothing can"
            raise AssetganError(f"--set {name}: a resumed run keeps its settings ({can} change on --resume); start a "
                                f"new run to change {name}")
    d = dict(state["config"]) | {k: v for k, v in (("steps", steps), ("minutes", minutes)) if v is not None}
    return state, cls.from_dict(d | changes, f"checkpoint {shown(ckpt)}").validate()


def resume_run(run: Path, *, kind: str | None = None, steps: int | None = None, minutes: float | None = None,
               changes: Mapping[str, Any] | None = None, device: str = "auto", name: str | None = None,
               progress: Progress | None = None, events: RunEvents | None = None) -> RunOutcome:
    """Continue the run in `run` (a run folder or its checkpoint.pt) exactly, its budget extended by `steps` /
    `minutes` and `changes` (RESUMABLE fields) applied from its current step on (recorded in its history); on
    completion its own model.onnx is replaced."""
    state, config = load_run(run, kind, steps, minutes, changes)
    run_dir = run if run.is_dir() else run.parent
    return _train(config, run_dir, state, device, name, progress, events)


def export_model(checkpoint: Path, out: Path | None = None, *, name: str | None = None, last: bool = False,
                 force: bool = False, state: Mapping[str, Any] | None = None) -> Any:
    """Export a run's checkpoint to ONNX (default RUN/model.onnx; an existing file only with `force`): a DCGAN's
    EMA generator (its best snapshot unless `last`) with its critic, or both CycleGAN directions; parity-checked.
    Returns the ExportReport."""
    ckpt = resolve_checkpoint(checkpoint)
    target = out or ckpt.parent / MODEL_NAME
    state = dict(state) if state is not None else load_checkpoint(ckpt)
    cyclegan = state.get("kind") in ("cyclegan", "cut")
    if cyclegan and last:
        raise AssetganError(f"--last: a {state.get('kind')} run keeps only its last weights; drop --last")
    check_model_target(target, force, "--out")
    try:
        if cyclegan:
            from .cyclegan_export import export_cyclegan_checkpoint

            return export_cyclegan_checkpoint(ckpt, target, name, state)
        from .onnx_export import export_checkpoint

        return export_checkpoint(ckpt, target, name, last, state)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise write_error(target, exc, "write the model") from None


# ----- one run, either kind ------------------------------------------------------------------------------------------
def _train(config: Config, run_dir: Path, state: dict[str, Any] | None, device: str, name: str | None,
           progress: Progress | None, events: RunEvents | None) -> RunOutcome:
    from .device import placement, resolve_device, resume_note
    from .distributed import init_from_env
    from .loop import setting_text

    dev = resolve_device(device)  # before joining a process group: a bad --device fails every rank alike
    dist = init_from_env(dev)  # torchrun: join the process group (nccl on CUDA, gloo on the CPU); else one process
    say = (events or RunEvents()) if dist.main else RunEvents()
    place = placement(dev, config.precision)
    build = _dcgan_trainer if isinstance(config, DCGANConfig) else _translator_trainer
    trainer = build(config, run_dir, state, dist, place, say)
    kind = trainer.kind
    if state is not None:
        say.info(f"resuming at step {trainer.step}")
        for h in trainer.history[len(state.get("history", [])):]:
            say.info(f"from step {h['step']} on, {h['field']} = {setting_text(h['to'])} "
                     f"(was {setting_text(h['from'])})")
        if dist.main and (note := resume_note(state.get("machine"), place)):
            say.warn(note)
    try:
        result = trainer.run(progress)
    except BrokenPipeError:
        raise
    except OSError as exc:  # a disk that filled up or went read-only during the run
        raise run_write_error(run_dir, exc, resume_command(kind, run_dir)) from None
    outcome = RunOutcome(kind, result.status, result.step, run_dir, result.checkpoint, trainer.cfg, dist.main,
                         best=getattr(trainer, "best", None), _dist=dist if dist.enabled else None)
    if result.status == "done" and dist.main:
        outcome.model = export_model(result.checkpoint, run_dir / MODEL_NAME, name=name or run_dir.name,
                                     force=True)  # the run's own model.onnx
    return outcome


def _where(run_dir: Path, cfg: Config, dist: Any, place: Any) -> str:
    """The end of a run's first line: its folder, processes and device."""
    procs = f", {dist.world} processes, global batch {cfg.batch_size}" if dist.enabled else ""
    return f"{shown(run_dir)}{procs}; device {place.describe()}"


def _run_folder(run_dir: Path, dist: Any, holdout: float, files: list[str]) -> Any:
    """Create the run folder (every rank alike: a bad disk fails here, before training) and hold out the `holdout`
    fraction of `files` (holdout.py), listed in its holdout.txt; returns the held-out mask."""
    from ..core.atomic import atomic_write_text
    from .holdout import holdout_mask

    make_out_folder(run_dir, "--out", "the run", probe=True)
    held = holdout_mask(files, holdout)
    if holdout > 0 and dist.main:
        atomic_write_text(run_dir / "holdout.txt", "".join(f + "\n" for f, h in zip(files, held) if h))
    return held


def _dcgan_trainer(cfg: DCGANConfig, run_dir: Path, state: dict[str, Any] | None, dist: Any, place: Any,
                   say: RunEvents) -> Any:
    import numpy as np

    from ..data.dataset import load_training_images
    from ..data.look import data_look
    from ..render.palette import learn_palette, palette_to_hex
    from .dcgan_loop import DCGANTrainer, resume_trainer

    loaded = load_training_images(cfg.data, cfg.size, cfg.channels, tile=cfg.tile, margin=cfg.margin,
                                  spacing=cfg.spacing, on_skip=lambda p, why: say.warn(f"skipped {shown(p)}: "
                                                                                       f"{shown(why)}"))
    cfg, ids, table = _class_ids(cfg, loaded.files, state, run_dir)  # before the run folder: bad labels stop here
    held = _run_folder(run_dir, dist, cfg.holdout, list(loaded.files))
    keep = ~held & (ids >= 0)  # held out, or in no class (dropped by the label map, not in the labels CSV)
    images, ids = (loaded.images[keep], ids[keep]) if not keep.all() else (loaded.images, ids)
    if cfg.dry_run:
        images, ids = images[:32], ids[:32]
    palette = learn_palette(images, 32)
    look = data_look(images, palette)  # what clean output means for this data (recorded in the card)
    data_meta = {"source": cfg.data, "licence": cfg.data_licence, "fingerprint": loaded.fingerprint,
                 "count": int(len(images)), "palette": palette_to_hex(palette), "look": look}
    if cfg.classes:
        data_meta["class_counts"] = [int(n) for n in np.bincount(ids, minlength=len(cfg.classes))]
    say.info(f"training on {len(images)} images from {shown(cfg.data)} ({len(loaded.skipped)} skipped) -> "
             + _where(run_dir, cfg, dist, place))
    for line in table:
        say.info(line)
    labels = ids if cfg.classes else None
    if state is None:
        return DCGANTrainer(cfg, images, run_dir, data_meta, dist, place, labels)
    if state["data"].get("fingerprint") != loaded.fingerprint:
        say.warn(f"training data under {cfg.data} changed since the run started; continuing with the new data")
    return resume_trainer(run_dir, images, state["data"] | {"fingerprint": loaded.fingerprint, "look": look},
                          {"steps": cfg.steps, "minutes": cfg.minutes, "augment": cfg.augment}, dist, place, state,
                          labels)


def _class_ids(cfg: DCGANConfig, files: list[str], state: dict[str, Any] | None, run_dir: Path
               ) -> tuple[DCGANConfig, Any, list[str]]:
    """The run's config with its classes resolved (a new run) or checked (a resume: the same classes, else one
    line), each image's class id (int64 [N], -1 = in no class; zeros when unconditional), and the lines to print:
    the class table (or why --labels auto found no classes)."""
    import numpy as np

    from ..data.labels import resolve_labels, unconditional

    if state is not None and not cfg.classes:  # an unconditional run stays one, whatever the labels now say
        return cfg, unconditional(len(files)).index, []
    labels = resolve_labels(files, cfg.data, cfg.labels, cfg.label_depth, cfg.label_map)
    if state is not None and labels.classes != cfg.classes:
        now = (f"{len(labels.classes)} ({', '.join(labels.classes)[:80]})" if labels.conditional else
               f"none ({labels.note})")
        raise AssetganError(f"{shown(run_dir)}: trained on {len(cfg.classes)} classes ({', '.join(cfg.classes)[:80]})"
                            f", but its data's labels now give {now}; resume with the same data and labels, or start "
                            "a new run")
    if not labels.conditional:
        why = [f"no classes (--labels auto: {labels.note})"] if cfg.labels == "auto" and labels.note else []
        return cfg, np.zeros(len(files), np.int64), why
    counted = "images, held-out ones included" if cfg.holdout > 0 else "images"
    head = f"{len(labels.classes)} classes{'; ' + labels.note if labels.note else ''} (id, name, {counted}):"
    return dataclasses.replace(cfg, classes=labels.classes), labels.index, [head, *labels.table()]


def _translator_trainer(cfg: CycleGANConfig | CUTConfig, run_dir: Path, state: dict[str, Any] | None, dist: Any,
                        place: Any, say: RunEvents) -> Any:
    from .cyclegan_data import load_domain

    if isinstance(cfg, CUTConfig):
        from .cut_loop import CUTTrainer as Trainer
        from .cut_loop import resume_cut as resume
    else:
        from .cyclegan_loop import CycleGANTrainer as Trainer
        from .cyclegan_loop import resume_cyclegan as resume

    def skip(which: str) -> Callable[[Path, str], None]:
        return lambda p, why: say.warn(f"skipped {which} {shown(p)}: {shown(why)}")

    dom_a = load_domain(cfg.data_a, cfg.resize_to, skip("A"))
    dom_b = load_domain(cfg.data_b, cfg.resize_to, skip("B"))
    held = _run_folder(run_dir, dist, cfg.holdout, dom_a.files)
    dom_a.images = [im for im, h in zip(dom_a.images, held) if not h]
    dom_a.files = [f for f, h in zip(dom_a.files, held) if not h]
    if cfg.dry_run:
        dom_a.images, dom_b.images = dom_a.images[:4], dom_b.images[:4]
        dom_a.files, dom_b.files = dom_a.files[:4], dom_b.files[:4]
    data_meta = {"source_a": cfg.data_a, "source_b": cfg.data_b, "licence_a": cfg.licence_a,
                 "licence_b": cfg.licence_b, "count_a": len(dom_a), "count_b": len(dom_b),
                 "fingerprint_a": dom_a.fingerprint, "fingerprint_b": dom_b.fingerprint}
    arrow = "->" if isinstance(cfg, CUTConfig) else "<->"
    say.info(f"training {cfg.name_a} {arrow} {cfg.name_b} on {len(dom_a)} + {len(dom_b)} images -> "
             + _where(run_dir, cfg, dist, place))
    if state is None:
        return Trainer(cfg, dom_a, dom_b, run_dir, data_meta, dist, place)
    if (state["data"].get("fingerprint_a"), state["data"].get("fingerprint_b")) != (dom_a.fingerprint,
                                                                                     dom_b.fingerprint):
        say.warn("training data changed since the run started; continuing with the new data")
    return resume(run_dir, dom_a, dom_b, data_meta, {"steps": cfg.steps, "minutes": cfg.minutes}, dist, place, state)
