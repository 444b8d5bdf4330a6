"""Settings: defaults, round trip, bad values fall back."""

from __future__ import annotations

import json

from core.settings import SETTINGS_NAME, Settings, load_settings, save_settings


def test_reference_folders_and_strictness_round_trip(tmp_path):
    settings = Settings(reference_folders=("/photos/archive",), duplicate_strictness="loose")
    save_settings(tmp_path, settings)
    assert load_settings(tmp_path) == settings


def test_defaults_and_bad_values(tmp_path):
    assert Settings().duplicate_strictness == "strict"
    assert Settings().reference_folders == ()
    (tmp_path / SETTINGS_NAME).write_text(
        json.dumps({"duplicate_strictness": "sloppy", "reference_folders": ["", 3, "/a"]})
    )
    loaded = load_settings(tmp_path)
    assert loaded.duplicate_strictness == "strict"
    assert loaded.reference_folders == ("/a",)
