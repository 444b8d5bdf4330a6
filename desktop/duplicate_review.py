"""The Duplicates view: groups by tier, side-by-side comparison, safe clean-up with undo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.formatting import count_of, evidence_line, human_bytes
from core.records import DuplicateGroup, Progress, TrashedFile
from desktop.compare_view import (
    PhotoCard,
    ZoomSync,
    confidence_words,
    differences,
    evidence_for,
    in_folders,
)
from desktop.controller import LibraryController
from desktop.thumbnails import ThumbnailCache
from desktop.trash_panel import TrashPanel, confirmation

COMPARE_SIDE = 1400
KIND_TITLES = {"exact": "Exact copies", "near": "Edited copies", "similar": "Similar shots"}
MODES = [("Exact copies only", "exact"), ("Exact + edited copies", "near"),
         ("Exact + edited + similar shots", "similar")]  # fmt: skip
# Like dupeGuru's filter hardness: how sure a match must be before it is shown.
STRICTNESS_LEVELS = [
    ("Strict", "strict", "Only groups Simili is certain about (the default)"),
    ("Normal", "normal", "Also groups that are very likely copies"),
    ("Loose", "loose", "Also possible copies: look at each group before trashing"),
]
HINT = "Ctrl+wheel: zoom all · drag: pan · double-click: whole photo · right-click: protect folder"


def scan_text(progress: Progress) -> str:
    """'Verifying pairs: 340 of 1,277' from the scan's step (the core names it for any UI)."""
    if progress.phase == "done":
        return ""
    step = progress.phase.removeprefix("duplicates: ")
    step = step[:1].upper() + step[1:]
    if progress.total:
        return f"{step}: {progress.done:,} of {progress.total:,}"
    return f"{step}…"


class DuplicatesView(QWidget):
    """Find duplicate groups, compare them side by side, keep one and trash the rest."""

    def __init__(self, controller: LibraryController, thumbnails: ThumbnailCache) -> None:
        super().__init__()
        self.controller = controller
        self.thumbnails = thumbnails
        self.groups: list[DuplicateGroup] = []
        self.current: DuplicateGroup | None = None
        self.cards: list[PhotoCard] = []
        self.sync = ZoomSync(self)  # one for the view's lifetime; cards come and go
        self.choices = QButtonGroup(self)
        self._searched = False
        self._find_again = False
        self._running = False  # a scan is running: Stop shows, progress is followed

        self.mode = QComboBox()
        for label, value in MODES:
            self.mode.addItem(label, value)
        self.mode.setCurrentIndex(1)
        self.strictness = QComboBox()
        self.strictness.setObjectName("strictness")
        self.strictness.setToolTip("How sure a match must be before Simili shows it")
        for n, (label, value, tip) in enumerate(STRICTNESS_LEVELS):
            self.strictness.addItem(label, value)
            self.strictness.setItemData(n, tip, Qt.ItemDataRole.ToolTipRole)
        levels = [value for _, value, _ in STRICTNESS_LEVELS]
        saved = controller.settings.duplicate_strictness
        self.strictness.setCurrentIndex(levels.index(saved) if saved in levels else 0)
        self.strictness.currentIndexChanged.connect(self._on_strictness_changed)
        self.find_button = QPushButton("Find duplicates")
        self.find_button.clicked.connect(self.find)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop comparing; what was compared is kept for the next try")
        self.stop_button.clicked.connect(self.controller.stop_duplicates)
        self.stop_button.hide()
        self.scan_bar = QProgressBar()
        self.scan_bar.setObjectName("scanProgress")
        self.scan_bar.setTextVisible(False)
        self.scan_bar.setFixedWidth(80)
        self.scan_bar.hide()
        self.summary = QLabel("Look for copies of the same photo in your library.")
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.mode)
        top.addWidget(self.strictness)
        top.addWidget(self.find_button)
        top.addWidget(self.stop_button)
        top.addWidget(self.scan_bar)
        top.addWidget(self.summary, 1)

        self.list = QListWidget()
        self.list.setObjectName("duplicateGroups")
        self.list.setMinimumWidth(150)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # full names in the tooltip
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentRowChanged.connect(self._on_group_selected)
        self.trash_panel = TrashPanel(controller)
        self.trash_panel.message.connect(self.summary.setText)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("<b>Groups</b>"))
        left_layout.addWidget(self.list, 3)
        left_layout.addWidget(self.trash_panel, 1)

        self.group_title = QLabel()
        self.group_title.setObjectName("groupTitle")
        self.group_title.setWordWrap(True)
        self.layout_toggle = QComboBox()
        self.layout_toggle.addItem("Side by side", 2)
        self.layout_toggle.addItem("Grid", 3)
        self.layout_toggle.currentIndexChanged.connect(self._on_layout_changed)
        self.error = QLabel()
        self.error.setObjectName("reviewError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020; font-weight: bold")
        self.error.hide()
        self.cards_box = QWidget()
        self.cards_layout = QGridLayout(self.cards_box)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.cards_box)
        hint = QLabel(HINT)
        hint.setStyleSheet("color: gray")
        hint.setWordWrap(True)
        self.keep_button = QPushButton("Keep chosen, trash the others…")
        self.keep_button.setToolTip("Keep the photo marked 'Keep this one'; trash the rest")
        self.keep_button.clicked.connect(self.trash_others)
        self.not_dupes_button = QPushButton("Not duplicates")
        self.not_dupes_button.setToolTip("Never show these files together again")
        self.not_dupes_button.clicked.connect(self._on_not_duplicates)
        self.keep_all_button = QPushButton("Keep all")
        self.keep_all_button.setToolTip("They are copies, but keep them all; don't ask again")
        self.keep_all_button.clicked.connect(self._on_keep_all)
        actions = QHBoxLayout()
        actions.addWidget(self.keep_button)
        actions.addWidget(self.not_dupes_button)
        actions.addWidget(self.keep_all_button)
        actions.addStretch()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        header = QHBoxLayout()
        header.addWidget(self.group_title, 1)
        header.addWidget(self.layout_toggle, 0, Qt.AlignmentFlag.AlignTop)
        right_layout.addLayout(header)
        right_layout.addWidget(self.error)
        right_layout.addWidget(self.scroll, 1)
        right_layout.addWidget(hint)
        right_layout.addLayout(actions)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([280, 900])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self._set_actions_enabled(False)

        controller.duplicates_found.connect(self._on_found)
        controller.trashed.connect(self._on_trashed)
        controller.trash_failed.connect(self._on_trash_failed)
        controller.decided.connect(self._on_decided)
        controller.duplicates_failed.connect(self._on_failed)
        controller.duplicates_progressed.connect(self._on_progress)
        thumbnails.ready.connect(self._on_thumbnail_ready)

    # -- finding ------------------------------------------------------------------------------
    @Slot()
    def find(self) -> None:
        """Look for groups at the chosen level and strictness (on the library's task thread)."""
        self._searched = True
        self._scanning(True)
        self.summary.setText("Comparing photos…")
        self.controller.find_duplicates(self.mode.currentData(), self.strictness.currentData())

    def _scanning(self, running: bool) -> None:
        self._running = running
        self.find_button.setEnabled(not running)
        self.find_button.setVisible(not running)  # Stop takes its place: the row keeps its width
        self.stop_button.setVisible(running)
        self.scan_bar.setVisible(running)
        self.scan_bar.setRange(0, 0)  # busy until the first count

    @Slot(object)
    def _on_progress(self, progress: Progress) -> None:
        if not self._running:
            return  # a late report of a scan that has ended
        text = scan_text(progress)
        if text:
            self.summary.setText(text)
        if progress.total:
            self.scan_bar.setRange(0, progress.total)
            self.scan_bar.setValue(min(progress.done, progress.total))

    @Slot(int)
    def _on_strictness_changed(self, _index: int) -> None:
        level = self.strictness.currentData()
        settings = self.controller.settings
        if settings.duplicate_strictness != level:
            self.controller.update_settings(settings.with_changes(duplicate_strictness=level))
        if self._searched and self.find_button.isEnabled():
            self.find()
        elif self._searched:
            self._find_again = True  # a search is running: run at the new level when it ends

    @Slot(object)
    def _on_found(self, groups: list[DuplicateGroup]) -> None:
        self._scanning(False)
        if self._find_again:
            self._find_again = False
            self.find()
            return
        self.groups = list(groups)
        self.current = None
        self._fill_list()
        self._summarise()
        if self.groups:
            self.list.setCurrentRow(self._first_group_row())
        else:
            self._show_group()

    def _summarise(self) -> None:
        """The line over the list: what is left to review (decided groups no longer count)."""
        if not self.groups:
            self.summary.setText("No duplicates found." if self._searched else "")
            return
        total = sum(g.reclaimable for g in self.groups)
        counts = {k: sum(1 for g in self.groups if g.kind == k) for k in KIND_TITLES}
        parts = [f"{KIND_TITLES[k].lower()}: {n}" for k, n in counts.items() if n]
        self.summary.setText(
            f"{count_of(len(self.groups), 'group')} ({', '.join(parts)}); "
            f"up to {human_bytes(total)} can be freed"
        )

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._scanning(False)
        self._find_again = False
        if message == "Cancelled.":
            message = "Stopped. What was compared is kept: the next search starts from there."
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
            header = QListWidgetItem(
                f"{title}\n{count_of(len(members), 'group')} · {human_bytes(freed)}"
            )
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            self.list.addItem(header)
            for i, group in members:
                words = confidence_words(group.confidence)
                # Two short lines, so the confidence and size stay visible in a narrow list.
                item = QListWidgetItem(
                    f"{Path(group.keep).name} + {len(group.files) - 1}\n"
                    f"{words} · {human_bytes(group.reclaimable)}"
                )
                item.setData(Qt.ItemDataRole.UserRole, i)
                why = [evidence_line(e, group.keep) for e in group.evidence[:3]]
                item.setToolTip(
                    "\n".join([f"Simili is {words} these are copies", *why, "", *group.paths])
                )
                self.list.addItem(item)
        self.list.blockSignals(False)

    # -- comparing ----------------------------------------------------------------------------
    @Slot(int)
    def _on_group_selected(self, row: int) -> None:
        item = self.list.item(row) if row >= 0 else None
        index = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.current = self.groups[index] if isinstance(index, int) else None
        self.error.hide()
        self._show_group()

    @Slot(int)
    def _on_layout_changed(self, _index: int) -> None:
        self._show_group()

    def _clear_cards(self) -> None:
        """Untie and remove the cards; nothing of theirs can call back into the view after."""
        self.sync.clear()
        for card in self.cards:
            self.choices.removeButton(card.choice)
            card.reference_requested.disconnect(self.protect_folder)
            self.cards_layout.removeWidget(card)
            card.hide()
            card.deleteLater()  # still parented: Qt deletes it once control is back in the loop
        self.cards = []

    def _show_group(self) -> None:
        self._clear_cards()
        group = self.current
        self._set_actions_enabled(group is not None)
        if group is None:
            self.group_title.setText("")
            return
        words = confidence_words(group.confidence)
        self.group_title.setText(
            f"<b>{KIND_TITLES[group.kind]}</b> · {count_of(len(group.files), 'photo')} · "
            f"{words} · suggested keeper: {Path(group.keep).name} — {group.reason}"
        )
        self.group_title.setToolTip("\n".join(group.paths))
        differs = differences(group.files)
        columns = self.layout_toggle.currentData() if len(group.files) > 2 else 2
        for column in range(3):
            self.cards_layout.setColumnStretch(column, 1 if column < columns else 0)
        reference = tuple(self.controller.settings.reference_folders)
        ordered = sorted(group.files, key=lambda f: f.path != group.keep)  # keeper first
        for n, file in enumerate(ordered):
            card = PhotoCard(
                file,
                differs,
                file.path == group.keep,
                evidence=evidence_for(group, file.path),
                protected=in_folders(file.path, reference),
            )
            card.setParent(self.cards_box)
            self.choices.addButton(card.choice)
            card.reference_requested.connect(self.protect_folder)
            card.view.set_pixmap(self.thumbnails.get(file.path, COMPARE_SIDE))
            self.sync.add(card.view)
            self.cards_layout.addWidget(card, n // columns, n % columns)
            self.cards.append(card)

    @Slot(str)
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
        """Move every file but the chosen keeper to the system trash, after one confirmation.

        Files in reference folders are never part of it.
        """
        group = self.current
        keeper = self.chosen_keeper()
        if group is None or keeper is None:
            return
        reference = tuple(self.controller.settings.reference_folders)
        others = [f for f in group.files if f.path != keeper]
        protected = [f for f in others if in_folders(f.path, reference)]
        doomed = [f for f in others if f not in protected]
        if not doomed:
            self._show_error("Nothing to trash: the other photos are in reference folders.")
            return
        box = confirmation(self, doomed, keeper, protected)
        box.exec()
        confirmed = box.clickedButton() == box.move_button
        box.deleteLater()
        if confirmed:
            self.error.hide()
            self.controller.trash(group, [f.path for f in doomed])

    @Slot(str)
    def protect_folder(self, folder: str) -> None:
        """Never trash from `folder` (saved in the library's settings)."""
        settings = self.controller.settings
        if folder not in settings.reference_folders:
            folders = (*settings.reference_folders, folder)
            self.controller.update_settings(settings.with_changes(reference_folders=folders))
        self.summary.setText(f"Simili will never trash photos in {folder}.")
        self._show_group()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    @Slot()
    def _on_not_duplicates(self) -> None:
        self.decide("not_duplicates")

    @Slot()
    def _on_keep_all(self) -> None:
        self.decide("keep_all")

    def decide(self, kind: str) -> None:
        """Remember "not duplicates" / "keep all" for this group; it won't come back."""
        if self.current is not None:
            self.controller.decide(kind, list(self.current.paths))

    @Slot(object)
    def _on_trashed(self, entries: list[TrashedFile]) -> None:
        self._drop_current()
        self.trash_panel.refresh()
        freed = sum(e.size for e in entries)
        self.summary.setText(
            f"Moved {count_of(len(entries), 'photo')} ({human_bytes(freed)}) to the trash."
        )

    @Slot(str)
    def _on_trash_failed(self, message: str) -> None:
        """A refusal or failure of the trash: say it in the window; the group stays."""
        self._show_error(message)
        self.trash_panel.refresh()  # files trashed before the failure can be restored

    @Slot()
    def _on_decided(self) -> None:
        self._drop_current()
        self._summarise()

    def _drop_current(self) -> None:
        if self.current in self.groups:
            self.groups.remove(self.current)
        self.current = None
        row = self.list.currentRow()
        self._fill_list()
        if self.list.count():
            self.list.setCurrentRow(min(max(row, self._first_group_row()), self.list.count() - 1))
        self._show_group()

    @Slot()
    def restore_selected(self) -> None:
        """Put the selected trashed files back (the undo list's button)."""
        self.trash_panel.restore_selected()

    @property
    def trashed_list(self) -> QListWidget:
        """The undo list."""
        return self.trash_panel.list
