"""Trash: only group files, never all of them; logged, forgotten by the catalogue, restorable."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import core.trash as trash_module
from core.library import Library
from core.pipeline import index_library
from core.records import DuplicateFile, DuplicateGroup
from core.trash import TrashError, restore, trash_files, trash_log


@pytest.fixture
def indexed(make_photo, tmp_path, monkeypatch):
    # send2trash reads XDG_DATA_HOME at import: point it at a temporary home trash too.
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_DATA_HOME", str(xdg))
    if sys.platform not in ("win32", "darwin"):
        from send2trash import plat_other

        monkeypatch.setattr(plat_other, "XDG_DATA_HOME", str(xdg).encode())
        monkeypatch.setattr(plat_other, "HOMETRASH_B", str(xdg / "Trash").encode())
        monkeypatch.setattr(plat_other, "HOMETRASH", str(xdg / "Trash"))
    paths = [make_photo(f"p{i}.jpg", seed=i) for i in range(3)]
    folder = tmp_path / "lib"
    with Library(folder, writer=True) as library:
        index_library(library, [str(tmp_path / "photos")], workers=0)
    return folder, [str(p) for p in paths]


def _group(paths: list[str]) -> DuplicateGroup:
    files = tuple(DuplicateFile(p, 1, 1, 1, "JPEG") for p in paths)
    return DuplicateGroup("near", files, paths[0], "test")


def test_trash_moves_only_group_files_logs_and_forgets_them(indexed, monkeypatch):
    folder, paths = indexed
    sent: list[str] = []

    def fake_send2trash(path: str) -> None:  # the only mocked boundary
        sent.append(path)
        Path(path).unlink()

    monkeypatch.setattr(trash_module, "send2trash", fake_send2trash)
    group = _group(paths[:2])
    with Library(folder, writer=True) as library:
        with pytest.raises(TrashError, match="not in this duplicate group"):
            trash_files(library, group, [paths[2]])
        with pytest.raises(TrashError, match="keep at least one"):
            trash_files(library, group, paths[:2])
        assert sent == []
        done = trash_files(library, group, [paths[1]])
        assert [e.path for e in done] == [paths[1]]
        assert sent == [paths[1]]
        assert library.catalog.lookup(paths[1]) is None
        assert library.catalog.lookup(paths[0]) is not None
        assert library.vector_count == 2
    log = trash_log(folder)
    assert [e.path for e in log] == [paths[1]]
    assert log[0].size > 0
    assert log[0].content_hash


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="freedesktop trash only")
def test_real_trash_and_restore_on_freedesktop(indexed, tmp_path):
    folder, paths = indexed
    with Library(folder, writer=True) as library:
        (entry,) = trash_files(library, paths, [paths[0]])
        assert not Path(paths[0]).exists()
        assert entry.trash_path
        assert Path(entry.trash_path).exists()
        assert entry.trash_path.startswith(str(tmp_path / "xdg" / "Trash" / "files"))
        assert restore(library, entry) == paths[0]
    assert Path(paths[0]).exists()
    assert not list((tmp_path / "xdg" / "Trash" / "info").glob("*.trashinfo"))
    assert trash_log(folder)[-1].restored


def test_restore_without_trash_location_names_the_system_trash(indexed):
    folder, paths = indexed
    entry = trash_module.TrashedFile(paths[0], 1, "h", 0.0, None)
    with Library(folder, writer=True) as library, pytest.raises(TrashError, match="system trash"):
        restore(library, entry)


# -- the minimal restorable/restore_many added on branch `review` (NOTES-review.md) -----------
@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="freedesktop trash only")
def test_restorable_and_restore_many(indexed):
    from core.trash import restorable, restore_many

    folder, paths = indexed
    group = _group(paths)
    with Library(folder, writer=True) as library:
        trash_files(library, group, paths[1:])
        # GIVEN two trashed files, one of them since taken out of the trash by hand
        entries = restorable(folder)
        assert sorted(e.path for e in entries) == sorted(paths[1:])
        Path(next(e.trash_path for e in entries if e.path == paths[2])).unlink()
        # WHEN both are restored
        restored, errors = restore_many(library, entries)
    # THEN the one still there is back, the other is named in one message, and neither is
    # offered again (one restored, one gone from the trash)
    assert restored == [paths[1]]
    assert Path(paths[1]).exists()
    assert len(errors) == 1
    assert paths[2] in errors[0]
    assert "no longer in the trash" in errors[0]
    assert restorable(folder) == []
