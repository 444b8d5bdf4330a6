"""Trashing from the review: the one confirmation, and the undo list of what can be put back.

It is read from the library's trash log, so it survives restarts; several files can be selected
and restored at once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.formatting import count_of, human_bytes
from core.records import DuplicateFile, TrashedFile
from desktop.controller import LibraryController


class TrashPanel(QWidget):
    """The undo list with "Restore selected (N)"."""

    message = Signal(str)  # what a restore did, for the review's summary line

    def __init__(self, controller: LibraryController) -> None:
        super().__init__()
        self.controller = controller
        title = QLabel("<b>Moved to the trash by Simili</b>")
        title.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("trashedFiles")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.itemSelectionChanged.connect(self._update_button)
        self.restore_button = QPushButton()
        self.restore_button.clicked.connect(self.restore_selected)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.restore_button)
        self.refresh()

    def refresh(self) -> None:
        """Fill the list from the trash log (newest first)."""
        self.list.clear()
        for entry in self.controller.restorable():
            when = dt.datetime.fromtimestamp(entry.trashed_at).strftime("%d %b %H:%M")
            item = QListWidgetItem(f"{Path(entry.path).name} — {when}")
            item.setToolTip(
                f"{entry.path}\n{human_bytes(entry.size)}, in the trash at {entry.trash_path}"
            )
            item.setData(Qt.ItemDataRole.UserRole, entry)
            self.list.addItem(item)
        self._update_button()

    def selected(self) -> list[TrashedFile]:
        """The entries selected in the list."""
        entries = [i.data(Qt.ItemDataRole.UserRole) for i in self.list.selectedItems()]
        return [e for e in entries if isinstance(e, TrashedFile)]

    @Slot()
    def _update_button(self) -> None:
        n = len(self.list.selectedItems())
        self.restore_button.setText(f"Restore selected ({n})" if n else "Restore selected")
        self.restore_button.setEnabled(n > 0 and self.controller.writer is not None)

    @Slot()
    def restore_selected(self) -> None:
        """Put the selected files back where they were; they are indexed again."""
        entries = self.selected()
        if entries:
            self.message.emit(self.controller.restore_many(entries))
            self.refresh()


def confirmation(
    parent: QWidget, doomed: list[DuplicateFile], keeper: str, protected: list[DuplicateFile]
) -> QMessageBox:
    """The one question before trashing: names the action and the amount; Cancel is default."""
    size = sum(f.size for f in doomed)
    action = f"Move {count_of(len(doomed), 'photo')} ({human_bytes(size)}) to the trash"
    listing = "\n".join(f"  {f.path}" for f in doomed[:8])
    if len(doomed) > 8:
        listing += f"\n  … and {len(doomed) - 8} more"
    details = f"{listing}\n\nKeeping {keeper}."
    if protected:
        stay = "stays" if len(protected) == 1 else "stay"
        details += f"\n{count_of(len(protected), 'photo')} in reference folders {stay}."
    details += "\nYou can restore them from the list on the left or from the system trash."
    box = QMessageBox(QMessageBox.Icon.Question, "Move to the trash", f"{action}?", parent=parent)
    box.setInformativeText(details)
    box.move_button = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    box.move_button.setObjectName("confirmTrash")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box
