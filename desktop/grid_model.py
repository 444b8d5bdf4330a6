"""Qt model and delegate that show search results as a grid of thumbnails with a similarity cue."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Slot,
)
from PySide6.QtGui import QColor, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from core.pathtext import display, is_text
from core.records import Match
from desktop.thumbnails import ThumbnailCache, placeholder

PATH_ROLE = Qt.ItemDataRole.UserRole
SCORE_ROLE = Qt.ItemDataRole.UserRole + 1
STACK_ROLE = Qt.ItemDataRole.UserRole + 2  # photos folded under this cover (0: not a stack)
AnyIndex = QModelIndex | QPersistentModelIndex
SCALED_ITEMS = 600  # fitted thumbnails kept for painting (a few screens of results)


@dataclass(frozen=True, slots=True)
class RawPath:
    """A path that is not valid text, wrapped: Qt would drop its undecodable bytes."""

    path: str


def as_item_data(path: str) -> str | RawPath:
    """A path to store in a Qt item or role: wrapped only when it is not valid text."""
    return path if is_text(path) else RawPath(path)


def from_item_data(value: object) -> str:
    """The path stored with `as_item_data` ("" for none)."""
    return value.path if isinstance(value, RawPath) else str(value or "")


def path_of(index: AnyIndex) -> str:
    """The file path of a result row (use this, not `index.data(PATH_ROLE)`)."""
    return from_item_data(index.data(PATH_ROLE))


class ResultsModel(QAbstractListModel):
    """Matches, best first; thumbnails are asked for only when a row is painted."""

    def __init__(self, thumbnails: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbnails = thumbnails
        self._matches: list[Match] = []
        self._all: list[Match] = []
        self._folded: dict[str, list[str]] = {}
        self._rows: dict[str, int] = {}
        # Whether a path is a favourite: its name then shows with a ★ (desktop/personal_ui.py).
        self.is_starred: Callable[[str], bool] = lambda _path: False
        thumbnails.ready.connect(self._on_thumbnail_ready)

    def refresh_stars(self) -> None:
        """Repaint the names after a star changed."""
        if self._matches:
            last = self.index(len(self._matches) - 1)
            self.dataChanged.emit(self.index(0), last, [Qt.ItemDataRole.DisplayRole])

    def set_matches(self, matches: list[Match], stacks: list[list[str]] | None = None) -> None:
        """Replace the results; each burst in `stacks` shows as its best-ranked photo."""
        self._all = list(matches)
        self._folded: dict[str, list[str]] = {}
        for stack in stacks or []:
            self._folded[stack[0]] = stack[1:]
        self._layout()

    def _layout(self) -> None:
        hidden = {p for members in self._folded.values() for p in members}
        self.beginResetModel()
        self._matches = [m for m in self._all if m.path not in hidden]
        self._rows = {m.path: i for i, m in enumerate(self._matches)}
        self.endResetModel()

    def stacked(self, row: int) -> int:
        """How many photos are folded under the cover in `row`."""
        return len(self._folded.get(self._matches[row].path, []))

    def expand(self, row: int) -> None:
        """Unfold a burst: its photos appear after the cover, in rank order."""
        cover = self._matches[row].path
        if self._folded.pop(cover, None) is not None:
            self._layout()

    def match(self, row: int) -> Match:  # type: ignore[override]
        """The match shown in a row."""
        return self._matches[row]

    def matches(self) -> list[Match]:
        """All matches shown."""
        return list(self._matches)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """Qt: number of results."""
        return 0 if parent.isValid() else len(self._matches)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Qt: file name, thumbnail, tooltip, path or score of a result."""
        if not index.isValid() or index.row() >= len(self._matches):
            return None
        m = self._matches[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            name = display(Path(m.path).name)
            return f"★ {name}" if self.is_starred(m.path) else name
        if role == Qt.ItemDataRole.DecorationRole:
            return self.thumbnails.get(m.path)
        if role == Qt.ItemDataRole.ToolTipRole:
            folded = len(self._folded.get(m.path, []))
            burst = f"\nburst of {folded + 1} shots: click to unfold" if folded else ""
            return f"{display(m.path)}\nsimilarity {m.score:.0%}{burst}"
        if role == PATH_ROLE:
            return as_item_data(m.path)
        if role == SCORE_ROLE:
            return m.score
        if role == STACK_ROLE:
            return len(self._folded.get(m.path, []))
        return None

    @Slot(object)
    def _on_thumbnail_ready(self, path: str) -> None:
        row = self._rows.get(path)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class ThumbnailDelegate(QStyledItemDelegate):
    """Paints a thumbnail, a bar whose length is the similarity, and the elided file name."""

    def __init__(self, side: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.side = side
        self._cache: OrderedDict[tuple[int, int, int], QPixmap] = OrderedDict()

    def _scaled(self, pixmap: QPixmap, size: QSize) -> QPixmap:
        """The pixmap fitted to `size`, cached: paint runs on every scroll step."""
        key = (pixmap.cacheKey(), size.width(), size.height())
        scaled = self._cache.get(key)
        if scaled is None:
            ratio = pixmap.devicePixelRatio()
            scaled = pixmap.scaled(
                size * ratio,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            scaled.setDevicePixelRatio(ratio)
            self._cache[key] = scaled
            while len(self._cache) > SCALED_ITEMS:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return scaled

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        """Qt: cell size for the current thumbnail size."""
        return QSize(self.side + 16, self.side + 16 + option.fontMetrics.height() + 10)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        """Qt: draw one result."""
        painter.save()
        rect = option.rect
        palette = option.palette
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight).lighter(160))
        box = QRect(rect.x() + 8, rect.y() + 8, self.side, self.side)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if pixmap is None:
            model = index.model()
            failed = isinstance(model, ResultsModel) and model.thumbnails.failed(path_of(index))
            pixmap = placeholder(self.side, "unreadable" if failed else "")
        scaled = self._scaled(pixmap, box.size())
        w = scaled.width() / scaled.devicePixelRatio()
        h = scaled.height() / scaled.devicePixelRatio()
        painter.drawPixmap(
            int(box.x() + (box.width() - w) / 2), int(box.y() + (box.height() - h) / 2), scaled
        )
        folded = index.data(STACK_ROLE)
        if isinstance(folded, int) and folded > 0:
            # A burst: a second frame peeking out behind the cover, and a "+N" badge.
            badge = QRect(box.right() - 40, box.y() + 4, 36, 20)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(badge, 9, 9)
            painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, f"+{folded}")
        score = index.data(SCORE_ROLE)
        if isinstance(score, float):
            bar = QRect(box.x(), box.bottom() + 4, self.side, 4)
            painter.fillRect(bar, QColor(128, 128, 128, 60))
            filled = QRect(bar.x(), bar.y(), int(bar.width() * max(0.0, min(1.0, score))), 4)
            painter.fillRect(filled, palette.color(QPalette.ColorRole.Highlight))
        text_rect = QRect(
            rect.x() + 4, box.bottom() + 10, rect.width() - 8, option.fontMetrics.height()
        )
        name = option.fontMetrics.elidedText(
            str(index.data(Qt.ItemDataRole.DisplayRole)),
            Qt.TextElideMode.ElideMiddle,
            text_rect.width(),
        )
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter, name)
        painter.restore()
