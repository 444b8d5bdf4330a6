"""Catalogue damage is reported, never papered over, and `simili repair` restores a backup."""

from __future__ import annotations

import random
import re
import sqlite3
from pathlib import Path

import pytest

from core.backup import KEEP, list_backups
from core.catalog import Catalog
from core.cli import main
from core.library import Library

DAMAGED = (
    r"error: the catalogue {} is damaged \(.*\); "
    r"run `simili repair` to restore the backup from \d{{4}}-"
)


@pytest.fixture
def library(library_home, make_photo, tmp_path, capsys) -> Path:
    """An indexed library (so it has a backup) with a duplicate decision recorded before it."""
    for i in range(6):
        make_photo(f"p{i}.jpg", seed=40 + i)
    photos = str(tmp_path / "photos")
    assert main(["index", photos, "--library", str(library_home), "--workers", "0"]) == 0
    a, b = (str(tmp_path / "photos" / f"p{i}.jpg") for i in (0, 1))
    assert main(["duplicates", "--keep-all", a, b, "--library", str(library_home)]) == 0
    assert main(["index", "--library", str(library_home), "--workers", "0"]) == 0
    capsys.readouterr()
    return library_home


def _garble_middle_page(catalog: Path, seed: int = 3, page: int | None = None) -> None:
    data = bytearray(catalog.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    page = len(data) // page_size // 2 if page is None else page - 1
    rng = random.Random(seed)
    data[page * page_size : (page + 1) * page_size] = rng.randbytes(page_size)
    catalog.write_bytes(bytes(data))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "writer.lock"
    }


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error")]
    assert len(lines) == 1, err
    assert "unexpected" not in err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbage page"])
def test_damage_is_reported_by_every_command_and_nothing_is_overwritten(
    library, tmp_path, capsys, damage
):
    # GIVEN an indexed library whose catalogue is then damaged
    catalog = library / "catalog.sqlite"
    assert list_backups(library)
    if damage == "empty":
        catalog.write_bytes(b"")
    elif damage == "truncated":
        catalog.write_bytes(catalog.read_bytes()[: catalog.stat().st_size // 2])
    else:
        _garble_middle_page(catalog)
    before = _snapshot(library)
    photo = str(tmp_path / "photos" / "p2.jpg")
    lib = ["--library", str(library)]
    # WHEN each command meets it
    for args in (
        ["status", *lib],
        ["search", photo, *lib],
        ["similar", photo, *lib],
        ["duplicates", *lib],
        ["problems", *lib],
        ["index", "--workers", "0", *lib],
        ["index", str(tmp_path / "photos"), "--workers", "0", *lib],
    ):
        # THEN it stops with one line naming the file and the way out
        assert main(args) == 1, args
        line = _one_error_line(capsys)
        assert re.fullmatch(DAMAGED.format(catalog) + ".*", line), line
    # AND nothing in the library was replaced or rewritten
    assert _snapshot(library) == before


def test_a_damaged_page_found_by_a_query_gets_the_full_check(library, capsys, monkeypatch):
    # Big catalogues outgrow the quick check's time budget at open: the query that then fails
    # must still end in the damage message, not "unexpected DatabaseError".
    catalog = library / "catalog.sqlite"
    db = sqlite3.connect(catalog)
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'files'").fetchone()[0]
    db.close()
    _garble_middle_page(catalog, page=root)
    before = _snapshot(library)
    monkeypatch.setattr("core.catalog.quick_check", lambda *_a: None)
    assert main(["index", "--library", str(library), "--workers", "0"]) == 1
    assert "is damaged" in _one_error_line(capsys)
    assert _snapshot(library) == before


def test_without_a_backup_the_message_says_so(library, capsys):
    for backup in list_backups(library):
        backup.path.unlink()
    (library / "catalog.sqlite").write_bytes(b"")
    assert main(["status", "--library", str(library)]) == 1
    line = _one_error_line(capsys)
    assert "is damaged (empty file); there is no backup in" in line
    assert main(["repair", "--library", str(library)]) == 1
    assert "no sound backup" in _one_error_line(capsys)
    assert (library / "catalog.sqlite").read_bytes() == b""


def test_repair_restores_the_backup_and_rescans(library, make_photo, tmp_path, capsys):
    # GIVEN a photo added after the last backup, then a damaged catalogue
    make_photo("later.jpg", seed=77)
    catalog = library / "catalog.sqlite"
    _garble_middle_page(catalog)
    damaged = catalog.read_bytes()
    # WHEN the user runs `simili repair`
    assert main(["repair", "--library", str(library), "--workers", "0"]) == 0
    err = capsys.readouterr().err
    # THEN it says what it did, keeps the damaged file, and the photos and decisions are back
    assert "restored the backup from" in err
    assert "6 photos, 1 duplicate decisions" in err
    assert "1 new" in err
    kept = [p for p in library.iterdir() if p.name.startswith("catalog.sqlite.damaged-")]
    assert [p.read_bytes() for p in kept if not p.name.endswith(("-wal", "-shm"))] == [damaged]
    with Library(library) as reader:
        assert reader.catalog.counts()["photos"] == 7
        assert len(reader.catalog.decisions()) == 1
        assert reader.vector_count == 7
    assert main(["similar", str(tmp_path / "photos" / "later.jpg"), "--library", str(library)]) == 0


def test_repair_skips_a_damaged_backup_and_keeps_few(library, capsys):
    backups = list_backups(library)
    assert 1 < len(backups) <= KEEP
    backups[0].path.write_bytes(b"")  # the newest copy is damaged too
    (library / "catalog.sqlite").write_bytes(b"")
    assert main(["repair", "--library", str(library), "--workers", "0"]) == 0
    err = capsys.readouterr().err
    assert f"skipped a damaged backup: {backups[0].path.name}: empty file" in err
    assert f"restored the backup from {backups[1].date}" in err


def test_repair_of_a_sound_library_only_rescans(library, capsys):
    assert main(["repair", "--library", str(library), "--workers", "0"]) == 0
    err = capsys.readouterr().err
    assert "passed its integrity check" in err
    assert "6 unchanged" in err


def test_backups_rotate_and_are_sound(library, capsys):
    for _ in range(KEEP + 1):
        assert main(["index", "--library", str(library), "--workers", "0"]) == 0
    backups = list_backups(library)
    assert len(backups) == KEEP
    assert not list((library / "backups").glob("*.tmp"))
    db = sqlite3.connect(backups[0].path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0] == 1
    db.close()


def test_a_missing_catalogue_with_backups_is_damage_not_a_new_library(library, capsys):
    catalog = library / "catalog.sqlite"
    catalog.unlink()
    assert main(["index", "--library", str(library), "--workers", "0"]) == 1
    assert "is damaged (the file is missing); run `simili repair`" in _one_error_line(capsys)
    assert not catalog.exists()


def test_catalog_refuses_a_non_simili_sqlite_file(tmp_path):
    path = tmp_path / "catalog.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    size = path.stat().st_size
    with pytest.raises(Exception, match="no Simili tables"):
        Catalog(path)
    assert path.stat().st_size == size
