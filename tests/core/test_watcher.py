from __future__ import annotations

import shutil
import threading
import time

from core.library import Library
from core.pipeline import index_library
from core.watcher import Watcher


def test_burst_of_events_becomes_one_batch(tmp_path):
    batches: list[set[str]] = []
    got = threading.Event()

    def on_batch(paths: set[str]) -> None:
        batches.append(paths)
        got.set()

    watcher = Watcher([str(tmp_path)], on_batch, debounce=0.5)
    watcher.start()
    try:
        for i in range(200):
            (tmp_path / f"f{i}.jpg").write_bytes(b"x")
        (tmp_path / "notes.txt").write_text("ignored")
        assert got.wait(10)
        time.sleep(1.0)
    finally:
        watcher.stop()
    assert len(batches) == 1
    assert len(batches[0]) == 200
    assert not any(p.endswith(".txt") for p in batches[0])


def test_watched_changes_reach_the_index(library_home, make_photo, tmp_path):
    # GIVEN an indexed folder that is being watched
    photos = tmp_path / "photos"
    make_photo("a.jpg", seed=1)
    make_photo("b.jpg", seed=2)
    library = Library(library_home, writer=True)
    index_library(library, [str(photos)], workers=0)
    done = threading.Event()

    def on_batch(paths: set[str]) -> None:
        index_library(library, targets=paths, workers=0)
        done.set()

    watcher = Watcher([str(photos)], on_batch, debounce=0.4)
    watcher.start()
    try:
        # WHEN a photo is added, one moved into a new folder and one deleted
        make_photo("c.jpg", seed=3)
        (photos / "sub").mkdir()
        shutil.move(photos / "a.jpg", photos / "sub" / "a.jpg")
        (photos / "b.jpg").unlink()
        assert done.wait(15)
        time.sleep(1.0)  # let a possible second batch finish
    finally:
        watcher.stop()
    # THEN the catalogue matches the disk without a full rescan
    counts = library.catalog.counts()
    assert counts["photos"] == 2
    assert library.catalog.lookup(str(photos / "sub" / "a.jpg")) is not None
    assert library.catalog.lookup(str(photos / "a.jpg")) is None
    assert library.catalog.lookup(str(photos / "b.jpg")) is None
    assert len(library.index) == 2
    library.close()


def _wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_offline_root_is_reported_and_the_others_are_watched(tmp_path):
    # GIVEN two roots, one of them on a drive that is not plugged in
    here = tmp_path / "here"
    here.mkdir()
    gone = tmp_path / "unplugged" / "photos"
    batches: list[set[str]] = []
    watcher = Watcher([str(gone), str(here)], batches.append, debounce=0.3)
    # WHEN watching starts
    watcher.start()
    try:
        # THEN the reachable root is watched, the other one reported with a reason
        assert watcher.watched == [str(here)]
        assert list(watcher.unwatched) == [str(gone)]
        assert "not reachable" in watcher.unwatched[str(gone)]
        (here / "a.jpg").write_bytes(b"x")
        assert _wait_for(lambda: batches)
        assert batches[0] == {str(here / "a.jpg")}
    finally:
        watcher.stop()
    watcher.stop()  # idempotent


def test_stop_is_safe_before_start_and_twice(tmp_path):
    watcher = Watcher([str(tmp_path)], lambda _b: None)
    watcher.stop()
    watcher.stop()
    everything_offline = Watcher([str(tmp_path / "gone")], lambda _b: None)
    everything_offline.start()
    assert everything_offline.watched == []
    everything_offline.stop()
    everything_offline.stop()


def test_a_failing_batch_is_reported_and_watching_goes_on(tmp_path):
    # GIVEN a batch callback that fails once (indexing hit a bug, the disk filled up...)
    batches: list[set[str]] = []
    errors: list[str] = []

    def on_batch(paths: set[str]) -> None:
        batches.append(paths)
        if len(batches) == 1:
            raise RuntimeError("boom")

    watcher = Watcher([str(tmp_path)], on_batch, debounce=0.3, on_error=errors.append)
    watcher.start()
    try:
        (tmp_path / "a.jpg").write_bytes(b"x")
        assert _wait_for(lambda: errors)
        # WHEN more changes come
        (tmp_path / "b.jpg").write_bytes(b"x")
        # THEN they are still handed over
        assert _wait_for(lambda: len(batches) == 2)
    finally:
        watcher.stop()
    assert batches[1] == {str(tmp_path / "b.jpg")}
    assert len(errors) == 1
    assert "RuntimeError: boom" in errors[0]
    assert "1 change" in errors[0]
