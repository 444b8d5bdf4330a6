"""The main window's small behaviours: drag highlight, keys, dates, messages, layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QDateTime, QLocale, QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDragLeaveEvent, QImage
from PySide6.QtWidgets import QFileDialog

from core.records import IndexReport
from desktop.detail_view import readable_exif_time, readable_time
from desktop.indexing_bar import finished_message
from desktop.main_window import PAGE_DETAIL, PAGE_EMPTY, PAGE_RESULTS

pytestmark = pytest.mark.gui

UK = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)


@pytest.fixture
def searched(qtbot, window, make_photo):
    """A window with 6 photos indexed and a search done: results on screen."""
    for i in range(6):
        make_photo(f"p{i}.jpg", seed=200 + i)
    folder = make_photo("p0.jpg", seed=200).parent
    with qtbot.waitSignal(window.controller.indexing_finished, timeout=60000):
        window.add_folder(str(folder))
    with qtbot.waitSignal(
        window.controller.results_ready, timeout=30000, check_params_cb=_answer_to("search")
    ):
        window.search_for(str(folder / "p0.jpg"))
    return window


def _answer_to(kind: str):
    """Only the answer to a search or a "more like this" (the device probe answers too)."""
    return lambda tag, _matches: isinstance(tag, tuple) and tag[0] == kind


def _mime(path: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    return mime


def test_dragging_over_the_window_highlights_it(qtbot, window, make_photo):
    photo = make_photo("a.jpg", seed=1)
    mime = _mime(photo)
    enter = QDragEnterEvent(
        QPoint(300, 300), Qt.DropAction.CopyAction, mime,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    assert window.drop_overlay.isVisible()
    assert window.drop_overlay.text == "Drop to find photos like this one"
    assert window.drop_overlay.geometry() == window.centralWidget().rect()
    window.dragLeaveEvent(QDragLeaveEvent())
    assert not window.drop_overlay.isVisible()
    # a folder says it will be added (the event keeps only a pointer: hold the mime data)
    folder_mime = _mime(photo.parent)
    folder_enter = QDragEnterEvent(
        QPoint(300, 300), Qt.DropAction.CopyAction, folder_mime,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    window.dragEnterEvent(folder_enter)
    assert window.drop_overlay.text == "Drop to add the folder to your library"


def test_left_and_right_step_through_the_results_in_the_detail_view(qtbot, searched):
    window = searched
    paths = [m.path for m in window.model.matches()]
    with qtbot.waitSignal(
        window.controller.results_ready, timeout=30000, check_params_cb=_answer_to("similar")
    ):
        window.show_detail(paths[1])
    window.activateWindow()
    window.detail.open_button.setFocus()  # arrows used to move between these buttons
    with qtbot.waitSignal(
        window.controller.results_ready, timeout=30000, check_params_cb=_answer_to("similar")
    ):
        qtbot.keyClick(window.detail.open_button, Qt.Key.Key_Left)
    assert window.detail_path == paths[0]
    assert window.pages.currentIndex() == PAGE_DETAIL
    qtbot.keyClick(window.detail.open_button, Qt.Key.Key_Left)  # first photo: stays
    assert window.detail_path == paths[0]
    for _ in range(2):
        with qtbot.waitSignal(
            window.controller.results_ready, timeout=30000, check_params_cb=_answer_to("similar")
        ):
            qtbot.keyClick(window.detail.open_button, Qt.Key.Key_Right)
    assert window.detail_path == paths[2]
    assert window.grid.currentIndex().row() == 2  # Back lands on the photo last seen


def test_dates_are_written_for_people():
    assert readable_exif_time("2019:06:14 10:21:33", UK) == "14 June 2019, 10:21"
    assert readable_exif_time("2019:06:14 10:21:33\x00", UK) == "14 June 2019, 10:21"
    assert readable_exif_time("sometime in June", UK) == "sometime in June"
    german = QLocale(QLocale.Language.German, QLocale.Country.Germany)
    assert readable_exif_time("2019:06:14 10:21:33", german) == "14 Juni 2019, 10:21"
    moment = QDateTime.fromString("2021-01-02 03:04", "yyyy-MM-dd HH:mm")
    assert readable_time(moment, UK) == "2 January 2021, 03:04"


def test_detail_view_shows_the_exif_date_in_words(qtbot, window, make_photo):
    QLocale.setDefault(UK)
    try:
        photo = make_photo("exif.jpg", seed=3)
        image = Image.open(photo)
        exif = Image.Exif()
        exif[0x8769] = {0x9003: "2019:06:14 10:21:33"}  # Exif IFD: DateTimeOriginal
        image.save(photo, exif=exif)
        with qtbot.waitSignal(window.controller.indexing_finished, timeout=60000):
            window.add_folder(str(photo.parent))
        window.show_detail(str(photo))
        rows = {}
        form = window.detail.details
        for row in range(form.rowCount()):
            label = form.itemAt(row, form.ItemRole.LabelRole)
            field = form.itemAt(row, form.ItemRole.FieldRole)
            # the text rows (the tags and the star are widgets of their own)
            if label is not None and field is not None and hasattr(field.widget(), "text"):
                rows[label.widget().text()] = field.widget().text()
        assert rows["Taken"] == "14 June 2019, 10:21"
        assert ":" not in rows["Modified"].split(",")[0]  # no raw "2019-06-14" either
    finally:
        QLocale.setDefault(QLocale.system())


def test_open_without_a_viewer_says_so(qtbot, window, make_photo, monkeypatch):
    photo = make_photo("a.jpg", seed=1)
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))
    window.detail_path = str(photo)
    window.detail.open_button.click()
    message = window.statusBar().currentMessage()
    assert "No app is set to open a.jpg" in message


def test_results_grid_shows_where_the_keyboard_is(qtbot, searched):
    window = searched
    grid = window.grid
    grid.setCurrentIndex(window.model.index(1))
    rect = grid.visualRect(window.model.index(1))
    edge = QPoint(rect.center().x(), rect.top() + 2)
    grid.clearFocus()
    without = grid.viewport().grab().toImage().pixelColor(edge)
    grid.setFocus()
    qtbot.waitUntil(grid.hasFocus)
    with_focus = grid.viewport().grab().toImage().pixelColor(edge)
    highlight = grid.palette().color(grid.palette().ColorRole.Highlight)
    assert with_focus != without
    assert with_focus.rgb() == highlight.rgb()


def test_every_tab_stop_is_something_visible(qtbot, window):
    # On first run the folder list is empty: Tab must not land on it (nothing would show).
    def stops() -> list:
        found, widget = [], window.nextInFocusChain()
        while widget is not window:
            tabbable = widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            if tabbable and widget.isVisible() and widget.isEnabled():
                found.append(widget)
            widget = widget.nextInFocusChain()
        return found

    assert window.folders not in stops()
    assert window.grid not in stops()
    window.pages.setCurrentIndex(PAGE_RESULTS)
    assert window.grid not in stops()  # no results yet
    for widget in stops():
        assert widget.width() > 0
        assert widget.height() > 0


def test_pasted_image_is_titled_without_its_temporary_path(qtbot, window, make_photo):
    image = QImage(str(make_photo("a.jpg", seed=1)))
    window._search_image(image)
    text = window.query_label.text()
    assert "Photos like the pasted image" in text
    assert "pasted-" not in text
    assert "simili-pasted" not in text


def test_failed_search_keeps_the_results_and_says_why(qtbot, searched, tmp_path):
    window = searched
    before = [m.path for m in window.model.matches()]
    query = window.query_path
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not a picture")
    with qtbot.waitSignal(window.controller.search_failed, timeout=30000):
        window.search_for(str(bad))
    assert [m.path for m in window.model.matches()] == before
    assert window.query_path == query
    text = window.query_label.text()
    assert "Cannot search with broken.jpg" in text
    assert "previous results" in text


def test_open_image_starts_in_the_photo_folders(qtbot, searched, monkeypatch):
    window = searched
    seen: list[str] = []

    def fake(parent, caption, folder, filters):
        seen.append(folder)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake))
    window.open_action.trigger()
    root = window.controller.roots()[0].path
    assert seen == [root]


@pytest.mark.parametrize("width", [700, 853, 1000, 1290])
def test_grid_uses_the_whole_width(qtbot, searched, width):
    window = searched
    window.resize(width, 700)
    qtbot.wait(50)
    grid = window.grid
    rects = [grid.visualRect(window.model.index(i)) for i in range(window.model.rowCount())]
    first_row = [r for r in rects if r.top() == rects[0].top()]
    left = first_row[0].left()
    right = grid.viewport().width() - 1 - first_row[-1].right()
    # the space left over is shared out: no blank strip on the right
    assert right <= left + len(first_row) + 2
    cell = grid.cell_width()
    assert right < cell // 2


def test_first_indexing_shows_progress_and_counts_photos(qtbot, window, make_photo):
    for i in range(40):
        make_photo(f"p{i:02d}.jpg", seed=300 + i, size=(900, 700))
    folder = make_photo("p00.jpg", seed=300, size=(900, 700)).parent
    assert window.pages.currentIndex() == PAGE_EMPTY
    with qtbot.waitSignal(window.controller.indexing_started, timeout=30000):
        window.add_folder(str(folder))
    # THEN the page says indexing is going on, not "Add a folder"
    assert window.empty.title.text() == "Indexing your photos…"
    # AND the status bar counts photos as they are indexed
    with qtbot.waitSignal(
        window.controller.indexing_progressed,
        timeout=60000,
        check_params_cb=lambda p: p.phase == "indexing" and 0 < p.done < 40,
    ):
        pass
    assert window.count_label.text() != "0 photos"
    with qtbot.waitSignal(window.controller.indexing_finished, timeout=120000):
        pass
    assert window.count_label.text() == "40 photos"


def test_finished_message_counts_and_stays_quiet_when_nothing_changed():
    assert finished_message(IndexReport(unchanged=300, seconds=0.2)) == ""
    assert finished_message(IndexReport(added=1, seconds=0.2)) == "Indexed 1 photo in 1 s"
    assert finished_message(IndexReport(added=1200, changed=3, seconds=61)) == (
        "Indexed 1,203 photos in 61 s"
    )
    assert finished_message(IndexReport(removed=1)) == "1 photo gone from the folders"


def test_one_photo_is_singular_in_the_folder_list_and_the_progress(qtbot, window, make_photo):
    from core.records import Progress

    photo = make_photo("only.jpg", seed=7)
    with qtbot.waitSignal(window.controller.indexing_finished, timeout=60000):
        window.add_folder(str(photo.parent))
    assert window.folders.item(0).text().split("\n")[1].startswith("1 photo ")
    assert window.count_label.text() == "1 photo"
    window.indexing_bar.show_progress(Progress(phase="scanning", done=1, total=0))
    assert window.indexing_bar.label.text() == "Looking for photos: 1 photo found"
