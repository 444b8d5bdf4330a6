"""The results page: the query photo above a grid of the photos that look like it."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop.grid_model import ResultsModel, ThumbnailDelegate
from desktop.thumbnails import ThumbnailCache


class ThumbnailListView(QListView):
    """A list of thumbnails with a visible keyboard focus, and no Tab stop while it is empty.

    The focus ring is drawn by the view, over the delegate's painting, so the keyboard position
    shows whatever the delegate draws.
    """

    FOCUS_PEN = 3

    def setModel(self, model: QAbstractItemModel | None) -> None:
        """Qt: also follow the model's rows (an empty list is skipped by Tab)."""
        super().setModel(model)
        if model is not None:
            for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
                signal.connect(self._update_tab_stop)
        self._update_tab_stop()

    def _update_tab_stop(self) -> None:
        model = self.model()
        filled = model is not None and model.rowCount() > 0
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if filled else Qt.FocusPolicy.ClickFocus)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Qt: the delegate paints the photos; the focus ring goes on top."""
        super().paintEvent(event)
        current = self.currentIndex()
        if not (self.hasFocus() and current.isValid()):
            return
        rect = self.visualRect(current)
        if not rect.intersects(event.rect()):
            return
        painter = QPainter(self.viewport())
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), self.FOCUS_PEN)
        painter.setPen(pen)
        half = self.FOCUS_PEN // 2 + 1
        painter.drawRoundedRect(rect.adjusted(half, half, -half, -half), 6, 6)
        painter.end()


class ResultsGrid(ThumbnailListView):
    """The result grid: columns spread over the full width, with the focus ring."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsGrid")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(False)  # the divider and "Show more" rows span the width
        self.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        # The scroll bar's width is always reserved, so showing it never leaves a gap or reflows.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)

    def cell_width(self) -> int:
        """The delegate's cell width (0 before one is set)."""
        delegate = self.itemDelegate()
        if delegate is None:
            return 0
        option = QStyleOptionViewItem()
        option.initFrom(self)
        return delegate.sizeHint(option, QModelIndex()).width()

    def fit_columns(self) -> None:
        """Share the width left over by whole columns out as spacing: no blank strip."""
        cell = self.cell_width()
        width = self.viewport().width()
        if cell <= 0 or width <= 0:
            return
        width -= 1  # Qt wraps a row that would touch the last pixel
        columns = max(1, width // cell)
        while columns > 1 and columns * cell + (columns + 1) * 2 > width:
            columns -= 1
        spacing = max(0, (width - columns * cell) // (columns + 1))  # edges and gaps alike
        if spacing != self.spacing():
            self.setSpacing(spacing)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Qt: refit the columns to the new width."""
        self.fit_columns()
        super().resizeEvent(event)


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
        self.model = ResultsModel(thumbnails, tiers=True)
        self.grid = ResultsGrid()
        self.grid.setModel(self.model)
        self.delegate = ThumbnailDelegate(side)
        self.grid.setItemDelegate(self.delegate)
        layout = QVBoxLayout(self)
        layout.addLayout(query_row)
        layout.addWidget(self.grid, 1)
