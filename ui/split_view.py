"""A before/after split view: one image fitted to the widget, "before" left of a draggable divider, "after" right."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

GRAB = 8  # pixels either side of the divider that pick it up


class SplitView(QWidget):
    """Drag the divider (or click anywhere) to move it; `split` is its position as a fraction of the image width."""

    split_moved = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.before: QPixmap | None = None
        self.after: QPixmap | None = None
        self.split = 0.5
        self.message = ""
        self.setMouseTracking(True)
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(768, 480)

    def set_images(self, before: QPixmap | None, after: QPixmap | None) -> None:
        self.before, self.after = before, after
        self.message = ""
        self.update()

    def set_after(self, after: QPixmap) -> None:
        self.after = after
        self.update()

    def set_message(self, text: str) -> None:
        """Text shown over (or instead of) the images: "rendering preview…", an error, a hint."""
        self.message = text
        self.update()

    def set_split(self, fraction: float) -> None:
        self.split = min(1.0, max(0.0, fraction))
        self.update()
        self.split_moved.emit(self.split)

    def image_rect(self) -> QRectF:
        """Where the image is drawn: fitted inside the widget, aspect kept, centred."""
        if self.before is None:
            return QRectF()
        iw, ih = self.before.width(), self.before.height()
        s = min(self.width() / iw, self.height() / ih)
        w, h = iw * s, ih * s
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def divider_x(self) -> float:
        r = self.image_rect()
        return r.left() + self.split * r.width()

    # ---- painting
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().window())
        if self.before is not None:
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            r = self.image_rect()
            x = self.divider_x()
            sx = self.before.width() / r.width()
            p.drawPixmap(QRectF(r.left(), r.top(), x - r.left(), r.height()), self.before,
                         QRectF(0, 0, (x - r.left()) * sx, self.before.height()))
            if self.after is not None:
                p.drawPixmap(QRectF(x, r.top(), r.right() - x, r.height()), self.after,
                             QRectF((x - r.left()) * sx, 0, (r.right() - x) * sx, self.after.height()))
            p.setPen(QPen(QColor(255, 255, 255), 2))
            p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))
            p.setBrush(QColor(255, 255, 255))
            p.drawEllipse(QPointF(x, r.center().y()), 7, 7)
            self._tag(p, r.left() + 8, r.top() + 8, "before", Qt.AlignmentFlag.AlignLeft)
            if self.after is not None:
                self._tag(p, r.right() - 8, r.top() + 8, "after", Qt.AlignmentFlag.AlignRight)
        if self.message:
            p.setPen(self.palette().text().color() if self.before is None else QColor(255, 255, 255))
            box = self.rect().adjusted(24, 24, -24, -24)
            p.drawText(box, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.message)
        p.end()

    def _tag(self, p: QPainter, x: float, y: float, text: str, align: Qt.AlignmentFlag) -> None:
        fm = p.fontMetrics()
        w, h = fm.horizontalAdvance(text) + 12, fm.height() + 6
        box = QRectF(x if align == Qt.AlignmentFlag.AlignLeft else x - w, y, w, h)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 150))
        p.drawRoundedRect(box, 4, 4)
        p.setPen(QColor(255, 255, 255))
        p.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)

    # ---- dragging the divider
    def _move_to(self, x: float) -> None:
        r = self.image_rect()
        if r.width() > 0:
            self.set_split((x - r.left()) / r.width())

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton and self.before is not None:
            self._move_to(event.position().x())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self.before is None:
            return
        near = abs(event.position().x() - self.divider_x()) <= GRAB
        dragging = bool(event.buttons() & Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.SplitHCursor if near or dragging else Qt.CursorShape.ArrowCursor)
        if dragging:
            self._move_to(event.position().x())
