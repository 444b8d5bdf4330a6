"""Favourites: starred photos, stored by content hash in the catalogue.

Identity is content, as everywhere in Simili: a moved or renamed photo keeps its star, and a
byte-identical copy elsewhere shares it (both files are the same content). The path a photo was
starred under is kept too, so a favourite whose every file has gone is still listed by name.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core.catalog import Catalog
from core.errors import PhotoNotInLibraryError
from core.paths import normalise
from core.pathtext import from_db, parse, to_db


@dataclass(frozen=True, slots=True)
class Favourite:
    """A starred content: its hash, index key (None when gone) and the files that hold it."""

    content_hash: str
    key: int | None
    paths: tuple[str, ...]
    starred_as: str
    added_at: float

    @property
    def path(self) -> str:
        """The file to show: the first current one, else the path it was starred under."""
        return self.paths[0] if self.paths else self.starred_as


def resolve(catalog: Catalog, photo: str) -> tuple[str, int, str]:
    """(stored path, key, content hash) of an indexed photo given as on the command line.

    Raises:
        PhotoNotInLibraryError: not an indexed photo of this library.
    """
    path = normalise(photo)
    found = catalog.lookup(path)
    if found is None and parse(photo) != photo:  # a path as printed with \xHH escapes
        path = normalise(parse(photo))
        found = catalog.lookup(path)
    if found is None:
        if not Path(path).exists():
            raise PhotoNotInLibraryError(f"{photo}: no such file; check the path")
        raise PhotoNotInLibraryError(
            f"{photo}: not an indexed photo of this library; `simili index` its folder first"
        )
    return path, found[0], found[1]


def star(catalog: Catalog, photos: Iterable[str]) -> list[str]:
    """Star photos (all or none: every one is resolved first); returns their stored paths.

    Raises:
        PhotoNotInLibraryError: one of them is not an indexed photo (nothing is starred).
    """
    resolved = [resolve(catalog, p) for p in photos]
    now = time.time()
    with catalog.transaction():
        for path, _, content_hash in resolved:
            catalog.db.execute(
                "INSERT INTO favourites(hash, path, added_at) VALUES (?, ?, ?) "
                "ON CONFLICT(hash) DO NOTHING",
                (content_hash, to_db(path), now),
            )
    return [path for path, _, _ in resolved]


def unstar(catalog: Catalog, photos: Iterable[str]) -> list[str]:
    """Remove stars; a photo that was not starred is fine. Returns the stored paths.

    Raises:
        PhotoNotInLibraryError: one of them is not an indexed photo (nothing is changed).
    """
    resolved = [resolve(catalog, p) for p in photos]
    with catalog.transaction():
        for _, _, content_hash in resolved:
            catalog.db.execute("DELETE FROM favourites WHERE hash = ?", (content_hash,))
    return [path for path, _, _ in resolved]


def favourite_hashes(catalog: Catalog) -> frozenset[str]:
    """Content hashes of every favourite (for marking stars in a grid)."""
    return frozenset(r[0] for r in catalog.db.execute("SELECT hash FROM favourites"))


def is_favourite(catalog: Catalog, path: str) -> bool:
    """Whether the file at `path` (as stored) holds a starred content."""
    row = catalog.db.execute(
        "SELECT 1 FROM files f JOIN favourites s ON s.hash = f.hash WHERE f.path = ?",
        (to_db(path),),
    ).fetchone()
    return row is not None


def favourites(catalog: Catalog) -> list[Favourite]:
    """Every favourite, most recently starred first, with the files that hold it now."""
    rows = catalog.db.execute(
        "SELECT s.hash, s.path, s.added_at, c.key FROM favourites s "
        "LEFT JOIN contents c ON c.hash = s.hash ORDER BY s.added_at DESC, s.path"
    ).fetchall()
    files: dict[str, list[str]] = {}
    for content_hash, path in catalog.db.execute(
        "SELECT f.hash, f.path FROM files f JOIN favourites s ON s.hash = f.hash "
        "WHERE f.state = 'ok' ORDER BY f.path"
    ):
        files.setdefault(content_hash, []).append(from_db(path))
    return [
        Favourite(h, key, tuple(files.get(h, ())), from_db(path), added)
        for h, path, added, key in rows
    ]
