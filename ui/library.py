"""The model library: shipped and user models with their cards; adding a model copies it in atomically. No Qt."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from assetgan.core.atomic import atomic_write_with
from assetgan.core.errors import AssetganError, ModelError
from assetgan.runtime.card import ModelCard
from assetgan.runtime.registry import DEFAULT_MODEL, list_models, shipped_dir, user_dir

from .card_words import data_label


@dataclass(frozen=True)
class LibraryModel:
    """One model file as the library shows it; `error` says why its card could not be read."""

    name: str
    path: Path
    origin: str  # "shipped" or "user"
    card: ModelCard | None = None
    error: str = ""

    @property
    def problem(self) -> str:
        """`error` without the file path it starts with, for short labels."""
        return self.error.removeprefix(f"{self.path}: ")

    @property
    def usable(self) -> bool:
        """Can the Generate tab use it (a readable DCGAN card)?"""
        return self.card is not None and self.card.kind == "dcgan"

    @property
    def stylable(self) -> bool:
        """Can the Stylize tab use it (a readable CycleGAN card)?"""
        return self.card is not None and self.card.kind == "cyclegan"


def read_model_card(path: Path) -> ModelCard:
    """The card of an assetgan ONNX file; ModelError (one line) for anything else."""
    from assetgan.runtime.model import read_card

    path = Path(path)
    if path.suffix.lower() != ".onnx":
        raise ModelError(f"{path.name}: not an assetgan model (expected an .onnx file exported by assetgan)")
    return read_card(path)


def scan(read_cards: bool = True) -> list[LibraryModel]:
    """Every shipped and user model, shipped first; user models shadowed by a shipped name are left out."""
    out: list[LibraryModel] = []
    seen: set[str] = set()
    for e in list_models():
        if e.name in seen:
            continue
        seen.add(e.name)
        card, error = None, ""
        if read_cards:
            try:
                card = read_model_card(e.path)
                card.summary(), card_rows(card)  # a card the library cannot show is as bad as none
            except Exception as exc:  # one bad model is marked as such; the ones after it are still listed
                text = describe(exc)
                card, error = None, text if e.path.name in text else f"{e.path}: {text}"
        out.append(LibraryModel(e.name, e.path, e.origin, card, error))
    return out


def describe(exc: BaseException, limit: int = 300) -> str:
    """An exception as one line for people; the type is named when it is not one of assetgan's own errors."""
    text = (str(exc).splitlines() or [""])[0].strip()
    if not isinstance(exc, AssetganError):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def resolved(path: Path) -> Path:
    """`path.resolve()`, or the absolute path where it cannot be resolved (a symlink loop)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def default_model(models: list[LibraryModel]) -> LibraryModel | None:
    """The shipped default if usable, else the first usable model."""
    usable = [m for m in models if m.usable]
    for m in usable:
        if m.name == DEFAULT_MODEL:
            return m
    return usable[0] if usable else None


def add_model(path: Path) -> LibraryModel:
    """Check that `path` is an assetgan model, then copy it into the user model folder atomically.

    The copy (not a remembered path) keeps the library working when the original is moved or deleted, and
    makes the model usable by name from `assetgan generate` and `assetgan export`.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: no such file; pick an .onnx model file")
    card = read_model_card(path)
    name = path.stem
    if (shipped_dir() / f"{name}.onnx").exists():
        raise ModelError(f"{path.name}: a shipped model already has the name '{name}'; rename the file and add it "
                         "again")
    folder = user_dir()
    target = folder / f"{name}.onnx"
    if target.exists():
        if _same_bytes(target, path):
            return LibraryModel(name, target, "user", card)
        raise ModelError(f"{path.name}: a different user model named '{name}' is already in {folder}; rename the "
                         "file and add it again")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(path, "rb") as src:
            atomic_write_with(target, lambda fh: shutil.copyfileobj(src, fh, 1 << 20))
    except OSError as exc:
        raise ModelError(f"{folder}: cannot copy the model there ({exc.strerror}); set ASSETGAN_MODELS to a "
                         "writable folder") from None
    return LibraryModel(name, target, "user", card)


def card_rows(card: ModelCard) -> list[tuple[str, str]]:
    """The card as (label, value) rows for a form: kind, size, channels, tileable, data by name and licence, …"""
    if card.kind == "cyclegan":
        a, b = (list(card.domains) + ["a", "b"])[:2]
        both = len(card.translations) == 2
        rows = [("kind", "cyclegan (style transfer, both directions)" if both else "cut (style transfer, one way)"),
                ("domains", f"{a} ↔ {b}" if both else f"{a} → {b}" if card.translations == ["a2b"] else f"{b} → {a}"),
                ("input size", f"any (trained on {card.size} x {card.size} px crops)")]
    else:
        rows = [("kind", card.kind), ("size", f"{card.size} x {card.size} px"),
                ("channels", "4 (RGBA)" if card.channels == 4 else f"{card.channels} (RGB)"),
                ("tileable", "yes" if card.tileable else "no"), ("latent size", str(card.nz))]
    rows += [("trained on", data_label(card)), ("training steps", str(card.steps))]
    if card.kind == "dcgan":
        rows += [("default truncation", f"{card.default_truncation:g}"),
                 ("palette", f"{len(card.palette)} colours" if card.palette else "none"),
                 ("critic (keep best)", f"yes, default keep {card.default_keep:.0%}" if card.critic else "no")]
    rows += quality_rows(card)
    rows.append(("assetgan version", card.assetgan_version or "unknown"))
    if card.notes:
        rows.append(("notes", card.notes))
    return rows


QUALITY_LABELS = {"swd_x1e3": "SWD x1e3", "swd_floor_real_vs_real": "SWD floor (real vs real)",
                  "c2st_accuracy": "C2ST accuracy (0.5 ideal)", "nn_ratio_generated_heldout": "memorisation ratio",
                  "wrap_seam_generated": "wrap seam", "style_distance": "style distance",
                  "content_ssim_luma": "content SSIM"}


def quality_rows(card: ModelCard) -> list[tuple[str, str]]:
    """Figures `assetgan evaluate --record` stored in the card, with the date they were measured."""
    rec = card.metrics.get("evaluate") if isinstance(card.metrics, dict) else None
    if not isinstance(rec, dict) or not isinstance(rec.get("figures"), dict):
        return []
    rows = [(label, f"{rec['figures'][k]:.3g}") for k, label in QUALITY_LABELS.items()
            if isinstance(rec["figures"].get(k), (int, float))]
    if rows:
        rows.append(("measured", f"{rec.get('measured', '?')}, {rec.get('n_generated', '?')} samples"))
    return rows


def _same_bytes(a: Path, b: Path) -> bool:
    from assetgan.runtime.model import file_sha256

    return a.stat().st_size == b.stat().st_size and file_sha256(a) == file_sha256(b)
