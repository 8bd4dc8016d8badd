"""A shallower copy of a CycleGAN translator, trained to reproduce the original's output (knowledge distillation).

The student is the teacher's generator with some of its residual blocks left out: every other layer and the kept
blocks start from the teacher's weights, so training only has to close the gap the missing blocks leave. Each step
runs both directions on a batch of images (mostly the direction's own domain, `other` of them from the other one),
and the student's output is pulled to the teacher's by L1. Budget, checkpoints, exact resume and the log are
loop.py's; the result exports to the same ONNX form as the teacher (cyclegan_export.py), with a card saying what it
was distilled from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from .. import __version__
from ..core.errors import AssetganError
from ..core.paths import shown
from ..runtime.card import ModelCard
from ..runtime.card_io import display_path
from ..runtime.model import file_sha256
from .checkpoint import load_checkpoint
from .config import RunConfig
from .cut_config import CUTConfig
from .cyclegan_config import CycleGANConfig, TranslatorConfig
from .cyclegan_data import Domain, random_crops
from .cyclegan_export import DIRECTIONS, export_cyclegan, generators_from_checkpoint
from .cyclegan_nets import ResnetGenerator
from .device import Placement
from .distributed import DistInfo
from .loop import LoopTrainer, linear_decay
from .onnx_export import ExportReport
from .sample_grid import write_sample_grid
from .sampling import BatchSampler, to_uint8

BLOCKS_AT = 10  # first residual block in ResnetGenerator.net: after pad, conv, norm, relu, 2 x (down, norm, relu)


@dataclass(frozen=True)
class DistillConfig(RunConfig):
    """Everything that defines a distillation run; saved with its checkpoint and in the exported card."""

    teacher: str = ""  # an fp32 CycleGAN model (.onnx) or a CycleGAN run / checkpoint
    teacher_sha256: str = ""  # of the teacher file, recorded at the start: a resume checks it is the same
    data_a: str = ""  # domain A images (the a2b direction's inputs)
    data_b: str = ""  # domain B images
    exclude_a: tuple[str, ...] = ()  # file names (as the domain lists them) never trained on: held out for measuring
    exclude_b: tuple[str, ...] = ()
    keep: tuple[int, ...] = (0, 1, 5)  # the teacher's residual blocks the student keeps, in order
    crop: int = 256  # training crop side in pixels
    load_size: int = 256  # images are resized so their shorter side is this before cropping
    batch_size: int = 4  # images per direction per step
    other: int = 1  # of those, this many from the other domain (inputs the teacher was not trained on)
    lr: float = 2e-5  # Adam learning rate
    decay_from: float = 0.5  # the rate is constant for this fraction of the budget, then decays linearly to 0
    steps: int | None = None
    minutes: float | None = None
    seed: int = 0
    sample_every: int = 200
    checkpoint_every: int = 200
    log_every: int = 20
    threads: int = 0  # torch intra-op threads (0 = torch's default)
    precision: str = "fp32"  # only fp32: the point is to match the teacher closely
    holdout: float = 0.0  # (RunConfig's check; held-out files are named in exclude_a / exclude_b instead)

    removed = {}  # no option of this config has been removed

    def validate(self) -> DistillConfig:
        if not self.teacher:
            raise AssetganError("no teacher: name an fp32 CycleGAN model file or run")
        if not self.keep or len(set(self.keep)) != len(self.keep) or min(self.keep) < 0:
            raise AssetganError(f"keep {','.join(map(str, self.keep))}: must name residual blocks, each once, "
                                "e.g. 0,1,5")
        if not 0 <= self.other < self.batch_size:
            raise AssetganError(f"other {self.other}: must be from 0 to batch_size - 1 ({self.batch_size - 1})")
        if self.crop < 32 or self.crop % 8 or self.load_size < self.crop:
            raise AssetganError(f"crop {self.crop}, load_size {self.load_size}: the crop must be a multiple of 8, "
                                "at least 32 and at most load_size")
        if not 0 < self.lr < 1:
            raise AssetganError(f"lr {self.lr}: must be in (0, 1)")
        if not 0.0 <= self.decay_from <= 1.0:
            raise AssetganError(f"decay_from {self.decay_from}: must be a fraction in [0, 1]")
        for name in ("batch_size", "sample_every", "checkpoint_every", "log_every"):
            if getattr(self, name) < 1:
                raise AssetganError(f"{name} = {getattr(self, name)}: must be at least 1")
        if self.precision != "fp32":
            raise AssetganError(f"precision {self.precision}: distillation runs in fp32")
        self.check_run("0")
        return self


# ----- the teacher ---------------------------------------------------------------------------------------------------
def teacher_from_onnx(path: Path) -> tuple[list[ResnetGenerator], TranslatorConfig, ModelCard]:
    """The generators of an fp32 translator file (both directions, or a CUT model's one), rebuilt in torch from its
    card and its named weights."""
    import onnx

    from ..runtime.model import read_card
    from .onnx_thin_convs import named_weights

    card = read_card(path, kind="cyclegan")
    cls = CycleGANConfig if card.translations == list(DIRECTIONS) else CUTConfig
    cfg = cls.from_dict(dict(card.training_config), f"model {shown(path)}")
    weights = named_weights(onnx.load(str(path)))
    gens = []
    for d in card.translations:
        prefix = f"{d}.g.g."
        g = ResnetGenerator(cfg.spec)
        names = g.state_dict().keys()
        missing = [n for n in names if prefix + n not in weights]
        if missing:
            raise AssetganError(f"{shown(path)}: holds no fp32 weights for {d} ({missing[0]} missing; an int8 "
                                "copy?); distil from the fp32 model or the run's checkpoint")
        g.load_state_dict({n: torch.from_numpy(weights[prefix + n].copy()) for n in names})
        gens.append(g.eval())
    return gens, cfg, card


def load_teacher(source: str | Path) -> tuple[list[ResnetGenerator], TranslatorConfig, dict[str, Any]]:
    """([g_ab, g_ba] or a CUT model's [g_ab], config, facts for the student's card) from an fp32 .onnx file or a
    CycleGAN / CUT run or checkpoint."""
    p = Path(source)
    if p.suffix.lower() == ".onnx":
        gens, cfg, card = teacher_from_onnx(p)
        facts = {"name": card.name, "steps": card.steps, "data_source": card.data_source,
                 "data_licence": card.data_licence, "notes": card.notes}
    else:
        state = load_checkpoint(p)
        if state.get("kind") not in ("cyclegan", "cut"):
            raise AssetganError(f"{shown(p)}: a {state.get('kind')} checkpoint; the teacher must be a CycleGAN or "
                                "CUT run")
        g_ab, g_ba, cfg = generators_from_checkpoint(state, f"checkpoint {shown(p)}")
        gens = [g_ab] if g_ba is None else [g_ab, g_ba]
        facts = {"name": p.resolve().name if p.is_dir() else p.resolve().parent.name, "steps": int(state["step"]),
                 "data_source": f"A ({cfg.name_a}): {display_path(cfg.data_a)}; B ({cfg.name_b}): "
                                f"{display_path(cfg.data_b)}",
                 "data_licence": f"A: {cfg.licence_a}; B: {cfg.licence_b}", "notes": ""}
    for g in gens:
        g.requires_grad_(False)
    return gens, cfg, facts


def shallower(teacher: ResnetGenerator, keep: Sequence[int]) -> ResnetGenerator:
    """A generator like `teacher` with only the residual blocks `keep` (in that order), every weight copied."""
    spec = teacher.spec
    if max(keep) >= spec.blocks:
        raise AssetganError(f"keep {','.join(map(str, keep))}: the teacher has residual blocks 0-{spec.blocks - 1}")
    student = ResnetGenerator(dataclasses.replace(spec, blocks=len(keep)))
    t, s = list(teacher.net), list(student.net)
    after = BLOCKS_AT + spec.blocks  # first layer after the teacher's blocks
    pairs = [(t[i], s[i]) for i in range(BLOCKS_AT)] + [(t[BLOCKS_AT + b], s[BLOCKS_AT + j]) for j, b in
                                                        enumerate(keep)]
    pairs += [(t[i], s[i - spec.blocks + len(keep)]) for i in range(after, len(t))]
    if teacher.refine is not None and student.refine is not None:
        pairs.append((teacher.refine, student.refine))
    for src, dst in pairs:
        dst.load_state_dict(src.state_dict())
    return student


# ----- training ------------------------------------------------------------------------------------------------------
def without(dom: Domain, names: Sequence[str]) -> Domain:
    """`dom` less the files named in `names`."""
    drop = set(names)
    kept = [(img, f) for img, f in zip(dom.images, dom.files) if f not in drop]
    if not kept:
        raise AssetganError("every image of a domain is excluded; nothing is left to distil on")
    return Domain([k[0] for k in kept], [k[1] for k in kept], dom.skipped, dom.fingerprint)


class DistillTrainer(LoopTrainer):
    """Students for both directions, one Adam, four samplers (own and other domain per direction)."""

    kind, config_cls = "distill", DistillConfig

    def __init__(self, cfg: DistillConfig, a: Domain, b: Domain, run_dir: Path, data_meta: Mapping[str, Any],
                 dist: DistInfo | None = None, place: Placement | None = None) -> None:
        dist, place = self.setup(cfg, run_dir, data_meta, dist, place)
        if dist.enabled:
            raise AssetganError("distillation runs in one process; start it without torchrun")
        self.a, self.b = without(a, cfg.exclude_a), without(b, cfg.exclude_b)
        for dom, label in ((self.a, "A"), (self.b, "B")):
            small = min(min(img.shape[:2]) for img in dom.images)
            if small < cfg.crop:
                raise AssetganError(f"domain {label} has an image with a {small}-pixel side, below crop {cfg.crop}")
        teachers, self.teacher_cfg, self.teacher_facts = load_teacher(cfg.teacher)
        self.teachers = tuple(place.module(t) for t in teachers)  # a2b, then b2a unless the teacher is one-way
        self.students = tuple(place.module(shallower(t, cfg.keep)) for t in teachers)
        self.opt = torch.optim.Adam([p for s in self.students for p in s.parameters()], lr=cfg.lr)
        own, other = cfg.batch_size - cfg.other, cfg.other
        self.samplers = [BatchSampler(len(self.a), own, cfg.seed + 21), BatchSampler(len(self.b), other, cfg.seed + 22),
                         BatchSampler(len(self.b), own, cfg.seed + 23), BatchSampler(len(self.a), other, cfg.seed + 24)]
        self.crop_gen = torch.Generator().manual_seed(cfg.seed + 25)
        gen = torch.Generator().manual_seed(cfg.seed + 26)
        n = min(3, len(self.a), len(self.b))
        self.fixed = (random_crops(self.a.images, torch.arange(n), cfg.crop, gen),
                      random_crops(self.b.images, torch.arange(n), cfg.crop, gen))

    def lr_now(self) -> float:
        cfg = self.cfg
        return linear_decay(cfg.lr, cfg.decay_from, cfg.steps, self.step, cfg.minutes, self.train_seconds)

    def _batch(self, way: int) -> torch.Tensor:
        cfg = self.cfg
        own, other = (self.a, self.b) if way == 0 else (self.b, self.a)
        parts = [random_crops(own.images, self.samplers[2 * way].next(), cfg.crop, self.crop_gen)]
        if cfg.other:
            parts.append(random_crops(other.images, self.samplers[2 * way + 1].next(), cfg.crop, self.crop_gen))
        return self.place.batch(torch.cat(parts))

    def train_step(self) -> dict[str, torch.Tensor]:
        lr = self.lr_now()
        for group in self.opt.param_groups:
            group["lr"] = lr
        losses = []
        self.opt.zero_grad(set_to_none=True)
        for way, (teacher, student) in enumerate(zip(self.teachers, self.students)):
            x = self._batch(way)
            with torch.no_grad():
                target = teacher(x)
            loss = F.l1_loss(student(x), target)
            loss.backward()
            losses.append(loss.detach())
        self.opt.step()
        self.step += 1
        return {f"l1_{d}_levels": loss * 127.5 for d, loss in zip(DIRECTIONS, losses)} | {"lr": torch.tensor(lr)}

    def net_state(self) -> dict[str, Any]:
        return {key: s.state_dict() for key, s in zip(("G_AB", "G_BA"), self.students)} | {"opt": self.opt.state_dict()}

    def load_net_state(self, s: Mapping[str, Any]) -> None:
        for key, student in zip(("G_AB", "G_BA"), self.students):
            student.load_state_dict(s[key])
        self.opt.load_state_dict(s["opt"])

    def stream_state(self) -> dict[str, Any]:
        return {"samplers": [s.state_dict() for s in self.samplers], "crop_gen": self.crop_gen.get_state()}

    def load_stream_state(self, s: Mapping[str, Any]) -> None:
        for sampler, st in zip(self.samplers, s["samplers"]):
            sampler.load_state_dict(st)
        self.crop_gen.set_state(s["crop_gen"])

    @torch.no_grad()
    def write_samples(self) -> Path:
        """Rows per fixed crop: input | teacher | student, A -> B first, then B -> A."""
        for s in self.students:
            s.eval()
        try:
            rows = []
            for x, teacher, student in zip(self.fixed, self.teachers, self.students):
                x = self.place.batch(x)
                rows.append(torch.stack([x, teacher(x), student(x)], 1).flatten(0, 1).cpu())
        finally:
            for s in self.students:
                s.train()
        return write_sample_grid(to_uint8(torch.cat(rows)), self.run_dir / "samples", self.step, columns=3, scale=1)

    # ----- the result ------------------------------------------------------------------------------------------------
    def card(self, name: str) -> ModelCard:
        """The student's card: the teacher's CycleGAN facts, the student's architecture and how it was distilled."""
        cfg, t = self.cfg, self.teacher_cfg
        student_cfg = dataclasses.replace(t, blocks=len(cfg.keep))
        distilled = {"teacher": Path(cfg.teacher).name, "teacher_sha256": cfg.teacher_sha256,
                     "keep": list(cfg.keep), "steps": self.step, "images": self.step * cfg.batch_size * 2,
                     "loss": "L1 to the teacher's output", "train_seconds": round(self.train_seconds, 1)}
        facts = self.teacher_facts
        notes = (f"distilled from {Path(cfg.teacher).name} ({t.blocks} residual blocks -> {len(cfg.keep)}: "
                 f"{','.join(map(str, cfg.keep))} kept) in {self.step} steps of {cfg.batch_size} images per "
                 f"direction; teacher: {facts['notes'] or str(facts['steps']) + ' steps'}")
        return ModelCard(kind="cyclegan", name=name, size=t.crop, channels=3, data_source=facts["data_source"],
                         data_licence=facts["data_licence"], steps=int(facts["steps"]),
                         assetgan_version=__version__, training_config=student_cfg.to_dict() | {"distilled": distilled},
                         domains=[t.name_a, t.name_b], pad_multiple=student_cfg.spec.pad_multiple, notes=notes,
                         directions=list(DIRECTIONS[: len(self.students)]))

    def export(self, out: Path, name: str) -> ExportReport:
        return export_cyclegan(self.students[0], self.students[1] if len(self.students) > 1 else None,
                               self.card(name), out)


def start_config(cfg: DistillConfig) -> DistillConfig:
    """`cfg` with the teacher's sha256 recorded (a new run) or checked against the file (a resume)."""
    path = Path(cfg.teacher)
    if path.is_dir():
        path = path / "checkpoint.pt"
    if not path.is_file():
        raise AssetganError(f"teacher {shown(cfg.teacher)}: no such model file or run; name an fp32 CycleGAN .onnx "
                            "or a CycleGAN run folder")
    digest = file_sha256(path)
    if cfg.teacher_sha256 and cfg.teacher_sha256 != digest:
        raise AssetganError(f"teacher {shown(cfg.teacher)}: changed since the run started (sha256 "
                            f"{digest[:12]}, run has {cfg.teacher_sha256[:12]}); resume with the same file")
    return dataclasses.replace(cfg, teacher_sha256=digest)
