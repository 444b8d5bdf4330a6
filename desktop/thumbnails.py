"""Thumbnails made off the GUI thread and cached on disk in the library folder."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap

from core.decode import load_rgb
from desktop import xdg_thumbnails
from desktop.workers import Job, JobSignals, make_pool

CACHE_DIR = "thumbnails"
# Pixmaps kept in memory, counted in bytes (width × height × 4): grid thumbnails and the large
# previews (a 1600-px preview is about 7 MB) have separate budgets, so a few previews never
# push out a screenful of grid thumbnails.
MEMORY_BYTES = 256 << 20  # about 1,500 thumbnails of 320 × 240 … 640 × 480
PREVIEW_BYTES = 64 << 20  # about 9 previews of 1600 × 1200
PREVIEW_FROM = 513  # sides above this are previews (and are not kept on disk)
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


def _shared(path: str, side: int) -> QImage | None:
    """A valid thumbnail from the freedesktop cache, scaled to `side` (None: none there)."""
    entry = xdg_thumbnails.lookup(path, side)
    if entry is None:
        return None
    image = QImage(str(entry))
    if image.isNull():
        return None
    if max(image.width(), image.height()) > side:
        image = image.scaled(
            side,
            side,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return image


def render(path: str, side: int, cache: Path | None, shared: bool = True) -> QImage:
    """A thumbnail whose longer side is `side` px, made once and kept.

    From our disk cache, else the freedesktop cache other apps filled (`shared`), else decoded.

    Runs on pool threads: QImage (unlike QPixmap) may be built off the GUI thread.
    """
    name = _cache_name(path, side) if cache is not None else None
    if cache is not None and name is not None:
        cached = cache / name
        if cached.is_file():
            image = QImage(str(cached))
            if not image.isNull():
                return image
    if shared and side <= xdg_thumbnails.SIZES[-1][1]:
        found = _shared(path, side)
        if found is not None:
            return found
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


def pixmap_bytes(pixmap: QPixmap) -> int:
    """Memory a pixmap holds (its pixels; the small header is left out)."""
    return pixmap.width() * pixmap.height() * max(pixmap.depth(), 8) // 8


class PixmapLRU:
    """Pixmaps by key, least recently used dropped first, bounded by their bytes."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.bytes = 0
        self._items: OrderedDict[tuple[str, int], QPixmap] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: tuple[str, int]) -> bool:
        return key in self._items

    def get(self, key: tuple[str, int]) -> QPixmap | None:
        """The pixmap, now the most recently used; None if not held."""
        pixmap = self._items.get(key)
        if pixmap is not None:
            self._items.move_to_end(key)
        return pixmap

    def put(self, key: tuple[str, int], pixmap: QPixmap) -> None:
        """Keep `pixmap`, dropping the oldest until the budget holds (the newest always stays)."""
        old = self._items.pop(key, None)
        if old is not None:
            self.bytes -= pixmap_bytes(old)
        self._items[key] = pixmap
        self.bytes += pixmap_bytes(pixmap)
        while self.bytes > self.budget and len(self._items) > 1:
            _, dropped = self._items.popitem(last=False)
            self.bytes -= pixmap_bytes(dropped)


class ThumbnailCache(QObject):
    """Asks for thumbnails by path; `ready(path)` fires when one can be had with `get`.

    Decoding runs on a private QThreadPool; in memory, the most recent pixmaps are kept up to
    a byte budget (MEMORY_BYTES for thumbnails, PREVIEW_BYTES for large previews).
    """

    ready = Signal(object)  # a path; object keeps paths that are not valid text intact

    def __init__(self, library_folder: Path | None, side: int = 320, threads: int = 2) -> None:
        super().__init__()
        self.side = side
        self.cache = library_folder / CACHE_DIR if library_folder is not None else None
        self.memory = PixmapLRU(MEMORY_BYTES)
        self.previews = PixmapLRU(PREVIEW_BYTES)
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
        pixmap = self._lru(key[1]).get(key)
        if pixmap is not None:
            return pixmap
        if key not in self._pending and key not in self._failed:
            self._pending.add(key)
            cache = self.cache if key[1] < PREVIEW_FROM else None  # previews are not on disk
            self._pool.start(Job(key, lambda: render(key[0], key[1], cache), self._signals))
        return None

    def _lru(self, side: int) -> PixmapLRU:
        return self.previews if side >= PREVIEW_FROM else self.memory

    def failed(self, path: str, side: int | None = None) -> bool:
        """Whether the file could not be decoded."""
        return (path, side or self.side) in self._failed

    @Slot(object, object)
    def _on_done(self, key: tuple[str, int], image: QImage) -> None:
        if not isinstance(image, QImage):
            return
        self._pending.discard(key)
        self._lru(key[1]).put(key, QPixmap.fromImage(image))
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
