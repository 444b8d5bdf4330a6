"""Tests for searching by words in the app: the search bar, the tags in the detail view."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from core.records import Progress
from core.tags import Tag, write_tags
from core.words import load_vocabulary
from desktop.main_window import PAGE_DETAIL, PAGE_RESULTS
from desktop.tag_views import SearchBarView, TagStripView

pytestmark = pytest.mark.gui
CLASS = {name: i for i, name in enumerate(load_vocabulary().classes)}


def test_search_bar_emits_words_photo_and_filter(qtbot):
    bar = SearchBarView()
    qtbot.addWidget(bar)
    bar.set_folders(["/photos/a", "/photos/b"])
    bar.folder.setCurrentIndex(2)
    bar.after.setText("2024-01-31")
    bar.set_photo("/photos/a/x.jpg")
    qtbot.keyClicks(bar.words, "dog")
    with qtbot.waitSignal(bar.searched) as signal:
        qtbot.keyClick(bar.words, Qt.Key.Key_Return)
    words, photo, wanted = signal.args
    assert (words, photo) == ("dog", "/photos/a/x.jpg")
    assert wanted.after == date(2024, 1, 31)
    assert wanted.folder == "/photos/b"
    assert wanted.before is None


def test_search_bar_refuses_a_bad_date(qtbot):
    bar = SearchBarView()
    qtbot.addWidget(bar)
    bar.words.setText("dog")
    bar.before.setText("31/01/2024")
    with qtbot.assertNotEmitted(bar.searched):
        bar.submit()
    assert "YYYY-MM-DD" in bar.toolTip()


def test_tag_strip_click_asks_for_that_tag(qtbot):
    strip = TagStripView()
    qtbot.addWidget(strip)
    strip.set_tags([("tabby cat", 0.91), ("Egyptian Mau", 0.05)])
    assert [b.text() for b in strip.buttons] == ["tabby cat 91 %", "Egyptian Mau 5 %"]
    with qtbot.waitSignal(strip.tag_clicked) as signal:
        qtbot.mouseClick(strip.buttons[0], Qt.MouseButton.LeftButton)
    assert signal.args == ["tabby cat"]


def _words_results(tag, _result) -> bool:
    """Only a words search's results (the device probe answers on the same signal)."""
    return isinstance(tag, tuple) and tag[0] == "words"


def test_words_find_a_tagged_photo_and_its_tags_search_again(qtbot, window, make_photo):
    # GIVEN an indexed folder where one photo is a beagle (as the model would have said)
    for i in range(4):
        make_photo(f"p{i}.jpg", seed=40 + i)
    folder = make_photo("p0.jpg", seed=40).parent
    with qtbot.waitSignal(window.controller.indexing_finished, timeout=60000):
        window.add_folder(str(folder))
    beagle = str(folder / "p2.jpg")
    writer = window.controller.writer.catalog
    key, _ = writer.lookup(beagle)
    with writer.transaction():
        write_tags(writer.db, key, [Tag(CLASS["Beagle"], 0.8)])
    # WHEN "dog" is typed above the grid
    window.search_bar.words.setText("dog")
    with qtbot.waitSignal(
        window.controller.results_ready, timeout=30000, check_params_cb=_words_results
    ):
        window.search_bar.submit()
    # THEN the beagle is the only result
    assert window.pages.currentIndex() == PAGE_RESULTS
    assert [m.path for m in window.model.matches()] == [beagle]
    assert "dog" in window.query_label.text()
    # WHEN its detail view is opened, its tag is shown, and clicking it searches again
    window.show_detail(beagle)
    assert window.pages.currentIndex() == PAGE_DETAIL
    assert [b.text() for b in window.tag_strip.buttons] == ["Beagle 80 %"]
    with qtbot.waitSignal(
        window.controller.results_ready, timeout=30000, check_params_cb=_words_results
    ):
        qtbot.mouseClick(window.tag_strip.buttons[0], Qt.MouseButton.LeftButton)
    assert window.search_bar.words.text() == "Beagle"
    assert window.pages.currentIndex() == PAGE_RESULTS
    assert [m.path for m in window.model.matches()] == [beagle]


def test_background_tagging_shows_its_progress(window):
    window._on_indexing_progressed(Progress("tagging", 3, 10, 2.0, 3.5))
    assert window.progress_label.text().startswith("Tagging 3 of 10")
    assert (window.progress.value(), window.progress.maximum()) == (3, 10)
