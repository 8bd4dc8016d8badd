"""Library tab: shipped and user models, each described in a few plain lines with its full card on demand; add a
model by file dialog or drag-and-drop."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .card_words import data_label, makes, quality_details, quality_sentence
from .controller import AppController
from .library import LibraryModel, card_rows, resolved

PATH_ROLE = Qt.ItemDataRole.UserRole


class LibraryTab(QWidget):
    """A list of models on the left; on the right what the selected model makes, what it learned from and how
    good it is, with its full card under "Details"."""

    def __init__(self, ctl: AppController, add_model: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctl = ctl
        self.list = QListWidget()
        self.list.setMinimumWidth(240)
        self.list.currentRowChanged.connect(lambda _r: self._show_card())
        self.list.itemDoubleClicked.connect(lambda _i: self.use_selected())
        self.card_box = QGroupBox("About this model")
        self.about = QFormLayout(self.card_box)
        self.makes, self.trained_on, self.quality = _value(), _value(), _value()
        self.about.addRow("Makes", self.makes)
        self.about.addRow("Learned from", self.trained_on)
        self.about.addRow("Quality", self.quality)
        self.details_button = QToolButton()
        self.details_button.setText("Details")
        self.details_button.setCheckable(True)
        self.details_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_button.setArrowType(Qt.ArrowType.RightArrow)
        self.details_button.toggled.connect(self._toggle_details)
        self.details = QGroupBox("Model card")
        self.form = QFormLayout(self.details)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.details.setVisible(False)
        self.add_button = QPushButton("Add model…")
        self.add_button.clicked.connect(add_model)
        self.use_button = QPushButton("Use for generating")
        self.use_button.clicked.connect(self.use_selected)
        hint = QLabel("Drop an assetgan .onnx file anywhere on the window to add it. Added models are copied into "
                      "the user model folder, so `assetgan generate` and `assetgan export` find them by name too.")
        hint.setWordWrap(True)
        left = QVBoxLayout()
        left.addWidget(self.list)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.use_button)
        left.addLayout(buttons)
        right = QVBoxLayout()
        right.addWidget(self.card_box)
        right.addWidget(self.details_button)
        right.addWidget(self.details)
        right.addWidget(hint)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addLayout(right, 3)
        ctl.library_changed.connect(self.refresh)
        ctl.model_changed.connect(self.refresh)

    def refresh(self) -> None:
        current = resolved(self.ctl.model.path) if self.ctl.model else None
        keep = self.selected()
        self.list.clear()
        for m in self.ctl.library:
            row = QListWidgetItem(_label(m, current))
            row.setData(PATH_ROLE, str(m.path))
            row.setToolTip(f"{m.path}\n{m.error}" if m.error else str(m.path))
            self.list.addItem(row)
        names = [m.name for m in self.ctl.library]
        target = keep.name if keep is not None and keep.name in names else None
        if target is None and self.ctl.model is not None:
            target = next((m.name for m in self.ctl.library if resolved(m.path) == current), None)
        self.list.setCurrentRow(names.index(target) if target in names else (0 if names else -1))
        self._show_card()

    def selected(self) -> LibraryModel | None:
        row = self.list.currentRow()
        return self.ctl.library[row] if 0 <= row < len(self.ctl.library) else None

    def select_name(self, name: str) -> None:
        for i, m in enumerate(self.ctl.library):
            if m.name == name:
                self.list.setCurrentRow(i)

    def _show_card(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        m = self.selected()
        if m is None:
            return
        self._show_about(m)
        self.form.addRow("name", QLabel(m.name))
        self.form.addRow("origin", QLabel(m.origin))
        if m.card is None:
            err = QLabel(m.error)
            err.setWordWrap(True)
            self.form.addRow("problem", err)
        else:
            for label, value in card_rows(m.card):
                v = QLabel(value)
                v.setWordWrap(True)
                v.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.form.addRow(label, v)
        path = QLabel(m.path.name)
        path.setToolTip(str(m.path))
        self.form.addRow("file", path)
        self.use_button.setText("Use for stylizing" if m.stylable else "Use for generating")
        self.use_button.setEnabled(m.usable or m.stylable)

    def _show_about(self, m: LibraryModel) -> None:
        self.card_box.setTitle(f"About {m.name}")
        if m.card is None:
            self.makes.setText(f"Nothing: this file cannot be used ({m.problem})")
            self.trained_on.setText("unknown")
            self.quality.setText("unknown")
            self.quality.setToolTip("")
            return
        self.makes.setText(makes(m.card)[:1].upper() + makes(m.card)[1:])
        self.trained_on.setText(data_label(m.card))
        self.quality.setText(quality_sentence(m.card))
        self.quality.setToolTip(quality_details(m.card))

    def _toggle_details(self, on: bool) -> None:
        self.details.setVisible(on)
        self.details_button.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

    def use_selected(self) -> None:
        """Open the selected model: in the Stylize tab if it translates images, else for generating."""
        m = self.selected()
        if m is not None and m.stylable:
            self.ctl.stylize_requested.emit(m.name)
        elif m is not None:
            self.ctl.use_model(m)


def _value() -> QLabel:
    """A wrapped, selectable value of the About form."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _label(m: LibraryModel, current: Path | None) -> str:
    """A list row: the model in use marked ●, a model that cannot be used marked ⚠ with its reason."""
    if m.card is None:
        reason = m.problem if len(m.problem) <= 80 else m.problem[:79] + "…"
        return f"⚠ {m.name}  —  {m.origin}, not usable: {reason}"
    mark = "● " if current is not None and resolved(m.path) == current else ""
    return f"{mark}{m.name}  —  {m.origin}, {m.card.summary().split(',')[0]}"
