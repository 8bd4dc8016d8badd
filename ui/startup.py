"""Opening sessions and their models, including every way that can fail, as plain functions. No Qt."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assetgan.core.errors import AssetganError
from assetgan.export.collection import ModelRef
from assetgan.export.render import clean_settings, resolve_collection_model
from assetgan.runtime.model import GeneratorModel, file_sha256, open_model

from .library import LibraryModel, default_model, describe, scan
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
    session = Session.new(path or new_session_path(), model_ref(m), name=m.name, output=clean_settings(model.card))
    return session, model


def restore(settings: AppSettings) -> Opened:
    """What the app shows at launch: the last session if it still opens, else a new one, with one-line notes
    (the last session's first, then each model the library cannot use). The last session file is never written."""
    library = scan()
    notes = [f"Model {m.name} is not usable: {m.problem}" for m in library if m.error]
    last = Path(settings.last_session) if settings.last_session else None
    problem = ""
    if last is not None:
        try:
            if last.is_file():
                session, model = open_session_with_model(last)
                return Opened(session, model, notes, library)
            problem = "no longer exists"
        except Exception as exc:  # whatever the file holds, the app starts with a fresh session
            problem = f"could not be reopened ({describe(exc)}); the old file was not changed"
    m = default_model(library)
    if m is None:
        raise AssetganError("no usable generator model found; reinstall assetgan or add a model to "
                            "~/.local/share/assetgan/models")
    session, model = new_session_for(m)
    if last is not None:
        notes.insert(0, f"The last session {last} {problem}; started a new session, {session.path}.")
    return Opened(session, model, notes, library)
