"""Every modal question the app asks, in one place, so tests can answer them without a person."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget


def alert(parent: QWidget | None, title: str, text: str) -> None:
    """A warning for something that went wrong; the session is intact."""
    QMessageBox.warning(parent, title, text)


def inform(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def overwrite(parent: QWidget | None, title: str, text: str) -> bool:
    """Overwrite / Cancel; Cancel is the default, so Enter never replaces files."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Cancel, parent)
    yes = box.addButton("Overwrite", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is yes


def open_file(parent: QWidget | None, title: str, filter_: str, start: str = "") -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, start, filter_)
    return Path(path) if path else None


def open_files(parent: QWidget | None, title: str, filter_: str, start: str = "") -> list[Path]:
    paths, _ = QFileDialog.getOpenFileNames(parent, title, start, filter_)
    return [Path(p) for p in paths]


def save_file(parent: QWidget | None, title: str, filter_: str, start: str = "") -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, start, filter_)
    return Path(path) if path else None


def folder(parent: QWidget | None, title: str, start: str = "") -> Path | None:
    path = QFileDialog.getExistingDirectory(parent, title, start)
    return Path(path) if path else None


def text(parent: QWidget | None, title: str, label: str, value: str = "") -> str | None:
    result, ok = QInputDialog.getText(parent, title, label, text=value)
    return result if ok else None
