"""The "For you" view: photos like the favourites, each with the favourite it is like."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.pathtext import display
from core.recommend import Recommendation
from desktop.grid_model import as_item_data, from_item_data
from desktop.personal import Personal
from desktop.thumbnails import ThumbnailCache

PATH_ROLE = Qt.ItemDataRole.UserRole
ICON_SIDE = 160


def explanation(rec: Recommendation) -> str:
    """The line under a recommended photo: "like ★ IMG_0042"."""
    return f"like ★ {display(Path(rec.like).stem)}"


class ForYouView(QWidget):
    """Recommendations as a grid; double-click opens a photo's details."""

    open_requested = Signal(str)

    def __init__(self, personal: Personal, thumbnails: ThumbnailCache) -> None:
        super().__init__()
        self.personal = personal
        self.thumbnails = thumbnails
        self.recommendations: list[Recommendation] = []
        self.title = QLabel("<b>For you</b> — photos like your ★ favourites")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.refresh_button)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("forYouGrid")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setIconSize(QSize(ICON_SIDE, ICON_SIDE))
        self.list.setGridSize(QSize(ICON_SIDE + 24, ICON_SIDE + 48))
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(
            lambda item: self.open_requested.emit(from_item_data(item.data(PATH_ROLE)))
        )
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addWidget(self.list, 1)
        personal.recommended.connect(self._on_recommended)
        thumbnails.ready.connect(self._on_thumbnail_ready)

    @Slot()
    def refresh(self) -> None:
        """Ask for recommendations again (after starring, or new photos)."""
        self.refresh_button.setEnabled(False)
        self.hint.setText("Looking for photos like your favourites…")
        self.personal.request_recommendations()

    @Slot(object)
    def _on_recommended(self, found: list[Recommendation]) -> None:
        self.refresh_button.setEnabled(True)
        self.recommendations = list(found)
        self.list.clear()
        if not found:
            self.hint.setText(
                "Nothing yet: star photos you love (☆ in a photo's details, or right-click a "
                "result) and Simili suggests more like them."
            )
            return
        self.hint.setText(f"{len(found)} photos, varied, never a favourite or a copy of one.")
        for rec in found:
            item = QListWidgetItem(f"{display(Path(rec.path).name)}\n{explanation(rec)}")
            item.setData(PATH_ROLE, as_item_data(rec.path))
            item.setToolTip(f"{display(rec.path)}\nlike ★ {display(rec.like)} ({rec.score:.2f})")
            pixmap = self.thumbnails.get(rec.path, ICON_SIDE)
            if pixmap is not None:
                item.setIcon(QIcon(pixmap))
            self.list.addItem(item)

    @Slot(object)
    def _on_thumbnail_ready(self, path: str) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if from_item_data(item.data(PATH_ROLE)) == path:
                pixmap = self.thumbnails.get(path, ICON_SIDE)
                if pixmap is not None:
                    item.setIcon(QIcon(pixmap))
