"""Watches library roots with watchdog and hands over changed paths in debounced batches."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from core.decode import is_photo_name

BatchCallback = Callable[[set[str]], None]


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
    """

    def __init__(
        self,
        roots: Iterable[str],
        on_batch: BatchCallback,
        debounce: float = 2.0,
        max_wait: float = 30.0,
    ) -> None:
        self.roots = list(roots)
        self.on_batch = on_batch
        self.debounce = debounce
        self.max_wait = max_wait
        self._pending: set[str] = set()
        self._first = 0.0
        self._last = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._observer = Observer()
        self._thread = threading.Thread(target=self._run, name="simili-watcher", daemon=True)

    def start(self) -> None:
        """Start watching every root that exists (offline roots are skipped)."""
        handler = _Collector(self)
        for root in self.roots:
            try:
                self._observer.schedule(handler, root, recursive=True)
            except OSError:
                continue  # offline or unreadable; the next full index reports it
        self._observer.start()
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and flush nothing further."""
        self._stop.set()
        self._observer.stop()
        self._observer.join(timeout=5)
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
            if batch:
                self.on_batch(batch)
