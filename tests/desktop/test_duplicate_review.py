from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox

from desktop.app import create_window
from desktop.main_window import PAGE_DUPLICATES

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, library_home, make_photo, tmp_path):
    # GIVEN a library with one photo, its byte copy and a resized copy, plus unrelated photos
    original = make_photo("beach.jpg", seed=1, size=(640, 480))
    shutil.copy(original, tmp_path / "photos" / "beach (copy).jpg")
    Image.open(original).resize((320, 240)).save(tmp_path / "photos" / "beach-small.jpg")
    for i in range(4):
        make_photo(f"other{i}.jpg", seed=50 + i, size=(640, 480))
    win = create_window(library_home)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.controller.indexing_finished, timeout=60000):
        win.add_folder(str(tmp_path / "photos"))
    yield win
    win.close()


def _find(qtbot, win) -> None:
    with qtbot.waitSignal(win.controller.duplicates_found, timeout=60000):
        win.show_duplicates()
    assert win.pages.currentIndex() == PAGE_DUPLICATES


def test_group_is_shown_with_keeper_and_differences(qtbot, window, tmp_path):
    _find(qtbot, window)
    view = window.duplicates
    assert len(view.groups) == 1
    group = view.groups[0]
    names = sorted(Path(p).name for p in group.paths)
    assert names == ["beach (copy).jpg", "beach-small.jpg", "beach.jpg"]
    # the largest original is suggested, and shown first with its radio checked
    assert Path(group.keep).name in ("beach.jpg", "beach (copy).jpg")
    assert view.cards[0].file.path == group.keep
    assert view.chosen_keeper() == group.keep
    assert "reclaim" in view.summary.text() or "freed" in view.summary.text()


def test_trash_others_after_one_confirmation(qtbot, window, tmp_path, monkeypatch):
    _find(qtbot, window)
    view = window.duplicates
    group = view.groups[0]
    trashed: list[str] = []
    # mocked only at the send2trash boundary: the rest of the path is real
    monkeypatch.setattr("core.trash.send2trash", lambda path: trashed.append(path))
    asked: list[str] = []

    def answer(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    with qtbot.waitSignal(window.controller.trashed, timeout=30000):
        view.trash_others()
    # THEN one confirmation stated how many files and how much space
    assert len(asked) == 1
    assert "Move 2 files" in asked[0]
    assert "KB" in asked[0]
    # AND exactly the other members went to the trash; never the keeper, never outside the group
    assert sorted(trashed) == sorted(p for p in group.paths if p != group.keep)
    assert window.controller.counts()["photos"] == 5
    assert view.trashed_list.count() == 2
    assert view.groups == []


def test_declined_confirmation_trashes_nothing(qtbot, window, monkeypatch):
    _find(qtbot, window)
    trashed: list[str] = []
    monkeypatch.setattr("core.trash.send2trash", lambda path: trashed.append(path))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    window.duplicates.trash_others()
    qtbot.wait(300)
    assert trashed == []
    assert window.controller.counts()["photos"] == 7


def test_not_duplicates_is_remembered(qtbot, window):
    _find(qtbot, window)
    with qtbot.waitSignal(window.controller.decided, timeout=30000):
        window.duplicates.decide("not_duplicates")
    assert window.duplicates.groups == []
    with qtbot.waitSignal(window.controller.duplicates_found, timeout=60000):
        window.duplicates.find()
    assert window.duplicates.groups == []
