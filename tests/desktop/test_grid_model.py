from __future__ import annotations

import os
import shutil

import pytest
from PySide6.QtCore import Qt

from core.records import Match
from desktop.grid_model import ResultsModel, path_of
from desktop.thumbnails import ThumbnailCache

pytestmark = pytest.mark.gui


def test_paths_that_are_not_valid_text_survive_the_model(qtbot, make_photo, tmp_path):
    # GIVEN a result whose file name holds a byte that is not UTF-8
    odd = os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9.jpg")
    shutil.copyfile(make_photo("a.jpg", seed=1), odd)
    thumbnails = ThumbnailCache(None, side=64)
    model = ResultsModel(thumbnails)
    model.set_matches([Match(odd, 0.9), Match(str(tmp_path / "photos" / "a.jpg"), 0.8)])
    index = model.index(0)
    # THEN the view shows valid text and hands back the exact path (Qt would drop the byte)
    assert index.data(Qt.ItemDataRole.DisplayRole) == "caf\\xe9.jpg"
    assert path_of(index) == odd
    assert path_of(model.index(1)) == str(tmp_path / "photos" / "a.jpg")
    # AND its thumbnail arrives under the same path
    with qtbot.waitSignal(thumbnails.ready, timeout=20000) as blocker:
        assert thumbnails.get(odd) is None
    assert blocker.args == [odd]
    assert thumbnails.get(odd) is not None


def test_item_data_round_trip_keeps_undecodable_bytes(qtbot):
    from PySide6.QtWidgets import QListWidgetItem

    from desktop.grid_model import as_item_data, from_item_data

    odd = os.fsdecode(b"/photos/disk\xe9")
    for path in (odd, "/photos/plain"):
        item = QListWidgetItem("x")
        item.setData(Qt.ItemDataRole.UserRole, as_item_data(path))
        assert from_item_data(item.data(Qt.ItemDataRole.UserRole)) == path
    assert from_item_data(None) == ""
