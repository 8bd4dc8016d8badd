"""Open result / Open folder: the files the last Stylize all wrote, opened with the system's viewer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from assetgan.runtime.stylize_io import StylizeJob


class ResultButtons(QWidget):
    """Two buttons, enabled once a result is written; `results` maps each input to its saved file."""

    status = Signal(str)  # a line for the status bar

    def __init__(self, selected: Callable[[], Path | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selected = selected  # the input shown in the preview
        self.results: dict[Path, Path] = {}  # input -> result written by the last Stylize all
        self.notes: dict[Path, str] = {}  # input -> what pixel-art handling did with it
        self.open_result_button = QPushButton("Open result")
        self.open_result_button.setToolTip("Open the selected input's saved result (else the last one written)")
        self.open_result_button.clicked.connect(lambda: self.open_result())
        self.open_folder_button = QPushButton("Open folder")
        self.open_folder_button.setToolTip("Open the folder of the saved result")
        self.open_folder_button.clicked.connect(lambda: self.open_result(folder=True))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.open_result_button)
        row.addWidget(self.open_folder_button)
        row.addStretch(1)
        self.clear()

    def clear(self) -> None:
        """A new batch starts: forget the last one's results."""
        self.results, self.notes = {}, {}
        self._enable()

    def written(self, job: StylizeJob) -> None:
        self.results[job.src] = job.dst
        self._enable()

    def _enable(self) -> None:
        for b in (self.open_result_button, self.open_folder_button):
            b.setEnabled(bool(self.results))

    def tooltip(self, src: Path) -> str | None:
        """Where `src`'s result went and what pixel-art handling did; None when it was not written."""
        if src not in self.results:
            return None
        return f"{src}\n→ {self.results[src]}" + (f"\n{self.notes[src]}" if src in self.notes else "")

    def result_path(self) -> Path | None:
        """The saved result of the selected input, else the last one written."""
        f = self.selected()
        if f is not None and f in self.results:
            return self.results[f]
        return next(reversed(self.results.values()), None)

    def open_result(self, folder: bool = False) -> None:
        """Open the saved result (or its folder)."""
        dst = self.result_path()
        if dst is None or not dst.exists():
            self.status.emit("no saved result to open: press Stylize all first")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(dst.parent if folder else dst)))
