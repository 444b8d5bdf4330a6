"""Thumbnails made off the GUI thread and cached on disk in the library folder."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap

from core.decode import load_rgb
from desktop.workers import Job, JobSignals, make_pool

CACHE_DIR = "thumbnails"
MEMORY_ITEMS = 2000
# The disk cache is trimmed back to this size (least recently written first) when the app starts.
DISK_BYTES = 1 << 30


def prune(cache: Path, limit: int = DISK_BYTES) -> int:
    """Delete the oldest thumbnails until the cache fits in `limit` bytes; returns bytes freed.

    Thumbnails are cheap to remake, so an old one is simply made again when next shown.
    """
    entries = []
    for file in cache.glob("*/*.jpg"):
        try:
            st = file.stat()
        except OSError:
            continue
        entries.append((st.st_mtime, st.st_size, file))
    total = sum(size for _, size, _ in entries)
    freed = 0
    for _, size, file in sorted(entries):
        if total - freed <= limit:
            break
        try:
            file.unlink()
            freed += size
        except OSError:
            continue
    return freed


def _cache_name(path: str, side: int) -> str | None:
    try:
        st = Path(path).stat()
    except OSError:
        return None
    key = f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{side}".encode("utf-8", "surrogatepass")
    digest = hashlib.blake2b(key, digest_size=16).hexdigest()
    return f"{digest[:2]}/{digest}.jpg"


def render(path: str, side: int, cache: Path | None) -> QImage:
    """A thumbnail whose longer side is `side` px, from the disk cache or freshly decoded.

    Runs on pool threads: QImage (unlike QPixmap) may be built off the GUI thread.
    """
    name = _cache_name(path, side) if cache is not None else None
    if cache is not None and name is not None:
        cached = cache / name
        if cached.is_file():
            image = QImage(str(cached))
            if not image.isNull():
                return image
    picture = load_rgb(Path(path), max_side=side)
    picture.thumbnail((side, side))
    data = picture.tobytes()
    image = QImage(
        data, picture.width, picture.height, 3 * picture.width, QImage.Format.Format_RGB888
    )
    image = image.copy()  # own the pixels: `data` goes away with this frame
    if cache is not None and name is not None:
        target = cache / name
        tmp = target.with_name(f"{target.stem}.{threading.get_ident()}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            picture.save(tmp, "JPEG", quality=85)
            tmp.replace(target)
        except OSError:
            tmp.unlink(missing_ok=True)  # a full or read-only disk costs the cache, not the view
    return image


class ThumbnailCache(QObject):
    """Asks for thumbnails by path; `ready(path)` fires when one can be had with `get`.

    Decoding runs on a private QThreadPool; the in-memory cache holds the most recent pixmaps.
    """

    ready = Signal(object)  # a path; object keeps paths that are not valid text intact

    def __init__(self, library_folder: Path | None, side: int = 320, threads: int = 2) -> None:
        super().__init__()
        self.side = side
        self.cache = library_folder / CACHE_DIR if library_folder is not None else None
        self._memory: OrderedDict[tuple[str, int], QPixmap] = OrderedDict()
        self._failed: set[tuple[str, int]] = set()
        self._pending: set[tuple[str, int]] = set()
        self._pool = make_pool(threads)
        self._signals = JobSignals()
        self._signals.done.connect(self._on_done)
        self._signals.failed.connect(self._on_failed)
        if self.cache is not None and self.cache.is_dir():
            cache = self.cache
            self._pool.start(Job(("prune",), lambda: prune(cache), JobSignals()))

    def get(self, path: str, side: int | None = None) -> QPixmap | None:
        """The pixmap if ready; otherwise schedules it and returns None."""
        key = (path, side or self.side)
        pixmap = self._memory.get(key)
        if pixmap is not None:
            self._memory.move_to_end(key)
            return pixmap
        if key not in self._pending and key not in self._failed:
            self._pending.add(key)
            cache = self.cache if key[1] <= 512 else None  # large previews are not cached
            self._pool.start(Job(key, lambda: render(key[0], key[1], cache), self._signals))
        return None

    def failed(self, path: str, side: int | None = None) -> bool:
        """Whether the file could not be decoded."""
        return (path, side or self.side) in self._failed

    @Slot(object, object)
    def _on_done(self, key: tuple[str, int], image: QImage) -> None:
        if not isinstance(image, QImage):
            return
        self._pending.discard(key)
        self._memory[key] = QPixmap.fromImage(image)
        while len(self._memory) > MEMORY_ITEMS:
            self._memory.popitem(last=False)
        self.ready.emit(key[0])

    @Slot(object, str)
    def _on_failed(self, key: tuple[str, int], _message: str) -> None:
        self._pending.discard(key)
        self._failed.add(key)
        self.ready.emit(key[0])

    def clear_queue(self) -> None:
        """Drop thumbnails not yet started (the grid moved on)."""
        self._pool.clear()
        self._pending.clear()

    def shutdown(self) -> None:
        """Wait for running jobs."""
        self._pool.clear()
        self._pool.waitForDone(5000)


def placeholder(side: int, text: str = "") -> QPixmap:
    """A neutral square shown until a thumbnail is ready (or when it cannot be made)."""
    pixmap = QPixmap(side, side)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(128, 128, 128, 40))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(4, 4, side - 8, side - 8, 8, 8)
    if text:
        painter.setPen(QColor(128, 128, 128))
        painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return pixmap
