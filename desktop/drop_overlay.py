"""The highlight over the window while something is dragged onto it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QWidget


class DropOverlay(QWidget):
    """A tinted frame with a line saying what a drop will do; it covers its parent.

    Mouse events pass through it, so it never takes the drop itself.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.text = ""
        self.hide()
        parent.installEventFilter(self)

    def show_for(self, mime: QMimeData) -> None:
        """Cover the parent, saying what dropping `mime` does."""
        paths = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
        if any(p.is_dir() for p in paths):
            self.text = "Drop to add the folder to your library"
        else:
            self.text = "Drop to find photos like this one"
        parent = self.parentWidget()
        self.setGeometry(parent.rect())
        self.raise_()
        self.show()
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Qt: follow the parent's size."""
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        """Qt: tint, a dashed highlight border and the line of text."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        highlight = self.palette().color(QPalette.ColorRole.Highlight)
        tint = QColor(highlight)
        tint.setAlpha(40)
        painter.fillRect(self.rect(), tint)
        pen = QPen(highlight, 4, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(6, 6, -6, -6), 12, 12)
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.text)
        painter.end()
