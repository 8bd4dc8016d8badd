"""The main window: tabs, File menu, drag-and-drop of models and collections, status bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QSizePolicy, QTabWidget, QWidget

from assetgan.core.errors import AssetganError

from . import dialogs
from .controller import AppController
from .curate_tab import CurateTab
from .explore_tab import ExploreTab
from .generate_tab import GenerateTab
from .library_tab import LibraryTab
from .startup import Opened
from .stylize_tab import StylizeTab
from .train_tab import TrainTab

TABS = ("library", "generate", "curate", "explore", "stylize", "train")


class MainWindow(QMainWindow):
    """Thin: every command goes to the AppController; the window only wires views to it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("assetgan")
        self.resize(1100, 720)
        self.setAcceptDrops(True)
        self.ctl = AppController(self)
        self.tabs = QTabWidget()
        self.library_tab = LibraryTab(self.ctl, self.add_model_dialog)
        self.generate_tab = GenerateTab(self.ctl)
        self.curate_tab = CurateTab(self.ctl)
        self.explore_tab = ExploreTab(self.ctl)
        self.stylize_tab = StylizeTab(self.ctl)
        self.train_tab = TrainTab(self.ctl)
        for tab, title in ((self.library_tab, "Library"), (self.generate_tab, "Generate"),
                           (self.curate_tab, "Curate"), (self.explore_tab, "Explore"), (self.stylize_tab, "Stylize"),
                           (self.train_tab, "Train")):
            self.tabs.addTab(tab, title)
        self.setCentralWidget(self.tabs)
        self.provider = QLabel("loading models…")
        self.timing = QLabel("")
        self.note = QLabel("")  # startup notes: stays until the next session; messages cover it for a while
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.note.setVisible(False)
        self.statusBar().addWidget(self.note, 1)
        self.statusBar().addPermanentWidget(self.timing)
        self.statusBar().addPermanentWidget(self.provider)
        self._menus()
        self.ctl.status.connect(self._status)
        self.ctl.notes_changed.connect(self._notes)
        self.ctl.model_changed.connect(self._model)
        self.ctl.session_changed.connect(self._title)
        self.ctl.explore_requested.connect(lambda _n: self.tabs.setCurrentWidget(self.explore_tab))
        self.ctl.stylize_requested.connect(self._stylize_with)
        self.stylize_tab.model_changed.connect(self._model)
        self.tabs.currentChanged.connect(lambda _i: self._model())

    def _menus(self) -> None:
        file = self.menuBar().addMenu("&File")
        for title, keys, slot in (("&New session", QKeySequence.StandardKey.New, self.new_session),
                                  ("&Open session…", QKeySequence.StandardKey.Open, self.open_dialog),
                                  ("Save session &As…", QKeySequence.StandardKey.SaveAs, self.save_as_dialog),
                                  ("Add &model…", None, self.add_model_dialog),
                                  ("&Export…", QKeySequence("Ctrl+E"), self.export_dialog),
                                  ("&Quit", QKeySequence.StandardKey.Quit, self.close)):
            act = QAction(title, self)
            if keys is not None:
                act.setShortcut(keys)
            act.triggered.connect(slot)
            file.addAction(act)

    # ---- status
    def _status(self, text: str) -> None:
        if text.startswith("last inference"):
            self.timing.setText(text)
        else:
            self.statusBar().showMessage(text, 8000)

    def _notes(self, notes: list[str]) -> None:
        """The first note in the status bar, every note in its tooltip; no dialog holds up the launch."""
        more = f"  (+{len(notes) - 1} more: hover here)" if len(notes) > 1 else ""
        self.note.setText(f"⚠ {notes[0]}{more}" if notes else "")
        self.note.setToolTip("\n".join(notes))
        self.note.setVisible(bool(notes))
        if notes:
            self.statusBar().clearMessage()

    def _model(self) -> None:
        """The provider of the model the current tab uses: the style model on Stylize, else the generator."""
        on_stylize = self.tabs.currentWidget() is self.stylize_tab
        m = self.stylize_tab.model if on_stylize else self.ctl.model
        if m is None:
            self.provider.setText("no style model" if on_stylize else "no model")
            return
        self.provider.setText(f"ONNX Runtime: {m.device}" + (f" ⚠ {m.provider_note}" if m.provider_note else ""))
        self.provider.setToolTip(m.provider_note or f"{m.provider} in use")
        if m.last_seconds:
            self.timing.setText(f"last inference {m.last_seconds * 1000:.0f} ms")

    def _stylize_with(self, name: str) -> None:
        self.stylize_tab.select_model(name)
        self.tabs.setCurrentWidget(self.stylize_tab)

    def _title(self) -> None:
        s = self.ctl.session
        self.setWindowTitle(f"assetgan — {s.path.name}" if s else "assetgan")
        if s is not None:
            self.statusBar().showMessage(f"session {s.path} (saved after every change)", 8000)

    def adopt(self, opened: Opened) -> None:
        self.ctl.adopt(opened)

    # ---- files
    def new_session(self) -> None:
        m = self.library_tab.selected()
        self.ctl.new_session(m if m is not None and m.usable else None)

    def open_dialog(self) -> None:
        p = dialogs.open_file(self, "Open session", "assetgan collections (*.json);;All files (*)")
        if p is not None:
            self.ctl.open_session(p)

    def save_as_dialog(self) -> None:
        p = dialogs.save_file(self, "Save session as", "assetgan collections (*.json)")
        if p is not None:
            self.ctl.save_as(p if p.suffix else p.with_suffix(".json"))

    def add_model_dialog(self) -> None:
        p = dialogs.open_file(self, "Add model", "assetgan models (*.onnx);;All files (*)")
        if p is not None:
            self.add_model(p)

    def add_model(self, path: Path) -> bool:
        """Copy an assetgan model into the user folder and list it; anything else is refused with a dialog."""
        from .library import add_model, scan

        try:
            m = add_model(path)
        except AssetganError as exc:
            self.ctl.alert("Not an assetgan model", f"{exc}\n\nThe library is unchanged.")
            return False
        self.ctl.set_library(scan())
        self.library_tab.select_name(m.name)
        self.tabs.setCurrentWidget(self.library_tab)
        self.ctl.status.emit(f"added {m.name} to the library ({m.path})")
        return True

    def export_dialog(self) -> None:
        from .export_dialog import ExportDialog

        if self.ctl.session is None:
            return
        ExportDialog(self.ctl, self).exec()

    # ---- drag and drop
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        event.acceptProposedAction()
        self.open_paths(paths)

    def open_paths(self, paths: list[Path]) -> None:
        """Dropped files: .onnx models are added, a .json collection is opened; on the Stylize tab images and
        folders become its inputs; anything else is refused."""
        if self.tabs.currentWidget() is self.stylize_tab:
            inputs = [p for p in paths if p.suffix.lower() not in (".onnx", ".json")]
            if inputs:
                self.stylize_tab.add_inputs(inputs)
            paths = [p for p in paths if p not in inputs]
        for p in paths:
            if p.suffix.lower() == ".onnx":
                self.add_model(p)
            elif p.suffix.lower() == ".json":
                self.ctl.open_session(p)
            else:
                self.ctl.alert("Cannot use this file", f"{p.name}: not an assetgan model (.onnx) or collection "
                                                       "(.json); drop a model to add it to the library or a "
                                                       "collection to open it. Nothing was changed.")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.ctl.runner.cancel_all()
        self.ctl.runner.wait(3000)
        self.ctl.writer.flush()
        super().closeEvent(event)


def current_tab_name(window: MainWindow) -> str:
    return TABS[window.tabs.currentIndex()]
