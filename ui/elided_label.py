"""A label that shrinks with its container and elides its text (full text in the tooltip), for the status bar."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """`text()` stays whole; what is drawn ends in … when the label is narrower than its text."""

    def __init__(self, text: str = "", mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
                 min_chars: int = 6, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.mode = mode
        self.min_chars = min_chars
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt override)
        """Set the text; a tooltip that only repeated the old text follows it."""
        if self.toolTip() in ("", self.text()):
            self.setToolTip(text)
        super().setText(text)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """A few characters wide, so neighbours never overlap it and it never pushes them away."""
        fm = self.fontMetrics()
        return QSize(min(fm.horizontalAdvance(self.text()), fm.averageCharWidth() * self.min_chars), fm.height())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance(self.text()) + 4, fm.height())

    def elided(self) -> str:
        """The text as drawn at the current width."""
        return self.fontMetrics().elidedText(self.text(), self.mode, self.contentsRect().width())

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                         self.elided())
