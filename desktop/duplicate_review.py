"""The Duplicates view: groups by tier, side-by-side comparison, safe clean-up with undo."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QRectF, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.formatting import human_bytes
from core.pathtext import display
from core.records import DuplicateFile, DuplicateGroup, TrashedFile
from desktop.controller import LibraryController
from desktop.thumbnails import ThumbnailCache

COMPARE_SIDE = 1400
KIND_TITLES = {"exact": "Exact copies", "near": "Edited copies", "similar": "Similar shots"}
MODES = [("Exact copies only", "exact"), ("Exact + edited copies", "near"),
         ("Exact + edited + similar shots", "similar")]  # fmt: skip


class SyncedImageView(QGraphicsView):
    """A zoomable, pannable photo; views in one comparison follow each other's zoom and pan."""

    view_changed = Signal(float, float, float)  # zoom, horizontal and vertical position (0..1)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(QBrush(QColor(40, 40, 40)))
        self.zoom = 1.0  # 1 = fitted
        self._syncing = False
        self.horizontalScrollBar().valueChanged.connect(self._emit)
        self.verticalScrollBar().valueChanged.connect(self._emit)

    def set_pixmap(self, pixmap: QPixmap | None) -> None:
        """Show a photo (None while it loads)."""
        self.item.setPixmap(pixmap or QPixmap())
        self.scene().setSceneRect(QRectF(self.item.boundingRect()))
        self._apply()

    def _apply(self) -> None:
        rect = self.item.boundingRect()
        if rect.isEmpty():
            return
        self.resetTransform()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        self.scale(self.zoom, self.zoom)

    def resizeEvent(self, event: object) -> None:
        """Qt: keep the fit."""
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._apply()

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Qt: zoom with the wheel; the other views follow."""
        factor = 1.25 if event.angleDelta().y() > 0 else 0.8
        self.zoom = max(1.0, min(16.0, self.zoom * factor))
        self._apply()
        self._emit()

    def _fractions(self) -> tuple[float, float]:
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        fh = h.value() / h.maximum() if h.maximum() else 0.5
        fv = v.value() / v.maximum() if v.maximum() else 0.5
        return fh, fv

    def _emit(self) -> None:
        if not self._syncing:
            self.view_changed.emit(self.zoom, *self._fractions())

    def follow(self, zoom: float, fh: float, fv: float) -> None:
        """Take another view's zoom and position."""
        self._syncing = True
        if zoom != self.zoom:
            self.zoom = zoom
            self._apply()
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(round(fh * h.maximum()))
        v.setValue(round(fv * v.maximum()))
        self._syncing = False


class PhotoCard(QWidget):
    """One member of a group: the photo, what matters about it, and the keeper choice."""

    def __init__(self, file: DuplicateFile, differs: set[str], keeper: bool) -> None:
        super().__init__()
        self.file = file
        self.view = SyncedImageView()
        self.view.setMinimumSize(220, 180)
        self.choice = QRadioButton("Keep this one")
        self.choice.setChecked(keeper)
        facts = [
            ("dimensions", f"{file.width} × {file.height}"),
            ("size", human_bytes(file.size)),
            ("format", file.format),
            ("taken", file.taken or "—"),
            ("folder", file.folder),
        ]
        lines = []
        for key, value in facts:
            text = f"<b>{value}</b>" if key in differs else value
            lines.append(f"<tr><td style='color:gray'>{key}</td><td>{text}</td></tr>")
        name = display(Path(file.path).name)
        info = QLabel(f"<b>{name}</b>" + ("  ★ suggested" if keeper else "")
                      + "<table>" + "".join(lines) + "</table>")  # fmt: skip
        info.setWordWrap(True)
        info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        info.setToolTip(display(file.path))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view, 1)
        layout.addWidget(info)
        layout.addWidget(self.choice)


class DuplicatesView(QWidget):
    """Find duplicate groups, compare them side by side, keep one and trash the rest."""

    def __init__(self, controller: LibraryController, thumbnails: ThumbnailCache) -> None:
        super().__init__()
        self.controller = controller
        self.thumbnails = thumbnails
        self.groups: list[DuplicateGroup] = []
        self.current: DuplicateGroup | None = None
        self.cards: list[PhotoCard] = []
        self.session_started = time.time()

        self.mode = QComboBox()
        for label, value in MODES:
            self.mode.addItem(label, value)
        self.mode.setCurrentIndex(1)
        self.find_button = QPushButton("Find duplicates")
        self.find_button.clicked.connect(self.find)
        self.summary = QLabel("Look for copies of the same photo in your library.")
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.mode)
        top.addWidget(self.find_button)
        top.addWidget(self.summary, 1)

        self.list = QListWidget()
        self.list.setObjectName("duplicateGroups")
        self.list.setMinimumWidth(150)
        self.list.currentRowChanged.connect(self._on_group_selected)
        self.trashed_list = QListWidget()
        self.trashed_list.setObjectName("trashedFiles")
        self.restore_button = QPushButton("Restore selected")
        self.restore_button.clicked.connect(self.restore_selected)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("<b>Groups</b>"))
        left_layout.addWidget(self.list, 3)
        trashed_title = QLabel("<b>Moved to the trash since Simili started</b>")
        trashed_title.setWordWrap(True)
        left_layout.addWidget(trashed_title)
        left_layout.addWidget(self.trashed_list, 1)
        left_layout.addWidget(self.restore_button)

        self.group_title = QLabel()
        self.group_title.setWordWrap(True)
        self.layout_toggle = QComboBox()
        self.layout_toggle.addItem("Side by side", 2)
        self.layout_toggle.addItem("Grid", 3)
        self.layout_toggle.currentIndexChanged.connect(lambda _i: self._show_group())
        self.cards_box = QWidget()
        self.cards_layout = QGridLayout(self.cards_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.cards_box)
        self.keep_button = QPushButton("Keep chosen, trash the others…")
        self.keep_button.setToolTip("Keep the photo marked 'Keep this one'; trash the rest")
        self.keep_button.clicked.connect(self.trash_others)
        self.not_dupes_button = QPushButton("Not duplicates")
        self.not_dupes_button.setToolTip("Never show these files together again")
        self.not_dupes_button.clicked.connect(lambda: self.decide("not_duplicates"))
        self.keep_all_button = QPushButton("Keep all")
        self.keep_all_button.setToolTip("They are copies, but keep them all; don't ask again")
        self.keep_all_button.clicked.connect(lambda: self.decide("keep_all"))
        actions = QHBoxLayout()
        actions.addWidget(self.keep_button)
        actions.addWidget(self.not_dupes_button)
        actions.addWidget(self.keep_all_button)
        actions.addStretch()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        header = QHBoxLayout()
        header.addWidget(self.group_title, 1)
        header.addWidget(self.layout_toggle)
        right_layout.addLayout(header)
        right_layout.addWidget(scroll, 1)
        right_layout.addLayout(actions)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 900])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self._set_actions_enabled(False)

        controller.duplicates_found.connect(self._on_found)
        controller.trashed.connect(self._on_trashed)
        controller.decided.connect(self._on_decided)
        controller.duplicates_failed.connect(self._on_failed)
        thumbnails.ready.connect(self._on_thumbnail_ready)
        self._refresh_trashed()

    # -- finding ------------------------------------------------------------------------------
    @Slot()
    def find(self) -> None:
        """Look for groups at the chosen level (runs on the library's task thread)."""
        self.find_button.setEnabled(False)
        self.summary.setText("Comparing photos…")
        self.controller.find_duplicates(self.mode.currentData())

    @Slot(object)
    def _on_found(self, groups: list[DuplicateGroup]) -> None:
        self.find_button.setEnabled(True)
        self.groups = list(groups)
        self._fill_list()
        total = sum(g.reclaimable for g in self.groups)
        counts = {k: sum(1 for g in self.groups if g.kind == k) for k in KIND_TITLES}
        parts = [f"{n} {KIND_TITLES[k].lower()}" for k, n in counts.items() if n]
        self.summary.setText(
            f"{len(self.groups)} groups ({', '.join(parts)}); up to {human_bytes(total)} "
            "can be freed"
            if self.groups
            else "No duplicates found."
        )
        if self.groups:
            self.list.setCurrentRow(self._first_group_row())
        else:
            self._show_group()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.find_button.setEnabled(True)
        self.summary.setText(message)

    def _first_group_row(self) -> int:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) is not None:
                return row
        return -1

    def _fill_list(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for kind, title in KIND_TITLES.items():
            members = [(i, g) for i, g in enumerate(self.groups) if g.kind == kind]
            if not members:
                continue
            freed = sum(g.reclaimable for _, g in members)
            header = QListWidgetItem(f"{title} — {len(members)} groups, {human_bytes(freed)}")
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            self.list.addItem(header)
            for i, group in members:
                item = QListWidgetItem(
                    f"{Path(group.keep).name} + {len(group.files) - 1} "
                    f"({human_bytes(group.reclaimable)})"
                )
                item.setData(Qt.ItemDataRole.UserRole, i)
                item.setToolTip("\n".join(map(display, group.paths)))
                self.list.addItem(item)
        self.list.blockSignals(False)

    # -- comparing ----------------------------------------------------------------------------
    @Slot(int)
    def _on_group_selected(self, row: int) -> None:
        item = self.list.item(row) if row >= 0 else None
        index = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.current = self.groups[index] if isinstance(index, int) else None
        self._show_group()

    def _show_group(self) -> None:
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        group = self.current
        self._set_actions_enabled(group is not None)
        if group is None:
            self.group_title.setText("")
            return
        self.group_title.setText(
            f"<b>{KIND_TITLES[group.kind]}</b> · {len(group.files)} files · suggested keeper: "
            f"{Path(group.keep).name} — {group.reason}"
        )
        differs = self._differences(group.files)
        columns = self.layout_toggle.currentData() if len(group.files) > 2 else 2
        self._choices = QButtonGroup(self)
        ordered = sorted(group.files, key=lambda f: f.path != group.keep)  # keeper first
        for n, file in enumerate(ordered):
            card = PhotoCard(file, differs, file.path == group.keep)
            self._choices.addButton(card.choice)
            card.view.set_pixmap(self.thumbnails.get(file.path, COMPARE_SIDE))
            card.view.view_changed.connect(self._sync_from(card))
            self.cards_layout.addWidget(card, n // columns, n % columns)
            self.cards.append(card)

    def _sync_from(self, source: PhotoCard):  # noqa: ANN202 - a Qt slot factory
        def sync(zoom: float, fh: float, fv: float) -> None:
            for card in self.cards:
                if card is not source:
                    card.view.follow(zoom, fh, fv)

        return sync

    @staticmethod
    def _differences(files: tuple[DuplicateFile, ...]) -> set[str]:
        values = {
            "dimensions": {(f.width, f.height) for f in files},
            "size": {f.size for f in files},
            "format": {f.format for f in files},
            "taken": {f.taken for f in files},
            "folder": {f.folder for f in files},
        }
        return {key for key, seen in values.items() if len(seen) > 1}

    @Slot(object)
    def _on_thumbnail_ready(self, path: str) -> None:
        for card in self.cards:
            if card.file.path == path:
                card.view.set_pixmap(self.thumbnails.get(path, COMPARE_SIDE))

    def _set_actions_enabled(self, enabled: bool) -> None:
        for button in (self.keep_button, self.not_dupes_button, self.keep_all_button):
            button.setEnabled(enabled and self.controller.writer is not None)

    def chosen_keeper(self) -> str | None:
        """The path whose 'Keep this one' is checked."""
        for card in self.cards:
            if card.choice.isChecked():
                return card.file.path
        return None

    # -- actions ------------------------------------------------------------------------------
    @Slot()
    def trash_others(self) -> None:
        """Move every file but the chosen keeper to the system trash, after one confirmation."""
        group = self.current
        keeper = self.chosen_keeper()
        if group is None or keeper is None:
            return
        doomed = [f for f in group.files if f.path != keeper]
        size = sum(f.size for f in doomed)
        listing = "\n".join(f"  {display(f.path)}" for f in doomed[:8])
        if len(doomed) > 8:
            listing += f"\n  … and {len(doomed) - 8} more"
        answer = QMessageBox.question(
            self,
            "Move to the trash",
            f"Move {len(doomed)} file{'s' if len(doomed) != 1 else ''} ({human_bytes(size)}) to "
            f"the system trash?\n\n{listing}\n\nKeeping {keeper}.\nYou can restore them from "
            "the list on the left or from the system trash.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.controller.trash(group, [f.path for f in doomed])

    def decide(self, kind: str) -> None:
        """Remember "not duplicates" / "keep all" for this group; it won't come back."""
        if self.current is not None:
            self.controller.decide(kind, list(self.current.paths))

    @Slot(object)
    def _on_trashed(self, entries: list[TrashedFile]) -> None:
        self._drop_current()
        self._refresh_trashed()
        freed = sum(e.size for e in entries)
        self.summary.setText(f"Moved {len(entries)} files ({human_bytes(freed)}) to the trash.")

    @Slot()
    def _on_decided(self) -> None:
        self._drop_current()

    def _drop_current(self) -> None:
        if self.current in self.groups:
            self.groups.remove(self.current)
        self.current = None
        row = self.list.currentRow()
        self._fill_list()
        if self.list.count():
            self.list.setCurrentRow(min(max(row, self._first_group_row()), self.list.count() - 1))
        self._show_group()

    def _refresh_trashed(self) -> None:
        self.trashed_list.clear()
        for entry in self.controller.trash_log():
            if entry.trashed_at < self.session_started:
                continue
            state = "restored" if entry.restored else (entry.trash_path or "in the system trash")
            item = QListWidgetItem(f"{display(Path(entry.path).name)} — {state}")
            item.setToolTip(display(entry.path))
            item.setData(Qt.ItemDataRole.UserRole, entry)
            if entry.restored:
                item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.trashed_list.addItem(item)
        self.restore_button.setEnabled(self.trashed_list.count() > 0)

    @Slot()
    def restore_selected(self) -> None:
        """Put the selected trashed file back where it was (where the platform allows)."""
        item = self.trashed_list.currentItem()
        entry = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(entry, TrashedFile):
            message = self.controller.restore(entry)
            self.summary.setText(message)
            self._refresh_trashed()
