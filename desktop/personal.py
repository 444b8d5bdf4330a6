"""The app's personal features: stars, "For you", teaching albums and album suggestions.

Reads and recommendations run on the controller's search thread, teaching on its task thread
(desktop/workers.py starts every thread); the view code only calls these methods and listens.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from core.albums import AlbumSet, load_albums
from core.catalog import Catalog
from core.errors import SimiliError
from core.favourites import favourite_hashes, is_favourite, star, unstar
from core.formats import is_photo_name
from core.library import CATALOG_NAME
from core.paths import normalise
from core.recommend import Recommendation, recommend
from core.records import IndexReport
from core.suggest import suggest
from core.tasks import CancelToken
from core.teach import reset, teach
from desktop.controller import LibraryController
from desktop.workers import Job, JobSignals

FOR_YOU_TOP = 40


class Personal(QObject):
    """Stars, recommendations, teaching and suggestions for one library window."""

    starred_changed = Signal(str, bool)  # path, starred now
    recommended = Signal(object)  # list[Recommendation]
    suggested = Signal(str, object)  # path, Suggestion (for a photo the watcher found)
    failed = Signal(str)

    def __init__(self, controller: LibraryController) -> None:
        super().__init__()
        self.controller = controller
        # Stars are tiny writes made at once on the GUI thread through their own connection
        # (SQLite serialises it with the indexer's batches), so a star never waits behind a run.
        self._stars: Catalog | None = None
        self._signals = JobSignals()
        self._signals.done.connect(self._on_done)
        self._signals.failed.connect(lambda _tag, message: self.failed.emit(message))
        self._seen: set[str] = set()
        controller.photos_seen.connect(self._on_photos_seen)
        controller.indexing_finished.connect(self._on_indexing_finished)

    # -- stars --------------------------------------------------------------------------------
    def is_starred(self, path: str) -> bool:
        """Whether a library file holds a starred content."""
        return is_favourite(self.controller.catalog, path)

    def starred_hashes(self) -> frozenset[str]:
        """Content hashes of every favourite."""
        return favourite_hashes(self.controller.catalog)

    def set_starred(self, path: str, starred: bool) -> bool:
        """Star or unstar a library photo now; False (and `failed`) when it cannot be."""
        if self.controller.writer is None:
            self.failed.emit(self.controller.read_only_reason)
            return False
        if self._stars is None:
            self._stars = Catalog(self.controller.folder / CATALOG_NAME, check=False)
        try:
            (star if starred else unstar)(self._stars, [path])
        except SimiliError as exc:
            self.failed.emit(str(exc))
            return False
        self.starred_changed.emit(path, starred)
        return True

    # -- For you ------------------------------------------------------------------------------
    def request_recommendations(self, top: int = FOR_YOU_TOP) -> None:
        """Photos like the favourites; they arrive through `recommended`."""

        def work() -> list[Recommendation]:
            return recommend(self.controller.reader(), top)

        self.controller.run_search_job(Job(("recommend",), work, self._signals))

    # -- albums -------------------------------------------------------------------------------
    def albums(self) -> AlbumSet | None:
        """The taught album set, or None."""
        model = self.controller.catalog.get_meta("model") or ""
        return load_albums(self.controller.folder, model)

    def teach(self, folder: str, force: bool = False) -> None:
        """Teach the albums in `folder` on the task thread; see controller.taught."""

        def task(cancel: CancelToken, progress: Callable, _problem: Callable) -> object:
            assert self.controller.writer is not None
            return teach(self.controller.writer, Path(folder), force, cancel, progress)

        self.controller.run_library_task(task, "teach")

    def reset(self) -> None:
        """Back to the base space; controller.taught(None) follows."""

        def task(_c: CancelToken, _p: Callable, _q: Callable) -> object:
            assert self.controller.writer is not None
            reset(self.controller.writer)
            return None

        self.controller.run_library_task(task, "teach")

    def suggest_for(self, paths: list[str]) -> None:
        """Album suggestions for photos; each arrives through `suggested`."""
        for path in paths:

            def work(path: str = path) -> object:
                return suggest(self.controller.reader(), path)

            self.controller.run_search_job(Job(("suggest", path), work, self._signals))

    @Slot(object)
    def _on_photos_seen(self, paths: set[str]) -> None:
        self._seen |= {normalise(p) for p in paths if is_photo_name(Path(p).name)}

    @Slot(object, bool)
    def _on_indexing_finished(self, _report: IndexReport | None, _cancelled: bool) -> None:
        """New photos the watcher found and that are now indexed: "Belongs in Cats?"."""
        if not self._seen or self.albums() is None:
            self._seen.clear()
            return
        ready = [p for p in sorted(self._seen) if self.controller.is_indexed(p)]
        self._seen -= set(ready)
        self.suggest_for(ready)

    @Slot(object, object)
    def _on_done(self, tag: object, result: object) -> None:
        if not isinstance(tag, tuple):
            return
        if tag[0] == "recommend":
            self.recommended.emit(result)
        elif tag[0] == "suggest":
            self.suggested.emit(tag[1], result)

    def close(self) -> None:
        """Close the stars connection."""
        if self._stars is not None:
            with contextlib.suppress(Exception):
                self._stars.close()
            self._stars = None
