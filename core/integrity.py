"""Telling damage and a full disk apart from bugs: catalogue checks and error translation.

Low-level failures (SQLite's "database disk image is malformed", USearch's "Failed to serialize
into stream", ENOSPC) become one-line SimiliErrors that name the file and the way out.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import time
from pathlib import Path

from core.errors import DiskFullError, SimiliError

_HEADER = b"SQLite format 3\x00"
# The structural check at open stops after this long; a big catalogue is checked in full when a
# query fails instead (timings in NOTES-rel-b.md).
QUICK_CHECK_BUDGET_S = 0.1
# Space asked for when SQLite runs out: the WAL between checkpoints (~4 MB) and growth room.
_SQLITE_HEADROOM = 16 << 20


def is_disk_full(exc: BaseException, folder: Path | None = None) -> bool:
    """Whether an OS or SQLite error means there is no space left.

    SQLite sometimes reports a full disk as "disk I/O error" (its shared-memory file could not
    grow): with `folder`, such an error counts as a full disk when little space is left there.
    """
    if isinstance(exc, OSError):
        return exc.errno in (28, 122)  # ENOSPC, EDQUOT
    if not isinstance(exc, sqlite3.Error):
        return False
    name = getattr(exc, "sqlite_errorname", "")
    if name == "SQLITE_FULL" or "disk is full" in str(exc):
        return True
    if folder is not None and (name.startswith("SQLITE_IOERR") or "disk I/O error" in str(exc)):
        try:
            return shutil.disk_usage(folder).free < _SQLITE_HEADROOM
        except OSError:
            return False
    return False


def is_damage(exc: BaseException) -> bool:
    """Whether an SQLite error says the file itself is damaged (not busy, full or missing)."""
    name = getattr(exc, "sqlite_errorname", "")
    text = str(exc)
    return name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or (
        "malformed" in text or "not a database" in text
    )


def disk_full_error(folder: Path) -> DiskFullError:
    """A "disk full" error with the space SQLite needs: WAL between checkpoints, growth room."""
    catalog_bytes = 0
    for f in folder.glob("catalog.sqlite*"):
        with contextlib.suppress(OSError):
            catalog_bytes += f.stat().st_size
    return DiskFullError(folder, _SQLITE_HEADROOM + catalog_bytes // 10)


def header_problem(path: Path) -> str | None:
    """Cheap checks that need no SQLite: empty, not SQLite, or shorter than its header says."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            header = f.read(100)
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    if size == 0:
        return "empty file"
    if len(header) < 100 or not header.startswith(_HEADER):
        return "not an SQLite database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    counter, valid_for = header[24:28], header[92:96]
    if pages and counter == valid_for and size < pages * page_size:
        return f"truncated: {size} bytes of {pages * page_size}"
    return None


def quick_check(db: sqlite3.Connection, budget_s: float) -> str | None:
    """`PRAGMA quick_check`, abandoned (None) once it runs past the budget."""
    deadline = time.monotonic() + budget_s
    db.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        rows = db.execute("PRAGMA quick_check(3)").fetchall()
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc):
            return None
        raise
    finally:
        db.set_progress_handler(None, 0)
    results = [r[0] for r in rows]
    return None if results == ["ok"] else "; ".join(results)


def check_catalog(path: Path) -> str | None:
    """A full `PRAGMA integrity_check` on a fresh connection: None if healthy.

    Run when a query fails with a database error, and on every backup before it is restored.
    """
    if not path.is_file():
        return "the file is missing"
    problem = header_problem(path)
    if problem:
        return problem
    try:
        db = sqlite3.connect(path)
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] == 0:
                return "no Simili tables in it"
            rows = db.execute("PRAGMA integrity_check(3)").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            return str(exc)
        raise
    results = [r[0] for r in rows]
    return None if results == ["ok"] else "; ".join(results)


def explain(exc: BaseException, folder: Path) -> SimiliError | None:
    """The user-facing error for a low-level failure in the library at `folder`, or None (a bug).

    A database error triggers the full integrity check: damage is reported as such, with the
    way out; anything else stays "unexpected".
    """
    from core.backup import damage_error  # lazy: backup imports errors only, but keep it cheap

    if is_disk_full(exc, folder):
        return disk_full_error(folder)
    if isinstance(exc, RuntimeError) and "serialize" in str(exc):
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            free = 0
        if free < (256 << 20):
            index_bytes = sum(f.stat().st_size for f in folder.glob("vectors.usearch*"))
            return DiskFullError(folder, max(_SQLITE_HEADROOM, index_bytes))
    name = getattr(exc, "sqlite_errorname", "")
    busy = name in ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_INTERRUPT")
    if isinstance(exc, sqlite3.DatabaseError) and not busy:
        catalog = folder / "catalog.sqlite"
        problem = check_catalog(catalog)
        if problem:
            return damage_error(catalog, problem)
    return None
