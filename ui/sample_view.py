"""A training run's latest sample grid, zoomed by whole numbers so pixel art stays crisp, with its step below."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGroupBox, QLabel, QSizePolicy, QVBoxLayout, QWidget


class SampleView(QGroupBox):
    """Shows one PNG (reloaded only when its file changed) and a caption; a hint until the first one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Latest samples", parent)
        self.image = QLabel("The latest sample grid appears here while training.")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(320, 320)
        self.image.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.image.setStyleSheet("background: #282828; color: #bbbbbb;")
        self.caption = QLabel("")
        self.caption.setEnabled(False)
        self.stamp = 0.0  # the shown file's mtime
        lay = QVBoxLayout(self)
        lay.addWidget(self.image, 1)
        lay.addWidget(self.caption)

    def show_file(self, path: Path, stamp: float, step: int) -> None:
        """Show `path` if it changed since the last call (`stamp`: its mtime); a half-written file waits."""
        if stamp == self.stamp:
            return
        pix = QPixmap(str(path))
        if pix.isNull():
            return  # being replaced: the next call reads it
        self.stamp = stamp
        side = min(self.image.width(), self.image.height())
        factor = max(1, side // max(pix.width(), pix.height(), 1))
        self.image.setText("")
        self.image.setPixmap(pix.scaled(pix.width() * factor, pix.height() * factor,
                                        Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation))
        self.caption.setText(f"samples at step {step}: {path}")

    def has_image(self) -> bool:
        return not self.image.pixmap().isNull()
