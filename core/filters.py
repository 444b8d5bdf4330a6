"""Filters every search takes: taken after/before a date, inside a folder, by a camera.

A filter narrows the library to the files it allows; searches then rank only those, exactly
(a filtered image search scores the allowed photos' vectors directly instead of asking the
approximate index for more and hoping enough survive).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timezone

import numpy as np

from core.errors import SimiliError
from core.library import Library
from core.paths import normalise
from core.pathtext import from_db
from core.records import Match


@dataclass(frozen=True, slots=True)
class PhotoFilter:
    """Which photos a search may return; every field None means all of them.

    Dates are inclusive calendar days; a photo's date is its EXIF date taken, else the file's
    modification time (local time).
    """

    after: date | None = None
    before: date | None = None
    folder: str | None = None
    camera: str | None = None

    @property
    def active(self) -> bool:
        """Whether it leaves anything out."""
        return any(v is not None for v in (self.after, self.before, self.folder, self.camera))

    def allows(self, path: str, taken: str | None, mtime_ns: int, camera: str | None) -> bool:
        """Whether one file passes."""
        if self.folder is not None:
            prefix = self.folder.rstrip(os.sep) + os.sep
            if not path.startswith(prefix):
                return False
        if self.camera is not None and self.camera.lower() not in (camera or "").lower():
            return False
        if self.after is not None or self.before is not None:
            day = photo_day(taken, mtime_ns)
            if self.after is not None and day < self.after:
                return False
            if self.before is not None and day > self.before:
                return False
        return True


def parse_day(text: str) -> date:
    """A YYYY-MM-DD date from the command line or the app.

    Raises:
        SimiliError: not a date in that form.
    """
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SimiliError(f"{text}: not a date; use YYYY-MM-DD, e.g. 2024-07-31") from None


def make_filter(
    after: str | None = None,
    before: str | None = None,
    folder: str | None = None,
    camera: str | None = None,
) -> PhotoFilter:
    """A filter from the texts a person typed (folders are made absolute).

    Raises:
        SimiliError: a date is malformed.
    """
    return PhotoFilter(
        parse_day(after) if after else None,
        parse_day(before) if before else None,
        normalise(folder) if folder else None,
        camera or None,
    )


def photo_day(taken: str | None, mtime_ns: int) -> date:
    """The day a photo was taken: EXIF "YYYY:MM:DD ..." when readable, else its file time."""
    if taken and len(taken) >= 10:
        try:
            return date(int(taken[0:4]), int(taken[5:7]), int(taken[8:10]))
        except ValueError:
            pass
    return datetime.fromtimestamp(mtime_ns / 1e9, tz=timezone.utc).astimezone().date()


def allowed_files(library: Library, photo_filter: PhotoFilter) -> dict[str, int]:
    """Every indexed file the filter allows, with its content key."""
    rows = library.catalog.db.execute(
        "SELECT f.path, c.key, c.taken, f.mtime_ns, c.camera FROM files f "
        "JOIN contents c ON c.hash = f.hash WHERE f.state = 'ok'"
    )
    allowed: dict[str, int] = {}
    for stored, key, taken, mtime_ns, camera in rows:
        path = from_db(stored)
        if photo_filter.allows(path, taken, mtime_ns, camera):
            allowed[path] = int(key)
    return allowed


def filtered_nearest(
    library: Library,
    vector: np.ndarray,
    top: int,
    allowed: dict[str, int],
    exclude: frozenset[str] = frozenset(),
) -> list[Match]:
    """The `top` allowed files closest to a vector (or any row of several), scored exactly."""
    rows = np.asarray(vector, dtype=np.float32).reshape(-1, library.model.dim)
    keys, vectors = library.catalog.vectors(library.model.dim, set(allowed.values()))
    if not len(keys):
        return []
    best = (vectors.astype(np.float32) @ rows.T).max(axis=1)
    score = {int(k): min(1.0, float(s)) for k, s in zip(keys, best, strict=True)}
    levels = library.model.levels  # cosines in the base space, as the levels were calibrated
    matches = [
        Match(path, score[key], levels.of(score[key]))
        for path, key in allowed.items()
        if key in score and path not in exclude
    ]
    matches.sort(key=lambda m: (-m.score, m.path))
    return matches[:top]
