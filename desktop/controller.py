"""The app's link to the engine: one writer library for indexing, a reader for search, watching."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from core.catalog import Catalog, Root
from core.duplicates import (
    DuplicateOptions,
    find_duplicates,
    record_decision,
    stack_shots,
    verify_ahead,
)
from core.errors import LibraryLockedError, SimiliError
from core.filters import PhotoFilter
from core.formatting import count_of
from core.integrity import explain
from core.library import CATALOG_NAME, Library
from core.paths import normalise
from core.pipeline import index_library, retry_problems
from core.records import DuplicateGroup, IndexReport, Match, Problem, Progress, TrashedFile
from core.same_photo import query_verifier
from core.search import search, similar
from core.settings import Settings, load_settings, save_settings
from core.tags import tags_of
from core.tasks import CancelToken
from core.text_search import find_photos
from core.trash import restorable, restore, restore_many, trash_files, trash_log
from core.watcher import Watcher
from core.words import load_vocabulary
from desktop.workers import Job, JobSignals, TaskRunner, make_pool

SEARCH_TOP = 300
SHUTDOWN_TIMEOUT_MS = 30000


class LibraryController(QObject):
    """Owns the engine objects; the windows only talk to this.

    The writer Library lives on the TaskRunner's thread and holds the library lock for the app's
    lifetime; searches use a separate reader Library on a one-thread pool, so results of photos
    already indexed are searchable while indexing goes on.
    """

    indexing_started = Signal()
    indexing_progressed = Signal(object)  # Progress
    indexing_finished = Signal(object, bool)  # IndexReport | None, cancelled
    indexing_failed = Signal(str)
    problem_found = Signal(object)  # Problem
    library_changed = Signal()
    results_ready = Signal(object, object)  # (query tag, list[Match])
    stacks_ready = Signal(object, object)  # (query tag, bursts among them: list[list[path]])
    search_failed = Signal(object, str)
    device_known = Signal(str)
    duplicates_found = Signal(object)  # list[DuplicateGroup]
    duplicates_failed = Signal(str)
    duplicates_progressed = Signal(object)  # Progress of a scan the user asked for
    trashed = Signal(object)  # list[TrashedFile]
    trash_failed = Signal(str)  # a TrashError's message: the group stays
    problems_retried = Signal(object)  # RetryReport
    problems_retry_failed = Signal(str)
    decided = Signal()
    watch_failed = Signal(str)  # a batch of changes could not be applied; watching goes on
    _watched = Signal(object)  # set[str], from the watcher's thread
    taught = Signal(object)  # TeachResult, or None after a reset (desktop/personal.py)
    teach_failed = Signal(str)  # also "Cancelled."
    photos_seen = Signal(object)  # set[str]: new or changed files the watcher reported
    ahead_progressed = Signal(object)  # Progress of the background pair check (verify_ahead)

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        self.read_only_reason = ""
        self.writer: Library | None = None
        try:
            self.writer = Library(folder, writer=True)
        except LibraryLockedError:
            if not (folder / CATALOG_NAME).is_file():
                raise
            # In the app's words: the core message suggests a command-line flag.
            self.read_only_reason = (
                "another Simili window or command is updating this library. This window can "
                "search, but cannot add folders, rescan or move files until that one closes."
            )
        self.settings: Settings = load_settings(folder)
        # Bumped on the GUI thread; each library applies it on the thread that uses it.
        self._device_version = 1
        self._applied: dict[int, int] = {}
        # GUI-thread reads; the writer (or reader) Library has just checked the file.
        self.catalog = Catalog(folder / CATALOG_NAME, readonly=True, check=False)
        self._reader: Library | None = None
        # Image queries reuse one verifier, so "More like this" clicks in a row reuse decodes.
        self._query_verifier = query_verifier()
        self.runner = TaskRunner()
        self.runner.explain = lambda exc: explain(exc, folder)
        self.runner.progressed.connect(self.indexing_progressed)
        self.runner.problem_found.connect(self.problem_found)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.cancelled.connect(self._on_runner_cancelled)
        self.runner.failed.connect(self._on_runner_failed)
        self._search_pool = make_pool(1)
        self._search_signals = JobSignals()
        self._search_signals.done.connect(self._on_search_done)
        self._search_signals.failed.connect(self.search_failed)
        self.closed = False
        # What the running task is: index, duplicates, trash, decide, retry, teach, ahead; None
        # when idle. Set when a task is handed to the runner and cleared when its last word
        # (finished, cancelled, failed) arrives here: the runner's own busy flag drops before
        # that word is delivered, so a task started in between would be taken for the old one.
        self._kind: str | None = None
        # The duplicate finder's pairs are verified in the background once per session and after
        # indexing that found new or changed photos (core.duplicates.verify_ahead), so opening
        # the review reads saved verdicts. It runs only when nothing else waits and gives way
        # to any other work (cancelled, then due again: what it verified is kept).
        self._ahead_due = True
        self._pending_roots: list[str] = []
        self._pending_targets: set[str] = set()
        self._waiting: list[tuple[Callable, str]] = []
        self._full_pass = False
        self.paused = False
        self._watcher: Watcher | None = None
        self._watch_key: tuple = ()
        self._watched.connect(self._on_watched)

    # -- state --------------------------------------------------------------------------------
    @property
    def watching(self) -> bool:
        """Whether folder changes are being followed."""
        return self._watcher is not None

    @property
    def unwatched(self) -> dict[str, str]:
        """Roots that cannot be watched right now (offline, unreadable), with the reason."""
        return dict(self._watcher.unwatched) if self._watcher is not None else {}

    @property
    def busy(self) -> bool:
        """Whether a task the user asked for is running (not the background pair check)."""
        return self._kind not in (None, "ahead")

    def roots(self) -> list[Root]:
        """The library's folders."""
        return self.catalog.roots()

    def counts(self) -> dict[str, int]:
        """Photo and problem counts (cheap enough for the GUI thread)."""
        return self.catalog.counts(vectors=False)

    def root_counts(self) -> dict[int, int]:
        """Indexed photos per root id."""
        return self.catalog.root_counts()

    def problems(self) -> list[Problem]:
        """Files that could not be indexed."""
        return self.catalog.problems()

    def photo_info(self, path: str) -> tuple | None:
        """Size, mtime and metadata of a library file."""
        return self.catalog.photo_info(path)

    def is_indexed(self, path: str) -> bool:
        """Whether a file is a searchable photo of this library."""
        return self.catalog.lookup(normalise(path)) is not None

    # -- indexing -----------------------------------------------------------------------------
    def add_folder(self, folder: str) -> None:
        """Add a root and index it (queued behind running work)."""
        self._pending_roots.append(normalise(folder))
        self._kick()

    def reindex(self) -> None:
        """Scan every root for changes."""
        self._full_pass = True
        self._kick()

    def remove_folder(self, root: str) -> None:
        """Forget a root (photos on disk untouched)."""

        def task(_c: CancelToken, _p: Callable, _q: Callable) -> None:
            assert self.writer is not None
            self.writer.catalog.remove_root(root)
            self.writer.index.remove(self.writer.catalog.collect_garbage())
            self.writer.save_index()

        self._submit(task)

    def set_excludes(self, root: str, patterns: list[str]) -> None:
        """Replace a root's exclude patterns, then rescan it."""

        def task(cancel: CancelToken, progress: Callable, problem: Callable) -> IndexReport:
            assert self.writer is not None
            for r in self.writer.catalog.roots():
                if r.path == root:
                    with self.writer.catalog.transaction():
                        self.writer.catalog.set_root_excludes(r.id, patterns)
            return self._index(cancel, progress, problem, [root], None)

        self._submit(task)

    def pause(self) -> None:
        """Stop after the current batch; everything done so far is kept."""
        self.paused = True
        self.runner.cancel()

    def resume(self) -> None:
        """Carry on where indexing stopped."""
        self.paused = False
        self._full_pass = True
        self._kick()

    def cancel(self) -> None:
        """Stop the running task and drop queued work."""
        self._pending_roots.clear()
        self._pending_targets.clear()
        self._full_pass = False
        self.runner.cancel()

    def _index(
        self,
        cancel: CancelToken,
        progress: Callable[[Progress], None],
        problem: Callable[[Problem], None],
        roots: list[str] | None,
        targets: set[str] | None,
    ) -> IndexReport:
        assert self.writer is not None
        self._use_device(self.writer)
        return index_library(
            self.writer,
            roots,
            targets=targets,
            workers=self.settings.workers or None,
            cancel=cancel,
            on_progress=progress,
            on_problem=problem,
            extra_excludes=self.settings.exclude_patterns,
        )

    def _submit(self, task: Callable, kind: str = "index") -> None:
        if self.writer is None:
            failed = self.indexing_failed if kind == "index" else self.duplicates_failed
            failed.emit(self.read_only_reason)
            return
        self._kind = kind
        if kind == "index":
            self.indexing_started.emit()
        self.runner.submit(task)

    def _work_waiting(self) -> bool:
        pending = self._pending_roots or self._pending_targets
        return bool(self._waiting or pending or self._full_pass)

    def _kick(self) -> None:
        """Start the next queued job if idle (the background pair check gives way to it)."""
        if self.closed:
            return
        if self._kind == "ahead" and self._work_waiting():
            self._ahead_due = True
            self.runner.cancel()  # its cancel starts the waiting work (_on_runner_cancelled)
            return
        if self._kind is not None or self.paused or self.writer is None:
            if self.writer is None and (self._pending_roots or self._full_pass):
                self.indexing_failed.emit(self.read_only_reason)
                self._pending_roots.clear()
                self._full_pass = False
            return
        if self._waiting:
            task, kind = self._waiting.pop(0)
            self._submit(task, kind)
        elif self._pending_roots:
            roots, self._pending_roots = self._pending_roots, []
            self._submit(lambda c, p, q: self._index(c, p, q, roots, None))
        elif self._full_pass:
            self._full_pass = False
            self._pending_targets.clear()
            self._submit(lambda c, p, q: self._index(c, p, q, None, None))
        elif self._pending_targets:
            targets, self._pending_targets = self._pending_targets, set()
            self._submit(lambda c, p, q: self._index(c, p, q, None, targets))
        elif self._ahead_due:
            self._ahead_due = False
            self._submit(self._verify_ahead, "ahead")

    def _verify_ahead(self, cancel: CancelToken, _progress: Callable, _problem: Callable) -> object:
        assert self.writer is not None

        return verify_ahead(self.writer, cancel=cancel, on_progress=self.ahead_progressed.emit)

    @Slot(object)
    def _on_runner_finished(self, result: object) -> None:
        if self.closed:  # a task's last word, queued while the app was closing
            return
        kind, self._kind = self._kind or "index", None
        if kind == "ahead":
            self.ahead_progressed.emit(None)  # done: nothing to show any more
            self._kick()
            return
        if kind != "index":
            if kind == "teach" and self._reader is not None:
                self._reader.forget_taught()  # search in the space just taught (or reset)
            {
                "duplicates": self.duplicates_found,
                "trash": self.trashed,
                "retry": self.problems_retried,
                "teach": self.taught,
            }.get(kind, self.decided).emit(*([] if kind == "decide" else [result]))
            self.library_changed.emit()
            self._kick()
            return
        self._restart_watcher()
        if isinstance(result, IndexReport) and (result.added or result.changed or result.reused):
            self._ahead_due = True
        self.library_changed.emit()
        self.indexing_finished.emit(result if isinstance(result, IndexReport) else None, False)
        self._kick()

    @Slot(object)
    def _on_runner_cancelled(self, report: object) -> None:
        if self.closed:  # a task's last word, queued while the app was closing
            return
        kind, self._kind = self._kind or "index", None
        if kind == "ahead":  # it gave way to other work, or the user cancelled
            self.ahead_progressed.emit(None)
            self._kick()
            return
        if kind != "index":
            failed = {"retry": self.problems_retry_failed, "teach": self.teach_failed}.get(
                kind, self.duplicates_failed
            )
            failed.emit("Cancelled.")
            self._kick()
            return
        self.library_changed.emit()
        self.indexing_finished.emit(report if isinstance(report, IndexReport) else None, True)
        if not self.paused:
            self._kick()

    @Slot(str)
    def _on_runner_failed(self, message: str) -> None:
        if self.closed:  # a task's last word, queued while the app was closing
            return
        kind, self._kind = self._kind or "index", None
        if kind == "ahead":  # a background cache failed to fill: the scan will say why
            self.ahead_progressed.emit(None)
            sys.stderr.write(f"simili: checking pairs ahead stopped: {message}\n")
            self._kick()
            return
        if kind != "index":
            if kind == "trash":
                self.trash_failed.emit(message)
            elif kind == "retry":
                self.problems_retry_failed.emit(message)
            elif kind == "teach":
                self.teach_failed.emit(message)
            else:
                self.duplicates_failed.emit(message)
            self.library_changed.emit()
            self._kick()
            return
        self.library_changed.emit()
        self.indexing_failed.emit(message)
        self._kick()

    # -- duplicates ---------------------------------------------------------------------------
    def find_duplicates(self, mode: str, strictness: str = "strict") -> None:
        """Find groups (exact / near / similar level, how strict); arrive via duplicates_found.

        Files in the settings' reference folders are always the ones kept.
        """
        reference = tuple(self.settings.reference_folders)

        def task(cancel: CancelToken, progress: Callable, _problem: Callable) -> object:
            assert self.writer is not None
            options = DuplicateOptions(mode=mode, strictness=strictness, reference=reference)
            return find_duplicates(
                self.writer, options, cancel=cancel, on_progress=self.duplicates_progressed.emit
            )

        self._queue_or_run(task, "duplicates")

    def stop_duplicates(self) -> None:
        """Stop a duplicate scan, running or queued; duplicates_failed("Cancelled.") follows.

        What it verified so far is kept (`core.verdicts`): the next scan starts from there.
        """
        queued = [job for job in self._waiting if job[1] == "duplicates"]
        if queued:
            self._waiting = [job for job in self._waiting if job[1] != "duplicates"]
            self.duplicates_failed.emit("Cancelled.")
        elif self._kind == "duplicates":
            self.runner.cancel()

    def trash(self, group: DuplicateGroup, paths: list[str]) -> None:
        """Move files of a group to the system trash (the view has asked the user)."""
        reference = tuple(self.settings.reference_folders)

        # The `reference` keyword comes with the trash branch; until it is merged, the view
        # alone keeps reference folders out of `paths` (NOTES-review.md: drop this check).
        def task(_c: CancelToken, _p: Callable, _q: Callable) -> object:
            assert self.writer is not None
            return trash_files(self.writer, group, paths, reference=reference)

        self._queue_or_run(task, "trash")

    def decide(self, kind: str, paths: list[str]) -> None:
        """Record "not duplicates" / "keep all" for a group."""

        def task(_c: CancelToken, _p: Callable, _q: Callable) -> object:
            assert self.writer is not None
            return record_decision(self.writer, kind, paths)

        self._queue_or_run(task, "decide")

    def retry_problems(self) -> None:
        """Try every problem file again now (queued behind running work); see problems_retried."""
        if self.writer is None:
            self.problems_retry_failed.emit(self.read_only_reason)
            return

        def task(cancel: CancelToken, progress: Callable, problem: Callable) -> object:
            assert self.writer is not None
            return retry_problems(
                self.writer,
                workers=self.settings.workers or None,
                cancel=cancel,
                on_progress=progress,
                on_problem=problem,
                extra_excludes=self.settings.exclude_patterns,
            )

        self._queue_or_run(task, "retry")

    def trash_log(self) -> list[TrashedFile]:
        """What Simili moved to the trash from this library."""
        return trash_log(self.folder)

    def restorable(self) -> list[TrashedFile]:
        """Trashed files of this library that can still be put back (survives restarts)."""
        return restorable(self.folder)

    def restore_many(self, entries: list[TrashedFile]) -> str:
        """Put several trashed files back and index them again; returns a message."""
        if self.writer is None:
            return self.read_only_reason
        restored, errors = restore_many(self.writer, entries)
        self._pending_targets.update(restored)
        self._kick()
        message = f"Restored {count_of(len(restored), 'photo')}." if restored else ""
        if errors:
            message += f" {count_of(len(errors), 'photo')} not restored: {errors[0]}"
        return message.strip()

    def restore(self, entry: TrashedFile) -> str:
        """Move a trashed file back; returns a message for the user."""
        if self.writer is None:
            return self.read_only_reason
        try:
            path = restore(self.writer, entry)
        except SimiliError as exc:
            return str(exc)
        self._pending_targets.add(path)  # index it again
        self._kick()
        return f"Restored {path}"

    def run_library_task(self, task: Callable, kind: str) -> None:
        """Run a writer task after the running one (kinds: see _on_runner_finished)."""
        self._queue_or_run(task, kind)

    def reader(self) -> Library:
        """The reader library, for jobs on the search pool only (see `run_search_job`)."""
        return self._reader_library()

    def run_search_job(self, job: Job) -> None:
        """Run a short read-only job on the search thread (one at a time, after searches)."""
        self._search_pool.start(job)

    def _queue_or_run(self, task: Callable, kind: str) -> None:
        if self._kind is not None:
            # Indexing goes first; duplicates run on a consistent library right after.
            self._waiting.append((task, kind))
            self._kick()  # the background pair check gives way
            return
        self._submit(task, kind)

    # -- watching -----------------------------------------------------------------------------
    def start_watching(self) -> None:
        """Follow changes in every root (watchdog, debounced in core)."""
        self.settings = self.settings  # no-op; watching follows settings.watch
        self._restart_watcher()

    def _restart_watcher(self) -> None:
        roots = sorted(r.path for r in self.catalog.roots())
        # A drive coming back (or going away) changes what can be watched: restart then too.
        key = (tuple(roots), tuple(Path(r).is_dir() for r in roots))
        if self._watcher is not None and key == self._watch_key:
            return
        self.stop_watching()
        if not self.settings.watch or not roots or self.writer is None:
            return
        self._watch_key = key
        self._watcher = Watcher(roots, self._watched.emit, on_error=self.watch_failed.emit)
        self._watcher.start()

    def stop_watching(self) -> None:
        """Stop following changes."""
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
            self._watch_key = ()

    @Slot(object)
    def _on_watched(self, paths: set[str]) -> None:
        self.photos_seen.emit(set(paths))
        self._pending_targets |= paths
        self._kick()

    # -- search -------------------------------------------------------------------------------
    def _reader_library(self) -> Library:
        if self._reader is None:
            self._reader = Library(self.folder, device=self.settings.device)
        return self._use_device(self._reader)

    def search_image(self, path: str, tag: object = None) -> None:
        """Photos like any image file; results arrive through results_ready(tag, matches)."""

        def work() -> tuple[list[Match], list[list[str]]]:
            library = self._reader_library()
            matches = search(library, path, SEARCH_TOP, verifier=self._query_verifier)
            return matches, stack_shots(library, [m.path for m in matches])

        self._search_pool.start(Job(tag if tag is not None else path, work, self._search_signals))

    def find(self, words: str, photo: str, photo_filter: PhotoFilter, tag: object) -> None:
        """Words, a photo, or both, under a filter; results arrive through results_ready."""

        def work() -> list[Match]:
            return find_photos(
                self._reader_library(),
                text=words or None,
                image=photo or None,
                photo_filter=photo_filter,
                top=SEARCH_TOP,
            )

        self._search_pool.start(Job(tag, work, self._search_signals))

    def photo_tags(self, path: str) -> list[tuple[str, float]]:
        """An indexed photo's tags, best first (a quick read on the GUI thread)."""
        found = self.catalog.lookup(path)
        if found is None:
            return []
        names = load_vocabulary().classes
        return [(names[t.class_id], t.score) for t in tags_of(self.catalog.db, found[0])]

    def similar_to(self, path: str, tag: object, top: int = 40) -> None:
        """More like a library photo (itself excluded)."""

        def work() -> list[Match]:
            return similar(self._reader_library(), path, top, verifier=self._query_verifier)

        self._search_pool.start(Job(tag, work, self._search_signals))

    @Slot(object, object)
    def _on_search_done(self, tag: object, result: object) -> None:
        if isinstance(result, tuple):  # a search: matches and the bursts among them
            matches, stacks = result
            self.stacks_ready.emit(tag, stacks)
            result = matches
        self.results_ready.emit(tag, result)
        reader = self._reader
        if reader is not None and reader._embedder is not None:
            embedder = reader.embedder
            self.device_known.emit(f"{embedder.device.upper()} ({embedder.provider})")

    # -- settings -----------------------------------------------------------------------------
    def update_settings(self, settings: Settings) -> None:
        """Save settings; a device change takes effect for the next model use."""
        device_changed = settings.device != self.settings.device
        self.settings = settings
        if self.writer is not None:
            save_settings(self.folder, settings)
        if device_changed:
            self._apply_device()
        self._restart_watcher()

    def _apply_device(self) -> None:
        self._device_version += 1  # each library reloads on its own thread at its next use

    def _use_device(self, library: Library) -> Library:
        """Bring a library onto the chosen device; called on the thread that uses it."""
        if self._applied.get(id(library)) != self._device_version:
            library.reload_model(self.settings.device)
            self._applied[id(library)] = self._device_version
        return library

    def probe_device(self) -> None:
        """Load the model on the search thread so the status bar can show the device."""
        if self.closed:
            return

        def work() -> str:
            embedder = self._reader_library().embedder
            return f"{embedder.device.upper()} ({embedder.provider})"

        signals = self._search_signals
        self._search_pool.start(Job(("device",), work, signals))

    # -- shutdown -----------------------------------------------------------------------------
    def close(self) -> None:
        """Cancel work, wait for the current batch to be committed, release everything."""
        if self.closed:
            return
        self.closed = True
        self.stop_watching()
        self._pending_roots.clear()
        self._pending_targets.clear()
        stopped = self.runner.shutdown(SHUTDOWN_TIMEOUT_MS)
        searches_done = self._search_pool.waitForDone(SHUTDOWN_TIMEOUT_MS)
        if self._reader is not None and searches_done:
            self._reader.close()
        if self.writer is not None and stopped:
            self.writer.close()
        elif self.writer is not None:
            # Never close the writer under a running batch: the batch is one transaction and
            # the OS releases the writer lock when the process ends.
            sys.stderr.write(
                f"simili: the task thread did not stop within {SHUTDOWN_TIMEOUT_MS} ms; "
                "leaving the library to the process exit\n"
            )
        self.catalog.close()
