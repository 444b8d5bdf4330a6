from __future__ import annotations

import pytest

from core.settings import Settings
from desktop.dialogs import SettingsDialog

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
