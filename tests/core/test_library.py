from __future__ import annotations

import pytest

from core.errors import LibraryLockedError
from core.library import Library
from core.pipeline import index_library
from core.search import search, similar


def test_reader_sees_a_writers_changes_without_copying_the_index(
    library_home, make_photo, tmp_path
):
    # GIVEN an indexed library and a long-lived reader (as the app's search side is)
    photos = tmp_path / "photos"
    a = make_photo("a.jpg", seed=1)
    for i in range(2, 5):
        make_photo(f"p{i}.jpg", seed=i)
    with Library(library_home, writer=True) as writer:
        index_library(writer, [str(photos)], workers=0)
    reader = Library(library_home)
    assert len(search(reader, str(a), top=10)) == 4
    mapped = reader.index
    # WHEN a writer adds one photo and deletes another
    new = make_photo("new.jpg", seed=9)
    a.unlink()
    with Library(library_home, writer=True) as writer:
        index_library(writer, workers=0)
    # THEN the reader finds the new photo and no longer returns the deleted one
    hits = similar(reader, str(new), top=10)
    paths = [h.path for h in hits]
    assert str(a) not in paths
    assert len(paths) == 3
    assert search(reader, str(new), top=1)[0].path == str(new)
    assert reader.index is mapped  # still the memory-mapped file, not a copy
    reader.close()


def test_one_writer_at_a_time(library_home):
    with Library(library_home, writer=True):
        with pytest.raises(LibraryLockedError, match="being updated"):
            Library(library_home, writer=True)
        Library(library_home).close()  # readers are fine
    Library(library_home, writer=True).close()  # released on close
