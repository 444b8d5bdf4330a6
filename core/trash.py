"""Moving duplicates to the system trash (never deleting), with an undo log and restore.

Nothing moves until the whole request passes: every file is in the group and one member stays;
none lies in a reference folder; each file to trash still has the content the scan saw; and a
member that stays is still on disk, unchanged, and not merely another name for a trashed file.
So the last good copy of a photo can never be trashed by Simili.

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
from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING

import send2trash

from core.errors import SimiliError
from core.hashing import content_hash_file
from core.paths import normalise
from core.pathtext import json_fields
from core.records import DuplicateGroup, TrashedFile

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


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _disk_hash(path: str) -> str | None:
    """The file's content hash now (the catalogue's function), or None if it cannot be read."""
    try:
        return content_hash_file(Path(path))
    except OSError:
        return None


def _recorded(library: Library, path: str, scanned: dict[str, str]) -> set[str]:
    """Content hashes recorded for a path: at the scan (the group) and in the catalogue now."""
    found = library.catalog.lookup(path)
    return {h for h in (scanned.get(path, ""), found[1] if found else "") if h}


def check_trashable(
    library: Library,
    group: DuplicateGroup | Iterable[str],
    paths: Iterable[str],
    *,
    reference: Sequence[str] = (),
) -> list[str]:
    """Every check `trash_files` makes before moving anything; returns the paths to trash.

    Raises:
        TrashError: naming the first file that fails a check; nothing has been moved.
    """
    if isinstance(group, DuplicateGroup):
        members = list(group.paths)
        scanned = {f.path: f.content_hash for f in group.files}
        keep = group.keep
    else:
        members, scanned, keep = [normalise(p) for p in group], {}, ""
    wanted = list(dict.fromkeys(normalise(p) for p in paths))
    outside = [p for p in wanted if p not in set(members)]
    if outside:
        raise TrashError(f"{outside[0]}: not in this duplicate group; nothing was trashed")
    if set(wanted) >= set(members):
        raise TrashError("refusing to trash every file of a group; keep at least one")
    folders = [normalise(f) for f in reference]
    for path in wanted:
        folder = next((f for f in folders if _inside(path, f)), None)
        if folder:
            raise TrashError(
                f"{path}: inside reference folder {folder}, which Simili never trashes from; "
                "nothing was trashed"
            )
    for path in wanted:
        expected = _recorded(library, path, scanned)
        now = _disk_hash(path)
        if now is None:
            raise TrashError(
                f"{path}: missing or unreadable; rescan, then review again. Nothing was trashed"
            )
        if not expected:
            raise TrashError(
                f"{path}: not in the catalogue; rescan, then review again. Nothing was trashed"
            )
        if expected != {now}:
            raise TrashError(
                f"{path}: changed since the scan; rescan, then review again. Nothing was trashed"
            )
    staying = [p for p in members if p not in set(wanted)]
    staying.sort(key=lambda p: p != keep)  # the suggested keeper first
    alias: tuple[str, str] | None = None
    for path in staying:
        expected = _recorded(library, path, scanned)
        if not expected or expected != {_disk_hash(path)}:
            continue
        through = next((w for w in wanted if _goes_with(path, w)), None)
        if through is None:
            return wanted
        alias = alias or (path, through)
    if alias:
        raise TrashError(
            f"the copy you keep, {alias[0]}, is the same file as {alias[1]} (a link or another "
            "name for it): trashing that would take the copy you keep; nothing was trashed"
        )
    raise TrashError(
        f"the copy you keep, {staying[0]}, is missing or changed; nothing was trashed "
        "(rescan, then review again)"
    )


def _goes_with(kept: str, trashed: str) -> bool:
    """Whether moving `trashed` to the trash would take `kept` with it.

    True when `kept` reaches the same directory entry: a symlink to it, a path through a
    symlinked folder, or another spelling on a case-insensitive disk. A hard link is a separate
    entry and survives; trashing a symlink moves only the link.
    """
    k, t = Path(kept), Path(trashed)
    try:
        if t.is_symlink() or not k.samefile(t):
            return False
        if k.resolve() == t.resolve():
            return True
        return t.stat().st_nlink == 1  # one entry, two names: not a hard link
    except OSError:
        return True  # cannot tell: count it as not independent


def trash_files(
    library: Library,
    group: DuplicateGroup | Iterable[str],
    paths: Iterable[str],
    *,
    reference: Sequence[str] = (),
) -> list[TrashedFile]:
    """Move files of one group to the system trash and forget them in the catalogue and index.

    Before anything moves, the whole request is checked (`check_trashable`): every path is in
    the group and at least one member stays; none lies in a reference folder; each file to
    trash still has the content the scan saw (re-hashed now); and at least one member that
    stays is still on disk with its recorded content, so the last copy can never be trashed.

    Args:
        library: opened as writer.
        group: the group (or its paths) the files must belong to: nothing outside it is touched.
        paths: the files to trash (never all of the group).
        reference: folders never trashed from (the settings' `reference_folders`).

    Returns:
        What was trashed, as logged (files that failed are not in it; see the raised error).

    Raises:
        TrashError: a check failed (nothing was moved), or a file could not be moved to the
            trash (the ones before it stay trashed and logged).
    """
    wanted = check_trashable(library, group, paths, reference=reference)
    done: list[TrashedFile] = []
    try:
        for path in wanted:
            found = library.catalog.lookup(path)
            try:
                size = Path(path).stat().st_size
            except OSError:
                size = 0
            started = time.time()
            try:
                send2trash.send2trash(path)
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


def restorable(folder: Path) -> list[TrashedFile]:
    """What can still be restored, newest first: trashed, not restored since, still in the trash.

    Read from the log, so the list survives restarts. Entries without a known trash location
    (Windows, macOS) are listed: whether they are still there is not knowable from here.
    """
    # trash_log keeps the last line per trashing, so a restored one reads restored=True.
    out = [
        e
        for e in trash_log(folder)
        if not e.restored and (e.trash_path is None or Path(e.trash_path).exists())
    ]
    return sorted(out, key=lambda e: e.trashed_at, reverse=True)


def restore_many(library: Library, entries: Iterable[TrashedFile]) -> tuple[list[str], list[str]]:
    """Restore several trashed files, carrying on past failures.

    Returns:
        (the paths restored, one message per file that could not be, naming it and why).
    """
    done: list[str] = []
    errors: list[str] = []
    for entry in entries:
        try:
            done.append(restore(library, entry))
        except TrashError as exc:
            errors.append(str(exc))
        except OSError as exc:
            errors.append(f"{entry.path}: could not restore ({exc})")
    return done, errors
