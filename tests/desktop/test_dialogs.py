from __future__ import annotations

import io
import os
import threading

import pytest
from PySide6.QtCore import Qt

from core.settings import Settings
from desktop.controller import LibraryController
from desktop.dialogs import ProblemsDialog, SettingsDialog
from tests.conftest import scene

pytestmark = pytest.mark.gui


def test_settings_dialog_lists_and_edits_reference_folders(qtbot):
    # GIVEN two folders the user never wants trashed from
    dialog = SettingsDialog(Settings(reference_folders=("/photos/archive", "/photos/old")), "CPU")
    qtbot.addWidget(dialog)
    assert dialog.reference_folders() == ("/photos/archive", "/photos/old")
    # WHEN one is removed and another added (twice: listed once)
    dialog.reference.item(0).setSelected(True)
    dialog._remove_reference()
    dialog.add_reference_folder("/photos/scans")
    dialog.add_reference_folder("/photos/scans")
    # THEN the edited settings carry exactly the listed folders
    assert dialog.settings().reference_folders == ("/photos/old", "/photos/scans")


@pytest.fixture
def controller(qtbot, library_home):
    ctl = LibraryController(library_home)
    yield ctl
    ctl.close()


def test_try_again_retries_problems_off_the_gui_thread(
    qtbot, controller, make_photo, tmp_path, monkeypatch
):
    # GIVEN a file that was unreadable and has since been fixed without changing its size or
    # mtime (so no scan would look at it again)
    photos = tmp_path / "photos"
    make_photo("good.jpg", seed=1)
    good_bytes = io.BytesIO()
    scene(7).save(good_bytes, "JPEG")
    fixme = photos / "fixme.jpg"
    fixme.write_bytes(b"x" * len(good_bytes.getvalue()))
    (photos / "broken.jpg").write_bytes(b"not a photo")
    with qtbot.waitSignal(controller.indexing_finished, timeout=60000):
        controller.add_folder(str(photos))
    assert {p.path for p in controller.problems()} == {str(fixme), str(photos / "broken.jpg")}
    stat = fixme.stat()
    fixme.write_bytes(good_bytes.getvalue())
    os.utime(fixme, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    threads = []
    import desktop.controller as controller_module

    real = controller_module.retry_problems

    def spy(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(controller_module, "retry_problems", spy)
    dialog = ProblemsDialog(controller.problems(), controller=controller)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 2
    # WHEN the user presses "Try again"
    with qtbot.waitSignal(controller.problems_retried, timeout=60000):
        qtbot.mouseClick(dialog.retry_button, Qt.MouseButton.LeftButton)
        assert not dialog.retry_button.isEnabled()  # the click returned at once
    # THEN the fixed file is indexed, the list shows what is left, and the work ran elsewhere
    assert threads
    assert threads[0] is not threading.main_thread()
    assert dialog.outcome.text() == "1 fixed, 1 still failing."
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 0).text() == str(photos / "broken.jpg")
    assert dialog.windowTitle() == "Problems (1)"
    assert controller.is_indexed(str(fixme))


def test_problems_dialog_without_controller_has_no_retry(qtbot):
    dialog = ProblemsDialog([])
    qtbot.addWidget(dialog)
    assert dialog.retry_button.isHidden()
    assert dialog.table.rowCount() == 0
