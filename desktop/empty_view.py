"""The start page: what to do next when there is nothing to show yet."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyView(QWidget):
    """What to do next: add a folder, or drop a photo to search."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        self.title.setFont(font)
        self.hint = QLabel()
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.add_button = QPushButton("Add a folder of photos…")
        self.add_button.setMinimumHeight(40)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.title)
        layout.addSpacing(12)
        layout.addWidget(self.hint)
        layout.addSpacing(18)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(self.add_button)
        row.addStretch()
        layout.addLayout(row)
        layout.addStretch(3)

    def show_state(self, has_photos: bool, indexing: bool = False) -> None:
        """First run, first indexing (nothing searchable yet), or a library ready for a query."""
        if indexing:
            self.title.setText("Indexing your photos…")
            self.hint.setText(
                "Simili is looking at your photos for the first time; the bar below shows how "
                "far it is. Photos can be searched as soon as they are indexed: drop one here "
                "at any time."
            )
            self.add_button.setText("Add another folder…")
        elif has_photos:
            self.title.setText("Drop a photo here to find the ones like it")
            self.hint.setText(
                "Drag any image from your file manager, paste one (Ctrl+V), or use "
                "File → Open image… It does not have to be in your library."
            )
            self.add_button.setText("Add another folder…")
        else:
            self.title.setText("Add a folder of photos")
            self.hint.setText(
                "Simili looks at your photos on this computer and finds the ones that look "
                "alike. Nothing leaves your computer, and your photo folders are never changed."
                "\n\nClick below or drop a folder onto this window."
            )
            self.add_button.setText("Add a folder of photos…")
