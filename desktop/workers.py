"""The only place that starts threads: a TaskRunner for long library work, pools for short jobs."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal, Slot

from core.errors import SimiliError
from core.records import Problem, Progress
from core.tasks import Cancelled, CancelToken

# The core callback may fire hundreds of times a second; the GUI needs at most this many updates.
PROGRESS_HZ = 10.0
# How often a closing app re-asserts the cancel token while it waits for the task thread.
SHUTDOWN_POLL_MS = 100

Task = Callable[[CancelToken, Callable[[Progress], None], Callable[[Problem], None]], Any]


class TaskRunner(QObject):
    """Runs one long task at a time on its own QThread; cancel via token, never terminate().

    Signals carry core records; the core callbacks only emit (throttled), never touch widgets.
    """

    progressed = Signal(object)  # Progress
    problem_found = Signal(object)  # Problem
    finished = Signal(object)  # the task's return value
    failed = Signal(str)  # a user-facing message
    cancelled = Signal(object)  # the partial result carried by Cancelled, or None
    _requested = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._thread = QThread()
        self._thread.setObjectName("simili-tasks")
        self.moveToThread(self._thread)
        self._requested.connect(self._run)
        self._token: CancelToken | None = None
        self._closing = False
        self.busy = False
        # Turns a low-level failure (full disk, damaged catalogue) into the user's message.
        self.explain: Callable[[BaseException], SimiliError | None] = lambda _exc: None
        self._thread.start()

    def submit(self, task: Task) -> CancelToken:
        """Queue a task; returns the token that cancels it."""
        token = CancelToken()
        self.busy = True
        self._requested.emit((task, token))
        return token

    def cancel(self) -> None:
        """Ask the running task to stop at its next batch."""
        if self._token is not None:
            self._token.cancel()

    @Slot(object)
    def _run(self, request: tuple[Task, CancelToken]) -> None:
        task, token = request
        if self._closing:
            token.cancel()  # queued before the app began to close: run it cancelled
        self._token = token
        self.busy = True
        last = 0.0

        def on_progress(progress: Progress) -> None:
            nonlocal last
            now = time.monotonic()
            if progress.phase in ("indexing", "scanning") and now - last < 1.0 / PROGRESS_HZ:
                return
            last = now
            self.progressed.emit(progress)

        try:
            result = task(token, on_progress, self.problem_found.emit)
        except Cancelled as exc:
            self.busy = False
            self.cancelled.emit(exc.args[0] if exc.args else None)
        except SimiliError as exc:
            self.busy = False
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug must reach the user, not kill the thread
            explained = self.explain(exc)
            if explained is None:
                traceback.print_exc()
            self.busy = False
            self.failed.emit(str(explained or f"unexpected {type(exc).__name__}: {exc}"))
        else:
            self.busy = False
            self.finished.emit(result)
        finally:
            self._token = None

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Cancel, let the task finish its batch, and stop the thread.

        Returns whether the thread stopped within `timeout_ms`. When it did not, the caller must
        leave alone everything the task uses (the writer library above all): closing it under a
        running batch is worse than leaving it to the process exit. Never terminate().
        """
        self._closing = True
        self._thread.quit()
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            self.cancel()  # again each turn: a task that began after the first call is stopped too
            if self._thread.wait(SHUTDOWN_POLL_MS):
                return True
            if time.monotonic() >= deadline:
                return False


class JobSignals(QObject):
    """Signal bus for short QRunnable jobs (QRunnable itself cannot emit)."""

    done = Signal(object, object)  # (tag, result)
    failed = Signal(object, str)  # (tag, message)


class Job(QRunnable):
    """A short job for a QThreadPool: a thumbnail, a search; reports through JobSignals."""

    def __init__(self, tag: object, work: Callable[[], Any], signals: JobSignals) -> None:
        super().__init__()
        self.tag = tag
        self.work = work
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        """Run the work and report; exceptions become `failed`."""
        try:
            result = self.work()
        except SimiliError as exc:
            self.signals.failed.emit(self.tag, str(exc))
        except Exception as exc:
            self.signals.failed.emit(self.tag, f"{type(exc).__name__}: {exc}")
        else:
            self.signals.done.emit(self.tag, result)


def make_pool(threads: int) -> QThreadPool:
    """A private thread pool (the global one is shared with Qt internals)."""
    pool = QThreadPool()
    pool.setMaxThreadCount(max(1, threads))
    return pool
