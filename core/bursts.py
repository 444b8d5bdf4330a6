"""Similar shots (bursts, re-shoots): different exposures of one scene, taken moments apart.

These are never "edited copies" — each is its own capture — but a user cleaning up wants them
side by side to keep the best. Evidence is visual similarity plus hints that the shots belong
together: the same camera and EXIF times within a gap; without EXIF times, the same folder and
file times within the gap; with no time at all, the same folder and a higher similarity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import PurePath
from typing import TYPE_CHECKING

import numpy as np

from core.catalog import IndexedFile

if TYPE_CHECKING:
    from core.library import Library

DEFAULT_GAP_S = 10.0
# Weaker hints need more similarity: file times survive copying but also come from it.
FILE_TIME_BONUS = 0.05
SAME_FOLDER_BONUS = 0.10


@dataclass(frozen=True, slots=True)
class Shot:
    """What the burst rule looks at for one content key."""

    key: int
    camera: str | None
    taken: float | None  # EXIF time, seconds
    mtime: float  # file time, seconds
    folder: str


def taken_seconds(taken: str | None) -> float | None:
    """EXIF "YYYY:MM:DD HH:MM:SS[.frac]" as seconds (naive, compared only with each other)."""
    if not taken:
        return None
    main, _, sub = taken.partition(".")
    try:
        when = dt.datetime.strptime(main.strip()[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    frac = float(f"0.{sub}") if sub.isdigit() else 0.0
    return when.replace(tzinfo=dt.timezone.utc).timestamp() + frac


def seconds_apart(gap: float) -> str:
    """A gap as people read it ("0.4 s", "3 s"): burst frames are often under a second apart."""
    if gap >= 10:
        return f"{gap:.0f} s"
    digits = 1 if gap >= 0.05 else 2
    return f"{gap:.{digits}f}".rstrip("0").rstrip(".") + " s"


def shots(files: Sequence[IndexedFile], by_key: dict[int, list[int]]) -> dict[int, Shot]:
    """One Shot per content key (its first file)."""
    out = {}
    for key, members in by_key.items():
        f = files[members[0]]
        out[key] = Shot(
            key,
            f.meta.camera,
            taken_seconds(f.meta.taken),
            f.mtime_ns / 1e9,
            str(PurePath(f.path).parent),
        )
    return out


def hint(a: Shot, b: Shot, gap_s: float) -> str | None:
    """Why two shots may belong to one burst, or None: "same camera, 2 s apart", ..."""
    if a.taken is not None and b.taken is not None:
        if a.camera and a.camera == b.camera and abs(a.taken - b.taken) <= gap_s:
            return f"same camera, {seconds_apart(abs(a.taken - b.taken))} apart"
        return None  # both dated, and not together: other moments or other cameras
    if (a.taken is None) != (b.taken is None):
        return "same folder" if a.folder == b.folder else None  # one dated: no time to compare
    if a.folder == b.folder and abs(a.mtime - b.mtime) <= gap_s:
        return f"same folder, saved {abs(a.mtime - b.mtime):.0f} s apart"
    if a.folder == b.folder:
        return "same folder"
    return None


def time_pairs(info: dict[int, Shot], gap_s: float) -> list[tuple[int, int]]:
    """Key pairs of one camera with EXIF times within the gap (sorted sweep, not all pairs)."""
    timed = sorted((s.camera, s.taken, s.key) for s in info.values() if s.camera and s.taken)
    out = []
    for x, (camera, when, a) in enumerate(timed):
        for camera_b, when_b, b in timed[x + 1 : x + 65]:
            if camera_b != camera or when_b - when > gap_s:
                break
            out.append((min(a, b), max(a, b)))
    return out


def burst_edges(
    info: dict[int, Shot],
    candidates: Iterable[tuple[tuple[int, int], float]],
    gap_s: float,
    floor: float,
) -> list[tuple[float, int, int, str]]:
    """(similarity, a, b, hint) for candidate pairs that look alike and have a hint."""
    edges = []
    for (a, b), score in candidates:
        why = hint(info[a], info[b], gap_s)
        if why is None:
            continue
        need = floor
        if why == "same folder":
            need += SAME_FOLDER_BONUS
        elif why.startswith("same folder"):
            need += FILE_TIME_BONUS
        if score >= need:
            edges.append((score, a, b, why))
    edges.sort(reverse=True)
    return edges


def stack_shots(
    library: Library, paths: Sequence[str], gap_s: float = DEFAULT_GAP_S, floor: float = 0.85
) -> list[list[str]]:
    """Bursts among some library photos (a result page): stacks of 2+ paths, in `paths` order.

    The camera-and-time rule of the similar-shots tier applied to a few hundred files only, so
    the browse grid can show a burst as one cover photo without scanning the whole library.
    """
    timed: list[tuple[str, float, int, int]] = []  # camera, time, key, position
    for position, path in enumerate(paths):
        info = library.catalog.photo_info(path)
        found = library.catalog.lookup(path)
        if info is None or found is None or info[2] is None:
            continue
        meta = info[2]
        when = taken_seconds(meta.taken)
        if meta.camera and when is not None:
            timed.append((meta.camera, when, found[0], position))
    if len(timed) < 2:
        return []
    timed.sort()
    keys = sorted({k for _, _, k, _ in timed})
    stored_keys, stored = library.catalog.vectors(library.model.dim, keys)
    vectors = {int(k): v for k, v in zip(stored_keys, stored, strict=True)}
    parent = list(range(len(paths)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (cam_a, when_a, key_a, pos_a), (cam_b, when_b, key_b, pos_b) in pairwise(timed):
        if cam_a != cam_b or when_b - when_a > gap_s:
            continue
        a, b = vectors.get(key_a), vectors.get(key_b)
        if a is not None and b is not None and float(np.dot(a, b)) >= floor:
            parent[root(pos_b)] = root(pos_a)
    stacks: dict[int, list[str]] = {}
    for position in sorted({p for *_, p in timed}):
        stacks.setdefault(root(position), []).append(paths[position])
    return [members for members in stacks.values() if len(members) > 1]
