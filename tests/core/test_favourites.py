"""Tests for favourites: stored by content, kept across moves, shared by identical copies."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from core.catalog import _SCHEMA, SCHEMA_VERSION, Catalog
from core.errors import PhotoNotInLibraryError
from core.favourites import favourite_hashes, favourites, is_favourite, star, unstar
from core.library import Library
from core.pipeline import index_library


def _index(home, folder):
    with Library(home, writer=True) as writer:
        index_library(writer, [str(folder)], workers=0)


def test_a_moved_photo_keeps_its_star_and_a_copy_shares_it(library_home, make_photo, tmp_path):
    # GIVEN an indexed library with a starred photo
    a = make_photo("a.jpg", seed=1)
    make_photo("b.jpg", seed=2)
    _index(library_home, tmp_path / "photos")
    with Library(library_home, writer=True) as writer:
        assert star(writer.catalog, [str(a)]) == [str(a)]
        # WHEN it is moved and a byte-identical copy appears, then the library is rescanned
        moved = tmp_path / "photos" / "sub" / "renamed.jpg"
        moved.parent.mkdir()
        a.rename(moved)
        shutil.copy(moved, tmp_path / "photos" / "copy.jpg")
        index_library(writer, None, workers=0)
        # THEN the star follows the content to both files
        (fav,) = favourites(writer.catalog)
        assert fav.paths == (str(tmp_path / "photos" / "copy.jpg"), str(moved))
        assert is_favourite(writer.catalog, str(moved))
        assert not is_favourite(writer.catalog, str(tmp_path / "photos" / "b.jpg"))
        assert len(favourite_hashes(writer.catalog)) == 1
        # AND unstarring either file removes the star
        unstar(writer.catalog, [str(moved)])
        assert favourites(writer.catalog) == []


def test_a_file_not_in_the_library_stars_nothing(library_home, make_photo, tmp_path):
    # GIVEN an indexed photo and a photo outside the library
    a = make_photo("a.jpg", seed=1)
    _index(library_home, tmp_path / "photos")
    outside = make_photo("x.jpg", seed=3, root=tmp_path / "elsewhere")
    with Library(library_home, writer=True) as writer:
        # WHEN both are starred at once
        with pytest.raises(PhotoNotInLibraryError, match="not an indexed photo"):
            star(writer.catalog, [str(a), str(outside)])
        # THEN neither is (all or nothing)
        assert favourites(writer.catalog) == []


def test_a_starred_photo_gone_from_disk_is_still_listed_by_name(library_home, make_photo, tmp_path):
    a = make_photo("a.jpg", seed=1)
    make_photo("b.jpg", seed=2)
    _index(library_home, tmp_path / "photos")
    with Library(library_home, writer=True) as writer:
        star(writer.catalog, [str(a)])
        a.unlink()
        index_library(writer, None, workers=0)
        (fav,) = favourites(writer.catalog)
        assert fav.paths == ()
        assert fav.path == str(a)


def test_an_older_catalogue_gains_the_favourites_table(tmp_path):
    # GIVEN a catalogue one schema behind
    path = tmp_path / "catalog.sqlite"
    db = sqlite3.connect(path)
    for script in _SCHEMA[: SCHEMA_VERSION - 1]:
        for statement in script.split(";"):
            if statement.strip():
                db.execute(statement)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    db.commit()
    db.close()
    # WHEN it is opened as a writer THEN it is migrated and favourites work
    catalog = Catalog(path)
    assert catalog.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert favourites(catalog) == []
    catalog.close()
