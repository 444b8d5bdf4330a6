"""Views for searching by words: the search bar above the grid and a photo's tags as buttons."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.errors import SimiliError
from core.filters import PhotoFilter, parse_day
from core.pathtext import display

ALL_FOLDERS = "All folders"


class SearchBarView(QWidget):
    """Words, an optional photo to combine them with, and date and folder filters.

    Emits `searched(words, photo or "", PhotoFilter)` when the person presses Enter or Search;
    a malformed date is shown in red and nothing is searched.
    """

    searched = Signal(str, str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.words = QLineEdit()
        self.words.setObjectName("wordsField")
        self.words.setPlaceholderText("Search by words: dog, church, bicycle, boat…")
        self.words.setClearButtonEnabled(True)
        self.photo_label = QLabel()
        self.clear_photo = QToolButton()
        self.clear_photo.setText("×")
        self.clear_photo.setToolTip("Search by the words alone")
        self.after = QLineEdit()
        self.before = QLineEdit()
        for field, tip in ((self.after, "from"), (self.before, "to")):
            field.setPlaceholderText(f"{tip} YYYY-MM-DD")
            field.setMaximumWidth(130)
            field.setToolTip(f"Taken {tip} this day (EXIF date, else the file's date)")
        self.folder = QComboBox()
        self.folder.addItem(ALL_FOLDERS)
        self.go = QPushButton("Search")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.words, self.photo_label, self.clear_photo):
            row.addWidget(widget, 1 if widget is self.words else 0)
        for widget in (self.after, self.before, self.folder, self.go):
            row.addWidget(widget)
        self.photo = ""
        self.set_photo("")
        for field in (self.words, self.after, self.before):
            field.returnPressed.connect(self.submit)
        self.go.clicked.connect(self.submit)
        self.clear_photo.clicked.connect(lambda: self.set_photo(""))

    def set_photo(self, path: str) -> None:
        """The photo the words combine with ("like this one, and a dog"); "" for none."""
        self.photo = path
        self.photo_label.setText(f"and like {display(Path(path).name)}" if path else "")
        self.photo_label.setVisible(bool(path))
        self.clear_photo.setVisible(bool(path))

    def set_folders(self, folders: list[str]) -> None:
        """The library's folders, offered as filters (the choice is kept when still there)."""
        current = self.folder.currentText()
        self.folder.blockSignals(True)
        self.folder.clear()
        self.folder.addItem(ALL_FOLDERS)
        for folder in folders:
            self.folder.addItem(display(folder), folder)
        index = self.folder.findText(current)
        self.folder.setCurrentIndex(max(index, 0))
        self.folder.blockSignals(False)

    def photo_filter(self) -> PhotoFilter:
        """The filter the fields describe.

        Raises:
            SimiliError: a date is malformed.
        """
        after, before = self.after.text().strip(), self.before.text().strip()
        folder = self.folder.currentData()
        return PhotoFilter(
            parse_day(after) if after else None,
            parse_day(before) if before else None,
            str(folder) if folder else None,
        )

    @Slot()
    def submit(self) -> None:
        """Search with what the fields say, unless a date is malformed."""
        try:
            wanted = self.photo_filter()
        except SimiliError as exc:
            self.setToolTip(str(exc))
            for field in (self.after, self.before):
                field.setStyleSheet("color: red;")
            return
        for field in (self.after, self.before):
            field.setStyleSheet("")
        self.setToolTip("")
        words = self.words.text().strip()
        if words or self.photo or wanted.active:
            self.searched.emit(words, self.photo, wanted)

    def search_words(self, words: str) -> None:
        """Put `words` in the field and search (a tag clicked in the detail view)."""
        self.words.setText(words)
        self.submit()


class TagStripView(QWidget):
    """A photo's tags as flat buttons, best first; a click searches the library for that tag."""

    tag_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._row = QVBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(0)
        self.buttons: list[QPushButton] = []

    def set_tags(self, tags: list[tuple[str, float]]) -> None:
        """Show (name, score) pairs; an empty list shows that there are none yet."""
        for button in self.buttons:
            self._row.removeWidget(button)
            button.deleteLater()
        self.buttons = []
        while self._row.count():
            item = self._row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        if not tags:
            self._row.addWidget(QLabel("none yet"))
            return
        for name, score in tags:
            button = QPushButton(f"{name} {100 * score:.0f} %")
            button.setFlat(True)
            button.setToolTip(f"Find photos of {name}")
            button.clicked.connect(lambda _checked=False, n=name: self.tag_clicked.emit(n))
            self._row.addWidget(button)
            self.buttons.append(button)
