"""Tests for tags in the catalogue: new photos tagged while indexing, old ones in the background."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.catalog import SCHEMA_VERSION
from core.library import Library
from core.pipeline import index_library
from core.records import Progress
from core.tagging import tag_missing
from core.tags import count_untagged, tags_of
from core.tasks import Cancelled, CancelToken


def _index(home: Path, *paths: Path):
    with Library(home, writer=True) as library:
        return index_library(library, [str(p) for p in paths] or None, workers=0)


def _vectors(home: Path) -> dict[int, bytes]:
    with Library(home) as library:
        return dict(library.catalog.db.execute("SELECT key, vector FROM vectors"))


def _forget_tags(home: Path) -> None:
    """Make the library look like one indexed before the model had a class head."""
    with Library(home, writer=True) as library, library.catalog.transaction():
        library.catalog.db.execute("DELETE FROM tags")
        library.catalog.db.execute("DELETE FROM tagged")


def test_new_photos_get_tags_in_the_indexing_pass(library_home, make_photo, tmp_path):
    for i in range(3):
        make_photo(f"p{i}.jpg", seed=i)
    _index(library_home, tmp_path / "photos")
    with Library(library_home) as library:
        db = library.catalog.db
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert count_untagged(db) == 0
        for (key,) in db.execute("SELECT key FROM vectors"):
            tags = tags_of(db, key)
            assert tags, "every photo has at least one class above 2 %"
            assert [t.score for t in tags] == sorted((t.score for t in tags), reverse=True)
            assert all(0.02 <= t.score <= 1.0 for t in tags)


def test_old_library_is_tagged_without_re_embedding(library_home, make_photo, tmp_path):
    # GIVEN a library whose photos have vectors but no tags
    for i in range(4):
        make_photo(f"p{i}.jpg", seed=10 + i)
    _index(library_home, tmp_path / "photos")
    with Library(library_home) as library:
        expected = {k: tags_of(library.catalog.db, k) for k in _vectors(library_home)}
    before = _vectors(library_home)
    _forget_tags(library_home)
    # WHEN it is indexed again
    report = _index(library_home)
    # THEN nothing is re-embedded, the vectors are untouched and the tags are back as before
    assert (report.added, report.changed) == (0, 0)
    assert _vectors(library_home) == before
    with Library(library_home) as library:
        assert count_untagged(library.catalog.db) == 0
        got = {k: tags_of(library.catalog.db, k) for k in before}
    for key, tags in expected.items():
        assert [t.class_id for t in got[key]] == [t.class_id for t in tags]


def test_background_tagging_reports_progress_cancels_and_resumes(
    library_home, make_photo, tmp_path
):
    for i in range(5):
        make_photo(f"p{i}.jpg", seed=20 + i)
    _index(library_home, tmp_path / "photos")
    _forget_tags(library_home)
    cancel = CancelToken()
    seen: list[Progress] = []

    def on_progress(progress: Progress) -> None:
        seen.append(progress)
        cancel.cancel()  # stop after the first batch

    # WHEN tagging is cancelled after its first batch of 2
    with Library(library_home, writer=True) as library:
        with pytest.raises(Cancelled):
            tag_missing(library, cancel, on_progress, batch_size=2)
        left = count_untagged(library.catalog.db)
        # THEN that batch is kept, and a second run finishes the rest
        assert (seen[0].phase, seen[0].done, seen[0].total) == ("tagging", 2, 5)
        assert left == 3
        assert tag_missing(library) == 3
        assert count_untagged(library.catalog.db) == 0


def test_unreadable_photo_is_marked_and_not_retried(library_home, make_photo, tmp_path):
    photo = make_photo("p.jpg", seed=3)
    _index(library_home, tmp_path / "photos")
    _forget_tags(library_home)
    photo.write_bytes(b"not a jpeg any more")  # changed behind Simili's back
    with Library(library_home, writer=True) as library:
        assert tag_missing(library) == 1
        assert tag_missing(library) == 0
