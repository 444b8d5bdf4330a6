"""Side-by-side comparison: zoomable photos whose zoom and pan follow each other, and photo cards.

The views of one comparison are tied together by one ZoomSync owned by the review. It holds
the views weakly, is disconnected from every view before the cards go, never re-enters itself
and sends nothing while a view is being torn down: a resize or a zoom of one view moves the
others exactly once.
"""

from __future__ import annotations

import weakref
from pathlib import Path, PurePath

from PySide6.QtCore import QObject, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QAction, QBrush, QColor, QMouseEvent, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core.formatting import human_bytes
from core.records import DuplicateFile, DuplicateGroup

MAX_ZOOM = 16.0
CARD_MIN_WIDTH = 170  # narrower cards scroll sideways instead of being clipped
ZOOM_STEP = 1.25


class SyncedImageView(QGraphicsView):
    """A zoomable, pannable photo: Ctrl+wheel zooms, drag pans, double-click fits.

    A plain wheel is left to the card list around it, so the list scrolls under the mouse.
    """

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
        # No scroll bars: they would change the viewport's size while zooming (cards jumped).
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.zoom = 1.0  # 1 = fitted
        self._quiet = 0  # > 0 while the view moves itself: nothing is sent
        self._last: tuple[float, float, float] | None = None
        self.horizontalScrollBar().valueChanged.connect(self._moved)
        self.verticalScrollBar().valueChanged.connect(self._moved)

    def set_pixmap(self, pixmap: QPixmap | None) -> None:
        """Show a photo (None while it loads)."""
        self._quiet += 1
        try:
            self.item.setPixmap(pixmap or QPixmap())
            self.scene().setSceneRect(QRectF(self.item.boundingRect()))
            self._apply()
        finally:
            self._quiet -= 1

    def _apply(self) -> None:
        rect = self.item.boundingRect()
        if rect.isEmpty():
            return
        self.resetTransform()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom != 1.0:
            self.scale(self.zoom, self.zoom)

    def teardown(self) -> None:
        """Stop sending: called before the card holding this view is deleted."""
        self._quiet += 1
        self.horizontalScrollBar().valueChanged.disconnect(self._moved)
        self.verticalScrollBar().valueChanged.disconnect(self._moved)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Qt: keep the fit and the position; a resize is not a move the others must copy."""
        fractions = self._fractions()
        self._quiet += 1
        try:
            super().resizeEvent(event)
            self._apply()
            self._set_fractions(*fractions)
        finally:
            self._quiet -= 1

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Qt: Ctrl+wheel zooms (the other views follow); a plain wheel scrolls the card list."""
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            event.ignore()
            return
        step = event.angleDelta().y()
        if step == 0:
            return
        self.set_zoom(self.zoom * (ZOOM_STEP if step > 0 else 1 / ZOOM_STEP))
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Qt: back to the whole photo."""
        self.set_zoom(1.0)
        event.accept()

    def set_zoom(self, zoom: float) -> None:
        """Zoom to `zoom` × fitted (1..16), keeping the point under the mouse; others follow."""
        zoom = max(1.0, min(MAX_ZOOM, zoom))
        if zoom == self.zoom:
            return
        self._quiet += 1
        try:
            self.zoom = zoom
            self._apply()
        finally:
            self._quiet -= 1
        self._send()

    def _fractions(self) -> tuple[float, float]:
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        fh = h.value() / h.maximum() if h.maximum() else 0.5
        fv = v.value() / v.maximum() if v.maximum() else 0.5
        return fh, fv

    def _set_fractions(self, fh: float, fv: float) -> None:
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        for bar, fraction in ((h, fh), (v, fv)):
            value = round(fraction * bar.maximum())
            if bar.value() != value:
                bar.setValue(value)

    @Slot()
    def _moved(self) -> None:
        if not self._quiet:
            self._send()

    def _send(self) -> None:
        state = (self.zoom, *self._fractions())
        if state != self._last:  # a pan by drag moves both bars: one message is enough
            self._last = state
            self.view_changed.emit(*state)

    def follow(self, zoom: float, fh: float, fv: float) -> None:
        """Take another view's zoom and position (sends nothing back)."""
        self._quiet += 1
        try:
            if zoom != self.zoom:
                self.zoom = zoom
                self._apply()
            self._set_fractions(fh, fv)
            self._last = (self.zoom, *self._fractions())
        finally:
            self._quiet -= 1


class ZoomSync(QObject):
    """Ties the views of one comparison: what one view shows, the others show."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._views: list[weakref.ref[SyncedImageView]] = []
        self._busy = False

    def views(self) -> list[SyncedImageView]:
        """The tied views still alive."""
        return [v for v in (ref() for ref in self._views) if v is not None]

    def add(self, view: SyncedImageView) -> None:
        """Tie a view to the others."""
        self._views.append(weakref.ref(view))
        view.view_changed.connect(self._changed)

    def clear(self) -> None:
        """Untie every view (before they are deleted): no signal reaches this object after."""
        for view in self.views():
            view.view_changed.disconnect(self._changed)
            view.teardown()
        self._views = []

    @Slot(float, float, float)
    def _changed(self, zoom: float, fh: float, fv: float) -> None:
        if self._busy:
            return
        source = self.sender()
        self._busy = True
        try:
            for view in self.views():
                if view is not source:
                    view.follow(zoom, fh, fv)
        finally:
            self._busy = False


def in_folders(path: str, folders: tuple[str, ...]) -> bool:
    """Whether `path` lies inside one of `folders`."""
    return any(Path(path).is_relative_to(folder) for folder in folders)


def evidence_for(group: DuplicateGroup, path: str) -> str:
    """Why a file is in the group: its link to the keeper, else its links to the others."""
    links = [e for e in group.evidence if path in (e.a, e.b)]
    direct = [e for e in links if group.keep in (e.a, e.b)]
    lines = []
    for e in (direct or links)[:3]:
        other = e.b if e.a == path else e.a
        lines.append(f"Compared with {Path(other).name}: {e.describing(path)}")
    return "\n".join(lines)


def differences(files: tuple[DuplicateFile, ...]) -> set[str]:
    """The facts that differ between the members (shown in bold)."""
    values = {
        "dimensions": {(f.width, f.height) for f in files},
        "size": {f.size for f in files},
        "format": {f.format for f in files},
        "taken": {f.taken for f in files},
        "folder": {f.folder for f in files},
    }
    return {key for key, seen in values.items() if len(seen) > 1}


def _shorten(folder: str, keep: int = 18) -> str:
    """A folder short enough for a narrow card: its name, when the whole path is long."""
    return folder if len(folder) <= keep else f"…/{PurePath(folder).name}"


def confidence_words(confidence: float) -> str:
    """How sure Simili is, in words people use."""
    if confidence >= 0.95:
        return "certain"
    if confidence >= 0.8:
        return "very likely"
    if confidence >= 0.6:
        return "likely"
    return "possible"


class PhotoCard(QWidget):
    """One member of a group: the photo, its facts, why it matched, the keeper choice."""

    reference_requested = Signal(str)  # a folder to never trash from

    def __init__(
        self,
        file: DuplicateFile,
        differs: set[str],
        keeper: bool,
        evidence: str = "",
        protected: bool = False,
    ) -> None:
        super().__init__()
        self.file = file
        self.protected = protected
        self.view = SyncedImageView()
        self.view.setMinimumSize(150, 150)
        self.choice = QRadioButton("Keep this one")
        self.choice.setChecked(keeper)
        facts = [
            ("dimensions", f"{file.width} × {file.height}"),
            ("size", human_bytes(file.size)),
            ("format", file.format),
            ("taken", file.taken or "—"),
            ("folder", _shorten(file.folder)),  # the whole path is in the tooltip
        ]
        if file.edits:
            facts.append(("edits", ", ".join(file.edits)))
        lines = []
        for key, value in facts:
            text = f"<b>{value}</b>" if key in differs else value
            lines.append(f"<tr><td style='color:gray'>{key}</td><td>{text}</td></tr>")
        badges = ("  ★ suggested" if keeper else "") + (
            "  🔒 reference folder" if protected else ""
        )
        self.info = QLabel(f"<b>{Path(file.path).name}</b>{badges}<table>{''.join(lines)}</table>")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Equal columns: the text wraps to the card instead of widening it.
        self.info.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.evidence = evidence
        tip = file.path + (f"\n{evidence}" if evidence else "")
        if protected:
            tip += "\nIn a reference folder: Simili never trashes it."
        for widget in (self, self.view, self.info):
            widget.setToolTip(tip)
        # Ignored width: every column of the comparison gets the same share, whatever the text.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(CARD_MIN_WIDTH)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.reference_action = QAction(f"Never trash from {file.folder}", self)
        self.reference_action.setEnabled(not protected)
        self.reference_action.triggered.connect(self._request_reference)
        self.addAction(self.reference_action)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.info)
        layout.addWidget(self.choice)

    @Slot()
    def _request_reference(self) -> None:
        self.reference_requested.emit(self.file.folder)
