"""Telling damage and a full disk apart from bugs: catalogue checks and error translation.

Low-level failures (SQLite's "database disk image is malformed", USearch's "Failed to serialize
into stream", ENOSPC) become one-line SimiliErrors that name the file and the way out.
"""

from __future__ import annotations

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


def is_disk_full(exc: BaseException) -> bool:
    """Whether an OS or SQLite error means there is no space left."""
    if isinstance(exc, OSError):
        return exc.errno in (28, 122)  # ENOSPC, EDQUOT
    if isinstance(exc, sqlite3.Error):
        return getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL" or "disk is full" in str(exc)
    return False


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
        return str(exc)
    results = [r[0] for r in rows]
    return None if results == ["ok"] else "; ".join(results)


def explain(exc: BaseException, folder: Path) -> SimiliError | None:
    """The user-facing error for a low-level failure in the library at `folder`, or None (a bug).

    A database error triggers the full integrity check: damage is reported as such, with the
    way out; anything else stays "unexpected".
    """
    from core.backup import damage_error  # lazy: backup imports errors only, but keep it cheap

    if is_disk_full(exc):
        catalog_bytes = sum(f.stat().st_size for f in folder.glob("catalog.sqlite*") if f.is_file())
        return DiskFullError(folder, _SQLITE_HEADROOM + catalog_bytes // 10)
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
