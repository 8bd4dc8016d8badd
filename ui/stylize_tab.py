"""Stylize tab: inputs (files, folders, drops), the before/after preview of the result, batch with Cancel.

Files are read, stylized and written by `assetgan.runtime.stylize_io`, the code of `assetgan stylize`; the preview
shows the same result at full resolution (after a quick downscaled one), with zoom down to the file's pixels.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from assetgan.core.errors import AssetganError
from assetgan.data.imageio import IMAGE_SUFFIXES
from assetgan.runtime.pixel_grid import PixelArtMode
from assetgan.runtime.stylize import StyleModel, open_style_model
from assetgan.runtime.stylize_io import StylizeJob, StylizeReport

from . import dialogs
from . import stylize_logic as logic
from .controller import AppController
from .file_drop import FileDrop
from .library import LibraryModel
from .settings import StylizeState
from .stylize_preview import PreviewPane
from .stylize_results import ResultButtons
from .workers import Job

IMAGE_FILTER = f"Images ({' '.join('*' + s for s in sorted(IMAGE_SUFFIXES))});;All files (*)"


class StylizeTab(FileDrop, QWidget):
    """Model, direction and inputs on the left; the split preview with its strength slider on the right."""

    model_changed = Signal()  # the style model in use changed (the status bar shows its provider)

    def __init__(self, ctl: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctl = ctl
        self.setAcceptDrops(True)
        self.models: list[LibraryModel] = []
        self.model: StyleModel | None = None
        self.files: list[Path] = []
        self.batch_job: Job | None = None
        self.report: StylizeReport | None = None
        self._model_epoch = 0
        self._build()
        ctl.library_changed.connect(self.refresh_models)
        ctl.launch_notes += self._restore(ctl.settings.stylize)
        self._save_timer = QTimer(self, singleShot=True, interval=500)  # one settings write per burst of changes
        self._save_timer.timeout.connect(self.remember)
        for sig in (self.list.model().rowsInserted, self.list.model().rowsRemoved, self.strength.valueChanged,
                    self.out.textChanged, self.into.toggled, self.pixel_art.currentIndexChanged):
            sig.connect(lambda *_a: self._save_timer.start())

    # the preview pane's state, under the names the tab has always had
    @property
    def preview(self) -> logic.Preview | None:
        return self.pane.preview

    @property
    def after_img(self):  # noqa: ANN201 (uint8 [h, w, 3] or None)
        return self.pane.after_img

    @property
    def cache(self) -> logic.PreviewCache:
        return self.pane.cache

    @property
    def unreadable(self) -> dict[Path, str]:
        return self.pane.unreadable

    # ---- layout
    def _build(self) -> None:
        self.model_box = QComboBox()
        self.model_box.currentIndexChanged.connect(lambda _i: self._pick_model())
        self.direction = QComboBox()
        self.direction.currentIndexChanged.connect(lambda _i: self._options_changed())
        self.pixel_art = QComboBox()
        for mode, label in logic.PIXEL_ART_CHOICES:
            self.pixel_art.addItem(label, mode)
        self.pixel_art.setToolTip("auto: an image made of k x k blocks of one colour (pixel art shown k times larger) "
                                  "is stylized near its native size and scaled back, keeping its grid; on: trust a "
                                  "grid on less evidence; off: always at full resolution (assetgan stylize "
                                  "--pixel-art)")
        self.pixel_art.currentIndexChanged.connect(lambda _i: self._options_changed())
        self.hint = QLabel(logic.NO_MODEL_HINT)
        self.hint.setWordWrap(True)
        self.hint.setVisible(False)
        self.list = QListWidget()
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.list.currentRowChanged.connect(lambda _r: self.request_preview())
        open_files = QPushButton("Open files…")
        open_files.clicked.connect(self.open_files)
        open_folder = QPushButton("Open folder…")
        open_folder.clicked.connect(self.open_folder)
        remove = QPushButton("Remove")
        remove.clicked.connect(self._remove_selected)
        self.beside = QRadioButton("Beside the originals")
        self.into = QRadioButton("Into folder")
        self.beside.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.beside)
        group.addButton(self.into)
        self.out = QLineEdit()
        self.out.setPlaceholderText("output folder")
        self.out.textEdited.connect(lambda _t: self.into.setChecked(True))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.names = QLabel()
        self.names.setEnabled(False)
        self.stylize_button = QPushButton("Stylize all")
        self.stylize_button.setDefault(True)
        self.stylize_button.clicked.connect(self.stylize_all)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.saved = ResultButtons(self.selected_file)
        self.saved.status.connect(self.ctl.status.emit)
        self.command = QLineEdit()
        self.command.setReadOnly(True)
        self.command.setStyleSheet("font-family: monospace;")
        self.command.setToolTip("The `assetgan stylize` command that writes the same files")
        self.pane = PreviewPane(self.ctl.runner)
        self.view, self.zoom, self.strength, self.strength_label, self.info = (
            self.pane.view, self.pane.zoom, self.pane.strength, self.pane.strength_label, self.pane.info)
        self.view.set_message("Open files or a folder, or drop screenshots here, to see them before and after.")
        self.pane.strength_changed.connect(lambda _v: self._update_command())
        self.pane.failed.connect(self._preview_failed)
        self.pane.status.connect(self.ctl.status.emit)
        for w in (self.beside, self.into):
            w.toggled.connect(lambda _c: self._update_command())
        self.out.textChanged.connect(lambda _t: self._update_command())

        left = QVBoxLayout()
        top = QHBoxLayout()
        top.addWidget(QLabel("Model"))
        top.addWidget(self.model_box, 1)
        left.addLayout(top)
        drow = QHBoxLayout()
        drow.addWidget(QLabel("Direction"))
        drow.addWidget(self.direction, 1)
        left.addLayout(drow)
        prow = QHBoxLayout()
        prow.addWidget(QLabel("Pixel art"))
        prow.addWidget(self.pixel_art, 1)
        left.addLayout(prow)
        left.addWidget(self.hint)
        left.addWidget(self.list, 1)
        brow = QHBoxLayout()
        for b in (open_files, open_folder, remove):
            brow.addWidget(b)
        left.addLayout(brow)
        outbox = QGroupBox("Save results")
        ol = QVBoxLayout(outbox)
        ol.addWidget(self.beside)
        frow = QHBoxLayout()
        frow.addWidget(self.into)
        frow.addWidget(self.out, 1)
        frow.addWidget(browse)
        ol.addLayout(frow)
        ol.addWidget(self.names)
        left.addWidget(outbox)
        run = QHBoxLayout()
        run.addWidget(self.stylize_button)
        run.addWidget(self.cancel_button)
        run.addWidget(self.progress, 1)
        left.addLayout(run)
        left.addWidget(self.saved)
        cols = QHBoxLayout()
        cols.addLayout(left, 2)
        cols.addWidget(self.pane, 5)
        layout = QVBoxLayout(self)
        layout.addLayout(cols, 1)
        crow = QHBoxLayout()
        crow.addWidget(QLabel("Same from a shell"))
        crow.addWidget(self.command, 1)
        layout.addLayout(crow)
        self.refresh_models()

    # ---- state kept between launches
    def _restore(self, st: StylizeState) -> list[str]:
        """Put back the last launch's inputs, strength and output folder; returns notes on what was dropped."""
        paths = [Path(f) for f in st.files]
        missing = [p for p in paths if not p.is_file()]
        added = logic.add_inputs([], [p for p in paths if p.is_file()])
        for f in added.files:
            row = QListWidgetItem(f.name)
            row.setToolTip(str(f))
            self.list.addItem(row)
        self.files = added.files
        if self.files:
            self.list.setCurrentRow(0)
        self.strength.setValue(st.strength)
        self.out.setText(st.out_dir)
        (self.into if st.into else self.beside).setChecked(True)
        self.pixel_art.setCurrentIndex(max(0, self.pixel_art.findData(PixelArtMode(st.pixel_art))))
        notes = [f"Stylize: {len(missing)} input(s) from the last launch no longer exist ({missing[0]}"
                 f"{', …' if len(missing) > 1 else ''}); they were left out"] if missing else []
        return notes + [f"Stylize: {r}; left out" for r in added.refused]

    def remember(self) -> None:
        """Store the inputs, strength and output folder in the app's settings (restored at the next launch)."""
        self._save_timer.stop()
        self.ctl.settings.stylize = StylizeState([str(f) for f in self.files], self.strength.value(), self.out.text(),
                                                 self.into.isChecked(), self.pixel_art_mode().value)
        self.ctl.settings.save()

    # ---- models and options
    def refresh_models(self) -> None:
        """List the library's cyclegan models; keep the current one, else pick monet or the first."""
        keep = self.model_box.currentText()
        self.models = logic.style_models(self.ctl.library)
        names = [m.name for m in self.models]
        self.model_box.blockSignals(True)
        self.model_box.clear()
        for m in self.models:
            self.model_box.addItem(m.name)
            self.model_box.setItemData(self.model_box.count() - 1, m.card.summary() if m.card else "",
                                       Qt.ItemDataRole.ToolTipRole)
        pick = keep if keep in names else getattr(logic.default_style_model(self.models), "name", None)
        self.model_box.setCurrentIndex(names.index(pick) if pick in names else -1)
        self.model_box.blockSignals(False)
        self.hint.setVisible(not self.models)
        if not self.models:
            self.view.set_images(None, None)
            self.view.set_message(logic.NO_MODEL_HINT)
        self._pick_model()

    def select_model(self, name: str) -> None:
        names = [m.name for m in self.models]
        if name in names:
            self.model_box.setCurrentIndex(names.index(name))

    def current_library_model(self) -> LibraryModel | None:
        i = self.model_box.currentIndex()
        return self.models[i] if 0 <= i < len(self.models) else None

    def _pick_model(self) -> None:
        """Open the chosen model on a worker thread; the tab is usable again once it arrives."""
        m = self.current_library_model()
        self._model_epoch += 1
        if m is None:
            self._set_model(None)
            return
        if self.model is not None and self.model.path == m.path:  # back to the open model: drop any other opening
            self.stylize_button.setEnabled(self.batch_job is None)
            return
        epoch = self._model_epoch
        self.stylize_button.setEnabled(False)
        job = Job(lambda _ctx: open_style_model(m.path), "open model")
        job.signals.result.connect(lambda model: epoch == self._model_epoch and self._set_model(model))
        job.signals.error.connect(lambda msg: self.ctl.alert("Stylize", msg))
        self.ctl.runner.start(job)

    def _set_model(self, model: StyleModel | None) -> None:
        self.model = model
        self.direction.blockSignals(True)
        keep = max(0, self.direction.currentIndex())
        self.direction.clear()
        if model is not None:
            for d, label in logic.direction_choices(model.card):
                self.direction.addItem(label, d)
            self.direction.setCurrentIndex(min(keep, self.direction.count() - 1))
        self.direction.blockSignals(False)
        self.stylize_button.setEnabled(model is not None and self.batch_job is None)
        self.model_changed.emit()
        self._options_changed()

    def direction_code(self) -> str:
        return self.direction.currentData() or "a2b"

    def strength_value(self) -> float:
        return self.strength.value() / 100

    def pixel_art_mode(self) -> PixelArtMode:
        return PixelArtMode(self.pixel_art.currentData() or PixelArtMode.auto)  # Qt may hand the data back as str

    def out_dir(self) -> Path | None:
        return Path(self.out.text()).expanduser() if self.into.isChecked() and self.out.text().strip() else None

    def _options_changed(self) -> None:
        if self.model is not None:
            suffix = logic.default_suffix(self.model.card, self.direction_code())
            self.names.setText(f"Results are named <name>{suffix}.png; inputs are never replaced.")
        self._update_command()
        self.request_preview()

    def _update_command(self) -> None:
        if self.model is None or not self.files:
            self.command.setText("")
            return
        m = self.current_library_model()
        spec = m.name if m is not None and m.path == self.model.path else self.model.path
        self.command.setText(logic.command_line(Path(spec), self.files, self.out_dir(), self.direction_code(),
                                                self.strength_value(), self.pixel_art_mode()))
        self.command.setCursorPosition(0)

    # ---- inputs
    def add_inputs(self, paths: list[Path]) -> None:
        """Add files and folders to the list (folders recursively); refused paths are listed in one message."""
        added = logic.add_inputs(self.files, paths)
        new = added.files[len(self.files):]
        self.files = added.files
        for f in new:
            row = QListWidgetItem(f.name)
            row.setToolTip(str(f))
            self.list.addItem(row)
        if new and self.list.currentRow() < 0:
            self.list.setCurrentRow(0)
        elif new:
            self.list.setCurrentRow(len(self.files) - len(new))
        if added.refused:
            self.ctl.alert("Some inputs were skipped", "These were not added:\n" + "\n".join(
                f"  {r}" for r in added.refused) + (f"\n\n{len(new)} image(s) were added." if new else ""))
        self._update_command()

    def open_files(self) -> None:
        """Ask for image files and add them to the inputs."""
        paths = dialogs.open_files(self, "Open images to stylize", IMAGE_FILTER)
        if paths:
            self.add_inputs(paths)

    def open_folder(self) -> None:
        """Ask for a folder and add its images to the inputs."""
        p = dialogs.folder(self, "Open a folder of images")
        if p is not None:
            self.add_inputs([p])

    def _remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.list.selectedIndexes()}, reverse=True)
        for r in rows:
            self.list.takeItem(r)
            del self.files[r]
        self._update_command()
        self.request_preview()

    def _browse(self) -> None:
        p = dialogs.folder(self, "Save results into folder", self.out.text())
        if p is not None:
            self.out.setText(str(p))
            self.into.setChecked(True)

    def dropped(self, paths: list[Path]) -> None:
        self.add_inputs(paths)

    # ---- preview
    def selected_file(self) -> Path | None:
        row = self.list.currentRow()
        return self.files[row] if 0 <= row < len(self.files) else None

    def request_preview(self) -> None:
        """Show the selected input before/after: from the cache at once, else rendered on a worker thread."""
        path, model = self.selected_file(), self.model
        if path is None or model is None:
            self.pane.clear("Open files or a folder, or drop screenshots here." if model is not None else "")
        elif path in self.unreadable:
            self.pane.clear(f"Cannot preview: {self.unreadable[path]}\nStylize all will skip it.")
        else:
            self.pane.request(model, self.direction_code(), path, self.pixel_art_mode())

    def _preview_failed(self, path: Path, msg: str) -> None:
        for row in range(min(self.list.count(), len(self.files))):
            if self.files[row] == path:
                self.list.item(row).setForeground(QColor(200, 40, 40))
                self.list.item(row).setToolTip(msg)
        self.ctl.status.emit(msg)

    # ---- batch
    def stylize_all(self) -> Job | None:
        """Plan outputs, ask before replacing any existing file, then stylize every input on a worker thread."""
        model = self.model
        if self.batch_job is not None:
            return None
        if model is None:
            self.ctl.alert("Stylize", logic.NO_MODEL_HINT)
            return None
        if self.into.isChecked() and self.out_dir() is None:
            self.ctl.alert("Stylize", "choose an output folder (Browse…) or save beside the originals")
            return None
        direction, strength, pixel_art = self.direction_code(), self.strength_value(), self.pixel_art_mode()
        try:
            plan = logic.plan_batch(self.files, self.out_dir(), logic.default_suffix(model.card, direction))
        except AssetganError as exc:
            self.ctl.alert("Stylize", f"{exc}\n\nNothing was written.")
            return None
        if plan.existing and not dialogs.overwrite(self, "Replace existing files?",
                                                   logic.overwrite_question(plan.existing)):
            self.ctl.status.emit("stylize: nothing written (existing files kept)")
            return None
        self.report = None
        self.saved.clear()
        notes: dict[Path, str] = {}  # filled on the worker thread, shown when the batch is done
        self.progress.setRange(0, len(plan.jobs))
        self.progress.setValue(0)
        self.progress.setFormat("%v / %m")
        self.stylize_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        job = Job(lambda ctx: logic.run_batch(model, plan, direction, strength, ctx, on_done=ctx.emit,
                                              pixel_art=pixel_art, on_note=notes.__setitem__), "stylize")
        job.signals.progress.connect(self._progress)
        job.signals.result.connect(self._batch_result)
        job.signals.error.connect(lambda msg: self.ctl.alert("Stylize", f"{msg}\n\nThe inputs are unchanged."))
        self.batch_job = job
        return self.ctl.runner.start(job, self._written, lambda c: self._batch_done(c, len(plan.jobs), notes))

    def cancel(self) -> None:
        if self.batch_job is not None:
            self.batch_job.cancel()

    def _progress(self, done: int, total: int) -> None:
        if total:
            self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _written(self, job: StylizeJob) -> None:
        self.saved.written(job)
        if self.model is not None:
            self.ctl.status.emit(f"last inference {self.model.last_seconds * 1000:.0f} ms")

    def _batch_result(self, report: StylizeReport) -> None:
        self.report = report
        if report.skipped:
            self.ctl.alert("Some files were skipped", logic.skipped_message(report.skipped))

    def _batch_done(self, cancelled: bool, total: int, notes: dict[Path, str]) -> None:
        self.batch_job = None
        self.saved.notes = dict(notes)
        for row in range(min(self.list.count(), len(self.files))):
            if (tip := self.saved.tooltip(self.files[row])) is not None:
                self.list.item(row).setToolTip(tip)
        report = self.report or StylizeReport()
        summary = logic.batch_summary(report, total, cancelled)
        self.progress.setFormat(summary)
        self.stylize_button.setEnabled(self.model is not None)
        self.cancel_button.setEnabled(False)
        self.ctl.status.emit(summary)
