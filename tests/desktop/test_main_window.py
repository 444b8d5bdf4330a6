from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent

from core.library import Library
from desktop.app import create_window
from desktop.main_window import PAGE_DETAIL, PAGE_EMPTY, PAGE_RESULTS

pytestmark = pytest.mark.gui


def _drop(win, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(200, 200), Qt.DropAction.CopyAction, mime,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    win.dropEvent(event)


def _photos(make_photo, count: int, size=(320, 240)) -> Path:
    for i in range(count):
        make_photo(f"p{i:03d}.jpg", seed=100 + i, size=size)
    return make_photo("p000.jpg", seed=100, size=size).parent


def _first_batch(progress) -> bool:
    return progress.phase == "indexing" and progress.done > 0


def test_first_run_shows_what_to_do(window):
    assert window.pages.currentIndex() == PAGE_EMPTY
    assert window.empty.title.text() == "Add a folder of photos"
    assert window.empty.add_button.isVisible()


def test_drop_folder_indexes_then_drop_image_finds_it(qtbot, window, make_photo, tmp_path):
    # GIVEN the first-run window
    photos = _photos(make_photo, 8)
    # WHEN a folder is dropped onto it
    with qtbot.waitSignal(window.controller.indexing_finished, timeout=60000):
        _drop(window, photos)
    # THEN it is indexed and listed with its photo count
    assert window.controller.counts()["photos"] == 8
    assert "8 photos" in window.folders.item(0).text()
    # WHEN an edited copy of one photo (from outside the library) is dropped
    from PIL import Image

    query = tmp_path / "query.png"
    Image.open(photos / "p005.jpg").resize((200, 150)).save(query)
    # (the device probe also answers through results_ready: wait for the search's own answer)
    with qtbot.waitSignal(
        window.controller.results_ready,
        timeout=30000,
        check_params_cb=lambda tag, _matches: tag[0] == "search",
    ):
        _drop(window, query)
    # THEN the grid shows the original first, best first
    assert window.pages.currentIndex() == PAGE_RESULTS
    matches = window.model.matches()
    assert Path(matches[0].path).name == "p005.jpg"
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    # AND clicking a result shows its details and similar photos
    # (other answers share results_ready: wait for this photo's "more like this")
    with qtbot.waitSignal(
        window.controller.results_ready,
        timeout=30000,
        check_params_cb=lambda tag, _matches: tuple(tag) == ("similar", matches[1].path),
    ):
        window.show_detail(matches[1].path)
    assert window.pages.currentIndex() == PAGE_DETAIL
    assert window.strip_model.rowCount() == 7
    assert matches[1].path not in [m.path for m in window.strip_model.matches()]


def test_cancel_mid_index_leaves_a_consistent_library(qtbot, window, make_photo, library_home):
    photos = _photos(make_photo, 120, size=(900, 700))
    window.add_folder(str(photos))
    # cancel as soon as the first batch is reported
    with qtbot.waitSignal(
        window.controller.indexing_progressed, timeout=60000, check_params_cb=_first_batch
    ):
        pass
    with qtbot.waitSignal(window.controller.indexing_finished, timeout=60000) as blocker:
        window.cancel_button.click()
    assert blocker.args[1] is True  # cancelled
    window.close()
    with Library(library_home) as library:
        counts = library.catalog.counts()
        assert 0 < counts["photos"] < 120
        assert library.vector_count == counts["photos"] == counts["vectors"]
        assert library.index_lag == 0  # the index was saved on cancel


def test_pause_and_resume(qtbot, window, make_photo):
    photos = _photos(make_photo, 80, size=(900, 700))
    window.add_folder(str(photos))
    with qtbot.waitSignal(
        window.controller.indexing_progressed, timeout=60000, check_params_cb=_first_batch
    ):
        pass
    with qtbot.waitSignal(window.controller.indexing_finished, timeout=60000):
        window.pause_button.click()
    assert window.pause_button.text() == "Resume"
    paused_at = window.controller.counts()["photos"]
    assert paused_at < 80
    with qtbot.waitSignal(window.controller.indexing_finished, timeout=120000):
        window.pause_button.click()
    assert window.controller.counts()["photos"] == 80


def test_gui_thread_stays_responsive_while_indexing(qtbot, window, make_photo, record_property):
    # GIVEN a timer that should tick every 10 ms on the GUI thread
    photos = _photos(make_photo, 100, size=(1200, 900))
    gaps: list[float] = []
    last = [time.monotonic()]

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    # WHEN a folder is indexed
    with qtbot.waitSignal(window.controller.indexing_finished, timeout=120000):
        window.add_folder(str(photos))
    timer.stop()
    # THEN the event loop was never blocked for long (real figure recorded in the report)
    worst = max(gaps)
    record_property("max_event_loop_gap_ms", round(worst * 1000, 1))
    print(f"max event-loop gap while indexing: {worst * 1000:.1f} ms over {len(gaps)} ticks")
    assert worst < 0.25, f"GUI thread blocked for {worst * 1000:.0f} ms"


def test_problems_are_listed_not_popped_up(qtbot, window, make_photo, hostile_files):
    photos = hostile_files["truncated"].parent
    make_photo("good.jpg", seed=1)
    with qtbot.waitSignal(window.controller.indexing_finished, timeout=60000):
        window.add_folder(str(photos))
    assert window.problems_action.text() == "Problems (4)…"
    problems = {Path(p.path).name for p in window.controller.problems()}
    assert problems == {"truncated.jpg", "empty.jpg", "notes.jpg", "bomb.png"}


def test_state_is_restored_on_restart(qtbot, library_home, make_photo, tmp_path):
    photos = _photos(make_photo, 4)
    first = create_window(library_home)
    qtbot.addWidget(first)
    first.resize(700, 500)  # inside the offscreen screen
    first.show()
    with qtbot.waitSignal(first.controller.indexing_finished, timeout=60000):
        first.add_folder(str(photos))
    with qtbot.waitSignal(
        first.controller.results_ready,
        timeout=30000,
        check_params_cb=lambda tag, _matches: tag[0] == "search",
    ):
        first.search_for(str(photos / "p002.jpg"))
    size = (first.width(), first.height())
    first.close()
    second = create_window(library_home)
    qtbot.addWidget(second)
    assert second.query_path == str(photos / "p002.jpg")
    assert (second.width(), second.height()) == size
    second.close()


def test_new_photos_show_up_without_a_rescan(qtbot, window, make_photo):
    photos = _photos(make_photo, 3)
    with qtbot.waitSignal(window.controller.indexing_finished, timeout=60000):
        window.add_folder(str(photos))
    assert window.controller.watching
    # WHEN a photo is copied into the watched folder
    with qtbot.waitSignal(window.controller.indexing_finished, timeout=30000):
        make_photo("new-arrival.jpg", seed=999)
    # THEN it is indexed and counted without the user doing anything
    assert window.controller.counts()["photos"] == 4
    assert "4 photos" in window.folders.item(0).text()


def test_open_with_a_photo_starts_a_search(qtbot, library_home, make_photo, monkeypatch):
    # `simili PHOTO` (a file manager's "Open with") opens the app searching for it.
    from desktop import launch

    photo = make_photo("a.jpg", seed=5)
    started: list = []
    monkeypatch.setattr(
        "desktop.app.run",
        lambda library, opened, new_window, handoff: started.append((opened, new_window)) or 0,
    )
    assert launch.main([str(photo)]) == 0
    assert started == [([str(photo)], False)]
    # --new-window asks for a second window instead of handing the photo to the running one
    assert launch.main(["--new-window", str(photo)]) == 0
    assert started[-1] == ([str(photo)], True)
    # the value of --library names the library: it is not a folder to add
    library_home.mkdir()
    assert launch.main(["--library", str(library_home), str(photo)]) == 0
    assert started[-1] == ([str(photo)], False)
    # commands still go to the CLI
    assert launch.main(["status", "--json", "--library", str(library_home)]) != 0  # no library


def test_offline_root_does_not_stop_watching_the_others(qtbot, library_home, make_photo, tmp_path):
    # GIVEN a library with two folders, one of them on a drive that is now unplugged
    here = tmp_path / "photos"
    away = tmp_path / "drive" / "photos"
    make_photo("a.jpg", seed=1, root=here)
    make_photo("b.jpg", seed=2, root=away)
    with Library(library_home, writer=True) as library:
        from core.pipeline import index_library

        index_library(library, [str(here), str(away)], workers=0)
    (tmp_path / "drive").rename(tmp_path / "unplugged")
    # WHEN the app opens (it catches up, then watches)
    win = create_window(library_home)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.controller.indexing_finished, timeout=60000):
        pass
    try:
        # THEN the reachable folder is watched and the other is shown offline, not "watching"
        assert win.controller.watching
        assert list(win.controller.unwatched) == [str(away)]
        texts = {win.folders.item(i).data(Qt.ItemDataRole.UserRole): win.folders.item(i).text()
                 for i in range(win.folders.count())}  # fmt: skip
        assert texts[str(away)].endswith("offline")
        assert texts[str(here)].endswith("watching")
        # AND changes in the reachable folder are still picked up
        with qtbot.waitSignal(win.controller.indexing_finished, timeout=30000):
            make_photo("c.jpg", seed=3, root=here)
        assert win.controller.counts()["photos"] == 3
    finally:
        win.close()
    # AND closing stops every thread
    assert win.controller.closed
    assert not win.controller.runner._thread.isRunning()


def test_device_change_reloads_the_model_on_the_task_thread(qtbot, window, make_photo, monkeypatch):
    photos = _photos(make_photo, 2)
    with qtbot.waitSignal(window.controller.indexing_finished, timeout=60000):
        window.add_folder(str(photos))
    controller = window.controller
    writer = controller.writer
    loaded = writer.embedder
    calls: list[tuple[str, bool]] = []
    real = type(writer).reload_model

    def spy(library, device=None):
        calls.append((device, threading.current_thread() is threading.main_thread()))
        real(library, device)

    monkeypatch.setattr(type(writer), "reload_model", spy)
    # WHEN the user picks another device in the settings (on the GUI thread)
    new = "cpu" if controller.settings.device != "cpu" else "auto"
    controller.update_settings(controller.settings.with_changes(device=new))
    # THEN the GUI thread leaves the writer's model alone...
    assert writer._embedder is loaded
    # ...and the next task reloads it on the task thread
    make_photo("p-new.jpg", seed=555)
    with qtbot.waitSignal(controller.indexing_finished, timeout=60000):
        controller.reindex()
    assert (new, False) in calls
    assert writer.device == new


def test_results_show_matches_a_divider_and_show_more(qtbot, window, tmp_path):
    from core.records import Match
    from desktop.grid_model import SHOW_MORE

    # GIVEN search results of every level for the current query
    window.query_path = str(tmp_path / "query.jpg")
    levels = ["same", "similar", "related", "unrelated", "unrelated"]
    matches = [Match(str(tmp_path / f"r{i}.jpg"), 1.0 - i / 10, lv) for i, lv in enumerate(levels)]
    window._on_results(("search", window.query_path), matches)
    model = window.model
    assert "2 matches" in window.query_label.text()
    assert "%" not in window.query_label.text()
    show_more = model.rowCount() - 1
    assert model.marker(show_more).kind == SHOW_MORE
    # WHEN the user clicks "Show more"
    window.grid.doItemsLayout()
    rect = window.grid.visualRect(model.index(show_more))
    qtbot.mouseClick(window.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    # THEN the unrelated tail appears and no photo page was opened
    assert len(model.matches()) == 5
    assert window.pages.currentIndex() != PAGE_DETAIL
