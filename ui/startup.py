"""Opening sessions and their models, including every way that can fail, as plain functions. No Qt."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assetgan.collection import ModelRef
from assetgan.errors import AssetganError
from assetgan.export import resolve_collection_model
from assetgan.runtime.model import GeneratorModel, file_sha256, open_model

from .library import LibraryModel, default_model, scan
from .session import Session
from .settings import AppSettings, new_session_path


@dataclass
class Opened:
    """A session ready to use, its model (None if it could not be opened) and messages for the user."""

    session: Session
    model: GeneratorModel | None
    messages: list[str] = field(default_factory=list)
    library: list[LibraryModel] = field(default_factory=list)


def model_ref(m: LibraryModel) -> ModelRef:
    return ModelRef(m.name, file_sha256(m.path), str(m.path.resolve()))


def open_session_with_model(path: Path) -> tuple[Session, GeneratorModel]:
    """Read a collection file and open the model it names (sha256-checked). Raises AssetganError; never writes."""
    session = Session.open(path)
    model = resolve_collection_model(session.collection, session.path.resolve().parent)
    return session, model


def new_session_for(m: LibraryModel, path: Path | None = None) -> tuple[Session, GeneratorModel]:
    """A fresh, saved session for library model `m`, and the opened model."""
    model = open_model(m.path)
    session = Session.new(path or new_session_path(), model_ref(m), name=m.name)
    return session, model


def restore(settings: AppSettings) -> Opened:
    """What the app shows at launch: the last session if it still opens, else a new one (saying why)."""
    library = scan()
    messages: list[str] = []
    bad = [m for m in library if m.error]
    messages += [f"Model skipped: {m.error}" for m in bad]
    last = Path(settings.last_session) if settings.last_session else None
    if last is not None:
        if last.is_file():
            try:
                session, model = open_session_with_model(last)
                return Opened(session, model, messages, library)
            except AssetganError as exc:
                messages.append(f"The last session could not be reopened: {exc}")
        else:
            messages.append(f"The last session {last} no longer exists.")
    m = default_model(library)
    if m is None:
        raise AssetganError("no usable generator model found; reinstall assetgan or add a model to "
                            "~/.local/share/assetgan/models")
    session, model = new_session_for(m)
    if last is not None:
        messages.append(f"Started a new session: {session.path} (the old file was not changed).")
    return Opened(session, model, messages, library)
