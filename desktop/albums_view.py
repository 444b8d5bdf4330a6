"""The Albums view: teach Simili your albums, see them, and where new photos may belong."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.pathtext import display
from core.records import Progress
from core.suggest import Suggestion
from core.teach import TeachResult
from desktop.grid_model import as_item_data, from_item_data
from desktop.personal import Personal

PATH_ROLE = Qt.ItemDataRole.UserRole


def belongs_text(path: str, found: Suggestion) -> str:
    """The line for a new photo: IMG_1.jpg — Belongs in Cats? (and "not sure" when unsure)."""
    name = display(Path(path).name)
    if not found.albums:
        return f"{name} — no albums taught"
    unsure = " (not sure)" if found.unsure else ""
    return f"{name} — Belongs in {found.albums[0].album}?{unsure}"


class AlbumsView(QWidget):
    """Teach from a folder of albums (with progress and cancel); albums; suggestions."""

    open_requested = Signal(str)

    def __init__(self, personal: Personal) -> None:
        super().__init__()
        self.personal = personal
        controller = personal.controller
        self.teach_button = QPushButton("Teach from a folder of albums…")
        self.teach_button.setToolTip("Each subfolder with at least 2 photos is an album")
        self.teach_button.clicked.connect(self.choose_folder)
        self.reset_button = QPushButton("Forget teaching")
        self.reset_button.clicked.connect(personal.reset)
        buttons = QHBoxLayout()
        buttons.addWidget(self.teach_button)
        buttons.addWidget(self.reset_button)
        buttons.addStretch()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(controller.cancel)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        self.progress_box.setVisible(False)
        self.albums = QListWidget()
        self.albums.setObjectName("albumsList")
        self.suggestions = QListWidget()
        self.suggestions.setObjectName("albumSuggestions")
        self.suggestions.itemActivated.connect(
            lambda item: self.open_requested.emit(from_item_data(item.data(PATH_ROLE)))
        )
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Albums</b> — teach Simili what your albums mean"))
        layout.addLayout(buttons)
        layout.addWidget(self.progress_box)
        layout.addWidget(self.status)
        layout.addWidget(self.albums, 1)
        layout.addWidget(QLabel("<b>New photos</b> — a suggestion only; nothing is moved"))
        layout.addWidget(self.suggestions, 1)
        controller.taught.connect(self._on_taught)
        controller.teach_failed.connect(self._on_teach_failed)
        controller.indexing_progressed.connect(self._on_progress)
        personal.suggested.connect(self._on_suggested)
        self.show_albums()

    @Slot()
    def choose_folder(self) -> None:
        """Ask for a folder of albums, then teach."""
        folder = QFileDialog.getExistingDirectory(self, "Folder with one subfolder per album")
        if folder:
            self.teach_from(folder)

    def teach_from(self, folder: str) -> None:
        """Start teaching (on the task thread): progress shows here, Cancel stops it."""
        self.teach_button.setEnabled(False)
        self.reset_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress_box.setVisible(True)
        self.status.setText(f"Teaching from {display(folder)}…")
        self.personal.teach(folder)

    def show_albums(self) -> None:
        """List the taught albums with their photo counts."""
        self.albums.clear()
        albums = self.personal.albums()
        if albums is None:
            if not self.status.text():
                self.status.setText("No albums taught yet.")
            return
        counts = [int((albums.labels == i).sum()) for i in range(len(albums.names))]
        for name, count in zip(albums.names, counts, strict=True):
            self.albums.addItem(QListWidgetItem(f"{name} — {count} photos"))

    @Slot(object)
    def _on_progress(self, progress: Progress) -> None:
        if not progress.phase.startswith("teach") or not self.progress_box.isVisible():
            return
        if progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
        else:
            self.progress.setRange(0, 0)
        self.status.setText(progress.phase.removeprefix("teach: ").capitalize() + "…")

    def _idle(self) -> None:
        self.progress_box.setVisible(False)
        self.teach_button.setEnabled(True)
        self.reset_button.setEnabled(True)

    @Slot(object)
    def _on_taught(self, result: TeachResult | None) -> None:
        self._idle()
        if result is None:
            self.status.setText("Teaching forgotten: Simili searches as it did before.")
        else:
            verdict = (
                "applied: search, For you and suggestions use it"
                if result.applied
                else "not applied: it did not help on these albums"
            )
            self.status.setText(
                f"{result.albums} albums, {result.photos} photos. Finding an album's photos "
                f"(mAP): {result.before:.2f} before, {result.after:.2f} after — {verdict}."
            )
        self.show_albums()

    @Slot(str)
    def _on_teach_failed(self, message: str) -> None:
        self._idle()
        self.status.setText(message if message != "Cancelled." else "Teaching cancelled.")

    @Slot(str, object)
    def _on_suggested(self, path: str, found: Suggestion) -> None:
        item = QListWidgetItem(belongs_text(path, found))
        item.setData(PATH_ROLE, as_item_data(path))
        if found.albums:
            scores = ", ".join(f"{a.album} {a.score:.2f}" for a in found.albums)
            item.setToolTip(f"{display(path)}\n{scores}")
        self.suggestions.insertItem(0, item)
