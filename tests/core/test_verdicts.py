"""Verdicts kept between duplicate scans: keyed by content hashes and verifier version."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from core import duplicates as core_duplicates
from core.duplicates import DuplicateOptions, find_duplicates
from core.library import Library
from core.pipeline import index_library
from core.verdicts import FILE_NAME, VerdictStore
from core.verify import Verdict, Verifier
from tests.core.test_verify import textured

V = Verdict(True, 0.93, "geometry", "cropped to 80 % of the picture", ("x",), ("cropped",))


def test_a_verdict_comes_back_in_the_callers_order(tmp_path):
    store = VerdictStore(tmp_path)
    store.put("h2", "h1", V)
    store.flush()
    again = VerdictStore(tmp_path)
    assert again.get("h2", "h1") == V
    swapped = again.get("h1", "h2")
    assert swapped is not None
    assert (swapped.edits_a, swapped.edits_b) == (("cropped",), ("x",))
    assert again.get("h1", "h3") is None


def test_the_tone_measurements_are_kept_and_turn_round_with_the_order(tmp_path):
    toned = Verdict(True, 0.95, "geometry", "brightened", (), ("brightened",),
                    {"brightness": 20.0, "contrast": 1.25, "tiles": 64.0})  # fmt: skip
    store = VerdictStore(tmp_path)
    store.put("h1", "h2", toned)
    store.close()
    again = VerdictStore(tmp_path)
    assert again.get("h1", "h2").features == {"brightness": 20.0, "contrast": 1.25}
    assert again.get("h2", "h1").features == {"brightness": -20.0, "contrast": 0.8}


def test_another_verifier_version_misses_and_prune_drops_it(tmp_path, monkeypatch):
    store = VerdictStore(tmp_path)
    store.put("a", "b", V)
    store.close()
    monkeypatch.setattr("core.verdicts.VERSION", 10_000)
    newer = VerdictStore(tmp_path)
    assert newer.get("a", "b") is None
    assert newer.prune() == 1


def test_unwritable_folder_means_no_cache_not_an_error(tmp_path):
    store = VerdictStore(tmp_path / "missing" / "deeper")
    assert not store.active
    store.put("a", "b", V)
    store.flush()
    assert store.get("a", "b") is None


@pytest.fixture
def library(tmp_path) -> Path:
    photos = tmp_path / "photos"
    photos.mkdir()
    base = textured(4)
    base.save(photos / "p.jpg", quality=92)
    base.resize((320, 240), Image.Resampling.LANCZOS).save(photos / "p_small.jpg", quality=85)
    base.crop((60, 40, 580, 440)).save(photos / "p_crop.jpg", quality=90)
    textured(5).save(photos / "other.jpg", quality=92)
    with Library(tmp_path / "lib", writer=True) as lib:
        index_library(lib, [str(photos)], workers=0)
    return tmp_path / "lib"


class _Counting(Verifier):
    calls = 0

    def verify(self, path_a: str, path_b: str) -> Verdict:
        type(self).calls += 1
        return super().verify(path_a, path_b)


def test_a_repeat_scan_verifies_nothing_and_finds_the_same_groups(library, monkeypatch):
    monkeypatch.setattr(core_duplicates, "Verifier", _Counting)
    with Library(library) as lib:  # a reader may keep verdicts: they are not the catalogue
        first = find_duplicates(lib, DuplicateOptions(mode="near"))
    verified = _Counting.calls
    assert verified > 0
    assert (library / FILE_NAME).is_file()
    with Library(library) as lib:
        second = find_duplicates(lib, DuplicateOptions(mode="near"))
    assert _Counting.calls == verified  # every pair came from the saved verdicts
    assert [g.paths for g in second] == [g.paths for g in first]
    assert [g.evidence for g in second] == [g.evidence for g in first]
    assert any(len(g.files) == 3 for g in first)


def test_saved_verdicts_off_verifies_afresh_and_writes_nothing(library, monkeypatch):
    monkeypatch.setattr(core_duplicates, "Verifier", _Counting)
    _Counting.calls = 0
    with Library(library) as lib:
        find_duplicates(lib, DuplicateOptions(mode="near", saved_verdicts=False))
    assert _Counting.calls > 0
    assert not (library / FILE_NAME).exists()


def test_a_damaged_cache_file_is_ignored(library):
    (library / FILE_NAME).write_bytes(b"this is not sqlite" * 100)
    with Library(library) as lib:
        groups = find_duplicates(lib, DuplicateOptions(mode="near"))
    assert any(len(g.files) == 3 for g in groups)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(library / FILE_NAME).execute("SELECT * FROM verdicts").fetchall()
