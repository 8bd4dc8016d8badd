"""The app's state holder: session, model, thumbnails and jobs; views subscribe to its signals."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from assetgan.core.errors import AssetganError
from assetgan.runtime.classes import item_class_problem
from assetgan.runtime.curate import candidate_count
from assetgan.runtime.latent import item_latent, latent_size_problem
from assetgan.runtime.model import GeneratorModel

from . import dialogs
from .batch import batch_class, generate_best, render_latents
from .class_choice import chosen_or_all, restore_choice
from .library import LibraryModel, resolved
from .pixmaps import ThumbStore
from .saver import BackgroundWriter
from .session import Session
from .settings import AppSettings
from .startup import Opened, new_session_for, open_session_with_model
from .workers import Job, JobContext, JobRunner


class AppController(QObject):
    """Owns what the views show. Errors become `alert` dialogs; the session is never left half-changed."""

    session_changed = Signal()  # another session object (new/open)
    items_changed = Signal()  # the session's items or settings changed (already saved)
    model_changed = Signal()
    library_changed = Signal()
    images_arrived = Signal(list)  # item names whose images are now in the store
    batch_started = Signal(list)  # item seeds of a new batch
    batch_progress = Signal(int, int)
    batch_finished = Signal(bool, str)  # cancelled, summary
    status = Signal(str)
    notes_changed = Signal(list)  # one-line notes on what could not be restored at launch, shown without a dialog
    save_failed = Signal(str)  # from the session writer thread
    explore_requested = Signal(str)  # item name
    stylize_requested = Signal(str)  # library name of a cyclegan model to use in the Stylize tab

    def __init__(self, window: QWidget | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.session: Session | None = None
        self.model: GeneratorModel | None = None
        self.library: list[LibraryModel] = []
        self.store = ThumbStore()
        self.runner = JobRunner(self)
        self.settings = AppSettings.load()
        self.batch_job: Job | None = None
        self.epoch = 0
        self.launch_notes: list[str] = list(self.settings.notes)  # shown with the first session's notes
        self.writer = BackgroundWriter(self.save_failed.emit)
        self.save_failed.connect(lambda msg: self.alert("Session not saved", msg))

    # ---- messages
    def alert(self, title: str, text: str) -> None:
        self.status.emit(text.splitlines()[0])
        dialogs.alert(self.window, title, text)

    def attempt(self, title: str, fn: Callable[[], object]) -> bool:
        """Run a session command; an AssetganError is shown and the session stays as it was."""
        try:
            fn()
            return True
        except AssetganError as exc:
            self.alert(title, str(exc))
            return False

    @property
    def batch_names(self) -> list[str]:
        """Names of the last generated batch (the Generate grid), kept in the session."""
        return self.session.batch if self.session is not None else []

    # ---- sessions and models
    def adopt(self, opened: Opened) -> None:
        """Show an opened session (from startup or File > Open) with its model."""
        if opened.library:
            self.library = opened.library
            self.library_changed.emit()
        self._set(opened.session, opened.model)
        notes, self.launch_notes = list(opened.messages) + opened.session.notes + self.launch_notes, []
        self.notes_changed.emit(notes)

    def _set(self, session: Session, model: GeneratorModel) -> None:
        self.cancel_batch()
        if self.session is not None:
            self.session.flush()
        session.writer = self.writer  # saves after each change happen on the writer thread
        self.session = session
        session.subscribe(lambda _s: self._finish_like_export())  # before the views hear of the change
        session.subscribe(lambda _s: self.items_changed.emit())
        self.settings.remember(session.path)
        self.epoch += 1  # results of jobs started for the previous session are dropped
        self.model = model
        self._restore_classes(session, model)
        self.store.clear()
        self.store.tiled = bool(self.model and self.model.card.tileable)
        self._finish_like_export()
        self.notes_changed.emit(list(session.notes))
        self.session_changed.emit()
        self.model_changed.emit()
        self.render_missing()

    def _restore_classes(self, session: Session, model: GeneratorModel) -> None:
        """Keep the session's Generate class choice to the model's classes; what it lacks is dropped with a note."""
        session.classes, note = restore_choice(session.classes, model.card.classes, model.path.name)
        if note:
            session.notes.append(note)

    def set_classes(self, names: list[str] | None) -> None:
        """The Generate tab's class choice (None: every class), remembered in the session."""
        if self.session is not None:
            self.attempt("Classes", lambda: self.session.set_classes(names))

    def _finish_like_export(self) -> None:
        """Thumbnails show what `assetgan export` writes for the session's scale, palette and alpha threshold."""
        s = self.session
        if s is not None and self.model is not None:
            problem = self.store.finish_like(s.collection.output, self.model, s.path.resolve().parent)
            if problem:
                self.status.emit(problem)

    def open_session(self, path: Path) -> bool:
        """File > Open: on any problem the current session stays open and the file is left untouched."""
        try:
            session, model = open_session_with_model(path)
        except AssetganError as exc:
            self.alert("Cannot open the session", f"{exc}\n\nThe current session stays open; {Path(path).name} "
                                                  "was not changed.")
            return False
        self._set(session, model)
        return True

    def new_session(self, m: LibraryModel | None = None, path: Path | None = None) -> bool:
        m = m or self.current_library_model()
        if m is None:
            self.alert("New session", "no usable model in the library; add a model first")
            return False
        try:
            session, model = new_session_for(m, path)
        except AssetganError as exc:
            self.alert("New session", str(exc))
            return False
        self._set(session, model)
        return True

    def save_as(self, path: Path) -> bool:
        if self.session is None:
            return False
        ok = self.attempt("Save As", lambda: self.session.save_as(path))
        if ok:
            self.settings.remember(Path(path))
            self.session_changed.emit()
        return ok

    def current_library_model(self) -> LibraryModel | None:
        if self.model is None:
            return None
        for m in self.library:
            if resolved(m.path) == resolved(self.model.path):
                return m
        return None

    def use_model(self, m: LibraryModel) -> bool:
        """Generate with `m`: an empty session switches model; a session with items starts a new one if the user
        agrees (the current one stays saved and listed under File > Recent sessions)."""
        if not m.usable:
            self.alert("Use model", f"{m.name}: {m.error or f'a {m.card.kind} model cannot generate from seeds'}")
            return False
        s = self.session
        if s is not None and s.items and self.model is not None and resolved(m.path) == resolved(self.model.path):
            return True  # already in use
        if s is not None and s.items and not dialogs.confirm(
                self.window, "Start a new session?",
                f"{s.path.name} holds {len(s.items)} items made with {s.collection.model.name}; a session uses one "
                f"model.\n\nStart a new session for {m.name}? {s.path.name} stays saved and is listed under "
                "File > Recent sessions."):
            self.status.emit(f"kept {s.path.name} with {s.collection.model.name}")
            return False
        if self.session is not None and not self.session.items:
            from assetgan.export.render import clean_settings
            from assetgan.runtime.model import open_model

            from .startup import model_ref

            try:
                model = open_model(m.path)
                self.session.set_model(model_ref(m), clean_settings(model.card, self.session.collection.output))
            except AssetganError as exc:
                self.alert("Use model", str(exc))
                return False
            self._set(self.session, model)
            return True
        return self.new_session(m)

    def set_library(self, models: list[LibraryModel]) -> None:
        self.library = models
        self.library_changed.emit()

    # ---- curating
    def curate(self, action: str, names: list[str]) -> None:
        """A grid action (shortcut or menu) on the selected items."""
        s = self.session
        if s is None or not names:
            return
        if action == "favourite":
            self.attempt("Favourite", lambda: s.toggle(names, "favourite"))
        elif action == "reject":
            self.attempt("Reject", lambda: s.toggle(names, "rejected"))
        elif action == "tag":
            tag = dialogs.text(self.window, "Tag", f"Tag for {len(names)} item(s):")
            if tag:
                self.attempt("Tag", lambda: s.add_tag(names, tag))
        elif action == "rename":
            new = dialogs.text(self.window, "Rename", "New name (it becomes the file name):", names[0])
            if new is not None:
                self.rename(names[0], new.strip())
        elif action == "remove":
            if self.attempt("Remove", lambda: s.remove(names)):
                self.status.emit(f"removed {len(names)} item(s) from the session; Undo puts them back")
        elif action == "explore":
            self.explore_requested.emit(names[0])

    def rename(self, old: str, new: str) -> bool:
        s = self.session
        if s is None or not self.attempt("Rename", lambda: s.rename(old, new)):
            return False
        self.store.rename(old, new)
        self.items_changed.emit()
        return True

    def clear_batch(self) -> list[str]:
        """Remove the last batch's uncurated items (undoable); returns their names."""
        s = self.session
        if s is None or self.batch_job is not None:
            return []
        removed: list[str] = []
        self.attempt("Clear batch", lambda: removed.extend(s.clear_batch()))
        self.status.emit(f"cleared {len(removed)} uncurated item(s) of the batch; Undo puts them back" if removed
                         else "nothing to clear: every item of the batch is marked, tagged or renamed")
        return removed

    # ---- undo
    def undo(self) -> bool:
        return self._step(undo=True)

    def redo(self) -> bool:
        return self._step(undo=False)

    def _step(self, undo: bool) -> bool:
        """Undo or redo one session command; it is saved like any change. Refused while a batch is generating."""
        s = self.session
        if s is None:
            return False
        if self.batch_job is not None:
            self.status.emit("wait for the batch to finish (or cancel it) before undoing")
            return False
        moved = None

        def go() -> None:
            nonlocal moved
            moved = s.undo() if undo else s.redo()

        if not self.attempt("Undo" if undo else "Redo", go) or moved is None:
            return False
        images = {old: self.store.images.pop(old) for old in moved.renamed if old in self.store.images}
        for old, img in images.items():
            self.store.put(moved.renamed[old], img)
        self.status.emit(f"{'undid' if undo else 'redid'}: {moved.label}")
        self.items_changed.emit()
        self.render_missing()
        return True

    # ---- generating
    def generate(self, count: int, seed: int, truncation: float, keep: float = 1.0) -> Job | None:
        """Start a batch of `count` seeds from `seed`; thumbnails arrive through `images_arrived`. A conditional model
        deals the session's chosen classes round robin (`assetgan generate --class A --class B`).

        keep < 1 first ranks count/keep candidates with the model's critic and keeps the best `count`."""
        if self.model is None or self.session is None:
            self.alert("Generate", "no model is open; pick one in the Library tab")
            return None
        if self.batch_job is not None:
            return None
        if not 1 <= count <= 4096:
            self.alert("Generate", f"count {count}: must be between 1 and 4096")
            return None
        if not self.attempt("Generate", lambda: self.session.update_settings(
                count=count, seed=seed, truncation=truncation)):
            return None
        if keep < 1.0 and not self.model.card.critic:
            self.alert("Generate", f"{self.model.path.name} has no critic to rank samples with; keep 100 %")
            return None
        classes = chosen_or_all(self.session.classes, self.model.card.classes)
        if self.model.card.classes and not classes:
            self.status.emit("choose at least one class to generate")
            return None
        seeds = list(range(seed, seed + candidate_count(count, keep)))
        model, session = self.model, self.session
        session.begin_batch()
        self.batch_started.emit(seeds)
        started = time.perf_counter()
        job = Job(lambda ctx: generate_best(model, seed, count, keep, truncation, ctx, ctx.emit, classes=classes),
                  "generate")
        epoch = self.epoch
        job.signals.progress.connect(self.batch_progress.emit)
        job.signals.error.connect(lambda msg: self.alert("Generate", msg))
        self.batch_job = job
        return self.runner.start(job, lambda chunk: epoch == self.epoch and self._batch_chunk(chunk, truncation,
                                                                                              model, seed, classes),
                                 lambda cancelled: self._batch_done(session, cancelled, started, seed, len(seeds)))

    def _batch_chunk(self, chunk: list[tuple[int, np.ndarray]], truncation: float, model: GeneratorModel,
                     start: int, classes: list[str]) -> None:
        if self.session is None:
            return
        seeds = [s for s, _ in chunk]
        try:
            items = self.session.add_seeds(seeds, truncation, batch=True,
                                           classes=[batch_class(model, start, s, classes) for s in seeds])
        except AssetganError as exc:
            self.alert("Generate", str(exc))
            if self.batch_job is not None:
                self.batch_job.cancel()
            return
        for it, (_s, img) in zip(items, chunk):
            self.store.put(it.name, img)
        self.images_arrived.emit([it.name for it in items])
        if self.model is not None:
            self.status.emit(f"last inference {self.model.last_seconds * 1000:.0f} ms")

    def _batch_done(self, session: Session, cancelled: bool, started: float, seed: int, count: int) -> None:
        self.batch_job = None
        n = len(session.batch)
        session.end_batch(f"Generate {n} item{'s' if n != 1 else ''}")
        secs = time.perf_counter() - started
        summary = f"{'cancelled after ' if cancelled else ''}{n} images in {secs:.1f} s"
        if self.session is not None and not cancelled:
            self.attempt("Generate", lambda: self.session.update_settings(seed=seed + count))
        self.batch_finished.emit(cancelled, summary)
        self.status.emit(summary)

    def cancel_batch(self) -> None:
        if self.batch_job is not None:
            self.batch_job.cancel()

    # ---- images of a reopened session
    def render_missing(self) -> Job | None:
        """Render every session item without an image (after opening), in the background."""
        if self.model is None or self.session is None:
            return None
        model, nz = self.model, self.model.nz
        known = model.card.classes
        ids = {c: i for i, c in enumerate(known)}
        keys, zs, classes = [], [], []
        for it in self.session.items:
            if it.name in self.store.images:
                continue
            problem = latent_size_problem(it, nz) or item_class_problem(it.name, it.class_name, known,
                                                                         model.path.name)
            if problem:
                self.status.emit(problem)
                continue
            zs.append(item_latent(it, nz, self.session.collection.output.truncation))
            keys.append(it.name)
            classes.append(ids.get(it.class_name, 0))
        if not keys:
            return None
        z = np.stack(zs)
        y = classes if known else None  # a class id per key of a conditional model

        def work(ctx: JobContext) -> int:
            return render_latents(model, keys, z, ctx, ctx.emit, classes=y)

        job = Job(work, "render")
        epoch = self.epoch
        job.signals.error.connect(lambda msg: self.alert("Render", msg))
        return self.runner.start(job, lambda chunk: epoch == self.epoch and self._rendered(chunk))

    def _rendered(self, chunk: list[tuple[str, np.ndarray]]) -> None:
        for name, img in chunk:
            self.store.put(name, img)
        self.images_arrived.emit([n for n, _ in chunk])
