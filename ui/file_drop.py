"""Files dropped on a widget: a mixin that accepts local file URLs and hands their paths to `dropped`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QDragEnterEvent, QDropEvent


class FileDrop:
    """Put first among a QWidget's bases; the widget calls `setAcceptDrops(True)` and defines `dropped(paths)`."""

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        event.acceptProposedAction()
        self.dropped(paths)

    def dropped(self, paths: list[Path]) -> None:
        raise NotImplementedError
