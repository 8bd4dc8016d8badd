"""Export dialog: the session's output settings, the files they make, the matching `assetgan export` line, Export."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from assetgan.export.collection import INCLUDE, OutputSettings

from . import dialogs
from .controller import AppController
from .export_plan import command_line, default_include, default_out_dir, file_preview, run_export
from .workers import Job

PALETTES = ("none", "auto", "file")


class ExportDialog(QDialog):
    """Edits collection.output (saved into the session) and runs assetgan.export.export on it."""

    def __init__(self, ctl: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export collection")
        self.ctl = ctl
        self.job: Job | None = None
        self.written: list[Path] = []
        s = ctl.session
        assert s is not None
        o = s.collection.output
        pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        self.out = QLineEdit(str(default_out_dir(s.path, Path(pictures) if pictures else Path.home(), Path.home())))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.files = QCheckBox("one PNG per item")
        self.files.setChecked(o.files)
        self.sheet = QCheckBox("sprite sheet + JSON atlas")
        self.sheet.setChecked(o.sheet)
        self.sheet_name = QLineEdit(o.sheet_name)
        self.columns = QSpinBox()
        self.columns.setRange(0, 256)
        self.columns.setSpecialValueText("auto")
        self.columns.setValue(o.sheet_columns or 0)
        self.padding = QSpinBox()
        self.padding.setRange(0, 64)
        self.padding.setValue(o.sheet_padding)
        self.scale = QSpinBox()
        self.scale.setRange(1, 64)
        self.scale.setValue(o.scale)
        self.palette = QComboBox()
        self.palette.addItems(["none", "auto (the model's learned palette)", "file (.gpl/.hex)"])
        self.palette_file = QLineEdit()
        self.palette_file.setPlaceholderText("path to a .gpl or .hex palette")
        if o.palette == "auto":
            self.palette.setCurrentIndex(1)
        elif isinstance(o.palette, str):
            self.palette.setCurrentIndex(2)
            self.palette_file.setText(o.palette)
        self.threshold = QSpinBox()
        self.threshold.setRange(-1, 255)
        self.threshold.setSpecialValueText("off")
        self.threshold.setValue(-1 if o.alpha_threshold is None else o.alpha_threshold)
        self.colours = QSpinBox()
        self.colours.setRange(1, 256)
        self.colours.setSpecialValueText("no limit")
        self.colours.setValue(o.colours or 1)
        self.colours.setToolTip("At most this many colours in each image (median cut); not used with a palette. "
                                "A new session starts from what the model's training images look like.")
        self.animations = QCheckBox("animations from tags in the atlas (PixiJS, Phaser)")
        self.animations.setChecked(o.sheet_animations)
        self.godot = QCheckBox("Godot 4 SpriteFrames (.tres) beside the sheet")
        self.godot.setChecked(o.sheet_godot)
        self.indexed = QCheckBox("indexed-colour PNGs where lossless (needs a palette)")
        self.indexed.setChecked(o.indexed)
        self.include = QComboBox()
        for inc in INCLUDE:
            n = len(dataclasses.replace(s.collection, output=dataclasses.replace(o, include=inc)).selected())
            self.include.addItem(f"{inc} ({n} item{'' if n == 1 else 's'})")
        self.include.setCurrentIndex(INCLUDE.index(default_include(s.collection)))
        self.summary = QLabel()
        self.names = QLabel()
        self.names.setWordWrap(True)
        self.names.setEnabled(False)
        self.force = QCheckBox("overwrite a non-empty folder (--force)")
        self.command = QPlainTextEdit()
        self.command.setReadOnly(True)
        self.command.setFixedHeight(3 * self.command.fontMetrics().lineSpacing() + 12)
        self.command.setStyleSheet("font-family: monospace;")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setVisible(False)  # shown once an export starts
        self.result = QLabel()
        self.result.setWordWrap(True)
        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.out, 1)
        row.addWidget(browse)
        form.addRow("Output folder", row)
        form.addRow("Write", self.files)
        form.addRow("", self.sheet)
        form.addRow("Sheet name", self.sheet_name)
        form.addRow("Sheet columns", self.columns)
        form.addRow("Sheet padding", self.padding)
        form.addRow("Scale (nearest)", self.scale)
        form.addRow("Palette", self.palette)
        form.addRow("", self.palette_file)
        form.addRow("Alpha threshold", self.threshold)
        form.addRow("Colours per image", self.colours)
        form.addRow("For the engine", self.animations)
        form.addRow("", self.godot)
        form.addRow("", self.indexed)
        form.addRow("Include", self.include)
        form.addRow("Will write", self.summary)
        form.addRow("", self.names)
        form.addRow("", self.force)
        form.addRow("Same in a build", self.command)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.ApplyRole)
        self.export_button.clicked.connect(self.start)
        apply = buttons.addButton("Apply to thumbnails", QDialogButtonBox.ButtonRole.ApplyRole)
        apply.setToolTip("Save these settings into the session: the Generate and Curate thumbnails show them")
        apply.clicked.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.result)
        layout.addWidget(buttons)
        for w in (self.out, self.sheet_name, self.palette_file):
            w.textChanged.connect(self._update_command)
        self.force.toggled.connect(self._update_command)
        self.files.toggled.connect(self._update_preview)
        self.sheet.toggled.connect(self._update_preview)
        self.sheet_name.textChanged.connect(self._update_preview)
        self.include.currentIndexChanged.connect(self._update_preview)
        for box in (self.animations, self.godot):
            box.toggled.connect(self._update_preview)
        self.resize(640, 0)
        self._update_command()
        self._update_preview()

    def _browse(self) -> None:
        p = dialogs.folder(self, "Export into folder", self.out.text())
        if p is not None:
            self.out.setText(str(p))

    def _update_command(self) -> None:
        s = self.ctl.session
        if s is not None:
            self.command.setPlainText(command_line(s.path, Path(self.out.text()), self.force.isChecked()))

    def _update_preview(self) -> None:
        s = self.ctl.session
        if s is None:
            return
        summary, names = file_preview(s.collection, self.output_settings())
        self.summary.setText(summary)
        self.names.setToolTip(names)
        # word joiners and no-break spaces: a name never breaks at its hyphens, "… N more" stays on one line
        self.names.setText(names.replace("-", "-\u2060").replace("… ", "…\u00a0").replace(" more", "\u00a0more"))
        self.export_button.setEnabled(bool(summary) and self.job is None)

    def apply(self) -> bool:
        """Save the settings into the session (the thumbnails follow them) without exporting."""
        s = self.ctl.session
        return s is not None and self.ctl.attempt("Export settings", lambda: s.set_output(self.output_settings()))

    def output_settings(self) -> OutputSettings:
        o = self.ctl.session.collection.output
        pal = PALETTES[self.palette.currentIndex()]
        return dataclasses.replace(
            o, files=self.files.isChecked(), sheet=self.sheet.isChecked(), sheet_name=self.sheet_name.text().strip(),
            sheet_columns=self.columns.value() or None, sheet_padding=self.padding.value(), scale=self.scale.value(),
            palette=None if pal == "none" else "auto" if pal == "auto" else self.palette_file.text().strip(),
            alpha_threshold=None if self.threshold.value() < 0 else self.threshold.value(),
            include=INCLUDE[self.include.currentIndex()],
            colours=self.colours.value() if self.colours.value() > 1 else None,
            sheet_animations=self.animations.isChecked(), sheet_godot=self.godot.isChecked(),
            indexed=self.indexed.isChecked())

    def start(self) -> Job | None:
        """Save the settings into the session, then export in the background."""
        s = self.ctl.session
        if s is None or self.job is not None or not self.apply():
            return None
        out, force = Path(self.out.text()).expanduser(), self.force.isChecked()
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.result.setText("Exporting…")
        self.export_button.setEnabled(False)
        job = Job(lambda ctx: run_export(s, out, force, ctx), "export")
        job.signals.result.connect(self._done)
        job.signals.error.connect(self._failed)
        job.signals.finished.connect(self._finished)
        self.job = job
        return self.ctl.runner.start(job)

    def _done(self, written: list) -> None:
        self.written = written
        self.result.setText(f"Wrote {len(written)} files to {self.out.text()}.")
        self.ctl.status.emit(f"exported {len(written)} files")

    def _failed(self, message: str) -> None:
        self.result.setText(message)
        self.ctl.alert("Export", message)

    def _finished(self, _cancelled: bool) -> None:
        self.job = None
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self._update_preview()
