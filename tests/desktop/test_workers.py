from __future__ import annotations

import threading
import time

import pytest

from desktop.workers import TaskRunner

pytestmark = pytest.mark.gui


def test_shutdown_reports_a_thread_that_did_not_stop(qtbot):
    # GIVEN a task stuck in a long step that does not look at its token yet
    release = threading.Event()
    started = threading.Event()

    def task(token, _progress, _problem):
        started.set()
        release.wait(20)
        return token.cancelled

    runner = TaskRunner()
    runner.submit(task)
    assert started.wait(10)
    # WHEN the app closes with a short limit
    stopped = runner.shutdown(timeout_ms=300)
    # THEN shutdown says so (the caller must not close what the thread uses) and never terminates
    assert stopped is False
    assert runner._thread.isRunning()
    release.set()
    assert runner.shutdown(timeout_ms=10000) is True
    assert not runner._thread.isRunning()


def test_shutdown_cancels_a_task_that_starts_while_closing(qtbot):
    # GIVEN one running task and one queued behind it
    seen: list[bool] = []
    started = threading.Event()

    def slow(token, _progress, _problem):
        started.set()
        time.sleep(0.3)
        seen.append(token.cancelled)

    runner = TaskRunner()
    runner.submit(slow)
    runner.submit(slow)
    assert started.wait(10)
    # WHEN shutting down
    assert runner.shutdown(timeout_ms=10000) is True
    # THEN the running task was cancelled, and the queued one was dropped or ran cancelled
    assert seen[0] is True
    assert all(seen)


def test_closing_never_closes_the_writer_under_a_running_task(qtbot, library_home, monkeypatch):
    from desktop import controller as controller_module

    monkeypatch.setattr(controller_module, "SHUTDOWN_TIMEOUT_MS", 300)
    controller = controller_module.LibraryController(library_home)
    release = threading.Event()
    started = threading.Event()
    used_after_close: list[int] = []

    def task(_token, _progress, _problem):
        started.set()
        release.wait(20)
        # the batch in flight still writes after the window asked to close
        with controller.writer.catalog.transaction():
            controller.writer.catalog.set_meta("probe", "1")
        used_after_close.append(controller.writer.catalog.generation)

    controller._submit(task, "decide")
    assert started.wait(10)
    controller.close()
    release.set()
    assert controller.runner.shutdown(timeout_ms=10000)
    assert len(used_after_close) == 1
    controller.writer.close()
