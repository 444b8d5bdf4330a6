"""`simili repair`: put a damaged catalogue aside, restore the newest sound backup, rescan.

The damaged file is kept beside the library (renamed, never deleted), the vector index is marked
stale so it is rebuilt from the restored vectors, and the rescan brings the photos up to date:
what the backup had (folders, excludes, duplicate decisions, vectors) comes back, and photos
added since it was taken are indexed again.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.backup import BACKUP_DIR, Backup, list_backups
from core.catalog import SCHEMA_VERSION
from core.errors import CatalogDamagedError
from core.integrity import check_catalog
from core.library import CATALOG_NAME, INDEX_NAME, LOCK_NAME, _WriterLock
from core.records import IndexReport, Problem
from core.tasks import CancelToken, ProgressCallback

ProblemCallback = Callable[[Problem], None]


@dataclass(frozen=True, slots=True)
class Restored:
    """What `restore_catalog` did: the backup used, where the damaged file went, and why."""

    backup: Backup
    damage: str
    kept_as: Path | None
    photos: int
    decisions: int
    skipped: tuple[str, ...]  # newer backups that failed their own check


def restore_catalog(folder: Path) -> Restored | None:
    """Restore the newest sound backup if the catalogue is damaged; None if it is healthy.

    Holds the writer lock while it works, so no index run can be writing meanwhile.

    Raises:
        LibraryLockedError: another Simili process is writing to the library.
        CatalogDamagedError: the catalogue is damaged and no backup passes its check.
    """
    folder = folder.expanduser().absolute()
    catalog = folder / CATALOG_NAME
    if not folder.is_dir():
        raise CatalogDamagedError(f"{folder}: no Simili library here; nothing to repair")
    lock = _WriterLock(folder / LOCK_NAME)
    lock.acquire()
    try:
        damage = check_catalog(catalog)
        if damage is None:
            return None
        skipped: list[str] = []
        for backup in list_backups(folder):
            problem = check_catalog(backup.path) or _schema_problem(backup.path)
            if problem is None:
                break
            skipped.append(f"{backup.path.name}: {' '.join(problem.split())[:200]}")
        else:
            where = folder / BACKUP_DIR
            tried = f" ({'; '.join(skipped)})" if skipped else ""
            damage = " ".join(damage.replace("*** in database main ***", "").split())[:200]
            raise CatalogDamagedError(
                f"the catalogue {catalog} is damaged ({damage}) and there is no sound backup in "
                f"{where}{tried}: move the library folder aside and run `simili index FOLDER…` "
                "to build a new one"
            )
        kept = _put_aside(catalog)
        tmp = catalog.with_name(CATALOG_NAME + ".restore")
        shutil.copyfile(backup.path, tmp)
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        tmp.replace(catalog)
        # The index may hold vectors the backup lacks under the same generation number.
        for stale in (
            (folder / INDEX_NAME).with_suffix(".json"),
            (folder / INDEX_NAME).with_suffix(".verified"),
        ):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        photos, decisions = _counts(catalog)
        return Restored(backup, damage, kept, photos, decisions, tuple(skipped))
    finally:
        lock.release()


def _schema_problem(path: Path) -> str | None:
    db = sqlite3.connect(path)
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()
    return f"made by a newer Simili (schema {version})" if version > SCHEMA_VERSION else None


def _put_aside(catalog: Path) -> Path | None:
    """Rename the damaged catalogue (and its WAL files) out of the way; never delete it."""
    if not catalog.exists():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept = catalog.with_name(f"{CATALOG_NAME}.damaged-{stamp}")
    for suffix in ("-wal", "-shm", ""):
        source = catalog.with_name(CATALOG_NAME + suffix)
        with contextlib.suppress(FileNotFoundError):
            source.replace(kept.with_name(kept.name + suffix))
    return kept


def _counts(catalog: Path) -> tuple[int, int]:
    db = sqlite3.connect(catalog)
    try:
        photos = db.execute("SELECT COUNT(*) FROM files WHERE state = 'ok'").fetchone()[0]
        try:
            decisions = db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]
        except sqlite3.OperationalError:  # a backup from before decisions existed
            decisions = 0
    finally:
        db.close()
    return photos, decisions


def repair_library(
    folder: Path,
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback | None = None,
    on_problem: ProblemCallback | None = None,
) -> tuple[Restored | None, IndexReport | None]:
    """Restore the catalogue if it is damaged, then rescan every folder (the app's "Repair").

    Returns what was restored (None: the catalogue was sound) and the rescan's report (None: the
    library has no folders).
    """
    from core.library import Library
    from core.pipeline import index_library

    restored = restore_catalog(folder)
    with Library(folder, writer=True) as library:
        if not library.catalog.roots():
            return restored, None
        report = index_library(
            library, None, cancel=cancel, on_progress=on_progress, on_problem=on_problem
        )
    return restored, report
