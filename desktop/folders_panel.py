"""The side panel: the library's folders with their photo counts and watch state."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.catalog import Root
from core.formatting import count_of
from core.pathtext import display
from desktop.grid_model import as_item_data, from_item_data


class FoldersPanel(QWidget):
    """The folder list and its Add/Remove buttons; the window wires the buttons and the menu."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folders = QListWidget()
        self.folders.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.folders.setMinimumWidth(150)
        self.add_button = QPushButton("Add folder…")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove from the library (the photos stay on disk)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(QLabel("<b>Folders</b>"))
        layout.addWidget(self.folders)
        layout.addLayout(buttons)

    def show_roots(
        self,
        roots: list[Root],
        per_root: dict[int, int],
        *,
        busy: bool,
        watching: bool,
        unwatched: dict[str, str],
    ) -> None:
        """List the folders, keeping the selection."""
        selected = self.selected_root()
        self.folders.clear()
        for root in roots:
            state = {"offline": "offline", "new": "waiting"}.get(root.state, "")
            if busy and root.state == "new":
                state = "indexing"
            elif not state and watching:
                state = "not watched" if root.path in unwatched else "watching"
            photos = count_of(per_root.get(root.id, 0), "photo", grouped=True)
            text = f"{display(Path(root.path).name or root.path)}\n{photos}"
            text += f" · {state}" if state else ""
            item = QListWidgetItem(text)
            why = unwatched.get(root.path)
            shown = display(root.path)
            item.setToolTip(f"{shown}\nnot watched: {why}" if why else shown)
            item.setData(Qt.ItemDataRole.UserRole, as_item_data(root.path))
            self.folders.addItem(item)
            if root.path == selected:
                item.setSelected(True)
        self.remove_button.setEnabled(self.folders.count() > 0)
        # An empty list shows nothing when focused: Tab skips it until it holds a folder.
        filled = self.folders.count() > 0
        self.folders.setFocusPolicy(
            Qt.FocusPolicy.StrongFocus if filled else Qt.FocusPolicy.ClickFocus
        )

    def selected_root(self) -> str | None:
        """The folder selected in the list."""
        items = self.folders.selectedItems()
        return from_item_data(items[0].data(Qt.ItemDataRole.UserRole)) if items else None
