"""Moving duplicates to the system trash (never deleting), with an undo log and restore.

Every trashed file is appended to `trash-log.jsonl` in the library folder: what, when, from
where, and where it lies in the trash when the platform tells (freedesktop trash on Linux). On
such platforms `restore` moves the file back; elsewhere the log names the trash to look in.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import sys
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING

from send2trash import send2trash

from core.errors import SimiliError
from core.pathtext import json_fields
from core.records import DuplicateGroup, TrashedFile
from core.scanner import normalise

if TYPE_CHECKING:
    from core.library import Library

LOG_NAME = "trash-log.jsonl"
_PATH_KEYS = ("path", "trash_path")


class TrashError(SimiliError):
    """A file could not be trashed or restored; the message names it and the remedy."""


def _trash_dirs(path: str) -> list[Path]:
    """Freedesktop trash folders a file may have gone to (home trash, then its volume's)."""
    home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "Trash"
    dirs = [home]
    mount = Path(path).parent
    with contextlib.suppress(OSError):
        while not os.path.ismount(mount) and mount != mount.parent:
            mount = mount.parent
        uid = os.getuid() if hasattr(os, "getuid") else 0
        dirs += [mount / ".Trash" / str(uid), mount / f".Trash-{uid}"]
    return dirs


def find_in_trash(path: str, since: float) -> str | None:
    """Where a file trashed at or after `since` lies in a freedesktop trash, or None."""
    if sys.platform in ("win32", "darwin"):
        return None
    best: tuple[float, str] | None = None
    for trash in _trash_dirs(path):
        info = trash / "info"
        if not info.is_dir():
            continue
        for entry in info.glob("*.trashinfo"):
            try:
                text = entry.read_text(encoding="utf-8")
                mtime = entry.stat().st_mtime
            except OSError:
                continue
            fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
            original = urllib.parse.unquote(fields.get("Path", ""), errors="surrogateescape")
            if original != path or mtime < since - 2:
                continue
            stored = trash / "files" / entry.name[: -len(".trashinfo")]
            if stored.exists() and (best is None or mtime > best[0]):
                best = (mtime, str(stored))
    return best[1] if best else None


def trash_files(
    library: Library, group: DuplicateGroup | Iterable[str], paths: Iterable[str]
) -> list[TrashedFile]:
    """Move files of one group to the system trash and forget them in the catalogue and index.

    Args:
        library: opened as writer.
        group: the group (or its paths) the files must belong to: nothing outside it is touched.
        paths: the files to trash (never all of the group).

    Returns:
        What was trashed, as logged (files that failed are not in it; see the raised error).

    Raises:
        TrashError: a path is outside the group, the whole group was asked for, or a file could
            not be moved to the trash (the ones before it stay trashed and logged).
    """
    members = set(group.paths if isinstance(group, DuplicateGroup) else map(normalise, group))
    wanted = [normalise(p) for p in paths]
    outside = [p for p in wanted if p not in members]
    if outside:
        raise TrashError(f"{outside[0]}: not in this duplicate group; nothing was trashed")
    if set(wanted) >= members:
        raise TrashError("refusing to trash every file of a group; keep at least one")
    done: list[TrashedFile] = []
    try:
        for path in dict.fromkeys(wanted):
            found = library.catalog.lookup(path)
            try:
                size = Path(path).stat().st_size
            except OSError:
                size = 0
            started = time.time()
            try:
                send2trash(path)
            except OSError as exc:
                raise TrashError(f"{path}: could not move to the trash ({exc})") from None
            entry = TrashedFile(
                path=path,
                size=size,
                content_hash=found[1] if found else "",
                trashed_at=started,
                trash_path=find_in_trash(path, started),
            )
            _append(library.folder, entry)
            done.append(entry)
    finally:
        if done:
            library.catalog.forget_files(e.path for e in done)
            library.index.remove(library.catalog.collect_garbage())
            library.save_index()
    return done


def _append(folder: Path, entry: TrashedFile) -> None:
    with (folder / LOG_NAME).open("a", encoding="utf-8") as f:
        record = asdict(entry)
        for key in _PATH_KEYS:  # valid UTF-8 even for paths that are not (core.pathtext)
            if record[key]:
                record.update(json_fields(record[key], key))
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())


def trash_log(folder: Path) -> list[TrashedFile]:
    """Everything trashed from this library, oldest first (restored ones marked)."""
    path = Path(folder) / LOG_NAME
    if not path.is_file():
        return []
    entries: dict[tuple[str, float], TrashedFile] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
            for key in _PATH_KEYS:
                raw = data.pop(f"{key}_bytes", None)
                if raw is not None:
                    data[key] = os.fsdecode(base64.b64decode(raw))
            entry = TrashedFile(**data)
        except (ValueError, TypeError):
            continue  # a torn last line after a crash
        entries[(entry.path, entry.trashed_at)] = entry
    return sorted(entries.values(), key=lambda e: e.trashed_at)


def restore(library: Library, entry: TrashedFile) -> str:
    """Move a trashed file back where it was (freedesktop trash only); returns its path.

    The file is not re-indexed here: index its folder (or let the watcher see it) afterwards.

    Raises:
        TrashError: the platform's trash cannot be restored from here (the message says where
            to find the file), it is no longer in the trash, or its old place is taken.
    """
    if not entry.trash_path:
        raise TrashError(
            f"{entry.path}: restore it from the system trash (Simili cannot on this platform)"
        )
    stored = Path(entry.trash_path)
    if not stored.exists():
        raise TrashError(f"{entry.path}: no longer in the trash ({stored}); it may be emptied")
    target = Path(entry.path)
    if target.exists():
        raise TrashError(f"{entry.path}: a file is already there; move it away and try again")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(stored), str(target))  # a rename when on the same volume
    info = stored.parent.parent / "info" / (stored.name + ".trashinfo")
    with contextlib.suppress(OSError):
        info.unlink()
    _append(library.folder, replace(entry, restored=True))
    return entry.path
