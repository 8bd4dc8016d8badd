"""The main window: tabs, File/Edit/View/Help menus, the preview dock, drag-and-drop of models and collections,
status bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QSizePolicy, QTabWidget, QWidget

from assetgan.core.errors import AssetganError

from . import dialogs
from .controller import AppController
from .curate_tab import CurateTab
from .elided_label import ElidedLabel
from .explore_tab import ExploreTab
from .file_drop import FileDrop
from .generate_tab import GenerateTab
from .item_grid import LABELS, ItemGrid, clamp_zoom
from .library_tab import LibraryTab
from .preview import PreviewPanel
from .startup import Opened
from .stylize_tab import StylizeTab
from .train_tab import TrainTab

TABS = ("library", "generate", "curate", "explore", "stylize", "train")


class MainWindow(FileDrop, QMainWindow):
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
        self.preview = PreviewPanel()
        self.preview_dock = QDockWidget("Preview", self)
        self.preview_dock.setObjectName("preview")
        self.preview_dock.setWidget(self.preview)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.preview_dock)
        self.resizeDocks([self.preview_dock], [260], Qt.Orientation.Horizontal)
        # status bar: each label elides (full text in its tooltip) rather than overlap its neighbours
        self.provider = ElidedLabel("loading models…", Qt.TextElideMode.ElideMiddle)
        self.timing = ElidedLabel("")
        self.note = ElidedLabel("")  # startup notes: stays until the next session; messages cover it for a while
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.provider.setMaximumWidth(420)
        self.note.setVisible(False)
        self.statusBar().addWidget(self.note, 1)
        self.statusBar().addPermanentWidget(self.timing)
        self.statusBar().addPermanentWidget(self.provider)
        self._menus()
        for grid in self.grids():
            grid.zoom_requested.connect(self.set_zoom)
            grid.itemSelectionChanged.connect(self._preview)
            grid.set_zoom(self.ctl.settings.zoom)
        self.ctl.items_changed.connect(self._after_change)
        self.ctl.session_changed.connect(self._after_change)
        self.ctl.images_arrived.connect(lambda _n: self._preview())
        self.ctl.batch_started.connect(lambda _s: self._update_edit())
        self.ctl.batch_finished.connect(lambda _c, _t: self._update_edit())
        self.tabs.currentChanged.connect(lambda _i: self._after_change())
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
        self.recent_menu = QMenu("&Recent sessions", self)
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        file.insertMenu(file.actions()[2], self.recent_menu)
        self._edit_menu()
        self._view_menu()
        self._help_menu()

    def _edit_menu(self) -> None:
        edit = self.menuBar().addMenu("&Edit")
        self.undo_action = QAction("&Undo", self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(self.ctl.undo)
        self.redo_action = QAction("&Redo", self)
        self.redo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Shift+Z")])
        self.redo_action.triggered.connect(self.ctl.redo)
        edit.addActions([self.undo_action, self.redo_action])
        edit.addSeparator()
        # the grids own these keys; the menu shows them ("\t") and applies them to the current tab's grid
        self.item_actions: dict[str, QAction] = {}
        keys = {"favourite": "F", "reject": "X", "tag": "T", "rename": "F2", "remove": "Shift+Del", "explore": "E"}
        for name, key in keys.items():
            act = edit.addAction(f"{LABELS[name]}\t{key}")
            act.triggered.connect(lambda _c=False, n=name: self._fire(n))
            self.item_actions[name] = act
        edit.addSeparator()
        self.clear_batch_action = edit.addAction("&Clear batch (uncurated items)")
        self.clear_batch_action.triggered.connect(self.ctl.clear_batch)
        self._update_edit()

    def _view_menu(self) -> None:
        view = self.menuBar().addMenu("&View")
        for title, keys, slot in (("Zoom &in", [QKeySequence.StandardKey.ZoomIn, "Ctrl+="], self.zoom_in),
                                  ("Zoom &out", [QKeySequence.StandardKey.ZoomOut], self.zoom_out),
                                  ("&Reset zoom", ["Ctrl+0"], self.reset_zoom)):
            act = view.addAction(title)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.triggered.connect(slot)
        view.addSeparator()
        show = self.preview_dock.toggleViewAction()
        show.setText("&Preview of the selected item")
        view.addAction(show)

    def _help_menu(self) -> None:
        help_ = self.menuBar().addMenu("&Help")
        act = help_.addAction("&Keyboard shortcuts")
        act.setShortcut(QKeySequence.StandardKey.HelpContents)
        act.triggered.connect(self.show_shortcuts)
        help_.addAction("&About assetgan").triggered.connect(self.show_about)

    # ---- recent sessions
    def fill_recent(self) -> None:
        """Rebuild File > Recent sessions: most recent first; missing files shown disabled, the open one marked."""
        self.recent_menu.clear()
        current = self.ctl.session.path.resolve() if self.ctl.session else None
        for i, text in enumerate(self.ctl.settings.recent, start=1):
            p = Path(text)
            missing = not p.is_file()
            act = self.recent_menu.addAction(f"&{i} {p.name}" + (" (missing)" if missing else "")
                                             + (" (open)" if current == p else ""))
            act.setToolTip(text)
            act.setStatusTip(text)
            act.setEnabled(not missing and current != p)
            act.triggered.connect(lambda _c=False, path=p: self.ctl.open_session(path))
        if not self.ctl.settings.recent:
            self.recent_menu.addAction("(none yet)").setEnabled(False)
        self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction("Clear list")
        clear.triggered.connect(self.clear_recent)

    def clear_recent(self) -> None:
        self.ctl.settings.recent = []
        self.ctl.settings.save()

    # ---- edit
    def grids(self) -> list[ItemGrid]:
        return [self.generate_tab.grid, self.curate_tab.grid]

    def current_grid(self) -> ItemGrid | None:
        tab = self.tabs.currentWidget()
        return tab.grid if tab in (self.generate_tab, self.curate_tab) else None

    def _fire(self, name: str) -> None:
        grid = self.current_grid()
        if grid is not None:
            grid.fire(name)

    def _after_change(self) -> None:
        self._update_edit()
        self._preview()

    def _update_edit(self) -> None:
        """Undo/Redo name what they would do; nothing is undone while a batch is being generated."""
        s, busy = self.ctl.session, self.ctl.batch_job is not None
        for act, label, title in ((self.undo_action, s and s.history.undo_label(), "&Undo"),
                                  (self.redo_action, s and s.history.redo_label(), "&Redo")):
            act.setText(f"{title} {label}" if label else title)
            act.setEnabled(bool(label) and not busy)
        has_grid = self.current_grid() is not None
        for act in self.item_actions.values():
            act.setEnabled(has_grid)
        self.clear_batch_action.setEnabled(bool(s and s.batch) and not busy)

    # ---- zoom and preview
    def set_zoom(self, k: int) -> None:
        """Both grids at `k` screen pixels per image pixel (1..16; 0: fit the thumbnail size); remembered."""
        for grid in self.grids():
            grid.set_zoom(k)
        self.ctl.settings.zoom = clamp_zoom(k) if k else 0
        self.ctl.settings.save()
        self.ctl.status.emit(f"zoom {self.generate_tab.grid.zoom}x")

    def zoom_in(self) -> None:
        self.set_zoom(clamp_zoom((self.current_grid() or self.generate_tab.grid).zoom + 1))

    def zoom_out(self) -> None:
        self.set_zoom(clamp_zoom((self.current_grid() or self.generate_tab.grid).zoom - 1))

    def reset_zoom(self) -> None:
        self.set_zoom(0)

    def _preview(self) -> None:
        """Show the current item of the current tab's grid in the preview dock."""
        grid, s = self.current_grid(), self.ctl.session
        names = grid.selected_names() if grid is not None else []
        cur = grid.currentItem() if grid is not None else None
        name = cur.data(Qt.ItemDataRole.UserRole) if cur is not None and cur.isSelected() else None
        name = name or (names[0] if names else None)
        it = s.item(name) if s is not None and name in s.names() else None
        self.preview.show_item(grid, it)

    # ---- help
    def show_shortcuts(self) -> None:
        from .help_dialog import ShortcutsDialog, shortcut_rows

        actions = [a for m in self.menuBar().actions() if m.menu() for a in m.menu().actions()]
        self.shortcuts_dialog = ShortcutsDialog(shortcut_rows(actions), self)
        self.shortcuts_dialog.show()

    def show_about(self) -> None:
        from .help_dialog import about_text

        m = self.ctl.model
        provider = f"{m.provider} ({m.device})" if m is not None else "no model open"
        dialogs.inform(self, "About assetgan", about_text(provider))

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
    def dropped(self, paths: list[Path]) -> None:
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
        self.stylize_tab.remember()
        self.ctl.runner.cancel_all()
        self.ctl.runner.wait(3000)
        self.ctl.writer.flush()
        super().closeEvent(event)


def current_tab_name(window: MainWindow) -> str:
    return TABS[window.tabs.currentIndex()]
