"""Generate tab: count, seed, truncation, keep-best share, a conditional model's classes, "Generate batch" with
progress, Cancel and "Clear batch"; the batch's thumbnails (grouped by class)."""

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

from assetgan.export.collection import Item

from .card_words import data_label, makes
from .class_choice import by_class_key, chosen_or_all, class_order, labels
from .class_picker import ClassPicker
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
        self.classes = ClassPicker()
        self.classes.changed.connect(self._classes_changed)
        self.class_hint = QLabel("choose at least one class")
        self.class_hint.setStyleSheet("color: #c0392b")
        self.class_box = QWidget()  # shown only for a conditional model
        box = QHBoxLayout(self.class_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(QLabel("Classes"))
        box.addWidget(self.classes)
        box.addWidget(self.class_hint)
        self.class_box.setVisible(False)
        self.running = False
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
        row.addWidget(self.class_box)
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
            self.model_label.setText(f"Model: {m.card.name or m.path.stem}: {makes(m.card)}; learned from "
                                     f"{data_label(m.card)}{note}")
            self.model_label.setToolTip(m.card.summary())
            self.grid.set_zoom(self.grid.zoom_choice, m.card.size * (3 if self.ctl.store.tiled else 1))
            self.keep.setEnabled(m.card.critic)
            self.keep.setValue(round(m.sampling()[1] * 100) if m.card.critic else 100)
        known = m.card.classes if m is not None else []
        self.class_box.setVisible(bool(known))
        self.grid.sort_key = by_class_key(class_order(known)) if known else None  # the batch grouped by class
        self.grid.class_labels = labels(known)
        self.classes.set_classes(known, chosen_or_all(s.classes if s is not None else None, known))
        self._enable()
        self.grid.set_items(self._batch_items())

    def _batch_items(self) -> list[Item]:
        """The batch's items still in the session, in the grid's order (by class for a conditional model)."""
        s = self.ctl.session
        if s is None:
            return []
        present = s.names()
        items = [s.item(n) for n in self.ctl.batch_names if n in present]
        return sorted(items, key=self.grid.sort_key) if self.grid.sort_key is not None else items

    def _classes_changed(self, chosen: list) -> None:
        known = self.classes.known
        self.ctl.set_classes(None if len(chosen) == len(known) else list(chosen))
        self._enable()

    def _enable(self) -> None:
        """Generate needs a class of a conditional model chosen; the hint says so, no dialog."""
        missing = bool(self.classes.known) and not self.classes.chosen()
        self.class_hint.setVisible(missing)
        self.generate_button.setEnabled(not self.running and not missing)
        self.generate_button.setToolTip("choose at least one class in Classes" if missing else "")

    def _generate(self) -> None:
        self.ctl.generate(self.count.value(), self.seed.value(), round(self.truncation.value(), 2),
                          self.keep.value() / 100.0)

    def _started(self, seeds: list) -> None:
        self.grid.set_items([])
        self.progress.setRange(0, len(seeds))
        self.progress.setValue(0)
        self.running = True
        self.generate_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.clear_button.setEnabled(False)

    def _progress(self, done: int, total: int) -> None:
        if total:
            self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _finished(self, cancelled: bool, summary: str) -> None:
        self.running = False
        self._enable()
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
        if self.ctl.session is None:
            return
        items = self._batch_items()
        if [it.name for it in items] != self.grid.names():  # renamed or removed: rebuild from the batch list
            self.grid.set_items(items)
        else:
            self.grid.refresh(items)
