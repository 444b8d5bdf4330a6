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
