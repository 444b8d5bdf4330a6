from __future__ import annotations

import faulthandler
import os
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QMessageBox

import desktop.controller
from core.records import PairEvidence, Progress
from core.settings import load_settings
from desktop.app import create_window
from desktop.binding import RESERVE
from desktop.compare_view import confidence_words
from desktop.duplicate_review import scan_text
from desktop.indexing_bar import ahead_text
from desktop.main_window import PAGE_DUPLICATES

pytestmark = pytest.mark.gui
CONFIDENCE_WORDS = ("certain", "very likely", "likely", "possible")


@pytest.fixture
def real_trash(trash_home):
    """The real send2trash, with its freedesktop home trash under tmp (conftest.trash_home)."""
    return trash_home


def answer_confirmation(monkeypatch, accept: bool) -> list[tuple[str, bool]]:
    """Answer the trash confirmation like a user; records (text, Cancel is the default)."""
    asked: list[tuple[str, bool]] = []

    def fake_exec(box: QMessageBox) -> int:
        cancel = box.button(QMessageBox.StandardButton.Cancel)
        asked.append((box.text(), box.defaultButton() == cancel and box.escapeButton() == cancel))
        (box.move_button if accept else cancel).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return asked


def make_groups(make_photo, photos: Path, count: int) -> None:
    """`count` groups: a photo, its byte copy and a half-size copy; plus unrelated photos."""
    for g in range(count):
        original = make_photo(f"p{g}.jpg", seed=10 + g, size=(640, 480))
        shutil.copy(original, photos / f"p{g} (copy).jpg")
        Image.open(original).resize((320, 240)).save(photos / f"p{g}-small.jpg")
    for i in range(3):
        make_photo(f"other{i}.jpg", seed=50 + i, size=(640, 480))


def open_window(qtbot, library_home, folder: Path | None = None, size=(1100, 750)):
    win = create_window(library_home)
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    if folder is not None:
        with qtbot.waitSignal(win.controller.indexing_finished, timeout=60000):
            win.add_folder(str(folder))
    return win


@pytest.fixture
def window(qtbot, library_home, make_photo, tmp_path, real_trash):
    # GIVEN a library with one photo, its byte copy and a resized copy, plus unrelated photos
    make_groups(make_photo, tmp_path / "photos", 1)
    win = open_window(qtbot, library_home, tmp_path / "photos")
    yield win
    win.close()


def _find(qtbot, win) -> None:
    with qtbot.waitSignal(win.controller.duplicates_found, timeout=60000):
        win.show_duplicates()
    assert win.pages.currentIndex() == PAGE_DUPLICATES


def _group_rows(view) -> list[int]:
    return [
        r
        for r in range(view.list.count())
        if view.list.item(r).data(Qt.ItemDataRole.UserRole) is not None
    ]


def wheel(widget, up: bool, ctrl: bool = True) -> None:
    pos = QPointF(widget.width() / 2, widget.height() / 2)
    modifiers = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
    event = QWheelEvent(
        pos,
        widget.mapToGlobal(pos),
        QPoint(),
        QPoint(0, 120 if up else -120),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def drag(widget, dx: int, dy: int) -> None:
    """Press, move in two steps (Qt pans from the previous move), release."""
    start = QPointF(widget.width() / 2, widget.height() / 2)
    steps = (
        (QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton),
        (QEvent.Type.MouseMove, start + QPointF(1, 1), Qt.MouseButton.LeftButton),
        (QEvent.Type.MouseMove, start + QPointF(dx, dy), Qt.MouseButton.LeftButton),
        (QEvent.Type.MouseButtonRelease, start + QPointF(dx, dy), Qt.MouseButton.NoButton),
    )
    for kind, pos, buttons in steps:
        button = (
            Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
        )
        event = QMouseEvent(
            kind, pos, widget.mapToGlobal(pos), button, buttons, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(widget, event)


def test_group_is_shown_with_keeper_confidence_and_differences(qtbot, window):
    assert window.search_bar.isVisible()
    _find(qtbot, window)
    assert not window.search_bar.isVisible()  # words search photos, not duplicate groups
    view = window.duplicates
    assert len(view.groups) == 1
    group = view.groups[0]
    names = sorted(Path(p).name for p in group.paths)
    assert names == ["p0 (copy).jpg", "p0-small.jpg", "p0.jpg"]
    # the largest original is suggested, and shown first with its radio checked
    assert Path(group.keep).name in ("p0.jpg", "p0 (copy).jpg")
    assert view.cards[0].file.path == group.keep
    assert view.chosen_keeper() == group.keep
    assert "can be freed" in view.summary.text()
    # groups per kind read as "edited copies: 1", not "1 edited copies"
    assert view.summary.text().startswith("1 group ("), view.summary.text()
    assert "copies: 1)" in view.summary.text(), view.summary.text()
    # how sure Simili is reads as words, not a bare percent, in the list and the title
    item = view.list.item(_group_rows(view)[0]).text()
    assert any(line.startswith(f"{w} · ") for line in item.splitlines() for w in CONFIDENCE_WORDS)
    assert "%" not in item
    assert group.reason in view.group_title.text()


def test_card_tooltip_shows_the_evidence_of_its_pair(qtbot, window):
    _find(qtbot, window)
    view = window.duplicates
    found = view.groups[0]
    keep = found.keep
    small = next(p for p in found.paths if p.endswith("-small.jpg"))
    copy = next(p for p in found.paths if p not in (keep, small))
    # GIVEN the engine's explanation of the group (as core.records.PairEvidence carries it)
    group = replace(
        found,
        confidence=0.83,
        evidence=(
            PairEvidence(keep, copy, "bytes", 1.0, "identical files"),
            PairEvidence(copy, small, "geometry", 0.83, "same picture: resized to 50 %"),
        ),
    )
    window.controller.duplicates_found.emit([group])
    # THEN the group reads "very likely", and each card explains its own link on hover
    assert "\nvery likely · " in view.list.item(_group_rows(view)[0]).text()
    assert "very likely" in view.group_title.text()
    cards = {c.file.path: c for c in view.cards}
    assert "identical files" in cards[copy].toolTip()
    assert "same picture: resized to 50 %" in cards[small].toolTip()
    assert "same picture: resized to 50 %" in cards[small].view.toolTip()
    assert "identical files" not in cards[small].toolTip()  # not the keeper's link: its own
    # and the group's tooltip names which file each link's words are about
    listed = view.list.item(_group_rows(view)[0]).toolTip()
    assert f"{Path(small).name} against {Path(copy).name}: same picture: resized to 50 %" in listed


@pytest.mark.parametrize(
    ("confidence", "words"),
    [(1.0, "certain"), (0.95, "certain"), (0.9, "very likely"), (0.7, "likely"), (0.4, "possible")],
)
def test_confidence_words(confidence, words):
    assert confidence_words(confidence) == words


def test_trash_others_after_one_confirmation(qtbot, window, monkeypatch, real_trash):
    _find(qtbot, window)
    view = window.duplicates
    group = view.groups[0]
    doomed = sorted(p for p in group.paths if p != group.keep)
    asked = answer_confirmation(monkeypatch, accept=True)
    with qtbot.waitSignal(window.controller.trashed, timeout=30000):
        view.trash_others()
    # THEN one confirmation named the action and the amount, with Cancel as its default
    assert len(asked) == 1
    text, cancel_is_default = asked[0]
    assert text.startswith("Move 2 photos ("), text
    assert text.endswith(" KB) to the trash?"), text
    assert cancel_is_default
    # AND exactly the other members are in the (real, freedesktop) trash; the keeper stays
    assert all(not Path(p).exists() for p in doomed)
    assert Path(group.keep).exists()
    assert sorted(p.name for p in (real_trash / "files").iterdir()) == sorted(
        Path(p).name for p in doomed
    )
    assert window.controller.counts()["photos"] == 4
    assert view.trashed_list.count() == 2
    assert view.groups == []
    assert view.summary.text().startswith("Moved 2 photos (")


def test_one_file_is_worded_in_the_singular(
    qtbot, library_home, make_photo, tmp_path, monkeypatch, real_trash
):
    photos = tmp_path / "photos"
    original = make_photo("a.jpg", seed=3, size=(640, 480))
    shutil.copy(original, photos / "a (copy).jpg")
    win = open_window(qtbot, library_home, photos)
    _find(qtbot, win)
    asked = answer_confirmation(monkeypatch, accept=True)
    with qtbot.waitSignal(win.controller.trashed, timeout=30000):
        win.duplicates.trash_others()
    assert asked[0][0].startswith("Move 1 photo (")
    assert win.duplicates.summary.text().startswith("Moved 1 photo (")
    win.close()


def test_declined_confirmation_trashes_nothing(qtbot, window, monkeypatch):
    _find(qtbot, window)
    paths = window.duplicates.groups[0].paths
    asked = answer_confirmation(monkeypatch, accept=False)
    window.duplicates.trash_others()
    qtbot.wait(300)
    assert len(asked) == 1
    assert all(Path(p).exists() for p in paths)
    assert window.controller.counts()["photos"] == 6


def test_undo_list_survives_a_restart_and_restores_a_selection(
    qtbot, library_home, make_photo, tmp_path, monkeypatch, real_trash
):
    make_groups(make_photo, tmp_path / "photos", 1)
    win = open_window(qtbot, library_home, tmp_path / "photos")
    _find(qtbot, win)
    group = win.duplicates.groups[0]
    doomed = [p for p in group.paths if p != group.keep]
    answer_confirmation(monkeypatch, accept=True)
    with qtbot.waitSignal(win.controller.trashed, timeout=30000):
        win.duplicates.trash_others()
    win.close()
    # WHEN the app starts again on the same library
    again = open_window(qtbot, library_home)
    panel = again.duplicates.trash_panel
    # THEN the undo list still holds both files, and several can be restored at once
    assert panel.list.count() == 2
    assert not panel.restore_button.isEnabled()
    panel.list.selectAll()
    assert panel.restore_button.text() == "Restore selected (2)"
    with qtbot.waitSignal(again.controller.indexing_finished, timeout=60000):
        qtbot.mouseClick(panel.restore_button, Qt.MouseButton.LeftButton)
    assert all(Path(p).exists() for p in doomed)
    assert panel.list.count() == 0
    assert again.duplicates.summary.text() == "Restored 2 photos."
    assert again.controller.counts()["photos"] == 6
    again.close()


def test_trash_refusal_is_shown_and_the_group_stays(qtbot, window, monkeypatch):
    _find(qtbot, window)
    view = window.duplicates
    group = view.groups[0]
    gone = next(p for p in group.paths if p != group.keep)
    Path(gone).unlink()  # removed behind Simili's back: the trash must refuse it
    answer_confirmation(monkeypatch, accept=True)
    with qtbot.waitSignal(window.controller.trash_failed, timeout=30000):
        view.trash_others()
    assert view.error.isVisible()
    assert gone in view.error.text()
    assert view.groups
    assert view.current == group
    assert len(view.cards) == 3


def test_strictness_is_passed_to_the_scan_and_remembered(qtbot, window, monkeypatch, library_home):
    seen: list = []
    real = desktop.controller.find_duplicates

    def spy(library, options, **kwargs):
        seen.append(options)
        return real(library, options, **kwargs)

    monkeypatch.setattr(desktop.controller, "find_duplicates", spy)
    _find(qtbot, window)
    view = window.duplicates
    assert view.strictness.currentText() == "Strict"
    assert seen[-1].strictness == "strict"
    # WHEN the user loosens the filter, the scan runs again at that level
    with qtbot.waitSignal(window.controller.duplicates_found, timeout=60000):
        view.strictness.setCurrentIndex(view.strictness.findData("loose"))
    assert seen[-1].strictness == "loose"
    assert seen[-1].mode == "near"
    assert load_settings(library_home).duplicate_strictness == "loose"
    # AND a change while a search runs is not lost: the search runs again at the new level
    view.find()
    view.strictness.setCurrentIndex(view.strictness.findData("normal"))
    qtbot.waitUntil(lambda: seen[-1].strictness == "normal", timeout=60000)
    qtbot.waitUntil(view.find_button.isEnabled, timeout=60000)
    assert view.strictness.currentData() == "normal"
    view.strictness.setCurrentIndex(view.strictness.findData("loose"))
    qtbot.waitUntil(view.find_button.isEnabled, timeout=60000)
    window.close()
    again = open_window(qtbot, library_home)
    assert again.duplicates.strictness.currentData() == "loose"
    again.close()


def test_reference_folder_is_never_trashed(
    qtbot, library_home, make_photo, tmp_path, monkeypatch, real_trash
):
    photos = tmp_path / "photos"
    original = make_photo("a.jpg", seed=3, size=(640, 480))
    archive = photos / "archive"
    archive.mkdir()
    shutil.copy(original, archive / "a.jpg")
    Image.open(original).resize((320, 240)).save(photos / "a-small.jpg")
    seen: list = []
    real = desktop.controller.find_duplicates
    monkeypatch.setattr(
        desktop.controller,
        "find_duplicates",
        lambda library, options, **kw: seen.append(options) or real(library, options, **kw),
    )
    win = open_window(qtbot, library_home, photos)
    _find(qtbot, win)
    view = win.duplicates
    card = next(c for c in view.cards if c.file.folder == str(archive))
    # WHEN the user right-clicks the archive copy and protects its folder
    card.reference_action.trigger()
    assert load_settings(library_home).reference_folders == (str(archive),)
    protected = next(c for c in view.cards if c.file.folder == str(archive))
    assert protected.protected
    assert "never trashes" in protected.toolTip()
    # AND keeps the small copy: the archive copy is not offered to the trash
    small = next(c for c in view.cards if c.file.path.endswith("a-small.jpg"))
    small.choice.click()
    assert view.chosen_keeper() == small.file.path
    asked = answer_confirmation(monkeypatch, accept=True)
    with qtbot.waitSignal(win.controller.trashed, timeout=30000):
        view.trash_others()
    assert asked[0][0].startswith("Move 1 photo (")
    assert (archive / "a.jpg").exists()
    assert (photos / "a-small.jpg").exists()
    assert not (photos / "a.jpg").exists()
    # AND the next scan is told about the reference folder
    with qtbot.waitSignal(win.controller.duplicates_found, timeout=60000):
        view.find()
    assert seen[-1].reference == (str(archive),)
    win.close()


def test_not_duplicates_is_remembered_and_no_longer_counted(
    qtbot, library_home, make_photo, tmp_path, real_trash
):
    make_groups(make_photo, tmp_path / "photos", 2)
    win = open_window(qtbot, library_home, tmp_path / "photos")
    _find(qtbot, win)
    view = win.duplicates
    assert view.summary.text().startswith("2 groups")
    with qtbot.waitSignal(win.controller.decided, timeout=30000):
        view.decide("not_duplicates")
    assert len(view.groups) == 1
    assert view.summary.text().startswith("1 group (")
    with qtbot.waitSignal(win.controller.decided, timeout=30000):
        view.decide("not_duplicates")
    assert view.summary.text() == "No duplicates found."
    with qtbot.waitSignal(win.controller.duplicates_found, timeout=60000):
        view.find()
    assert view.groups == []
    win.close()


def test_wheel_scrolls_the_list_and_ctrl_wheel_zooms_every_card(qtbot, window):
    _find(qtbot, window)
    view = window.duplicates
    views = [c.view for c in view.cards]
    qtbot.waitUntil(lambda: all(not v.item.pixmap().isNull() for v in views), timeout=10000)
    wheel(views[1].viewport(), up=True, ctrl=False)
    assert [v.zoom for v in views] == [1.0, 1.0, 1.0]
    wheel(views[1].viewport(), up=True)
    wheel(views[1].viewport(), up=True)
    assert [v.zoom for v in views] == [1.5625] * 3
    drag(views[1].viewport(), -40, -30)
    fractions = {tuple(round(f, 2) for f in v._fractions()) for v in views}
    assert len(fractions) == 1
    assert fractions != {(0.5, 0.5)}
    views[0].mouseDoubleClickEvent(
        QMouseEvent(
            QEvent.Type.MouseButtonDblClick,
            QPointF(5, 5),
            QPointF(5, 5),
            Qt.MouseButton.LeftButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
    )
    assert [v.zoom for v in views] == [1.0] * 3


def test_cards_have_equal_widths_that_hold_while_zooming(qtbot, window):
    _find(qtbot, window)
    view = window.duplicates
    view.layout_toggle.setCurrentIndex(1)  # grid: three columns
    qtbot.wait(50)
    widths = {c.width() for c in view.cards}
    assert max(widths) - min(widths) <= 1, widths
    for _ in range(4):
        wheel(view.cards[2].view.viewport(), up=True)
        qtbot.wait(20)
        assert {c.width() for c in view.cards} == widths


def test_layout_at_800_by_600(qtbot, window, tmp_path):
    window.resize(800, 600)
    _find(qtbot, window)
    view = window.duplicates
    qtbot.wait(100)
    qtbot.waitUntil(lambda: all(not c.view.item.pixmap().isNull() for c in view.cards))
    shot = window.grab()
    assert shot.width() == 800
    shot.save(str(tmp_path / "review-800x600.png"))
    if os.environ.get("SIMILI_SCREENSHOTS"):  # to look at the layout by eye
        shot.save(str(Path(os.environ["SIMILI_SCREENSHOTS"]) / "review-800x600.png"))
    # every card shows its whole photo: no card is narrower than its content (was clipped)
    for card in view.cards:
        assert card.width() >= card.minimumSizeHint().width() - 1
        assert card.view.width() <= card.width()
    # long group names are elided in the list (full text in the tooltip), never cut mid-word
    assert view.list.textElideMode() == Qt.TextElideMode.ElideMiddle
    assert view.list.item(_group_rows(view)[0]).toolTip()
    assert all(c.isVisible() for c in view.cards)


def test_stress_zoom_pan_keeper_trash_switch_resize(
    qtbot, library_home, make_photo, tmp_path, monkeypatch, real_trash
):
    """The review's reported crash (none_dealloc in the synced zoom), driven hard.

    On PySide6 6.12.0 with CPython 3.11 the old code died in this loop; every iteration zooms
    with real wheel events, pans by dragging, changes the keeper, switches groups, resizes the
    window, and every few iterations trashes a group with the real send2trash.
    """
    faulthandler.enable()
    make_groups(make_photo, tmp_path / "photos", 6)
    win = open_window(qtbot, library_home, tmp_path / "photos", size=(1000, 700))
    _find(qtbot, win)
    view = win.duplicates
    assert len(view.groups) == 6
    answer_confirmation(monkeypatch, accept=True)
    trashed = 0
    start = {obj: sys.getrefcount(obj) for obj in (None, True, False)}
    for i in range(150):
        cards = list(view.cards)
        for card in cards:
            wheel(card.view.viewport(), up=i % 4 != 3)
            drag(card.view.viewport(), 15, -10)
        win.resize(900 + (i % 5) * 60, 650 + (i % 3) * 40)
        qtbot.wait(1)
        if i % 3 == 1 and len(cards) > 1:
            cards[-1].choice.click()
            assert view.chosen_keeper() == cards[-1].file.path
        if i % 25 == 24 and view.current is not None:
            with qtbot.waitSignal(win.controller.trashed, timeout=30000):
                view.trash_others()
            trashed += 1
        elif rows := _group_rows(view):
            view.list.setCurrentRow(rows[i % len(rows)])
        if i % 10 == 0:
            view.layout_toggle.setCurrentIndex((i // 10) % 2)
        qtbot.wait(1)
    assert trashed == 6
    assert view.groups == []
    assert view.trashed_list.count() == 12
    # None/True/False lost no references in the loop, or the guard's reserve holds them
    for obj in (None, True, False):
        assert sys.getrefcount(obj) > RESERVE // 2 or sys.getrefcount(obj) > start[obj] - 200
    win.close()


def test_the_words_search_bar_comes_back_when_leaving_the_duplicates(qtbot, window):
    _find(qtbot, window)
    assert not window.search_bar.isVisible()
    window.pages.setCurrentWidget(window.results)
    assert window.search_bar.isVisible()


def test_the_hover_words_are_told_for_the_hovered_file():
    # A verdict's words have a direction: the brightened copy is its original "darkened".
    from core.records import DuplicateFile, DuplicateGroup
    from desktop.compare_view import evidence_for

    orig, bright = "/photos/beach.jpg", "/photos/beach_bright.jpg"
    files = tuple(DuplicateFile(p, 1000, 640, 480, "JPEG") for p in (orig, bright))
    link = PairEvidence(orig, bright, "geometry", 0.97, "brightened", "darkened")
    group = DuplicateGroup("near", files, orig, "highest resolution", 0.97, (link,))
    assert evidence_for(group, bright) == "Compared with beach.jpg: brightened"
    assert evidence_for(group, orig) == "Compared with beach_bright.jpg: darkened"


def test_pairs_are_verified_in_the_background_after_indexing(
    qtbot, library_home, make_photo, tmp_path, verify_calls
):
    # GIVEN two groups of copies, indexed in the app
    make_groups(make_photo, tmp_path / "photos", 2)
    calls = verify_calls
    win = open_window(qtbot, library_home)
    shown: list[str] = []
    win.controller.ahead_progressed.connect(lambda _p: shown.append(win.ahead_label.text()))
    with qtbot.waitSignal(
        win.controller.ahead_progressed, timeout=60000, check_params_cb=lambda p: p is None
    ):
        win.add_folder(str(tmp_path / "photos"))
    # THEN the candidate pairs were verified after indexing, with a line in the status bar
    assert calls
    assert any(text.startswith("Checking for edited copies") for text in shown), shown
    assert win.ahead_label.isHidden()  # and it goes away when done
    assert not win.controller.busy
    # AND opening the review reads the saved verdicts instead of verifying again
    calls.clear()
    _find(qtbot, win)
    assert calls == []
    assert len(_group_rows(win.duplicates)) == 2
    win.close()


def test_stop_ends_a_running_scan_and_the_next_one_runs(qtbot, window, monkeypatch):
    def endless(_library, _options, cancel, on_progress):
        on_progress(Progress("duplicates: verifying pairs", 1, 10))
        while True:
            cancel.raise_if_cancelled()
            time.sleep(0.01)

    real = desktop.controller.find_duplicates
    monkeypatch.setattr(desktop.controller, "find_duplicates", endless)
    view = window.duplicates
    window.show_duplicates()
    # WHILE it compares, the review shows how far it got and offers Stop instead of Find
    qtbot.waitUntil(lambda: view.summary.text() == "Verifying pairs: 1 of 10", timeout=60000)
    assert view.stop_button.isVisible()
    assert not view.find_button.isVisible()
    assert view.scan_bar.isVisible()
    assert view.scan_bar.value() == 1
    with qtbot.waitSignal(window.controller.duplicates_failed, timeout=10000):
        qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    assert view.summary.text().startswith("Stopped.")
    assert view.find_button.isEnabled()
    assert view.stop_button.isHidden()
    # AND the next search runs and finds the group
    monkeypatch.setattr(desktop.controller, "find_duplicates", real)
    with qtbot.waitSignal(window.controller.duplicates_found, timeout=60000):
        qtbot.mouseClick(view.find_button, Qt.MouseButton.LeftButton)
    assert len(_group_rows(view)) == 1


def test_scan_text_names_the_step_and_counts():
    assert scan_text(Progress("duplicates: verifying pairs", 340, 1277)) == (
        "Verifying pairs: 340 of 1,277"
    )
    assert scan_text(Progress("duplicates: comparing photos", 0, 0)) == "Comparing photos…"
    assert scan_text(Progress("done", 5, 5)) == ""
    assert ahead_text(Progress("duplicates: verifying pairs", 1, 4)) == (
        "Checking for edited copies… 25 %"
    )
    assert ahead_text(None) == ""
