"""The Stylize tab's preview pane: split view with zoom, strength slider, and the quick-then-full preview jobs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from assetgan.runtime.pixel_grid import PixelArtMode
from assetgan.runtime.stylize import StyleModel

from . import stylize_logic as logic
from .elided_label import ElidedLabel
from .pixmaps import to_pixmap
from .preview_render import describe, render_preview
from .split_view import ZOOMS, SplitView, zoom_label
from .workers import Job, JobRunner

QUICK, FULL = "quick preview", "full resolution"  # the view's badge


class PreviewPane(QWidget):
    """Shows one input before/after: a cached preview at once, else a quick downscaled one from a worker, replaced
    by the full-resolution result (what Stylize all writes) when it is ready; strength re-blends without the model."""

    failed = Signal(object, str)  # (path, reason): the input could not be previewed
    status = Signal(str)  # a line for the status bar
    strength_changed = Signal(int)  # percent

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.cache = logic.PreviewCache()
        self.preview: logic.Preview | None = None  # shown in the split view
        self.after_img = None  # the blended "after" on screen, uint8 [h, w, 3]
        self.job: Job | None = None
        self.job_key: logic.PreviewKey | None = None
        self.wanted: tuple[StyleModel, str, Path, PixelArtMode] | None = None  # the preview asked for last
        self.unreadable: dict[Path, str] = {}  # inputs whose preview failed, with the reason
        self.name = ""
        self.view = SplitView()
        self.zoom = QComboBox()
        self.zoom.addItem("Fit", None)
        for z in ZOOMS[1:5]:
            self.zoom.addItem(zoom_label(z), z)
        self.zoom.setToolTip("Zoom (Ctrl+wheel; double-click toggles Fit and 1:1). Drag a zoomed image, or use the "
                             "wheel, to pan; 1:1 shows the file's own pixels.")
        self.zoom.activated.connect(lambda i: self.view.set_zoom(self.zoom.itemData(i)))
        self.view.zoom_changed.connect(self._zoom_shown)
        self.strength = QSlider(Qt.Orientation.Horizontal)
        self.strength.setRange(0, 100)
        self.strength.setValue(100)
        self.strength.valueChanged.connect(self._strength_changed)
        self.strength_label = QLabel("100 %")
        self.strength_label.setMinimumWidth(48)
        self.info = ElidedLabel()
        self.info.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Strength"))
        row.addWidget(self.strength, 1)
        row.addWidget(self.strength_label)
        row.addSpacing(12)
        row.addWidget(QLabel("Zoom"))
        row.addWidget(self.zoom)
        layout.addLayout(row)
        layout.addWidget(self.info)

    def strength_value(self) -> float:
        return self.strength.value() / 100

    def _zoom_shown(self, zoom: float | None) -> None:
        i = self.zoom.findData(zoom)
        if i < 0:
            self.zoom.addItem(zoom_label(zoom), zoom)
            i = self.zoom.count() - 1
        self.zoom.setCurrentIndex(i)

    # ---- what is shown
    def clear(self, message: str = "") -> None:
        """No preview: the message instead (a hint, or why the input cannot be previewed)."""
        self.preview, self.after_img, self.wanted = None, None, None
        self.view.set_images(None, None)
        self.view.set_badge("")
        self.view.set_message(message)
        self.info.setText("")

    def request(self, model: StyleModel, direction: str, path: Path, pixel_art: PixelArtMode) -> None:
        """Show `path`'s preview: from the cache at once, else rendered on a worker (quick first, then full)."""
        self.wanted = (model, direction, path, pixel_art)
        self.name = path.name
        key = logic.preview_key(model, direction, path, pixel_art)
        cached = self.cache.get(key)
        if cached is not None:
            self._show(cached)
        else:
            self.view.set_message("rendering preview…")
        if cached is not None and cached.full:
            return
        if self.job is not None:  # one preview at a time; the newest request runs when this one stops
            if self.job_key != key:
                self.job.cancel()
            return
        self._start(model, direction, path, pixel_art, quick=cached is None)

    def _start(self, model: StyleModel, direction: str, path: Path, pixel_art: PixelArtMode, quick: bool) -> None:
        def work(ctx) -> logic.Preview:
            return render_preview(model, direction, path, pixel_art, ctx, ctx.emit if quick else None)

        job = Job(work, "preview")
        job.signals.result.connect(self._ready)
        job.signals.error.connect(lambda msg: self._failed(path, msg))
        self.job, self.job_key = job, logic.preview_key(model, direction, path, pixel_art)
        self.runner.start(job, self._ready, self._done)

    def _ready(self, p: logic.Preview) -> None:
        self.cache.put(p)
        if self.wanted is not None and p.key == logic.preview_key(*self.wanted) and (
                self.preview is None or self.preview.key != p.key or p.full or not self.preview.full):
            self._show(p)
            self.status.emit(f"last inference {p.seconds * 1000:.0f} ms ({FULL if p.full else QUICK})")

    def _failed(self, path: Path, msg: str) -> None:
        self.unreadable[path] = msg
        if self.wanted is not None and self.wanted[2] == path:
            self.clear(f"Cannot preview: {msg}\nStylize all will skip it.")
        self.failed.emit(path, msg)

    def _done(self, _cancelled: bool) -> None:
        """Render the preview asked for while this one ran, if it is not there yet."""
        self.job, self.job_key = None, None
        w = self.wanted
        if w is None or w[2] in self.unreadable:
            return
        cached = self.cache.get(logic.preview_key(*w))
        if cached is None or not cached.full:
            self._start(*w, quick=cached is None)

    def _show(self, p: logic.Preview) -> None:
        self.preview = p
        self.after_img = p.at(self.strength_value())
        h, w = p.full_size
        self.view.set_images(to_pixmap(p.before), to_pixmap(self.after_img), QSize(w, h))
        self.view.set_badge(FULL if p.full else QUICK)
        self.info.setText(describe(p, self.name))

    def _strength_changed(self, value: int) -> None:
        """Re-blend the cached full-strength result; the model does not run again."""
        self.strength_label.setText(f"{value} %")
        if self.preview is not None:
            self.after_img = self.preview.at(value / 100)
            self.view.set_after(to_pixmap(self.after_img))
        self.strength_changed.emit(value)
