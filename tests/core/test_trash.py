"""Trash: only group files, never all of them, never the last good copy; logged and restorable.

These tests use the real send2trash and a real freedesktop trash under tmp_path (on Linux).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from core.library import Library
from core.pipeline import index_library
from core.records import DuplicateFile, DuplicateGroup, TrashedFile
from core.trash import TrashError, restorable, restore, restore_many, trash_files, trash_log

freedesktop = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="freedesktop trash only"
)


@pytest.fixture
def indexed(make_photo, tmp_path, trash_home):
    paths = [make_photo(f"p{i}.jpg", seed=i) for i in range(3)]
    folder = tmp_path / "lib"
    with Library(folder, writer=True) as library:
        index_library(library, [str(tmp_path / "photos")], workers=0)
    return folder, [str(p) for p in paths]


def _group(library: Library, paths: list[str], keep: str | None = None) -> DuplicateGroup:
    """A group as a scan reports it: the catalogue's content hashes at scan time."""
    files = tuple(
        DuplicateFile(p, 1, 1, 1, "JPEG", content_hash=library.catalog.lookup(p)[1]) for p in paths
    )
    return DuplicateGroup("near", files, keep or paths[0], "test")


def _trash_contents(trash: Path) -> list[str]:
    return sorted(p.name for p in (trash / "files").glob("*")) if (trash / "files").is_dir() else []


def test_trash_moves_only_group_files_logs_and_forgets_them(indexed, trash_home):
    folder, paths = indexed
    with Library(folder, writer=True) as library:
        group = _group(library, paths[:2])
        with pytest.raises(TrashError, match="not in this duplicate group"):
            trash_files(library, group, [paths[2]])
        with pytest.raises(TrashError, match="keep at least one"):
            trash_files(library, group, paths[:2])
        assert all(Path(p).exists() for p in paths)
        done = trash_files(library, group, [paths[1]])
        assert [e.path for e in done] == [paths[1]]
        assert not Path(paths[1]).exists()
        assert Path(paths[0]).exists()
        if sys.platform not in ("win32", "darwin"):
            assert _trash_contents(trash_home) == ["p1.jpg"]
        assert library.catalog.lookup(paths[1]) is None
        assert library.catalog.lookup(paths[0]) is not None
        assert library.vector_count == 2
    log = trash_log(folder)
    assert [e.path for e in log] == [paths[1]]
    assert log[0].size > 0
    assert log[0].content_hash


@freedesktop
def test_real_trash_and_restore_on_freedesktop(indexed, trash_home):
    folder, paths = indexed
    with Library(folder, writer=True) as library:
        (entry,) = trash_files(library, paths, [paths[0]])
        assert not Path(paths[0]).exists()
        assert entry.trash_path
        assert Path(entry.trash_path).exists()
        assert entry.trash_path.startswith(str(trash_home / "files"))
        assert restore(library, entry) == paths[0]
    assert Path(paths[0]).exists()
    assert not list((trash_home / "info").glob("*.trashinfo"))
    assert trash_log(folder)[-1].restored


def test_keeper_deleted_after_scan_is_refused_and_nothing_moves(indexed, trash_home):
    folder, paths = indexed
    with Library(folder, writer=True) as library:
        group = _group(library, paths[:2], keep=paths[0])
        Path(paths[0]).unlink()  # the keeper vanished after the scan
        with pytest.raises(TrashError) as err:
            trash_files(library, group, [paths[1]])
        assert str(err.value) == (
            f"the copy you keep, {paths[0]}, is missing or changed; nothing was trashed "
            "(rescan, then review again)"
        )
        assert Path(paths[1]).exists()
        assert library.catalog.lookup(paths[1]) is not None
    assert _trash_contents(trash_home) == []
    assert trash_log(folder) == []


def test_keeper_modified_after_scan_is_refused(indexed, trash_home, make_photo):
    folder, paths = indexed
    with Library(folder, writer=True) as library:
        group = _group(library, paths[:2], keep=paths[0])
        make_photo("p0.jpg", seed=42)  # the keeper was overwritten by another picture
        with pytest.raises(
            TrashError, match=r"the copy you keep, .*p0\.jpg, is missing or changed"
        ):
            trash_files(library, group, [paths[1]])
    assert Path(paths[1]).exists()
    assert _trash_contents(trash_home) == []


def test_another_intact_member_that_stays_is_enough(indexed, trash_home):
    folder, paths = indexed
    with Library(folder, writer=True) as library:
        group = _group(library, paths, keep=paths[0])
        Path(paths[0]).unlink()  # the suggested keeper is gone, but p2 stays intact
        done = trash_files(library, group, [paths[1]])
    assert [e.path for e in done] == [paths[1]]
    assert Path(paths[2]).exists()


def test_file_to_trash_modified_after_scan_is_refused(indexed, trash_home):
    folder, paths = indexed
    with Library(folder, writer=True) as library:
        group = _group(library, paths[:2])
        with Path(paths[1]).open("ab") as f:
            f.write(b"edited")
        with pytest.raises(TrashError) as err:
            trash_files(library, group, [paths[1]])
        assert str(err.value) == (
            f"{paths[1]}: changed since the scan; rescan, then review again. Nothing was trashed"
        )
    assert Path(paths[1]).exists()
    assert _trash_contents(trash_home) == []


def test_catalogue_updated_after_scan_still_counts_as_changed(indexed, trash_home, make_photo):
    # The watcher re-indexed the changed file: the catalogue agrees with the disk, the group
    # (what the user reviewed) does not.
    folder, paths = indexed
    with Library(folder, writer=True) as library:
        group = _group(library, paths[:2])
    make_photo("p1.jpg", seed=77)
    with Library(folder, writer=True) as library:
        index_library(library, [str(Path(paths[0]).parent)], workers=0)
        with pytest.raises(TrashError, match="changed since the scan"):
            trash_files(library, group, [paths[1]])
    assert Path(paths[1]).exists()


def test_reference_folder_is_never_trashed_from(indexed, trash_home):
    folder, paths = indexed
    with Library(folder, writer=True) as library:
        group = _group(library, paths[:2])
        photos = str(Path(paths[1]).parent)
        with pytest.raises(TrashError) as err:
            trash_files(library, group, [paths[1]], reference=[photos + "/"])
        assert str(err.value) == (
            f"{paths[1]}: inside reference folder {photos}, which Simili never trashes from; "
            "nothing was trashed"
        )
        assert Path(paths[1]).exists()
        # a sibling folder sharing a prefix is not the reference folder
        assert trash_files(library, group, [paths[1]], reference=[photos + "-originals"])


def test_undo_list_survives_a_restart_and_restores_many(indexed, trash_home):
    folder, paths = indexed
    with Library(folder, writer=True) as library:
        trash_files(library, _group(library, paths), [paths[1], paths[2]])
    # a new Library object, as after restarting the app
    with Library(folder, writer=True) as library:
        listed = restorable(folder)
        assert [e.path for e in listed] == [paths[2], paths[1]]  # newest first
        if sys.platform in ("win32", "darwin"):
            return
        Path(listed[1].trash_path).unlink()  # the user emptied this one from the trash
        done, errors = restore_many(library, listed)
    assert done == [paths[2]]
    assert errors == [
        f"{paths[1]}: no longer in the trash ({listed[1].trash_path}); it may be emptied"
    ]
    assert Path(paths[2]).exists()
    assert restorable(folder) == []


@freedesktop
def test_restorable_skips_restored_and_emptied_entries(indexed, trash_home):
    folder, paths = indexed
    with Library(folder, writer=True) as library:
        (a,) = trash_files(library, _group(library, paths), [paths[1]])
        (b,) = trash_files(library, _group(library, [paths[0], paths[2]]), [paths[2]])
        restore(library, a)
    assert restorable(folder) == [b]
    Path(b.trash_path).unlink()
    assert restorable(folder) == []


def test_restore_without_trash_location_names_the_system_trash(indexed):
    folder, paths = indexed
    entry = TrashedFile(paths[0], 1, "h", 0.0, None)
    with Library(folder, writer=True) as library, pytest.raises(TrashError, match="system trash"):
        restore(library, entry)


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_a_symlink_to_the_file_trashed_is_no_copy_kept(indexed, trash_home, tmp_path):
    # GIVEN a group whose keeper is a symlink to the only other member
    folder, paths = indexed
    link = tmp_path / "photos" / "link.jpg"
    link.symlink_to(paths[1])
    with Library(folder, writer=True) as library:
        index_library(library, [str(tmp_path / "photos")], workers=0)
        group = _group(library, [str(link), paths[1]], keep=str(link))
        # WHEN the real file is to be trashed THEN it is refused: the link would dangle
        with pytest.raises(TrashError) as err:
            trash_files(library, group, [paths[1]])
        assert str(err.value) == (
            f"the copy you keep, {link}, is the same file as {paths[1]} (a link or another name "
            "for it): trashing that would take the copy you keep; nothing was trashed"
        )
        assert Path(paths[1]).exists()
        # trashing the link instead is fine: the file stays
        (entry,) = trash_files(library, group, [str(link)])
    assert entry.path == str(link)
    assert not link.is_symlink()
    assert Path(paths[1]).exists()


@pytest.mark.skipif(sys.platform == "win32", reason="hard links behave differently there")
def test_a_hard_link_kept_is_a_copy_that_survives(indexed, trash_home, tmp_path):
    folder, paths = indexed
    twin = tmp_path / "photos" / "twin.jpg"
    os.link(paths[1], twin)
    with Library(folder, writer=True) as library:
        index_library(library, [str(tmp_path / "photos")], workers=0)
        group = _group(library, [str(twin), paths[1]], keep=str(twin))
        (entry,) = trash_files(library, group, [paths[1]])
    assert entry.path == paths[1]
    assert twin.read_bytes()
