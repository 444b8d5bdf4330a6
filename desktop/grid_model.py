"""Qt model and delegate that show search results as a grid of thumbnails, grouped by level.

Results come in the levels of core/levels.py: matches (same photo, same scene) first, then a
full-width divider and "more that look alike", then a "Show more" cell that unfolds the
unrelated tail. Each cell says its level in words, never a bare percent.
"""

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

from core.levels import RELATED, SAME, SIMILAR, UNRELATED, WORDS
from core.pathtext import display, is_text
from core.records import Match
from desktop.thumbnails import ThumbnailCache, placeholder

PATH_ROLE = Qt.ItemDataRole.UserRole
SCORE_ROLE = Qt.ItemDataRole.UserRole + 1
STACK_ROLE = Qt.ItemDataRole.UserRole + 2  # photos folded under this cover (0: not a stack)
LEVEL_ROLE = Qt.ItemDataRole.UserRole + 3  # a result's level; a marker row's kind
DIVIDER = "divider"  # a full-width heading between levels
SHOW_MORE = "show-more"  # a full-width button that unfolds the unrelated tail
PIPS = {SAME: 3, SIMILAR: 2, RELATED: 1, UNRELATED: 0}  # how alike, at a glance
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


@dataclass(frozen=True, slots=True)
class Marker:
    """A row that is not a photo: a divider between levels, or "Show more"."""

    kind: str
    text: str


class ResultsModel(QAbstractListModel):
    """Matches, best first; thumbnails are asked for only when a row is painted.

    With `tiers` the rows are grouped by level: matches, a divider, what looks alike, and the
    unrelated tail hidden behind a "Show more" row until `show_more` (or activating that row).
    A match without a level (made without calibrated thresholds) counts as a match.
    """

    def __init__(
        self, thumbnails: ThumbnailCache, parent: QWidget | None = None, tiers: bool = False
    ) -> None:
        super().__init__(parent)
        self.thumbnails = thumbnails
        self.tiers = tiers
        self.tail_shown = False
        self._matches: list[Match] = []
        self._entries: list[Match | Marker] = []
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
        self.tail_shown = False
        for stack in stacks or []:
            self._folded[stack[0]] = stack[1:]
        self._layout()

    def _layout(self) -> None:
        hidden = {p for members in self._folded.values() for p in members}
        self.beginResetModel()
        self._matches = [m for m in self._all if m.path not in hidden]
        self._entries = self._tiered() if self.tiers else list(self._matches)
        self._rows = {e.path: i for i, e in enumerate(self._entries) if isinstance(e, Match)}
        self.endResetModel()

    def _tiered(self) -> list[Match | Marker]:
        """Matches, divider, what looks alike, then the tail or the row that unfolds it."""
        close = [m for m in self._matches if m.level in ("", SAME, SIMILAR)]
        alike = [m for m in self._matches if m.level == RELATED]
        tail = [m for m in self._matches if m.level == UNRELATED]
        entries: list[Match | Marker] = list(close)
        if alike or tail:
            heading = "More that look alike" if close else "No close matches; these look alike"
            entries.append(Marker(DIVIDER, heading if alike else "No more close matches"))
        entries += alike
        if tail and self.tail_shown:
            entries.append(Marker(DIVIDER, "Not alike"))
            entries += tail
        elif tail:
            entries.append(Marker(SHOW_MORE, f"Show {len(tail)} more, less alike"))
        return entries

    def summary(self) -> str:
        """What the results hold, in words ("3 matches, 12 that look alike, 280 hidden")."""
        levels = [m.level for m in self._all]
        close = sum(level in ("", SAME, SIMILAR) for level in levels)
        parts = [f"{close} {'match' if close == 1 else 'matches'}"]
        if alike := levels.count(RELATED):
            parts.append(f"{alike} more that look alike")
        if (tail := levels.count(UNRELATED)) and not self.tail_shown:
            parts.append(f"{tail} less alike behind Show more")
        return ", ".join(parts)

    def show_more(self) -> None:
        """Unfold the unrelated tail."""
        if not self.tail_shown:
            self.tail_shown = True
            self._layout()

    def marker(self, row: int) -> Marker | None:
        """The divider or "Show more" in `row`; None for a photo."""
        entry = self._entries[row] if 0 <= row < len(self._entries) else None
        return entry if isinstance(entry, Marker) else None

    def activate(self, row: int) -> bool:
        """Handle a click or Enter on a marker row; False when `row` is a photo."""
        marker = self.marker(row)
        if marker is not None and marker.kind == SHOW_MORE:
            self.show_more()
        return marker is not None

    def stacked(self, row: int) -> int:
        """How many photos are folded under the cover in `row`."""
        entry = self._entries[row]
        return len(self._folded.get(entry.path, [])) if isinstance(entry, Match) else 0

    def expand(self, row: int) -> None:
        """Unfold a burst: its photos appear after the cover, in rank order."""
        entry = self._entries[row]
        if isinstance(entry, Match) and self._folded.pop(entry.path, None) is not None:
            self._layout()

    def match(self, row: int) -> Match:  # type: ignore[override]
        """The match shown in a row (a photo row; see `marker`)."""
        entry = self._entries[row]
        if not isinstance(entry, Match):
            raise IndexError(f"row {row} is a {entry.kind}, not a photo")
        return entry

    def matches(self) -> list[Match]:
        """All matches shown."""
        return [e for e in self._entries if isinstance(e, Match)]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """Qt: number of rows (photos and markers)."""
        return 0 if parent.isValid() else len(self._entries)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        """Qt: a divider cannot be selected; photos and "Show more" can."""
        marker = self.marker(index.row()) if index.isValid() else None
        if marker is not None and marker.kind == DIVIDER:
            return Qt.ItemFlag.NoItemFlags
        return super().flags(index)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Qt: file name, thumbnail, tooltip, path, score or level of a row."""
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        m = self._entries[index.row()]
        if isinstance(m, Marker):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return m.text
            if role == LEVEL_ROLE:
                return m.kind
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            name = display(Path(m.path).name)
            return f"★ {name}" if self.is_starred(m.path) else name
        if role == Qt.ItemDataRole.DecorationRole:
            return self.thumbnails.get(m.path)
        if role == Qt.ItemDataRole.ToolTipRole:
            folded = len(self._folded.get(m.path, []))
            burst = f"\nburst of {folded + 1} shots: click to unfold" if folded else ""
            return f"{display(m.path)}\n{level_words(m)}{burst}"
        if role == PATH_ROLE:
            return as_item_data(m.path)
        if role == SCORE_ROLE:
            return m.score
        if role == STACK_ROLE:
            return len(self._folded.get(m.path, []))
        if role == LEVEL_ROLE:
            return m.level
        return None

    @Slot(object)
    def _on_thumbnail_ready(self, path: str) -> None:
        row = self._rows.get(path)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


def level_words(match: Match) -> str:
    """How alike a result is, in words ("Same scene"); the score only as a detail."""
    word = WORDS.get(match.level, "")
    return f"{word} (score {match.score:.2f})" if word else f"score {match.score:.2f}"


class ThumbnailDelegate(QStyledItemDelegate):
    """Paints a thumbnail, its level (pips and words) and the elided file name.

    Marker rows (a divider, "Show more") span the grid's width.
    """

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
        """Qt: cell size for the current thumbnail size; a marker row takes a whole line."""
        line = option.fontMetrics.height()
        if index.data(LEVEL_ROLE) in (DIVIDER, SHOW_MORE):
            view = option.widget
            width = view.viewport().width() - 24 if hasattr(view, "viewport") else 0
            return QSize(max(width, self.side + 16), line * 2 + 8)
        return QSize(self.side + 16, self.side + 16 + 2 * line + 10)

    def _paint_marker(
        self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex
    ) -> None:
        rect = option.rect.adjusted(8, 4, -8, -4)
        palette = option.palette
        text = str(index.data(Qt.ItemDataRole.DisplayRole))
        if index.data(LEVEL_ROLE) == DIVIDER:
            # A rule across the grid with the heading on it.
            painter.setPen(palette.color(QPalette.ColorRole.Mid))
            mid = rect.center().y()
            painter.drawLine(rect.left(), mid, rect.right(), mid)
            font = painter.font()
            font.setBold(True)
            painter.setFont(font)
            width = painter.fontMetrics().horizontalAdvance(text) + 16
            label = QRect(rect.left() + 16, rect.top(), width, rect.height())
            # The divider is not selectable, so Qt hands it the disabled colours: use active ones.
            active = QPalette.ColorGroup.Active
            painter.fillRect(label, palette.color(active, QPalette.ColorRole.Base))
            painter.setPen(palette.color(active, QPalette.ColorRole.Text))
            painter.drawText(label, Qt.AlignmentFlag.AlignCenter, text)
            return
        # "Show more": a button-like band, highlighted when it has the keyboard focus.
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(
            palette.color(QPalette.ColorRole.Highlight).lighter(160)
            if selected
            else palette.color(QPalette.ColorRole.Button)
        )
        painter.drawRoundedRect(rect, 6, 6)
        painter.setPen(palette.color(QPalette.ColorRole.ButtonText))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{text}  ▾")

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        """Qt: draw one result or marker row."""
        painter.save()
        if index.data(LEVEL_ROLE) in (DIVIDER, SHOW_MORE):
            self._paint_marker(painter, option, index)
            painter.restore()
            return
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
        line = option.fontMetrics.height()
        level = index.data(LEVEL_ROLE)
        if isinstance(level, str) and level in PIPS:
            # Three pips filled by level, then the level in words: how alike, not a percent.
            pips = PIPS[level]
            y = box.bottom() + 6 + line // 2 - 3
            for i in range(3):
                pip = QRect(box.x() + i * 10, y, 7, 7)
                painter.fillRect(
                    pip,
                    palette.color(QPalette.ColorRole.Highlight)
                    if i < pips
                    else QColor(128, 128, 128, 60),
                )
            words = QRect(box.x() + 34, box.bottom() + 6, self.side - 34, line)
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            shown = option.fontMetrics.elidedText(
                WORDS[level], Qt.TextElideMode.ElideRight, words.width()
            )  # a small strip cell holds the pips and an elided word, never a cut one
            painter.drawText(words, Qt.AlignmentFlag.AlignLeft, shown)
        text_rect = QRect(rect.x() + 4, box.bottom() + 8 + line, rect.width() - 8, line)
        name = option.fontMetrics.elidedText(
            str(index.data(Qt.ItemDataRole.DisplayRole)),
            Qt.TextElideMode.ElideMiddle,
            text_rect.width(),
        )
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter, name)
        painter.restore()
