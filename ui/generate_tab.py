"""Generate tab: count, seed, truncation, keep-best share, "Generate batch" with progress, Cancel and "Clear batch";
the batch's thumbnails."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .controller import AppController
from .item_grid import ItemGrid

MAX_SEED = 2**31 - 1


class GenerateTab(QWidget):
    """Controls on top, the current batch below; curation shortcuts work in the grid."""

    def __init__(self, ctl: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctl = ctl
        self.count = QSpinBox()
        self.count.setRange(1, 4096)
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self.truncation = QDoubleSpinBox()
        self.truncation.setRange(0.05, 2.0)
        self.truncation.setSingleStep(0.05)
        self.truncation.setDecimals(2)
        self.keep = QSpinBox()
        self.keep.setRange(10, 100)
        self.keep.setSuffix(" %")
        self.keep.setValue(100)
        self.keep.setToolTip("Draw more candidates and keep this share that the model's discriminator finds most "
                             "convincing (100 % = off; needs a model exported with its critic)")
        self.generate_button = QPushButton("Generate batch")
        self.generate_button.setDefault(True)
        self.generate_button.clicked.connect(self._generate)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(ctl.cancel_batch)
        self.clear_button = QPushButton("Clear batch")
        self.clear_button.setToolTip("Remove the batch's items you did not curate (no mark, no tag, not renamed) from "
                                     "the session; Edit > Undo puts them back")
        self.clear_button.clicked.connect(ctl.clear_batch)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.model_label = QLabel()
        self.model_label.setWordWrap(True)
        self.grid = ItemGrid(ctl.store)
        self.grid.action.connect(ctl.curate)
        row = QHBoxLayout()
        for label, w in (("Count", self.count), ("First seed", self.seed), ("Truncation ψ", self.truncation),
                         ("Keep best", self.keep)):
            row.addWidget(QLabel(label))
            row.addWidget(w)
        row.addStretch(1)
        run = QHBoxLayout()  # a second row, so a narrow window still fits every control
        run.addWidget(self.generate_button)
        run.addWidget(self.cancel_button)
        run.addWidget(self.clear_button)
        run.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.model_label)
        layout.addLayout(row)
        layout.addLayout(run)
        layout.addWidget(self.grid, 1)
        hint = QLabel("F favourite · X/Delete reject · T tag · F2 rename · E or double-click explore · "
                      "Shift+Delete remove · Ctrl+Z undo · Ctrl+wheel zoom")
        hint.setEnabled(False)
        hint.setWordWrap(True)  # never sets the window's minimum width
        layout.addWidget(hint)
        ctl.session_changed.connect(self._load)
        ctl.model_changed.connect(self._load)
        ctl.batch_started.connect(self._started)
        ctl.batch_progress.connect(self._progress)
        ctl.batch_finished.connect(self._finished)
        ctl.images_arrived.connect(self._arrived)
        ctl.items_changed.connect(self._items_changed)

    def _load(self) -> None:
        s, m = self.ctl.session, self.ctl.model
        if s is not None:
            self.count.setValue(s.settings.count)
            self.seed.setValue(min(s.settings.seed, MAX_SEED))
            self.truncation.setValue(s.settings.truncation)
        if m is not None:
            note = f" — {m.provider_note}" if m.provider_note else ""
            self.model_label.setText(f"Model: {m.card.name or m.path.stem} ({m.card.summary()}){note}")
            self.grid.set_zoom(self.grid.zoom_choice, m.card.size * (3 if self.ctl.store.tiled else 1))
            self.keep.setEnabled(m.card.critic)
            self.keep.setValue(round(m.sampling()[1] * 100) if m.card.critic else 100)
        names = [n for n in self.ctl.batch_names if s is not None and n in s.names()]
        self.grid.set_items([s.item(n) for n in names] if s else [])

    def _generate(self) -> None:
        self.ctl.generate(self.count.value(), self.seed.value(), round(self.truncation.value(), 2),
                          self.keep.value() / 100.0)

    def _started(self, seeds: list) -> None:
        self.grid.set_items([])
        self.progress.setRange(0, len(seeds))
        self.progress.setValue(0)
        self.generate_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.clear_button.setEnabled(False)

    def _progress(self, done: int, total: int) -> None:
        if total:
            self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _finished(self, cancelled: bool, summary: str) -> None:
        self.generate_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.clear_button.setEnabled(True)
        self.progress.setFormat(summary)
        if self.ctl.session is not None:
            self.seed.setValue(min(self.ctl.session.settings.seed, MAX_SEED))

    def _arrived(self, names: list) -> None:
        s = self.ctl.session
        if s is None:
            return
        batch = set(self.ctl.batch_names)
        for n in names:
            if n in batch:
                self.grid.add_item(s.item(n))
            elif n in self.grid.names():
                self.grid.update_item(s.item(n))
        self.progress.setFormat("%v / %m")

    def _items_changed(self) -> None:
        s = self.ctl.session
        if s is None:
            return
        present = s.names()
        wanted = [n for n in self.ctl.batch_names if n in present]
        if wanted != self.grid.names():  # renamed or removed: rebuild from the batch list
            self.grid.set_items([s.item(n) for n in wanted])
        else:
            self.grid.refresh([s.item(n) for n in wanted])
