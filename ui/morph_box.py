"""Explore's "Morph between classes" row: pick class A and B and a number of steps; the tab renders the strip."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from assetgan.runtime.model import GeneratorModel

from .explore_words import MORPH


class MorphBox(QGroupBox):
    """Shown for conditional models; a model that cannot blend classes keeps the row, disabled, with the reason."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(MORPH[0], parent)
        self.setToolTip(MORPH[1])
        self.class_a, self.class_b = QComboBox(), QComboBox()
        self.steps = QSpinBox()
        self.steps.setRange(2, 32)
        self.steps.setValue(8)
        self.steps.setToolTip("Images from class A to class B, both ends included.")
        self.button = QPushButton("Morph")
        self.note = QLabel()
        self.note.setWordWrap(True)
        col = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(self.class_a, 1)
        row.addWidget(QLabel("→"))
        row.addWidget(self.class_b, 1)
        col.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(QLabel("Steps"))
        row.addWidget(self.steps)
        row.addWidget(self.button, 1)
        col.addLayout(row)
        col.addWidget(self.note)

    def set_model(self, model: GeneratorModel | None) -> None:
        """Offer the model's classes (A the first, B the second); hidden for an unconditional model."""
        classes = model.classes if model is not None else []
        self.setVisible(bool(classes))
        for combo, pick in ((self.class_a, 0), (self.class_b, 1)):
            combo.clear()
            combo.addItems(classes)
            combo.setCurrentIndex(min(pick, len(classes) - 1))
        problem = model.blend_problem if model is not None and classes else ""
        self.note.setText(problem)
        self.note.setVisible(bool(problem))
        self.button.setToolTip(problem or MORPH[1])

    def pick_a(self, cls: str | None) -> None:
        """Start the morph from `cls` (the current item's class), B the next class when it was the same."""
        if cls is None or self.class_a.findText(cls) < 0:
            return
        self.class_a.setCurrentText(cls)
        if self.class_b.currentText() == cls and self.class_b.count() > 1:
            self.class_b.setCurrentIndex((self.class_b.findText(cls) + 1) % self.class_b.count())
