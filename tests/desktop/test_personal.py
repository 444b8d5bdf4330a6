"""GUI tests for the personal features: the star, For you, teaching albums, a suggestion."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core.favourites import favourites
from desktop.app import create_window
from desktop.main_window import PAGE_DETAIL
from tests.conftest import scene

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, library_home, tmp_path):
    """A window over an indexed library of 10 scenes."""
    photos = tmp_path / "photos"
    photos.mkdir()
    for seed in range(10):
        scene(seed, (400, 300)).save(photos / f"p{seed}.jpg", quality=90)
    win = create_window(library_home)
    qtbot.addWidget(win)
    win.resize(1000, 700)
    win.show()
    with qtbot.waitSignal(win.controller.indexing_finished, timeout=60000):
        win.add_folder(str(photos))
    yield win
    win.close()


def _photos(tmp_path):
    return tmp_path / "photos"


def test_the_star_in_the_detail_view_stars_and_unstars(qtbot, window, tmp_path):
    # GIVEN a library photo's details
    path = str(_photos(tmp_path) / "p3.jpg")
    window.show_detail(path)
    assert window.pages.currentIndex() == PAGE_DETAIL
    button = window.personal.star_button
    assert button is not None
    assert not button.isChecked()
    # WHEN its star is clicked THEN it is a favourite, and the button says so
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert [f.path for f in favourites(window.controller.catalog)] == [path]
    assert button.text().startswith("★")
    # AND another photo's details show an unstarred button, this one's a starred one again
    window.show_detail(str(_photos(tmp_path) / "p4.jpg"))
    assert not window.personal.star_button.isChecked()
    window.show_detail(path)
    assert window.personal.star_button.isChecked()
    # WHEN clicked again THEN the star is gone
    qtbot.mouseClick(window.personal.star_button, Qt.MouseButton.LeftButton)
    assert favourites(window.controller.catalog) == []


def test_starred_results_show_a_star_in_the_grid(qtbot, window, tmp_path):
    # GIVEN search results in the grid
    query = str(_photos(tmp_path) / "p2.jpg")
    # (the device probe also answers through results_ready: wait for the search's own answer)
    with qtbot.waitSignal(
        window.controller.results_ready,
        timeout=30000,
        check_params_cb=lambda tag, _matches: tag[0] == "search",
    ):
        window.search_for(query)
    model = window.model
    row = next(i for i in range(model.rowCount()) if model.match(i).path == query)
    assert model.data(model.index(row)) == "p2.jpg"
    # WHEN it is starred (what the grid's right-click menu does) THEN its name shows a star
    assert window.personal.personal.set_starred(query, True)
    assert model.data(model.index(row)) == "★ p2.jpg"
    window.personal.personal.set_starred(query, False)
    assert model.data(model.index(row)) == "p2.jpg"


def test_for_you_lists_photos_like_a_favourite_with_the_reason(qtbot, window, tmp_path):
    # GIVEN a favourite (starred from the grid's menu action)
    favourite = str(_photos(tmp_path) / "p1.jpg")
    assert window.personal.personal.set_starred(favourite, True)
    view = window.personal.for_you
    # WHEN the For you page is opened
    with qtbot.waitSignal(window.personal.personal.recommended, timeout=30000):
        window.personal.for_you_action.trigger()
    # THEN it is shown with other photos, each explained by the favourite
    assert window.pages.currentWidget() is view
    texts = [view.list.item(i).text() for i in range(view.list.count())]
    assert len(texts) == 9
    assert all(t.endswith("like ★ p1") for t in texts)
    assert not any(t.startswith("p1.jpg") for t in texts)


def test_teach_from_the_folders_panel_then_a_new_photo_gets_a_suggestion(qtbot, window, tmp_path):
    # GIVEN a folder of two albums
    albums = tmp_path / "albums"
    for name, seeds in (("cats", (0, 1, 2)), ("boats", (5, 6, 7))):
        (albums / name).mkdir(parents=True)
        for seed in seeds:
            scene(seed, (400, 300)).save(albums / name / f"s{seed}.jpg", quality=90)
    view = window.personal.albums
    # WHEN it is taught (as the folders panel's menu entry does)
    with qtbot.waitSignal(window.controller.taught, timeout=60000) as taught:
        window.personal.teach_from(str(albums))
        assert view.progress_box.isVisible()
        assert not view.teach_button.isEnabled()
    # THEN the Albums page shows the result and both albums, and is idle again
    result = taught.args[0]
    assert result.albums == 2
    assert window.pages.currentWidget() is view
    assert "mAP" in view.status.text()
    assert sorted(view.albums.item(i).text() for i in range(2)) == [
        "boats — 3 photos",
        "cats — 3 photos",
    ]
    assert not view.progress_box.isVisible()
    # WHEN the watcher reports a new photo like a "boats" one and it gets indexed
    new = _photos(tmp_path) / "new.jpg"
    scene(6, (400, 300)).crop((10, 10, 390, 290)).save(new, quality=85)
    with qtbot.waitSignal(window.personal.personal.suggested, timeout=60000):
        window.controller._on_watched({str(new)})
    # THEN the suggestion is listed and told in the status bar
    assert view.suggestions.item(0).text().startswith("new.jpg — Belongs in boats?")
    assert "Belongs in boats?" in window.statusBar().currentMessage()


def test_teaching_a_folder_without_albums_says_why(qtbot, window, tmp_path):
    empty = tmp_path / "no-albums"
    empty.mkdir()
    view = window.personal.albums
    with qtbot.waitSignal(window.controller.teach_failed, timeout=30000):
        window.personal.teach_from(str(empty))
    assert "at least 2" in view.status.text()
    assert view.teach_button.isEnabled()
