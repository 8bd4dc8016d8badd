"""Help > Keyboard shortcuts (a table built from the actions themselves) and the text of Help > About."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .item_grid import LABELS, SHORTCUTS

MOUSE_ROWS = (("Ctrl+wheel (over a grid)", "Zoom the thumbnails"), ("Double-click an item", "Explore"),
              ("Right-click an item", "Curation menu"))


def app_version() -> str:
    """The installed assetgan version (package metadata, else the module's __version__)."""
    try:
        from importlib.metadata import version

        return version("assetgan")
    except Exception:  # running from a source tree without metadata
        import assetgan

        return getattr(assetgan, "__version__", "unknown")


def about_text(provider: str) -> str:
    """What Help > About says: version, runtime and where the model runs."""
    import onnxruntime

    return (f"assetgan {app_version()}\n\nGenerates, curates and exports game assets with small GANs.\n\n"
            f"ONNX Runtime {onnxruntime.__version__}: {provider}")


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    """(keys, what) for every action with a shortcut (menu order), then the grid's curation keys and the mouse."""
    rows = []
    for act in actions:
        keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in act.shortcuts())
        if keys:
            rows.append((keys, act.text().replace("&", "").rstrip("…")))
    rows += [(" or ".join(keys), LABELS[name].rstrip("…") + " (selected items)") for name, keys in SHORTCUTS.items()]
    return rows + list(MOUSE_ROWS)


class ShortcutsDialog(QDialog):
    """A read-only table of shortcuts; not modal, so it can stay open beside the window."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["Keys", "Does"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, (keys, what) in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(keys))
            self.table.setItem(r, 1, QTableWidgetItem(what))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(520, 520)

    def rows(self) -> list[tuple[str, str]]:
        return [(self.table.item(r, 0).text(), self.table.item(r, 1).text()) for r in range(self.table.rowCount())]
