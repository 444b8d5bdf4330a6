from __future__ import annotations

import shutil
import sys
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


def _trashed(trash: Path) -> list[str]:
    return sorted(p.name for p in (trash / "files").glob("*"))


def test_trash_others_after_one_confirmation(qtbot, window, trash_home, monkeypatch):
    _find(qtbot, window)
    view = window.duplicates
    group = view.groups[0]
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
    doomed = [p for p in group.paths if p != group.keep]
    assert not any(Path(p).exists() for p in doomed)
    assert Path(group.keep).exists()
    if sys.platform not in ("win32", "darwin"):  # the real trash, under tmp_path
        assert _trashed(trash_home) == sorted(Path(p).name for p in doomed)
    assert window.controller.counts()["photos"] == 5
    assert view.trashed_list.count() == 2
    assert view.groups == []


def test_declined_confirmation_trashes_nothing(qtbot, window, trash_home, monkeypatch):
    _find(qtbot, window)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    window.duplicates.trash_others()
    qtbot.wait(300)
    assert not (trash_home / "files").exists()
    assert all(Path(p).exists() for p in window.duplicates.groups[0].paths)
    assert window.controller.counts()["photos"] == 7


def test_not_duplicates_is_remembered(qtbot, window):
    _find(qtbot, window)
    with qtbot.waitSignal(window.controller.decided, timeout=30000):
        window.duplicates.decide("not_duplicates")
    assert window.duplicates.groups == []
    with qtbot.waitSignal(window.controller.duplicates_found, timeout=60000):
        window.duplicates.find()
    assert window.duplicates.groups == []


def _burst_photo(path: Path, seed: int, shift: int, when: str) -> None:
    from tests.conftest import scene

    image = scene(seed, (660, 480)).crop((shift, 0, shift + 640, 480))
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS R6"
    exif.get_ifd(0x8769)[0x9003] = when
    image.save(path, "JPEG", quality=90, exif=exif)


def test_bursts_are_stacked_in_the_result_grid(qtbot, library_home, tmp_path):
    # GIVEN a burst of three shots a second apart, and unrelated photos
    photos = tmp_path / "burst"
    photos.mkdir()
    for i in range(3):
        _burst_photo(photos / f"IMG_{i}.jpg", seed=7, shift=4 * i, when=f"2024:05:01 10:00:0{i}")
    for i in range(4):
        _burst_photo(
            photos / f"other{i}.jpg", seed=60 + i, shift=0, when=f"2023:01:0{i + 1} 09:00:00"
        )
    win = create_window(library_home)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.controller.indexing_finished, timeout=60000):
        win.add_folder(str(photos))
    # WHEN one shot of the burst is searched for
    with qtbot.waitSignal(win.controller.results_ready, timeout=30000):
        win.search_for(str(photos / "IMG_1.jpg"))
    # THEN the burst shows as one cover with its count, and a click unfolds it
    model = win.model
    assert model.rowCount() == 5
    assert model.stacked(0) == 2
    win._on_grid_clicked(model.index(0))
    assert model.rowCount() == 7
    assert sorted(Path(m.path).name for m in model.matches()[:3]) == [
        "IMG_0.jpg",
        "IMG_1.jpg",
        "IMG_2.jpg",
    ]
    win.close()
