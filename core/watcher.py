"""Watches library roots with watchdog and hands over changed paths in debounced batches."""

from __future__ import annotations

import errno
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from core.formats import is_photo_name

BatchCallback = Callable[[set[str]], None]
ErrorCallback = Callable[[str], None]

log = logging.getLogger(__name__)


class _Collector(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reads (our own decoding included) change nothing
        if event.is_directory and event.event_type == "modified":
            return  # a folder's own mtime: its files report themselves
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = os.fsdecode(raw) if isinstance(raw, bytes) else raw
            if path and (event.is_directory or is_photo_name(Path(path).name)):
                self.watcher.touch(path)


class Watcher:
    """Collects file events and calls `on_batch` once things have been quiet for `debounce` s.

    A burst (10,000 photos copied in) becomes a few batches, not 10,000 index runs; `max_wait`
    bounds how long a steady trickle of changes can postpone an update.

    Threads: watchdog's observer thread and one debounce thread (plain Python, no Qt) that calls
    `on_batch`; the app's callback only emits a Qt signal. Roots that cannot be watched (offline,
    unreadable, over the OS's watch limit) are listed in `unwatched` with a reason, the others
    are watched. A batch that raises is reported through `on_error` and watching goes on.
    """

    def __init__(
        self,
        roots: Iterable[str],
        on_batch: BatchCallback,
        debounce: float = 2.0,
        max_wait: float = 30.0,
        on_error: ErrorCallback | None = None,
    ) -> None:
        self.roots = list(roots)
        self.on_batch = on_batch
        self.on_error = on_error or log.error
        self.debounce = debounce
        self.max_wait = max_wait
        self.watched: list[str] = []
        self.unwatched: dict[str, str] = {}  # root -> why it is not watched
        self._pending: set[str] = set()
        self._first = 0.0
        self._last = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._observer = Observer()
        self._thread = threading.Thread(target=self._run, name="simili-watcher", daemon=True)

    def start(self) -> None:
        """Watch every root that can be watched; never raises for a root that cannot."""
        # The observer starts empty, then each root is added on its own: watchdog starts a
        # root's emitter inside schedule() on a live observer, so one bad root fails alone.
        self._observer.start()
        handler = _Collector(self)
        for root in self.roots:
            try:
                self._observer.schedule(handler, root, recursive=True)
            except OSError as exc:
                self.unwatched[root] = _reason(root, exc)
                continue
            self.watched.append(root)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and flush nothing further; safe before start and when called twice."""
        self._stop.set()
        if self._observer.is_alive():
            self._observer.stop()
            self._observer.join(timeout=5)
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def touch(self, path: str) -> None:
        """Record a changed path (called from watchdog's thread)."""
        now = time.monotonic()
        with self._lock:
            if not self._pending:
                self._first = now
            self._pending.add(path)
            self._last = now

    def _take(self) -> set[str] | None:
        now = time.monotonic()
        with self._lock:
            if not self._pending:
                return None
            quiet = now - self._last >= self.debounce
            overdue = now - self._first >= self.max_wait
            if not (quiet or overdue):
                return None
            batch, self._pending = self._pending, set()
            return batch

    def _run(self) -> None:
        while not self._stop.wait(min(0.25, self.debounce / 4)):
            batch = self._take()
            if not batch:
                continue
            try:
                self.on_batch(batch)
            except Exception as exc:  # one bad batch must not end watching
                # Not retried: a persistent fault would loop; the next full index catches up.
                self.on_error(
                    f"updating {len(batch)} change(s) failed: {type(exc).__name__}: {exc}; "
                    "watching goes on (run `simili index` to catch up)"
                )


def _reason(root: str, exc: OSError) -> str:
    if not Path(root).is_dir():
        return "not reachable (offline or removed); its photos are kept"
    if exc.errno == errno.ENOSPC:
        return "too many folders to watch (raise fs.inotify.max_user_watches); rescan with F5"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return f"cannot watch ({exc.strerror or exc})"
