"""The results page: the query photo above a grid of the photos that look like it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QListView, QVBoxLayout, QWidget

from desktop.grid_model import ResultsModel, ThumbnailDelegate
from desktop.thumbnails import ThumbnailCache


class ResultsView(QWidget):
    """The query (thumbnail and caption) and the result grid; the window fills them."""

    def __init__(
        self, thumbnails: ThumbnailCache, side: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.query_thumb = QLabel()
        self.query_thumb.setFixedSize(96, 96)
        self.query_thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.query_thumb.setFrameShape(QFrame.Shape.StyledPanel)
        self.query_label = QLabel()
        self.query_label.setWordWrap(True)
        self.query_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        query_row = QHBoxLayout()
        query_row.addWidget(self.query_thumb)
        query_row.addWidget(self.query_label, 1)
        self.model = ResultsModel(thumbnails)
        self.grid = QListView()
        self.grid.setObjectName("resultsGrid")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setUniformItemSizes(True)
        self.grid.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.grid.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.grid.setModel(self.model)
        self.delegate = ThumbnailDelegate(side)
        self.grid.setItemDelegate(self.delegate)
        layout = QVBoxLayout(self)
        layout.addLayout(query_row)
        layout.addWidget(self.grid, 1)
