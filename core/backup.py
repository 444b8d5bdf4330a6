"""Catalogue backups: SQLite online-backup copies in the library's `backups/` folder.

The catalogue holds what a rescan cannot give back (folders and their excludes, duplicate
decisions, every vector), so a copy is taken after each successful full index run and a few are
kept; `simili repair` (core/repair.py) restores the newest one that passes an integrity check.
"""

from __future__ import annotations

import calendar
import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from core.errors import CatalogDamagedError

BACKUP_DIR = "backups"
KEEP = 3
_PREFIX, _SUFFIX = "catalog-", ".sqlite"


@dataclass(frozen=True, slots=True)
class Backup:
    """One backup file and when it was taken (UTC, from its name)."""

    path: Path
    taken: float

    @property
    def date(self) -> str:
        """The time it was taken, in the user's time zone."""
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.taken))


def list_backups(folder: Path) -> list[Backup]:
    """The library's backups, newest first."""
    out: list[Backup] = []
    with contextlib.suppress(OSError):
        for path in (folder / BACKUP_DIR).glob(f"{_PREFIX}*{_SUFFIX}"):
            stem = path.name[len(_PREFIX) : -len(_SUFFIX)]
            with contextlib.suppress(ValueError):
                taken = calendar.timegm(time.strptime(stem[:15], "%Y%m%d-%H%M%S"))
                out.append(Backup(path, taken + int(stem[16:] or 0) / 1e6))
    return sorted(out, key=lambda b: b.taken, reverse=True)


def damage_error(catalog_path: Path, detail: str) -> CatalogDamagedError:
    """The one-line message for a damaged catalogue, naming the file and the way out."""
    detail = " ".join(detail.replace("*** in database main ***", "").split())[:200]
    backups = list_backups(catalog_path.parent)
    if backups:
        way_out = f"run `simili repair` to restore the backup from {backups[0].date}"
    else:
        way_out = (
            f"there is no backup in {catalog_path.parent / BACKUP_DIR}: move the library folder "
            "aside and run `simili index FOLDER…` to build a new one"
        )
    return CatalogDamagedError(f"the catalogue {catalog_path} is damaged ({detail}); {way_out}")


def backup_catalog(db: sqlite3.Connection, folder: Path) -> Path | None:
    """Copy the catalogue into `backups/` atomically and keep the newest KEEP copies.

    Never raises (None instead): a backup that cannot be written (disk full) must not fail the
    index run that asked for it.
    """
    target_dir = folder / BACKUP_DIR
    now = time.time()
    name = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now)) + f"-{int(now % 1 * 1e6):06d}"
    target = target_dir / f"{_PREFIX}{name}{_SUFFIX}"
    tmp = target.with_name(target.name + ".tmp")
    try:
        target_dir.mkdir(exist_ok=True)
        copy = sqlite3.connect(tmp)
        try:
            db.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
            # A catalogue damaged where no query has looked yet must not push sound copies out.
            if copy.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("the copy failed its check")
        finally:
            copy.close()
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        tmp.replace(target)
    except (OSError, sqlite3.Error):
        with contextlib.suppress(OSError):
            tmp.unlink()
        return None
    for old in list_backups(folder)[KEEP:]:
        with contextlib.suppress(OSError):
            old.path.unlink()
    return target
