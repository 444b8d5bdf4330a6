"""Settings: saved and loaded, old files still load, bad values fall back to defaults."""

from __future__ import annotations

import json

from core.settings import SETTINGS_NAME, Settings, load_settings, save_settings


def test_reference_folders_round_trip(tmp_path):
    settings = Settings().with_changes(reference_folders=("~/Pictures/Originals", "/mnt/archive"))
    save_settings(tmp_path, settings)
    loaded = load_settings(tmp_path)
    assert loaded.reference_folders == ("~/Pictures/Originals", "/mnt/archive")
    assert loaded == settings


def test_old_settings_file_without_reference_folders_loads(tmp_path):
    old = {"device": "cpu", "workers": 2, "exclude_patterns": ["*.tmp"], "watch": False,
           "thumbnail_size": 200, "version": 1}  # fmt: skip
    (tmp_path / SETTINGS_NAME).write_text(json.dumps(old), encoding="utf-8")
    loaded = load_settings(tmp_path)
    assert loaded.reference_folders == ()
    assert (loaded.device, loaded.workers, loaded.watch, loaded.thumbnail_size) == (
        "cpu", 2, False, 200
    )  # fmt: skip
    assert loaded.exclude_patterns == ("*.tmp",)


def test_bad_reference_folders_are_ignored(tmp_path):
    data = {"reference_folders": ["/a", "", "  ", 3, "/a", " /b "]}
    (tmp_path / SETTINGS_NAME).write_text(json.dumps(data), encoding="utf-8")
    assert load_settings(tmp_path).reference_folders == ("/a", "/b")
    (tmp_path / SETTINGS_NAME).write_text(json.dumps({"reference_folders": "/a"}), "utf-8")
    assert load_settings(tmp_path).reference_folders == ()


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
