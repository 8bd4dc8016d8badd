"""A before/after split view with zoom and panning: "before" left of a draggable divider, "after" right of it."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

GRAB = 8  # pixels either side of the divider that pick it up
ZOOMS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)  # the steps of Ctrl+wheel and of the zoom combo (besides Fit)
WHEEL_STEP = 120  # angleDelta of one wheel notch
PAN_STEP = 60  # screen pixels scrolled per wheel notch


def zoom_label(zoom: float | None) -> str:
    """Fit, 25 %, 50 %, 1:1, 2x, 4x, 8x."""
    if zoom is None:
        return "Fit"
    return "1:1" if zoom == 1.0 else f"{zoom:g}x" if zoom > 1.0 else f"{zoom * 100:g} %"


class SplitView(QWidget):
    """Drag the divider (or click, when the image fits) to move it; `split` is its position as a fraction of the
    visible image width. Ctrl+wheel or `set_zoom` zooms (None: fit the widget); a zoomed image pans by dragging
    away from the divider, with the middle button or with the wheel. Enlarged pixels are drawn crisp (nearest).

    The images are drawn in the coordinates of `image_size` (the file's pixels); a smaller pixmap (a quick,
    downscaled preview) is stretched over the same area, so a full-resolution one can replace it in place.
    """

    split_moved = Signal(float)
    zoom_changed = Signal(object)  # float, or None for Fit

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.before: QPixmap | None = None
        self.after: QPixmap | None = None
        self.image_size = QSize()  # the pixels the images stand for
        self.split = 0.5
        self.zoom: float | None = None
        self.center = QPointF()  # the image point at the middle of the widget
        self.message = ""
        self.badge = ""  # a tag at the bottom right: "quick preview", "full resolution"
        self._drag: str | None = None  # "split" or "pan"
        self._last = QPointF()
        self.setMouseTracking(True)
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(768, 480)

    def set_images(self, before: QPixmap | None, after: QPixmap | None, size: QSize | None = None) -> None:
        """Show a pair standing for `size` image pixels (default: before's size); a new size re-centres."""
        size = QSize(size) if size is not None else before.size() if before is not None else QSize()
        if size != self.image_size:
            self.center = QPointF(size.width() / 2, size.height() / 2)
        self.before, self.after, self.image_size = before, after, size
        self.message = ""
        self._clamp()
        self.update()

    def set_after(self, after: QPixmap) -> None:
        self.after = after
        self.update()

    def set_message(self, text: str) -> None:
        """Text shown over (or instead of) the images: "rendering preview…", an error, a hint."""
        self.message = text
        self.update()

    def set_badge(self, text: str) -> None:
        self.badge = text
        self.update()

    def set_split(self, fraction: float) -> None:
        self.split = min(1.0, max(0.0, fraction))
        self.update()
        self.split_moved.emit(self.split)

    # ---- geometry
    def fit_scale(self) -> float:
        iw, ih = self.image_size.width(), self.image_size.height()
        return min(self.width() / iw, self.height() / ih) if iw > 0 and ih > 0 else 1.0

    def scale(self) -> float:
        """Screen pixels per image pixel."""
        return self.fit_scale() if self.zoom is None else self.zoom

    def image_rect(self) -> QRectF:
        """Where the whole image lies in widget coordinates (whole pixels when zoomed; may exceed the widget)."""
        if self.before is None or self.image_size.isEmpty():
            return QRectF()
        s = self.scale()
        x, y = self.width() / 2 - self.center.x() * s, self.height() / 2 - self.center.y() * s
        if self.zoom is not None:
            x, y = round(x), round(y)
        return QRectF(x, y, self.image_size.width() * s, self.image_size.height() * s)

    def visible_rect(self) -> QRectF:
        """The part of the image on screen, in widget coordinates."""
        return self.image_rect().intersected(QRectF(self.rect()))

    def visible_pixels(self) -> QRect:
        """The image pixels on screen (x, y, w, h in file pixels), rounded outwards."""
        r, v, s = self.image_rect(), self.visible_rect(), self.scale()
        if v.isEmpty():
            return QRect()
        x0, y0 = int((v.left() - r.left()) / s), int((v.top() - r.top()) / s)
        x1, y1 = -int(-(v.right() - r.left()) // s), -int(-(v.bottom() - r.top()) // s)
        return QRect(x0, y0, min(x1, self.image_size.width()) - x0, min(y1, self.image_size.height()) - y0)

    def divider_x(self) -> float:
        v = self.visible_rect()
        return v.left() + self.split * v.width()

    def pannable(self) -> bool:
        r = self.image_rect()
        return r.width() > self.width() + 0.5 or r.height() > self.height() + 0.5

    def _clamp(self) -> None:
        """Keep the image on screen: centred along an axis where it fits, edges at the widget's edges otherwise."""
        s = self.scale()
        cx, cy = self.center.x(), self.center.y()
        for axis, (length, view) in enumerate(((self.image_size.width(), self.width()),
                                               (self.image_size.height(), self.height()))):
            half = view / 2 / s
            c = length / 2 if length * s <= view else min(max(cx if axis == 0 else cy, half), length - half)
            cx, cy = (c, cy) if axis == 0 else (cx, c)
        self.center = QPointF(cx, cy)

    # ---- zoom and pan
    def set_zoom(self, zoom: float | None, anchor: QPointF | None = None) -> None:
        """Zoom to `zoom` screen pixels per image pixel (None: fit), keeping the image point under `anchor` still."""
        anchor = QPointF(self.width() / 2, self.height() / 2) if anchor is None else anchor
        r, s = self.image_rect(), self.scale()
        point = QPointF((anchor.x() - r.left()) / s, (anchor.y() - r.top()) / s) if not r.isEmpty() else self.center
        self.zoom = zoom
        s = self.scale()
        self.center = QPointF(point.x() + (self.width() / 2 - anchor.x()) / s,
                              point.y() + (self.height() / 2 - anchor.y()) / s)
        self._clamp()
        self.update()
        self.zoom_changed.emit(zoom)

    def step_zoom(self, steps: int, anchor: QPointF | None = None) -> None:
        """Next (steps > 0) or previous zoom step from the current scale."""
        s = self.scale()
        if steps > 0:
            z = next((z for z in ZOOMS if z > s * 1.001), ZOOMS[-1])
        else:
            z = next((z for z in reversed(ZOOMS) if z < s / 1.001), None)
            z = None if z is None or (self.zoom is not None and z < self.fit_scale() < s) else z
        self.set_zoom(z, anchor)

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the image by (dx, dy) screen pixels."""
        s = self.scale()
        self.center = QPointF(self.center.x() - dx / s, self.center.y() - dy / s)
        self._clamp()
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        self._clamp()
        super().resizeEvent(event)

    # ---- painting
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().window())
        if self.before is not None:
            r, v, x = self.image_rect(), self.visible_rect(), self.divider_x()
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform,
                            self.scale() * self.before.width() < self.image_size.width())
            self._draw(p, self.before, r, QRectF(v.left(), v.top(), x - v.left(), v.height()))
            if self.after is not None:
                self._draw(p, self.after, r, QRectF(x, v.top(), v.right() - x, v.height()))
            p.setPen(QPen(QColor(255, 255, 255), 2))
            p.drawLine(QPointF(x, v.top()), QPointF(x, v.bottom()))
            p.setBrush(QColor(255, 255, 255))
            p.drawEllipse(QPointF(x, v.center().y()), 7, 7)
            self._tag(p, v.left() + 8, v.top() + 8, "before", Qt.AlignmentFlag.AlignLeft)
            if self.after is not None:
                self._tag(p, v.right() - 8, v.top() + 8, "after", Qt.AlignmentFlag.AlignRight)
            if self.badge:
                self._tag(p, v.right() - 8, v.bottom() - 8 - p.fontMetrics().height() - 6, self.badge,
                          Qt.AlignmentFlag.AlignRight)
        if self.message:
            p.setPen(self.palette().text().color() if self.before is None else QColor(255, 255, 255))
            box = self.rect().adjusted(24, 24, -24, -24)
            p.drawText(box, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.message)
        p.end()

    def _draw(self, p: QPainter, pm: QPixmap, r: QRectF, target: QRectF) -> None:
        """Draw the part of `pm` that falls on `target` (widget coordinates) when the image lies at `r`."""
        if target.width() <= 0 or target.height() <= 0:
            return
        kx, ky = pm.width() / r.width(), pm.height() / r.height()
        p.drawPixmap(target, pm, QRectF((target.left() - r.left()) * kx, (target.top() - r.top()) * ky,
                                        target.width() * kx, target.height() * ky))

    def _tag(self, p: QPainter, x: float, y: float, text: str, align: Qt.AlignmentFlag) -> None:
        fm = p.fontMetrics()
        w, h = fm.horizontalAdvance(text) + 12, fm.height() + 6
        box = QRectF(x if align == Qt.AlignmentFlag.AlignLeft else x - w, y, w, h)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 150))
        p.drawRoundedRect(box, 4, 4)
        p.setPen(QColor(255, 255, 255))
        p.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)

    # ---- the mouse: divider, panning, zoom
    def _move_to(self, x: float) -> None:
        v = self.visible_rect()
        if v.width() > 0:
            self.set_split((x - v.left()) / v.width())

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self.before is None:
            return
        pos = event.position()
        self._last = pos
        if event.button() == Qt.MouseButton.MiddleButton or (
                event.button() == Qt.MouseButton.LeftButton and self.pannable()
                and abs(pos.x() - self.divider_x()) > GRAB):
            self._drag = "pan"
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        elif event.button() == Qt.MouseButton.LeftButton:
            self._drag = "split"
            self._move_to(pos.x())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self.before is None:
            return
        pos = event.position()
        if self._drag == "pan":
            self.pan_by(pos.x() - self._last.x(), pos.y() - self._last.y())
        elif self._drag == "split":
            self._move_to(pos.x())
        else:
            near = abs(pos.x() - self.divider_x()) <= GRAB
            self.setCursor(Qt.CursorShape.SplitHCursor if near or not self.pannable()
                           else Qt.CursorShape.OpenHandCursor)
        self._last = pos

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self._drag == "pan":
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        self._drag = None

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        """Fit <-> 1:1 around the clicked point."""
        if self.before is not None and event.button() == Qt.MouseButton.LeftButton:
            self.set_zoom(1.0 if self.zoom is None else None, event.position())

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt override)
        d = event.angleDelta()
        if self.before is None:
            event.ignore()
        elif event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if d.y():
                self.step_zoom(1 if d.y() > 0 else -1, event.position())
        elif self.pannable():
            dx, dy = d.x(), d.y()
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                dx, dy = dy, 0
            self.pan_by(dx / WHEEL_STEP * PAN_STEP, dy / WHEEL_STEP * PAN_STEP)
        else:
            event.ignore()
