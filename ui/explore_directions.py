"""Explore's "main directions of change": GANSpace directions as sliders, each with a strip of thumbnails showing
what it changes around the current item, a live preview, and frames along one direction."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from assetgan.core.errors import AssetganError

from . import explore, pca
from .batch import render_latents
from .controller import AppController
from .direction_strip import COUNT, StripCache, ThumbRow
from .explore_words import (
    DIRECTIONS,
    FIND,
    KEEP_PREVIEW,
    SHOW_FRAMES,
    direction_name,
    direction_tip,
    directions_found,
    directions_stale,
)
from .pixmaps import to_pixmap
from .settings import cache_dir
from .thumbs import thumbnail
from .workers import Job

SLIDERS = 6  # principal directions offered as sliders
STEPS = 100  # slider units per sigma


class Host(Protocol):
    """What the panel needs from the Explore tab."""

    ctl: AppController
    source: str | None
    frames: QSpinBox

    def source_z(self) -> np.ndarray: ...
    def source_class(self) -> str | None: ...
    def class_ids(self, n: int, cls: str | None) -> np.ndarray | None: ...
    def _strip_from(self, make, base: str, title: str, cls=...) -> None: ...


class DirectionsPanel(QGroupBox):
    """Find the directions (cached per model), then slide along them; thumbnails render in the background."""

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(DIRECTIONS[0], parent)
        self.setToolTip(DIRECTIONS[1])
        self.host, self.ctl = host, host.ctl
        self.directions: pca.Directions | None = None
        self.directions_class: str | None = None  # the class they were found within (None: all images)
        self.sliders: list[QSlider] = []
        self.strips: list[ThumbRow] = []
        self.cache = StripCache()
        self.strips_job: Job | None = None
        self.preview_z: np.ndarray | None = None
        self.preview_img: np.ndarray | None = None
        self.preview_class: str | None = None
        self.find_button = QPushButton(FIND[0])
        self.find_button.setToolTip(FIND[1])
        self.find_button.clicked.connect(self.compute)
        self.label = QLabel("Finds the ways this model's images change most, from 512 samples (cached per model).")
        self.label.setWordWrap(True)
        self.grid = QGridLayout()
        self.choice = QComboBox()
        self.frames_button = QPushButton(SHOW_FRAMES[0])
        self.frames_button.setToolTip(SHOW_FRAMES[1])
        self.frames_button.clicked.connect(lambda: self.along(self.choice.currentIndex()))
        self.preview = QLabel()
        self.preview.setFixedSize(96, 96)
        self.keep_button = QPushButton(KEEP_PREVIEW[0])
        self.keep_button.setToolTip(KEEP_PREVIEW[1])
        self.keep_button.clicked.connect(self.add_preview)
        self._timer = QTimer(self, singleShot=True, interval=60)
        self._timer.timeout.connect(self.render_preview)
        col = QVBoxLayout(self)
        col.addWidget(self.find_button)
        col.addWidget(self.label)
        col.addLayout(self.grid)
        row = QHBoxLayout()
        row.addWidget(self.preview)
        side = QVBoxLayout()
        pick = QHBoxLayout()
        pick.addWidget(self.frames_button)
        pick.addWidget(self.choice, 1)
        side.addLayout(pick)
        side.addWidget(self.keep_button)
        side.addStretch(1)
        row.addLayout(side, 1)
        col.addLayout(row)

    def enable(self, on: bool) -> None:
        self.frames_button.setEnabled(on)
        self.keep_button.setEnabled(on)

    # ---- finding them
    def compute(self) -> Job | None:
        m = self.ctl.model
        if m is None:
            return None
        folder = cache_dir() / "pca"
        self.find_button.setEnabled(False)
        self.label.setText("Rendering 512 samples…")
        classes = m.card.classes
        cls = self.host.source_class() if classes and self.host.source is not None else None
        if cls in classes:  # a conditional model: the directions within the class being explored
            cid = classes.index(cls)
            run, variant = (lambda z: m.run(z, np.full(len(z), cid, np.int64))), f"-c{cid}"
        else:  # an unconditional model (or no item yet): all its images, classes in turn
            cls, variant = None, ""
            run = (lambda z: m.run(z, np.arange(len(z)) % len(classes))) if classes else m.run
        job = Job(lambda ctx: pca.load_or_compute(run, m.nz, m.sha256(), folder, k=SLIDERS, progress=ctx,
                                                  variant=variant), "PCA")
        job.signals.progress.connect(lambda d, t: self.label.setText(f"Rendering samples… {d}/{t}"))
        job.signals.result.connect(lambda result: self._found(result, cls))
        job.signals.error.connect(lambda msg: self.ctl.alert("Main directions", msg))
        job.signals.finished.connect(lambda _c: self.find_button.setEnabled(True))
        return self.ctl.runner.start(job)

    def _found(self, result: tuple, cls: str | None = None) -> None:
        d, cached = result
        self.clear()
        self.directions, self.directions_class = d, cls
        self.label.setText(directions_found([float(e) for e in d.explained], cached, cls))
        for i in range(len(d.directions)):
            name = QLabel(direction_name(i))
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(-3 * STEPS, 3 * STEPS)
            slider.setMinimumWidth(90)
            slider.valueChanged.connect(lambda _v: self._timer.start())
            strip = ThumbRow()
            for w in (name, slider, strip):
                w.setToolTip(direction_tip(i, float(d.explained[i])))
            self.grid.addWidget(name, 2 * i, 0, 1, 2)
            self.grid.addWidget(slider, 2 * i + 1, 0)
            self.grid.addWidget(strip, 2 * i + 1, 1)
            self.sliders.append(slider)
            self.strips.append(strip)
            self.choice.addItem(f"Direction {i + 1}")
        if self.host.source is not None:
            self.reset()

    def clear(self) -> None:
        """Forget the directions (another session or model) and what was rendered along them."""
        if self.strips_job is not None:
            self.strips_job.cancel()
        while self.grid.count():
            w = self.grid.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.directions = None
        self.sliders, self.strips = [], []
        self.cache.clear()
        self.choice.clear()
        self.preview.clear()
        self.preview_z = None

    def class_changed(self, cls: str | None) -> None:
        """The class being explored changed: directions found within another class no longer apply."""
        if self.directions is not None and self.directions_class is not None and cls != self.directions_class:
            found = self.directions_class
            self.clear()
            self.label.setText(directions_stale(found, cls or "this item"))
        elif self.directions is not None:
            self.reset()

    def reset(self) -> None:
        """A new item (or class): sliders back to 0, its preview and its strips."""
        for s in self.sliders:
            s.blockSignals(True)
            s.setValue(0)
            s.blockSignals(False)
        self.render_preview()
        self.render_strips()

    # ---- thumbnails along each direction
    def render_strips(self) -> Job | None:
        """Render COUNT thumbnails from -3 sigma to +3 sigma along every direction around the current item (cached
        rows shown at once, the rest in one background job)."""
        d, m = self.directions, self.ctl.model
        if self.strips_job is not None:
            self.strips_job.cancel()
            self.strips_job = None
        if d is None or m is None or self.host.source is None:
            return None
        try:
            z, cls = self.host.source_z(), self.host.source_class()
        except AssetganError:
            return None  # the preview says why
        todo = []
        for i, strip in enumerate(self.strips):
            strip.clear()
            cached = self.cache.get(z, cls, i)
            for j, img in enumerate(cached or []):
                strip.set_image(j, img, self.ctl.store.tiled)
            if cached is None:
                todo.append(i)
        if not todo:
            return None
        zs = explore.direction_strips(z, d.directions[todo], d.sigmas[todo], COUNT)  # [len(todo) * COUNT, nz]
        keys = [f"{i}:{j}" for i in todo for j in range(COUNT)]
        y = self.host.class_ids(len(keys), cls)
        job = Job(lambda ctx: render_latents(m, keys, zs, ctx, ctx.emit, classes=y), "directions")
        job.signals.error.connect(lambda msg: self.ctl.alert("Main directions", msg))
        self.strips_job = job
        return self.ctl.runner.start(job, lambda chunk: job is self.strips_job and self._strip_chunk(chunk, z, cls))

    def _strip_chunk(self, chunk: list, z: np.ndarray, cls: str | None) -> None:
        for key, img in chunk:
            i, j = (int(v) for v in key.split(":"))
            strip = self.strips[i]
            strip.set_image(j, img, self.ctl.store.tiled)
            if all(x is not None for x in strip.images):
                self.cache.put(z, cls, i, list(strip.images))

    # ---- sliders and preview
    def slider_values(self) -> np.ndarray:
        return np.array([s.value() / STEPS for s in self.sliders], np.float32)

    def render_preview(self) -> None:
        d, m = self.directions, self.ctl.model
        if d is None or m is None or self.host.source is None:
            return
        try:
            z = explore.apply_sliders(self.host.source_z(), d.directions, d.sigmas, self.slider_values())
            cls = self.host.source_class()
        except AssetganError as exc:
            self.ctl.alert("Explore", str(exc))
            return
        self.preview_z, self.preview_class = z, cls
        y = self.host.class_ids(1, cls)
        job = Job(lambda ctx: m.run(z[None], y)[0], "preview")
        job.signals.result.connect(lambda img, z=z: z is self.preview_z and self._preview(img))
        self.ctl.runner.start(job)

    def _preview(self, img: np.ndarray) -> None:
        self.preview_img = img
        self.preview.setPixmap(to_pixmap(thumbnail(img, 96, self.ctl.store.tiled)))

    def add_preview(self) -> str | None:
        s, source = self.ctl.session, self.host.source
        if s is None or self.preview_z is None:
            return None
        out: list[str] = []
        tag = "+".join(f"pc{i + 1}" for i, v in enumerate(self.slider_values()) if v) or "pc0"
        if self.ctl.attempt("Keep", lambda: out.append(
                s.add_latent(self.preview_z, f"{source}_{tag}", ["explore"], self.preview_class).name)):
            if self.preview_img is not None:
                self.ctl.store.put(out[0], self.preview_img)
            self.ctl.images_arrived.emit(out)
            return out[0]
        return None

    def along(self, index: int) -> None:
        """Frames along direction `index` around the preview (or the item), -3 sigma … +3 sigma."""
        d, host = self.directions, self.host
        if d is None or not 0 <= index < len(d.directions):
            return
        try:
            base = self.preview_z if self.preview_z is not None else host.source_z()
        except AssetganError as exc:
            self.ctl.alert("Explore", str(exc))
            return
        host._strip_from(lambda: explore.along(base, d.directions[index], float(d.sigmas[index]), host.frames.value()),
                         f"{host.source}_pc{index + 1}", f"Direction {index + 1} around {host.source}, −3 … +3",
                         host.source_class)
