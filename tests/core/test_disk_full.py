"""A full disk is named as such, finished work is kept, and nothing stays blocked afterwards."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from core.catalog import Catalog
from core.cli import main
from core.library import Library
from core.pipeline import index_library

REPO = Path(__file__).resolve().parents[2]
FULL = r"error: disk full: the library at {} needs about \d+ MB free"


def _fail_second_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's own words for ENOSPC, from the second batch on (the first is committed)."""
    real = Catalog.write
    calls = []

    def write(self, items, problems=()):
        items = list(items)
        if items:
            calls.append(1)
        if len(calls) >= 2:
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, items, problems)

    monkeypatch.setattr(Catalog, "write", write)


def test_injected_enospc_keeps_finished_batches(library_home, make_photo, tmp_path, monkeypatch):
    # GIVEN a run whose second batch meets a full disk
    for i in range(6):
        make_photo(f"p{i}.jpg", seed=60 + i)
    _fail_second_write(monkeypatch)
    with Library(library_home, writer=True) as library:
        with pytest.raises(sqlite3.OperationalError) as failure:
            index_library(library, [str(tmp_path / "photos")], workers=0, batch_size=2)
        # THEN the cause is told as a full disk, with the space needed
        from core.integrity import explain

        message = str(explain(failure.value, library_home))
        assert message.startswith(f"disk full: the library at {library_home} needs about ")
    # AND the finished batch is kept: the next run embeds only the rest
    monkeypatch.undo()
    with Library(library_home, writer=True) as library:
        report = index_library(library, workers=0, batch_size=2)
    assert (report.unchanged, report.added) == (2, 4)


def test_cli_names_a_full_disk(library_home, make_photo, tmp_path, monkeypatch, capsys):
    make_photo("a.jpg", seed=1)
    make_photo("b.jpg", seed=2)
    real = Catalog.write

    def write(self, items, problems=()):
        items = list(items)
        if items:
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, items, problems)

    monkeypatch.setattr(Catalog, "write", write)
    args = ["index", str(tmp_path / "photos"), "--library", str(library_home), "--workers", "0"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "unexpected" not in err
    assert "no transaction is active" not in err
    errors = [line for line in err.splitlines() if line.startswith("error")]
    assert len(errors) == 1
    assert __import__("re").match(FULL.format(library_home), errors[0]), errors


def test_a_lock_file_without_a_holder_never_blocks(library_home, make_photo, tmp_path):
    # What a run that failed while creating the library (disk full, killed) leaves behind.
    library_home.mkdir(parents=True)
    (library_home / "writer.lock").write_text("")
    (library_home / "catalog.sqlite.new").write_bytes(b"SQLite format 3\x00half")
    make_photo("a.jpg", seed=1)
    with Library(library_home, writer=True) as library:
        report = index_library(library, [str(tmp_path / "photos")], workers=0)
    assert report.added == 1
    assert not (library_home / "catalog.sqlite.new").exists()


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs (root only; skipped where mounting is not permitted)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip(
            "mounting a small tmpfs needs root on Linux; the injected ENOSPC tests cover it"
        )
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    chunk = b"\0" * 4096
    with contextlib.suppress(OSError), filler.open("wb", buffering=0) as f:
        while True:
            f.write(chunk)
    return filler


def _simili(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )  # fmt: skip


def test_a_real_full_disk(small_disk, make_photo, tmp_path):
    library = small_disk / "lib"
    photos = tmp_path / "photos"
    for i in range(4):
        make_photo(f"p{i}.jpg", seed=80 + i)
    # GIVEN a disk with 0 bytes free, a new library is refused as "disk full", not as a stranger
    filler = _fill(small_disk)
    result = _simili("index", str(photos), "--library", str(library), "--workers", "0")
    assert result.returncode == 1
    assert "disk full: the library at" in result.stderr
    assert "unexpected" not in result.stderr
    # WHEN space returns, the same command works: nothing left behind blocks it
    filler.unlink()
    result = _simili("index", str(photos), "--library", str(library), "--workers", "0")
    assert result.returncode == 0, result.stderr
    # AND an existing library that fills up keeps what it had and finishes once space returns
    for i in range(4, 8):
        make_photo(f"p{i}.jpg", seed=80 + i)
    filler = _fill(small_disk)
    result = _simili("index", "--library", str(library), "--workers", "0")
    assert result.returncode == 1
    assert "disk full: the library at" in result.stderr, result.stderr
    assert "unexpected" not in result.stderr
    filler.unlink()
    result = _simili("index", "--library", str(library), "--workers", "0")
    assert result.returncode == 0, result.stderr
    status = _simili("status", "--json", "--library", str(library))
    assert '"photos": 8' in status.stdout, status.stdout + status.stderr
