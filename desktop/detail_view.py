"""The detail page: one photo large, its details, and a strip of photos like it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDateTime, QLocale, Qt, Signal
from PySide6.QtGui import QKeySequence, QMouseEvent, QPixmap, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core.formatting import human_bytes
from core.pathtext import display
from desktop.grid_model import ResultsModel, ThumbnailDelegate
from desktop.results_view import ThumbnailListView
from desktop.thumbnails import ThumbnailCache

STRIP_SIDE = 96


EXIF_TIME = "yyyy:MM:dd HH:mm:ss"  # how cameras write DateTimeOriginal


def readable_time(moment: QDateTime, locale: QLocale | None = None) -> str:
    """'14 June 2019, 10:21': day, month name and year in the locale's words, then the time."""
    locale = locale or QLocale()
    date = locale.toString(moment.date(), "d MMMM yyyy")
    clock = locale.toString(moment.time(), locale.timeFormat(QLocale.FormatType.ShortFormat))
    return f"{date}, {clock}"


def readable_exif_time(taken: str, locale: QLocale | None = None) -> str:
    """An EXIF date ("2019:06:14 10:21:33") in words; text that is not one is shown as it is."""
    moment = QDateTime.fromString(taken.strip()[:19], EXIF_TIME)
    return readable_time(moment, locale) if moment.isValid() else taken


class PreviewLabel(QLabel):
    """A photo scaled to fit; double-click asks for it to be opened in the system viewer."""

    activated = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._pixmap: QPixmap | None = None
        self.path = ""

    def set_photo(self, path: str, pixmap: QPixmap | None) -> None:
        """Show a photo (None: still loading)."""
        self.path = path
        self._pixmap = pixmap
        if pixmap is None:
            self.setText("Loading…")
        self._rescale()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Qt: keep the photo fitted."""
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap is None:
            return
        ratio = self.devicePixelRatioF()
        scaled = self._pixmap.scaled(
            self.size() * ratio,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        scaled.setDevicePixelRatio(ratio)
        self.setPixmap(scaled)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Qt: open in the system viewer (the window does it, and says so if it cannot)."""
        if self.path:
            self.activated.emit()


class DetailView(QWidget):
    """The photo, its file details, action buttons and the "More like this" strip.

    The buttons are public so the window wires them to its actions. Left and Right ask for
    the previous and next photo (`stepped`), wherever the focus is on this page.
    """

    stepped = Signal(int)  # -1: previous photo, +1: next

    def __init__(self, thumbnails: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = PreviewLabel()
        self.details = QFormLayout()
        self.details_box = QWidget()
        self.details_box.setLayout(self.details)
        self.details_box.setMaximumWidth(380)
        self.details_box.setMinimumWidth(160)
        self.back_button = QPushButton("← Back")
        self.back_button.setToolTip("Back to the results (Esc)")
        self.open_button = QPushButton("Open")
        self.reveal_button = QPushButton("Show in folder")
        self.copy_button = QPushButton("Copy path")
        self.search_button = QPushButton("Search with this")
        actions = QHBoxLayout()
        for widget in self.buttons():
            actions.addWidget(widget)
        actions.addStretch()
        self.strip_model = ResultsModel(thumbnails)
        self.strip = ThumbnailListView()
        self.strip.setObjectName("similarStrip")
        self.strip.setViewMode(QListView.ViewMode.IconMode)
        self.strip.setFlow(QListView.Flow.LeftToRight)
        self.strip.setWrapping(False)
        self.strip.setMovement(QListView.Movement.Static)
        self.strip.setUniformItemSizes(True)
        self.strip.setHorizontalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.strip.setModel(self.strip_model)
        self.strip_delegate = ThumbnailDelegate(STRIP_SIDE)
        self.strip.setItemDelegate(self.strip_delegate)
        self.strip.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.strip.setFixedHeight(STRIP_SIDE + 16 + self.fontMetrics().height() + 34)
        upper = QHBoxLayout()
        upper.addWidget(self.preview, 1)
        upper.addWidget(self.details_box)
        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addLayout(upper, 1)
        layout.addWidget(QLabel("<b>More like this</b>"))
        layout.addWidget(self.strip)
        for key, step in ((Qt.Key.Key_Left, -1), (Qt.Key.Key_Right, 1)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda step=step: self.stepped.emit(step))

    def buttons(self) -> tuple[QPushButton, ...]:
        """The action buttons, left to right."""
        return (
            self.back_button,
            self.open_button,
            self.reveal_button,
            self.copy_button,
            self.search_button,
        )

    def show_info(self, path: str, info: tuple | None) -> None:
        """Fill the details list from the catalogue's `photo_info` (None: not in the library)."""
        while self.details.rowCount():
            self.details.removeRow(0)
        self.details.addRow("<b>File</b>", _selectable(display(Path(path).name)))
        self.details.addRow("Folder", _selectable(display(str(Path(path).parent))))
        if info is not None:
            size, mtime_ns, meta = info
            self.details.addRow("Size", QLabel(human_bytes(size)))
            modified = QDateTime.fromMSecsSinceEpoch(mtime_ns // 1_000_000)
            self.details.addRow("Modified", QLabel(readable_time(modified)))
            if meta is not None:
                self.details.addRow("Dimensions", QLabel(f"{meta.width} × {meta.height}"))
                if meta.taken:
                    self.details.addRow("Taken", QLabel(readable_exif_time(meta.taken)))
                if meta.camera:
                    self.details.addRow("Camera", QLabel(meta.camera))
        else:
            self.details.addRow("", QLabel("Not in the library"))
        self.strip_model.set_matches([])


def _selectable(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
