from __future__ import annotations

import json

import pytest

from core.embedder import load_manifest
from core.levels import DEFAULT_LEVELS, LEVELS, WORDS, Levels, levels_from_manifest
from core.paths import default_model_manifest
from core.records import Match


def test_each_score_falls_in_one_level_at_the_thresholds():
    levels = Levels(same=0.9, similar=0.7, related=0.5)
    assert [levels.of(s) for s in (1.0, 0.9, 0.899, 0.7, 0.6, 0.5, 0.49, -1.0)] == [
        "same", "same", "similar", "similar", "related", "related", "unrelated", "unrelated",
    ]  # fmt: skip
    assert set(WORDS) == set(LEVELS)


def test_the_shipped_manifest_carries_calibrated_levels():
    data = json.loads(default_model_manifest().read_text(encoding="utf-8"))
    shipped = load_manifest(default_model_manifest()).levels
    assert shipped == Levels(**data["levels"])
    assert "held_out" in data["levels_recipe"]


@pytest.mark.parametrize(
    "raw",
    [None, "high", {"same": 0.9}, {"same": "x", "similar": 0.7, "related": 0.5},
     {"same": 0.5, "similar": 0.7, "related": 0.6}],
)  # fmt: skip
def test_a_manifest_without_sane_levels_falls_back_to_defaults(raw):
    data = {} if raw is None else {"levels": raw}
    assert levels_from_manifest(data) == DEFAULT_LEVELS


def test_a_users_own_manifest_without_levels_loads(tmp_path):
    data = json.loads(default_model_manifest().read_text(encoding="utf-8"))
    del data["levels"]
    (tmp_path / data["file"]).write_bytes(b"model")
    (tmp_path / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    assert load_manifest(tmp_path).levels == DEFAULT_LEVELS


def test_match_keeps_its_two_argument_constructor():
    assert Match("/a.jpg", 0.5).level == ""
