"""An opened assetgan ONNX generator: its card, the provider in use, and chunked, bounded-memory inference."""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from ..core.errors import ModelError
from ..core.progress import NullProgress, Progress
from .card import CARD_KEY, ModelCard
from .latent import check_truncation, seed_latent
from .providers import DISABLED_OPTIMIZERS, candidate_providers, session_options, short_name


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks; an unreadable file is a one-line ModelError."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the model ({exc.strerror}); check the file and its permissions") \
            from None
    return h.hexdigest()


def cpu_session(model: bytes | str | Path):
    """A quiet CPU session, e.g. for the exporters' parity checks. ONNX Runtime warns about every input that has a
    default initializer (the critic's optional `critic.image`), which is by design here."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3  # errors only
    return ort.InferenceSession(model if isinstance(model, bytes) else str(model), sess_options=opts,
                                providers=["CPUExecutionProvider"])


def _session(path: Path, providers: Sequence[str] | None):
    import onnxruntime as ort

    # A GPU provider that cannot load logs an error per session; we report the fallback ourselves.
    ort.set_default_logger_severity(4)
    opts = session_options(ort)
    opts.log_severity_level = 4
    available = ort.get_available_providers()
    wanted = candidate_providers(available, providers)
    reason = ""
    off = list(DISABLED_OPTIMIZERS)
    try:
        sess = ort.InferenceSession(str(path), sess_options=opts, providers=wanted, disabled_optimizers=off)
    except Exception as exc:  # a GPU provider can fail at load (driver, memory): fall back to CPU
        if wanted == ["CPUExecutionProvider"]:
            raise
        reason = f"{short_name(wanted[0])} failed to load ({str(exc).splitlines()[0][:120]})"
        sess = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"],
                                    disabled_optimizers=off)
    used = sess.get_providers()[0]
    asked = providers[0] if providers else wanted[0]
    if not reason and used != asked:
        reason = f"{short_name(asked)} unavailable here"
    hint = "; the GPU needs the NVIDIA driver and the CUDA 13 + cuDNN 9 runtimes, see the README" \
        if reason and asked == "CUDAExecutionProvider" else ""
    if providers and used != asked:  # the user named this device: falling back silently would hide the problem
        raise ModelError(f"--device {short_name(asked).lower()}: cannot run here ({reason}{hint}); pass --device "
                         "auto to use the best device that works, or --device cpu")
    note = f"{reason}; using {short_name(used)}{hint}" if reason else ""
    return sess, used, note


# why a model of the other kind cannot be used where `kind` is expected, and what to do instead
_WRONG_KIND = {"dcgan": "not dcgan; use `assetgan stylize` with it",
               "cyclegan": "not a style-transfer (cyclegan) model; use `assetgan generate` with it, or pass a "
                           "cyclegan model such as monet"}


def read_card(path: str | Path, sess=None, kind: str | None = None) -> ModelCard:
    """Read and check the model card of an assetgan ONNX file (opening it on CPU if no session is given): its
    schema, that the graph matches it, and, with `kind`, that it is a model of that kind."""
    path = Path(path)
    if sess is None:
        sess = open_session(path, ["CPUExecutionProvider"])[0]
    meta = sess.get_modelmeta().custom_metadata_map
    if CARD_KEY not in meta:
        raise ModelError(f"{path}: ONNX model without assetgan metadata; export it with `assetgan to-onnx`")
    card = ModelCard.from_json(meta[CARD_KEY], str(path))
    check_graph(sess, card, path)
    if kind is not None and card.kind != kind:
        raise ModelError(f"{path}: is a {card.kind} model, {_WRONG_KIND[kind]}")
    return card


def check_graph(sess, card: ModelCard, path: Path) -> None:
    """Refuse a graph whose inputs and outputs do not match its card (names, element types, fixed sizes)."""
    feeds = {i.name: i for i in [*sess.get_inputs(), *sess.get_overridable_initializers()]}
    outs = {o.name: o for o in sess.get_outputs()}
    if card.kind == "dcgan":
        want = [("z", feeds, "tensor(float)", [None, card.nz]),
                ("image", outs, "tensor(uint8)", [None, card.size, card.size, card.channels])]
        if card.critic:
            want += [("critic.image", feeds, "tensor(uint8)", [None, card.size, card.size, card.channels]),
                     ("critic.score", outs, "tensor(float)", [None])]
        if card.classes:  # a conditional model: the class of each latent (and of each image the critic scores)
            want += [("class", feeds, "tensor(int64)", [None])]
            want += [(MIX_INPUT, feeds, "tensor(float)", [None, len(card.classes)])] if MIX_INPUT in feeds else []
            want += [("critic.class", feeds, "tensor(int64)", [None])] if card.critic else []
        elif "class" in feeds:
            raise ModelError(f"{path}: its graph takes a 'class' input but its card lists no classes; re-export the "
                             "model with `assetgan to-onnx`")
    else:
        want = []
        for d in card.translations:
            want += [(f"{d}.image", feeds, "tensor(uint8)", [None, None, None, 3]),
                     (f"{d}.stats", feeds, "tensor(float)", None), (f"{d}.weight", feeds, "tensor(float)", None),
                     (f"{d}.output", outs, "tensor(uint8)", [None, None, None, 3]),
                     (f"{d}.measured", outs, "tensor(float)", None)]
            if f"{d}.fixed.output" in outs:  # the lean entry for tiles (assetgan.train.onnx_branches), optional
                want += [(f"{d}.fixed.image", feeds, "tensor(uint8)", [None, None, None, 3]),
                         (f"{d}.fixed.output", outs, "tensor(uint8)", [None, None, None, 3])]
    for name, where, dtype, shape in want:
        side = "input" if where is feeds else "output"
        node = where.get(name)
        if node is None:
            raise ModelError(f"{path}: its graph has no {side} {name!r} although its card says {card.kind}; "
                             "re-export the model with `assetgan to-onnx`")
        got = list(node.shape) if node.shape is not None else []
        fits = node.type == dtype and (shape is None or (len(got) == len(shape) and all(
            w is None or not isinstance(g, int) or g == w for g, w in zip(got, shape))))
        if not fits:
            expect = "" if shape is None else str(["N" if w is None else w for w in shape])
            raise ModelError(f"{path}: graph {side} {name!r} is {node.type} {got}, its card needs {dtype} {expect}; "
                             "re-export the model with `assetgan to-onnx`")


def open_session(path: Path, providers: Sequence[str] | None):
    """(session, provider in use, note on a fallback) for an ONNX file; a missing, unreadable or foreign file is a
    one-line ModelError."""
    if not path.exists():
        what = "is a broken link or a symlink loop" if path.is_symlink() else "model file not found"
        raise ModelError(f"{path}: {what}; run `assetgan models` to list available models")
    if path.is_dir():
        raise ModelError(f"{path}: is a folder; pass an .onnx model file")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the model ({exc.strerror}); check its permissions") from None
    try:
        return _session(path, providers)
    except ModelError:
        raise
    except Exception as exc:
        first = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise ModelError(f"{path}: not a loadable ONNX model ({first}); pass an assetgan .onnx file") from None


MIX_INPUT = "class_mix"  # optional graph input of conditional models: class weights [N, K] float32, for blends
K = TypeVar("K")  # what names each latent in GeneratorModel.generate_chunks: a seed, an item index, a name


@dataclass
class OpenedModel:
    """An assetgan ONNX model opened in ONNX Runtime: its card, the provider in use and the last call's time."""

    path: Path
    card: ModelCard
    provider: str  # the ONNX Runtime provider actually in use, e.g. "CPUExecutionProvider"
    provider_note: str  # why a preferred provider is not in use ("" when it is)
    _sess: object
    last_seconds: float = 0.0  # wall time of the last inference call

    @property
    def device(self) -> str:
        return short_name(self.provider)

    def sha256(self) -> str:
        return file_sha256(self.path)


@dataclass
class GeneratorModel(OpenedModel):
    """A DCGAN generator: seeds or latents in, uint8 images [N, H, W, C] out."""

    @property
    def nz(self) -> int:
        return self.card.nz

    @property
    def classes(self) -> list[str]:
        """A conditional model's class names (a class's id is its index); empty for an unconditional one."""
        return self.card.classes

    @property
    def blend_problem(self) -> str:
        """Why this model cannot render blends of classes ("" when it can: a conditional graph with `class_mix`)."""
        if not self.card.classes:
            return f"{self.path.name}: class morph needs a conditional model (its card lists no classes)"
        names = {i.name for i in [*self._sess.get_inputs(), *self._sess.get_overridable_initializers()]}
        if MIX_INPUT not in names:
            return (f"{self.path.name}: class morph needs a model exported by a newer assetgan (its graph has no "
                    f"'{MIX_INPUT}' input); re-export it from its checkpoint with `assetgan to-onnx`")
        return ""

    def run(self, z: np.ndarray, classes: np.ndarray | None = None, class_mix: np.ndarray | None = None
            ) -> np.ndarray:
        """z [N, nz] float32 (and for a conditional model the class ids [N] int64, or instead class weights
        `class_mix` [N, K] float32: a one-hot row is that class, (1 - t, t) a blend of two) -> images
        [N, H, W, C] uint8 in one call."""
        z = np.ascontiguousarray(z, dtype=np.float32)
        if z.ndim != 2 or z.shape[1] != self.nz:
            raise ModelError(f"latent shape {z.shape} does not fit {self.path.name} (expects [N, {self.nz}])")
        feeds = {"z": z}
        k = len(self.card.classes)
        if class_mix is not None:
            if self.blend_problem:
                raise ModelError(self.blend_problem)
            w = np.ascontiguousarray(class_mix, dtype=np.float32)
            if w.shape != (len(z), k) or not np.isfinite(w).all():
                raise ModelError(f"class weights {w.shape} do not fit {self.path.name}: one row of {k} finite "
                                 "weights per latent")
            feeds |= {"class": np.zeros(len(z), np.int64), MIX_INPUT: w}  # the weights replace the ids
        elif k:
            if classes is None:
                raise ModelError(f"{self.path.name} is conditional: pass a class id per latent (0-{k - 1}: "
                                 f"{', '.join(self.card.classes)[:120]})")
            y = np.asarray(classes)
            if y.shape != (len(z),) or y.dtype.kind not in "iu" or (len(y) and (y.min() < 0 or y.max() >= k)):
                raise ModelError(f"classes {y.dtype} {y.shape} do not fit {self.path.name}: one id in 0-{k - 1} per "
                                 "latent")
            feeds["class"] = np.ascontiguousarray(y, dtype=np.int64)
        elif classes is not None:
            raise ModelError(f"{self.path.name} is not conditional (its card lists no classes); pass no classes")
        t = time.perf_counter()
        out = self._sess.run(["image"], feeds)[0]
        self.last_seconds = time.perf_counter() - t
        return out

    def score(self, images: np.ndarray, classes: np.ndarray | None = None) -> np.ndarray:
        """Discriminator logits [N] for uint8 images [N, H, W, C] of this model's size (higher = more convincing);
        a conditional critic also takes the class id [N] int64 each image was made for.

        Only for models exported with their critic (card.critic); generating never runs it.
        """
        if not self.card.critic:
            raise ModelError(f"{self.path.name}: has no critic (exported before assetgan 0.2 or without its "
                             "discriminator); re-export it from its checkpoint with `assetgan to-onnx`")
        c = self.card
        if images.ndim != 4 or images.shape[1:] != (c.size, c.size, c.channels) or images.dtype != np.uint8:
            raise ModelError(f"critic of {self.path.name} scores uint8 [N, {c.size}, {c.size}, {c.channels}] images, "
                             f"got {images.dtype} {images.shape}")
        feeds = {"z": np.zeros((1, self.nz), np.float32),  # the generator input is required; one latent is cheap
                 "critic.image": np.ascontiguousarray(images)}
        k = len(c.classes)
        if k:  # the generator's `class` input is required too: one id is cheap
            y = np.asarray(classes if classes is not None else [])
            if y.shape != (len(images),) or y.dtype.kind not in "iu" or (len(y) and (y.min() < 0 or y.max() >= k)):
                raise ModelError(f"critic of {self.path.name} is conditional: pass one class id in 0-{k - 1} per "
                                 "image")
            feeds |= {"class": np.zeros(1, np.int64), "critic.class": np.ascontiguousarray(y, dtype=np.int64)}
        elif classes is not None:
            raise ModelError(f"{self.path.name} is not conditional (its card lists no classes); pass no classes")
        return self._sess.run(["critic.score"], feeds)[0]

    def sampling(self, truncation: float | None = None, keep: float | None = None) -> tuple[float, float]:
        """(truncation psi, keep-best fraction): the given values, else the model card's defaults. The one place
        those defaults apply; user values are checked where they enter (CLI options, collection.validate)."""
        return (self.card.default_truncation if truncation is None else truncation,
                self.card.default_keep if keep is None else keep)

    def generate_chunks(self, keys: Iterable[K], latent: Callable[[K], np.ndarray], chunk: int = 64,
                        progress: Progress | None = None, classes: Callable[[K], int] | None = None,
                        class_mix: Callable[[K], np.ndarray] | None = None) -> Iterator[tuple[list[K], np.ndarray]]:
        """The one inference loop: yield (keys, images uint8 [n, H, W, C]) for up to `chunk` keys at a time, each
        key's z [nz] made by `latent(key)` (and, for a conditional model, its class id by `classes(key)` or its
        class weights [K] by `class_mix(key)`). Memory
        is bounded by `chunk` however many keys there are (a lazy iterable is never listed). With `progress`: (done,
        total, {"seconds"}) after each chunk, and no further chunk once it is aborted."""
        progress = progress or NullProgress()
        total = len(keys) if isinstance(keys, Sized) else None
        todo, done = iter(keys), 0
        progress.update(0, total)
        while not progress.aborted():
            part = list(itertools.islice(todo, chunk))
            if not part:
                break
            y = None if classes is None else np.array([classes(k) for k in part], np.int64)  # [n]
            w = None if class_mix is None else np.stack([class_mix(k) for k in part])  # [n, K]
            yield part, self.run(np.stack([latent(k) for k in part]), y, w)  # z [n, nz] -> images [n, H, W, C]
            done += len(part)
            progress.update(done, total, {"seconds": self.last_seconds})

    def generate_seeds(self, seeds: Sequence[int], truncation: float | None = None, chunk: int = 64) -> np.ndarray:
        """Images uint8 [N, H, W, C] for seeds >= 0; truncation (checked here) defaults to the model card's."""
        psi = check_truncation(self.sampling(truncation)[0])
        parts = [images for _, images in self.generate_chunks(seeds, lambda s: seed_latent(int(s), self.nz, psi),
                                                              chunk)]
        return np.concatenate(parts) if parts else np.zeros((0,), np.uint8)


def open_model(path: str | Path, providers: Sequence[str] | None = None) -> GeneratorModel:
    """Open an assetgan DCGAN model; refuses non-ONNX files, foreign ONNX and models of another kind."""
    path = Path(path)
    sess, used, note = open_session(path, providers)
    return GeneratorModel(path, read_card(path, sess, "dcgan"), used, note, sess)
