from __future__ import annotations

import os
import shutil

import pytest
from PySide6.QtCore import Qt

from core.records import Match
from desktop.grid_model import DIVIDER, LEVEL_ROLE, SHOW_MORE, ResultsModel, path_of
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


def _levelled(tmp_path):
    """Two matches, two that look alike, three unrelated, best first."""
    levels = ["same", "similar", "related", "related", "unrelated", "unrelated", "unrelated"]
    scores = [1.0, 0.8, 0.65, 0.6, 0.5, 0.45, 0.4]
    return [
        Match(str(tmp_path / f"r{i}.jpg"), s, lv)
        for i, (s, lv) in enumerate(zip(scores, levels, strict=True))
    ]


def _rows(model):
    return [
        model.marker(r).kind if model.marker(r) else model.match(r).level
        for r in range(model.rowCount())
    ]


def test_results_are_grouped_with_a_divider_and_the_tail_hidden(qtbot, tmp_path):
    model = ResultsModel(ThumbnailCache(None, side=64), tiers=True)
    # WHEN results of every level arrive
    model.set_matches(_levelled(tmp_path))
    # THEN matches come first, a divider, what looks alike, and "Show more" instead of the tail
    assert _rows(model) == ["same", "similar", DIVIDER, "related", "related", SHOW_MORE]
    assert model.data(model.index(2)) == "More that look alike"
    assert model.data(model.index(5)) == "Show 3 more, less alike"
    assert not model.flags(model.index(2)) & Qt.ItemFlag.ItemIsSelectable
    assert model.flags(model.index(5)) & Qt.ItemFlag.ItemIsSelectable
    assert len(model.matches()) == 4
    assert model.summary() == "2 matches, 2 more that look alike, 3 less alike behind Show more"
    # AND activating "Show more" unfolds the tail after its own divider
    assert not model.activate(0)  # a photo: the caller opens it
    assert model.activate(5)
    assert _rows(model)[5:] == [DIVIDER, "unrelated", "unrelated", "unrelated"]
    assert len(model.matches()) == 7
    # AND a new search hides the tail again
    model.set_matches(_levelled(tmp_path))
    assert _rows(model)[-1] == SHOW_MORE


def test_levels_are_words_not_percentages(qtbot, tmp_path):
    model = ResultsModel(ThumbnailCache(None, side=64), tiers=True)
    model.set_matches(_levelled(tmp_path)[:3])
    tip = model.data(model.index(1), Qt.ItemDataRole.ToolTipRole)
    assert "Same scene" in tip
    assert "%" not in tip
    assert model.data(model.index(0), LEVEL_ROLE) == "same"
    # a model without tiers (the detail strip) keeps plain rank order
    plain = ResultsModel(ThumbnailCache(None, side=64))
    plain.set_matches(_levelled(tmp_path))
    assert plain.rowCount() == 7


def test_without_levels_every_result_is_a_match_and_no_divider(qtbot, tmp_path):
    model = ResultsModel(ThumbnailCache(None, side=64), tiers=True)
    model.set_matches([Match(str(tmp_path / "a.jpg"), 0.9), Match(str(tmp_path / "b.jpg"), 0.3)])
    assert [model.marker(r) for r in range(model.rowCount())] == [None, None]


def test_divider_spans_the_grid_and_show_more_is_drawn(qtbot, tmp_path):
    from PySide6.QtWidgets import QListView

    from desktop.grid_model import ThumbnailDelegate

    view = QListView()
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    model = ResultsModel(ThumbnailCache(None, side=64), tiers=True)
    view.setModel(model)
    view.setItemDelegate(ThumbnailDelegate(64))
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    model.set_matches(_levelled(tmp_path))
    view.doItemsLayout()
    divider = view.visualRect(model.index(2))
    photo = view.visualRect(model.index(0))
    # THEN the divider takes a line of its own, below the matches, as wide as the grid
    assert divider.width() > 0.9 * (view.viewport().width() - 24)
    assert divider.top() >= photo.bottom()
    assert view.visualRect(model.index(3)).top() >= divider.bottom()
    view.grab()  # paints every kind of row without error
