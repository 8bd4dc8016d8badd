"""Train tab: check a folder or sprite sheet, set size/channels/tileable/labels/budget, train in a child process with
live progress and sample grids, Stop (checkpointed) and Resume; the finished model joins the Library.

The app never imports torch: `assetgan train dcgan` runs in a child process (train_process.py) and the tab reads
the run folder it writes (train_job.py); every problem is a line in the tab, never a dialog.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assetgan.core.errors import AssetganError

from . import dialogs
from .controller import AppController
from .file_drop import FileDrop
from .library import scan
from .sample_view import SampleView
from .train_data import SIZES, DataCheck, check_data, is_sheet
from .train_job import (
    CHECKPOINT_NAME,
    TORCH_HINT,
    RunWatcher,
    TrainSpec,
    new_run_folder,
    parse_budget,
    publish_model,
    resume_args,
    torch_available,
)
from .train_process import INTERRUPTED, DeviceProbe, TrainProcess
from .workers import Job

LABEL_MODES = ("auto", "folders", "none")  # then "CSV file…"
POLL_MS = 500
ERROR_STYLE = "color: #c0392b;"


class TrainTab(FileDrop, QWidget):
    """Data and settings on the left, the latest sample grid on the right; state lives in the child process and
    the run folder, the widgets only show it."""

    def __init__(self, ctl: AppController, parent: QWidget | None = None, has_torch: bool | None = None) -> None:
        super().__init__(parent)
        self.ctl = ctl
        self.setAcceptDrops(True)
        self.has_torch = torch_available() if has_torch is None else has_torch
        self.data: Path | None = None
        self.check: DataCheck | None = None
        self.check_job: Job | None = None
        self.labels_csv: Path | None = None
        self.process: TrainProcess | None = None
        self.watcher: RunWatcher | None = None
        self.probe: DeviceProbe | None = None
        self.extra_args: tuple[str, ...] = ()  # more `train dcgan` options for every start and resume
        self.outcome = ""  # "done", "stopped" or "failed" once a run ended
        self._epoch = 0
        self._detect = False  # the next data check also sets size/channels/tileable
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self._build()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self._update_buttons()

    # ---- layout
    def _build(self) -> None:
        self.torch_note = QLabel(TORCH_HINT)
        self.torch_note.setWordWrap(True)
        self.torch_note.setStyleSheet(ERROR_STYLE)
        self.torch_note.setVisible(not self.has_torch)
        self.data_line = QLineEdit()
        self.data_line.setReadOnly(True)
        self.data_line.setPlaceholderText("drop a folder of images or a sprite sheet here")
        self.folder_button = QPushButton("Folder…")
        self.folder_button.clicked.connect(self._pick_folder)
        self.sheet_button = QPushButton("Sheet…")
        self.sheet_button.clicked.connect(self._pick_sheet)
        self.tile = QLineEdit("32x32")
        self.tile.setToolTip("A sprite sheet's tile size, WIDTHxHEIGHT in pixels")
        self.tile.setEnabled(False)
        self.tile.editingFinished.connect(self.recheck)
        self.report = QLabel("No data yet.")
        self.report.setWordWrap(True)
        self.report.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.report.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.size = QComboBox()
        for s in SIZES:
            self.size.addItem(f"{s} x {s} px", s)
        self.size.setCurrentIndex(SIZES.index(32))
        self.channels = QComboBox()
        self.channels.addItem("RGBA (sprites, transparent)", 4)
        self.channels.addItem("RGB (textures, opaque)", 3)
        self.tileable = QCheckBox("outputs tile seamlessly (textures)")
        self.labels = QComboBox()
        self.labels.addItems([*LABEL_MODES, "CSV file…"])
        self.labels.setToolTip("auto: one class per folder when the folders are clean; folders; none; or a CSV "
                               "of file,label rows")
        self.labels.activated.connect(self._labels_picked)
        self.budget = QLineEdit("10")
        self.budget.setToolTip("Minutes of training; for Resume, the run's whole budget, time already trained "
                               "included")
        self.budget.textEdited.connect(lambda _t: self._say(""))
        self.out = QLineEdit()
        self.out.setPlaceholderText("run folder: checkpoints, samples and model.onnx")
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self._pick_out)
        self.device = QLabel("not checked yet")
        self.train_button = QPushButton("Train")
        self.train_button.setDefault(True)
        self.train_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop after the current step; a checkpoint is saved and Resume continues it")
        self.stop_button.clicked.connect(self.stop)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Continue the run in the run folder exactly")
        self.resume_button.clicked.connect(self.resume)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setVisible(False)
        self.progress_text = QLabel("")
        self.progress_text.setWordWrap(True)
        self.samples = SampleView()
        self._lay_out()

    def _lay_out(self) -> None:
        data_box = QGroupBox("Training data")
        dv = QVBoxLayout(data_box)
        row = QHBoxLayout()
        row.addWidget(self.data_line, 1)
        row.addWidget(self.folder_button)
        row.addWidget(self.sheet_button)
        dv.addLayout(row)
        trow = QHBoxLayout()
        trow.addWidget(QLabel("Sheet tile size"))
        trow.addWidget(self.tile)
        trow.addStretch(1)
        dv.addLayout(trow)
        dv.addWidget(self.report)
        settings = QGroupBox("Settings")
        form = QFormLayout(settings)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Size", self.size)
        form.addRow("Channels", self.channels)
        form.addRow("Tileable", self.tileable)
        form.addRow("Labels", self.labels)
        brow = QHBoxLayout()
        brow.addWidget(self.budget)
        brow.addWidget(QLabel("minutes"))
        brow.addStretch(1)
        form.addRow("Budget", brow)
        orow = QHBoxLayout()
        orow.addWidget(self.out, 1)
        orow.addWidget(self.browse_button)
        form.addRow("Run folder", orow)
        form.addRow("Device", self.device)
        buttons = QHBoxLayout()
        for b in (self.train_button, self.stop_button, self.resume_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.torch_note)
        left.addWidget(data_box)
        left.addWidget(settings)
        left.addLayout(buttons)
        left.addWidget(self.message)
        left.addWidget(self.progress)
        left.addWidget(self.progress_text)
        left.addStretch(1)
        panel = QWidget()
        panel.setLayout(left)
        panel.setFixedWidth(470)
        top = QHBoxLayout(self)
        top.addWidget(panel)
        top.addWidget(self.samples, 1)

    # ---- data
    def set_data(self, path: Path) -> None:
        """Use `path` (a folder of images or one sprite sheet): check it, then suggest settings and a run folder."""
        self.data = Path(path)
        self.data_line.setText(str(self.data))
        self.tile.setEnabled(is_sheet(self.data))
        self._detect = True
        if not self.running:
            self.out.setText(str(new_run_folder(self.data.stem if is_sheet(self.data) else self.data.name)))
        self.recheck()

    def recheck(self) -> None:
        """Check the data again in the background (after a change of tile size or labels)."""
        if self.data is None:
            return
        self._epoch += 1
        epoch, path, tile, labels = self._epoch, self.data, self.tile.text(), self.label_mode()
        if not is_sheet(path):
            tile = ""
        self.check = None
        self.report.setText("checking the data…")
        self._update_buttons()
        job = Job(lambda _ctx: check_data(path, tile, labels), "data check")
        job.signals.result.connect(lambda c, e=epoch: self._checked(c, e))
        job.signals.error.connect(lambda text, e=epoch: self._check_failed(text, e))
        self.check_job = self.ctl.runner.start(job)

    def _checked(self, check: DataCheck, epoch: int) -> None:
        if epoch != self._epoch:
            return
        self.check = check
        text = "\n".join(check.lines())
        self.report.setText(text + (f"\n⚠ {check.problem}" if check.problem else ""))
        self.report.setStyleSheet(ERROR_STYLE if check.problem else "")
        if self._detect and not check.problem:
            self._detect = False
            self.size.setCurrentIndex(SIZES.index(check.size))
            self.channels.setCurrentIndex(0 if check.channels == 4 else 1)
            self.tileable.setChecked(check.channels == 3)
        self._update_buttons()

    def _check_failed(self, text: str, epoch: int) -> None:
        if epoch == self._epoch:
            self.report.setText(f"⚠ {text}")
            self.report.setStyleSheet(ERROR_STYLE)

    def label_mode(self) -> str:
        i = self.labels.currentIndex()
        if i < len(LABEL_MODES):
            return LABEL_MODES[i]
        return str(self.labels_csv) if self.labels_csv else "auto"

    def set_labels(self, mode: str | Path) -> None:
        """auto, folders, none, or the path of a CSV file of file,label rows."""
        if str(mode) in LABEL_MODES:
            self.labels.setCurrentIndex(LABEL_MODES.index(str(mode)))
        else:
            self.labels_csv = Path(mode)
            self.labels.setItemText(len(LABEL_MODES), f"CSV: {self.labels_csv.name}")
            self.labels.setCurrentIndex(len(LABEL_MODES))
        self.recheck()

    def _labels_picked(self, index: int) -> None:
        if index == len(LABEL_MODES):
            p = dialogs.open_file(self, "Labels CSV (file,label rows)", "CSV files (*.csv);;All files (*)")
            if p is None:
                self.labels.setCurrentIndex(0)
            else:
                self.set_labels(p)
                return
        self.recheck()

    def _pick_folder(self) -> None:
        p = dialogs.folder(self, "Folder of training images")
        if p is not None:
            self.set_data(p)

    def _pick_sheet(self) -> None:
        p = dialogs.open_file(self, "Sprite sheet", "Images (*.png *.gif *.bmp *.webp *.jpg *.jpeg);;All files (*)")
        if p is not None:
            self.set_data(p)

    def _pick_out(self) -> None:
        p = dialogs.folder(self, "Run folder (a new one, or a run to resume)")
        if p is not None:
            self.out.setText(str(p))

    def dropped(self, paths: list[Path]) -> None:
        """A dropped folder or sheet becomes the training data."""
        if paths:
            self.set_data(paths[0])

    # ---- training
    @property
    def running(self) -> bool:
        return self.process is not None

    def start(self) -> None:
        """Train a new run from the data and settings; any problem is a line under the buttons."""
        if self.running:
            return
        try:
            spec = self._spec()
        except AssetganError as exc:
            self._say(str(exc), error=True)
            return
        if (spec.out / CHECKPOINT_NAME).exists():
            self._say(f"{spec.out} already holds a run: press Resume to continue it, or choose another run folder",
                      error=True)
            return
        self._launch(spec.args(), spec.out, f"training {spec.data.name} for {spec.minutes:g} min…")

    def _spec(self) -> TrainSpec:
        if not self.has_torch:
            raise AssetganError(TORCH_HINT)
        if self.data is None:
            raise AssetganError("Choose the training data first: drop a folder of images or a sprite sheet here")
        if self.check is None:
            raise AssetganError("Still checking the data; press Train again in a moment")
        if self.check.problem:
            raise AssetganError(self.check.problem)
        minutes = parse_budget(self.budget.text())
        out = self.out.text().strip()
        if not out:
            raise AssetganError("Choose a run folder for the checkpoints, samples and model")
        return TrainSpec(self.data, Path(out).expanduser(), int(self.size.currentData()),
                         int(self.channels.currentData()), self.tileable.isChecked(), self.label_mode(), minutes,
                         self.tile.text() if self.check.sheet else "", self.extra_args)

    def resume(self) -> None:
        """Continue the run in the run folder from its checkpoint, the budget field being its whole budget."""
        if self.running:
            return
        if not self.has_torch:
            self._say(TORCH_HINT, error=True)
            return
        run = Path(self.out.text().strip()).expanduser()
        if not self.out.text().strip() or not (run / CHECKPOINT_NAME).is_file():
            self._say(f"{run}: no run to resume there (no {CHECKPOINT_NAME}); choose a run folder with Browse…",
                      error=True)
            return
        try:
            minutes = parse_budget(self.budget.text())
        except AssetganError as exc:
            self._say(str(exc), error=True)
            return
        self._launch(resume_args(run, minutes, self.extra_args), run, f"resuming {run.name}…")

    def _launch(self, args: list[str], run: Path, note: str) -> None:
        try:
            self.process = TrainProcess(args)
        except OSError as exc:
            self._say(f"cannot start the trainer: {exc.strerror or exc}", error=True)
            return
        self.watcher = RunWatcher(run)
        self.outcome = ""
        self.progress.setRange(0, 0)  # busy until the first step is logged
        self.progress.setVisible(True)
        self.progress_text.setText("starting: loading the data and building the networks…")
        self._say(note)
        self._update_buttons()
        self.timer.start()

    def stop(self) -> None:
        """Ask the run to stop cleanly (it saves a checkpoint); the tab reports when it has."""
        if self.process is not None and self.process.running:
            self.process.stop()
            self._say("stopping after the current step and saving a checkpoint…")
            self._update_buttons()

    def poll(self) -> None:
        """Timer tick: the device probe, the run's progress and sample grid, and its end."""
        if self.probe is not None and (dev := self.probe.result()) is not None:
            self.probe = None
            if not self.running:
                self.device.setText(dev)
        if self.watcher is not None:
            self._show_progress()
        if self.process is not None and (code := self.process.poll()) is not None:
            self._finished(code)
        if self.process is None and self.probe is None:
            self.timer.stop()

    def _show_progress(self) -> None:
        assert self.watcher is not None
        p = self.watcher.poll()
        if p.device:
            self.device.setText(f"{p.device} (this run)")
        if p.step:
            total = max(p.total or p.step, p.step)
            self.progress.setRange(0, total)
            self.progress.setValue(p.step)
            self.progress_text.setText(p.line())
        if p.sample is not None:
            self.samples.show_file(p.sample, p.sample_stamp, p.sample_step)

    def _finished(self, code: int) -> None:
        proc, watcher = self.process, self.watcher
        assert proc is not None and watcher is not None
        self._show_progress()
        step = watcher.progress.step
        run = watcher.run_dir
        if code == 0:
            self.outcome = "done"
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            self.progress_text.setText(f"finished: {step} steps" + (f" · {watcher.progress.images_per_s:.0f} "
                                       "images/s" if watcher.progress.images_per_s else ""))
            self._publish(run, step)
        elif code == INTERRUPTED or proc.stopping:
            self.outcome = "stopped"
            self.progress.setRange(0, max(1, self.progress.maximum()))
            self.progress_text.setText(f"stopped at step {step}")
            if (run / CHECKPOINT_NAME).is_file():
                self._say(f"Stopped at step {step}; checkpoint saved in {run}. Resume continues it.")
            else:
                self._say("Stopped before the first step; nothing was trained.")
        else:
            self.outcome = "failed"
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress_text.setText("")
            self._say(f"Training failed: {proc.error_line()}", error=True)
        proc.close()
        self.process = None
        self._update_buttons()

    def _publish(self, run: Path, step: int) -> None:
        try:
            model = publish_model(run)
        except (AssetganError, OSError) as exc:
            self._say(f"Trained {step} steps, but the model could not join the Library: {exc}", error=True)
            return
        self.ctl.set_library(scan())
        self._say(f"Done: {step} steps. Model '{model.name}' is in the Library, ready to generate.")
        self.ctl.status.emit(f"added {model.name} to the library ({model.path})")

    # ---- state shown
    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else "")

    def _update_buttons(self) -> None:
        running = self.running
        stopping = running and self.process is not None and self.process.stopping
        self.train_button.setEnabled(self.has_torch and not running)
        self.resume_button.setEnabled(self.has_torch and not running)
        self.stop_button.setEnabled(running and not stopping)
        for w in (self.folder_button, self.sheet_button, self.size, self.channels, self.tileable, self.labels,
                  self.budget, self.out, self.browse_button):
            w.setEnabled(not running)
        self.tile.setEnabled(not running and self.data is not None and is_sheet(self.data))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        """The first time the tab is shown, ask a child process which device training would use."""
        super().showEvent(event)
        if self.has_torch and self.probe is None and self.device.text() == "not checked yet":
            try:
                self.probe = DeviceProbe()
            except OSError:
                self.device.setText("unknown")
                return
            self.device.setText("checking…")
            self.timer.start()
        elif not self.has_torch:
            self.device.setText("none: PyTorch is not installed")

    def shutdown(self) -> None:
        """The app is closing: a running training stops cleanly (checkpointed); the probe is ended."""
        if self.process is not None:
            self.process.stop()
        if self.probe is not None:
            self.probe.kill()
            self.probe = None
