"""Walks library roots and stats photo files; skips junk, excluded paths and symlink loops."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from core.formats import is_photo_name
from core.records import Problem
from core.tasks import CancelToken

# Folders that hold thumbnails, trash or system data, never the user's photos.
JUNK_DIRS = frozenset(
    {
        "@eadir", "#recycle", "$recycle.bin", "system volume information", "__macosx",
        "lost+found", "#snapshot", ".thumbnails", ".trash", ".trashes",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ScanEntry:
    """A photo file found on disk."""

    path: str
    size: int
    mtime_ns: int


@dataclass(slots=True)
class ScanResult:
    """Everything a walk found; `offline` means the root itself was not reachable.

    `mounts` are the folders below the walk's top that lie on another device than their parent
    (mount points inside a root), so an unmounted or blank drive there is not read as deletions.
    """

    entries: list[ScanEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    offline: bool = False
    mounts: list[str] = field(default_factory=list)


def mount_points() -> frozenset[str]:
    """Every mount point the OS lists (Linux); empty where it cannot say.

    A bind mount of a folder on the same disk keeps its device number, so only this list
    tells it apart from a plain folder; elsewhere a change of device (or `os.path.ismount`) does.
    """
    try:
        text = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return frozenset()
    points = set()
    for line in text.splitlines():
        fields = line.split(" ")
        if len(fields) > 4:
            points.add(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4]))
    return frozenset(points)


def is_mount(path: str, known: frozenset[str] | None = None) -> bool:
    """Whether a folder is a mount point (bind mounts included where the OS lists them)."""
    return os.path.ismount(path) or path in (mount_points() if known is None else known)


def is_excluded(rel_path: str, name: str, patterns: Iterable[str]) -> bool:
    """Whether a user exclude pattern matches the entry's name or its path inside the root."""
    rel = rel_path.replace(os.sep, "/")
    for pattern in patterns:
        p = pattern.strip().rstrip("/")
        if p and (fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) or rel.startswith(p + "/")):
            return True
    return False


def _is_junk(name: str) -> bool:
    return name.startswith(".") or name.lower() in JUNK_DIRS


def _skipped_inside(root: str, path: str, patterns: tuple[str, ...], skip: frozenset[str]) -> bool:
    """Whether `path` lies in a junk, excluded or skipped folder below `root`."""
    rel = os.path.relpath(path, root)
    parts = rel.split(os.sep)
    current = root
    for i, part in enumerate(parts):
        current = os.path.join(current, part)
        if _is_junk(part) or current in skip:
            return True
        if patterns and is_excluded(os.sep.join(parts[: i + 1]), part, patterns):
            return True
    return False


def scan(
    root: str,
    excludes: Iterable[str] = (),
    start: str | None = None,
    cancel: CancelToken | None = None,
    skip: Iterable[str] = (),
) -> ScanResult:
    """Walk `root` (or only `start`, a folder or file inside it) and list its photo files.

    `skip` names folders never to enter (the library's own folder, if it lies inside a root).
    Unreadable folders become problems; files that vanish during the walk are simply not listed.
    """
    result = ScanResult()
    patterns = tuple(excludes)
    skipped = frozenset(skip)
    if not os.path.isdir(root):
        result.offline = True
        return result
    if start is not None and start != root and _skipped_inside(root, start, patterns, skipped):
        return result
    top = start or root
    if top != root and os.path.isfile(top):
        if is_photo_name(os.path.basename(top)):
            _add_file(result, top)
        return result
    visited: set[tuple[int, int]] = set()
    listed = mount_points()
    stack: list[tuple[str, int | None]] = [(top, None)]
    while stack:
        if cancel is not None:
            cancel.raise_if_cancelled()
        folder, parent_dev = stack.pop()
        try:
            folder_st = os.stat(folder)
            ident = (folder_st.st_dev, folder_st.st_ino)
            if ident in visited:  # a symlink loop or a folder linked twice
                continue
            visited.add(ident)
            if parent_dev is not None and (folder_st.st_dev != parent_dev or folder in listed):
                result.mounts.append(folder)
            with os.scandir(folder) as it:
                children = list(it)
        except FileNotFoundError:
            continue
        except PermissionError:
            result.problems.append(Problem(folder, "folder not readable (permission denied)"))
            continue
        except OSError as exc:
            result.problems.append(Problem(folder, f"folder not readable ({exc.strerror or exc})"))
            continue
        subfolders = []
        for entry in children:
            name = entry.name
            if _is_junk(name) or entry.path in skipped:
                continue
            rel = os.path.relpath(entry.path, root)
            if patterns and is_excluded(rel, name, patterns):
                continue
            try:
                if entry.is_dir():
                    subfolders.append(entry.path)
                elif is_photo_name(name):
                    st = entry.stat()
                    result.entries.append(ScanEntry(entry.path, st.st_size, st.st_mtime_ns))
            except FileNotFoundError:
                if os.path.islink(entry.path) and not os.path.exists(entry.path):
                    result.problems.append(Problem(entry.path, "broken link"))
                continue  # vanished between listing and stat
            except OSError as exc:
                result.problems.append(Problem(entry.path, f"cannot read ({exc.strerror or exc})"))
        stack.extend((sub, folder_st.st_dev) for sub in sorted(subfolders, reverse=True))
    return result


def holds_photos(folder: str) -> bool:
    """Whether any photo file lies below `folder` (junk folders skipped); stops at the first."""
    stack = [folder]
    visited: set[tuple[int, int]] = set()
    while stack:
        current = stack.pop()
        try:
            st = os.stat(current)
            if (st.st_dev, st.st_ino) in visited:
                continue
            visited.add((st.st_dev, st.st_ino))
            with os.scandir(current) as it:
                for entry in it:
                    if _is_junk(entry.name):
                        continue
                    if entry.is_dir():
                        stack.append(entry.path)
                    elif is_photo_name(entry.name) and entry.is_file():
                        return True
        except OSError:
            continue
    return False


def _add_file(result: ScanResult, path: str) -> None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        result.problems.append(Problem(path, f"cannot read ({exc.strerror or exc})"))
        return
    result.entries.append(ScanEntry(path, st.st_size, st.st_mtime_ns))
