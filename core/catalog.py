"""The SQLite catalogue: roots, files, photo contents with their vectors, and library metadata.

It is the source of truth: the USearch index is a cache rebuilt from the vectors stored here, so a
crash between the two never loses work.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.backup import damage_error
from core.errors import DiskFullError, LibraryError
from core.integrity import (
    QUICK_CHECK_BUDGET_S,
    disk_full_error,
    header_problem,
    is_damage,
    is_disk_full,
    quick_check,
)
from core.pathtext import from_db, is_text, to_db
from core.records import PhotoMeta, Problem
from core.tags import Tag, write_tags

SCHEMA_VERSION = 6

_SCHEMA = [
    # v1
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE roots (
        id INTEGER PRIMARY KEY,
        path TEXT UNIQUE NOT NULL,
        added_at REAL NOT NULL,
        excludes TEXT NOT NULL DEFAULT '[]',
        state TEXT NOT NULL DEFAULT 'new',
        last_scan REAL
    );
    CREATE TABLE contents (
        key INTEGER PRIMARY KEY AUTOINCREMENT,
        hash TEXT UNIQUE NOT NULL,
        width INTEGER, height INTEGER, taken TEXT, orientation INTEGER, camera TEXT, phash INTEGER,
        vector BLOB
    );
    CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        path TEXT UNIQUE NOT NULL,
        root_id INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        hash TEXT,
        state TEXT NOT NULL,
        error TEXT,
        indexed_at REAL NOT NULL
    );
    CREATE INDEX files_hash ON files(hash);
    CREATE INDEX files_root ON files(root_id);
    """,
    # v2: vectors in their own table, so counting or listing contents never reads the blobs
    # (at 100k photos a scan of contents with inline vectors read ~400 MB).
    """
    CREATE TABLE vectors (
        key INTEGER PRIMARY KEY REFERENCES contents(key) ON DELETE CASCADE,
        vector BLOB NOT NULL
    );
    INSERT INTO vectors(key, vector) SELECT key, vector FROM contents WHERE vector IS NOT NULL;
    ALTER TABLE contents DROP COLUMN vector;
    """,
    # v3: duplicate-review decisions ("not duplicates", "keep all"), kept across scans. Members
    # are stored by content hash (survives moves) and path (tells byte-identical copies apart).
    """
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        made_at REAL NOT NULL
    );
    CREATE TABLE decision_members (
        decision_id INTEGER NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
        hash TEXT NOT NULL,
        path TEXT NOT NULL,
        PRIMARY KEY (decision_id, path)
    );
    CREATE INDEX decision_members_hash ON decision_members(hash);
    """,
    # v4: the app refreshes photo and problem counts while indexing; an index on (state,
    # root_id) answers them without scanning every file row (70 ms -> ~1 ms at 100k photos).
    """
    CREATE INDEX files_state_root ON files(state, root_id);
    """,
    # v5: tags (the model's top ImageNet classes per content, core/tags.py), and which contents
    # have been through the class head, so a photo with no confident class is not redone.
    """
    CREATE TABLE tags (
        key INTEGER NOT NULL REFERENCES contents(key) ON DELETE CASCADE,
        class INTEGER NOT NULL,
        score REAL NOT NULL,
        PRIMARY KEY (key, class)
    ) WITHOUT ROWID;
    CREATE INDEX tags_class ON tags(class);
    CREATE TABLE tagged (key INTEGER PRIMARY KEY REFERENCES contents(key) ON DELETE CASCADE);
    """,
    # v6: favourites (starred photos), by content hash so a moved or renamed photo keeps its
    # star; `path` is where it was starred, shown when no file has that content any more.
    """
    CREATE TABLE favourites (
        hash TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        added_at REAL NOT NULL
    );
    """,
]


@dataclass(frozen=True, slots=True)
class Root:
    """A folder the user added to the library."""

    id: int
    path: str
    state: str
    excludes: tuple[str, ...]
    last_scan: float | None


@dataclass(frozen=True, slots=True)
class FileState:
    """What the catalogue remembers of a file, enough to tell whether it changed."""

    size: int
    mtime_ns: int
    hash: str | None
    state: str
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """A duplicate-review decision: its kind ("not_duplicates" or "keep_all") and members."""

    id: int
    kind: str
    made_at: float
    members: tuple[tuple[str, str], ...]  # (content hash, path) per file


@dataclass(frozen=True, slots=True)
class IndexedFile:
    """An indexed file with what duplicate finding needs: identity, size and metadata."""

    path: str
    size: int
    mtime_ns: int
    key: int
    content_hash: str
    meta: PhotoMeta


@dataclass(frozen=True, slots=True)
class Embedded:
    """One file ready to be written: its identity, and a vector + metadata when newly embedded."""

    path: str
    root_id: int
    size: int
    mtime_ns: int
    content_hash: str
    vector: np.ndarray | None
    meta: PhotoMeta | None
    tags: tuple[Tag, ...] | None = None


_UPSERT_CONTENT = """
INSERT INTO contents(hash, width, height, taken, orientation, camera, phash)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(hash) DO UPDATE SET
    width = excluded.width, height = excluded.height, taken = excluded.taken,
    orientation = excluded.orientation, camera = excluded.camera, phash = excluded.phash
"""

_UPSERT_VECTOR = """
INSERT INTO vectors(key, vector) VALUES (?, ?)
ON CONFLICT(key) DO UPDATE SET vector = excluded.vector
"""

_UPSERT_FILE = """
INSERT INTO files(path, root_id, size, mtime_ns, hash, state, error, indexed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(path) DO UPDATE SET
    root_id = excluded.root_id, size = excluded.size, mtime_ns = excluded.mtime_ns,
    hash = excluded.hash, state = excluded.state, error = excluded.error,
    indexed_at = excluded.indexed_at
"""


class Catalog:
    """One SQLite connection to a library's catalogue (one writer; readers use their own)."""

    def __init__(self, path: Path, readonly: bool = False, check: bool = True) -> None:
        """Open (a writer creates a missing file) and migrate an older schema.

        Raises:
            CatalogDamagedError: the file is empty, truncated, not SQLite, or fails the quick
                structural check (`check`, time-budgeted).
            LibraryError: made by a newer Simili, or a reader met an older schema.
        """
        self.path = path
        existed = path.exists()
        if existed:
            problem = header_problem(path)
            if problem:
                raise damage_error(path, problem)
        elif readonly:
            raise LibraryError(f"{path}: no catalogue here; run `simili index FOLDER` first")
        try:
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA busy_timeout = 10000")
            if not readonly:
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")
            else:  # a reader can never write, whatever a caller tries
                self.db.execute("PRAGMA query_only = ON")
            self.db.execute("PRAGMA foreign_keys = ON")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if existed and version == 0:
                raise damage_error(path, "no Simili tables in it")
            if existed and check:
                problem = quick_check(self.db, QUICK_CHECK_BUDGET_S)
                if problem:
                    raise damage_error(path, problem)
        except sqlite3.DatabaseError as exc:
            self.close()
            if is_disk_full(exc, path.parent):
                raise disk_full_error(path.parent) from None
            if is_damage(exc):
                raise damage_error(path, str(exc)) from None
            raise LibraryError(f"{path}: catalogue is unreadable ({exc})") from None
        except BaseException:
            self.close()
            raise
        if version > SCHEMA_VERSION:
            self.db.close()
            raise LibraryError(
                f"{path}: made by a newer Simili (schema {version}); update Simili to open it"
            )
        if version < SCHEMA_VERSION:
            if readonly:
                self.db.close()
                raise LibraryError(f"{path}: catalogue needs an upgrade; run `simili index` once")
            self._migrate(version)

    def _migrate(self, version: int) -> None:
        for target in range(version, SCHEMA_VERSION):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA[target].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {target + 1}")
                self.db.execute("COMMIT")
            except BaseException:
                _rollback(self.db)
                raise

    def close(self) -> None:
        """Close the connection (checkpointing the WAL when this was the last one)."""
        if hasattr(self, "db"):
            self.db.close()

    # -- metadata ---------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A value from the meta table."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        """Store a value in the meta table (inside the caller's transaction, if any)."""
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    @property
    def generation(self) -> int:
        """Bumped by each committed change to the vectors; the index records the one it saw."""
        return int(self.get_meta("generation", "0") or 0)

    def _bump_generation(self) -> None:
        self.set_meta("generation", str(self.generation + 1))

    # -- roots ------------------------------------------------------------------------------
    def roots(self) -> list[Root]:
        """All roots, by path."""
        rows = self.db.execute(
            "SELECT id, path, state, excludes, last_scan FROM roots ORDER BY path"
        ).fetchall()
        return [Root(r[0], from_db(r[1]), r[2], tuple(json.loads(r[3])), r[4]) for r in rows]

    def add_root(self, path: str) -> Root:
        """Add a root folder to the library.

        A folder inside an existing root is that root; roots inside a new parent are folded into
        it, their files moving over with their vectors.
        """
        with self.transaction():
            for root in self.roots():
                if path == root.path or path.startswith(root.path.rstrip(os.sep) + os.sep):
                    return root
            stored = to_db(path)
            self.db.execute(
                "INSERT INTO roots(path, added_at) VALUES (?, ?)", (stored, time.time())
            )
            new_id = self.db.execute("SELECT id FROM roots WHERE path = ?", (stored,)).fetchone()[0]
            prefix = path.rstrip(os.sep) + os.sep
            for root in self.roots():
                if root.path.startswith(prefix):
                    self.db.execute(
                        "UPDATE files SET root_id = ? WHERE root_id = ?", (new_id, root.id)
                    )
                    self.db.execute("DELETE FROM roots WHERE id = ?", (root.id,))
        return next(r for r in self.roots() if r.id == new_id)

    def remove_root(self, path: str) -> bool:
        """Forget a root and its files (never touches the disk); vectors go at the next GC."""
        with self.transaction():
            cur = self.db.execute("DELETE FROM roots WHERE path = ?", (to_db(path),))
        return cur.rowcount > 0

    def set_root_state(self, root_id: int, state: str, scanned: bool = False) -> None:
        """Record 'ok', 'offline' or 'new' for a root."""
        if scanned:
            self.db.execute(
                "UPDATE roots SET state = ?, last_scan = ? WHERE id = ?",
                (state, time.time(), root_id),
            )
        else:
            self.db.execute("UPDATE roots SET state = ? WHERE id = ?", (state, root_id))

    def set_root_excludes(self, root_id: int, patterns: Iterable[str]) -> None:
        """Replace a root's exclude patterns."""
        self.db.execute(
            "UPDATE roots SET excludes = ? WHERE id = ?", (json.dumps(list(patterns)), root_id)
        )

    # -- files ------------------------------------------------------------------------------
    def files_under(self, root_id: int, prefix: str | None = None) -> dict[str, FileState]:
        """The catalogue's view of a root (or of a folder inside it), keyed by path."""
        sql = "SELECT path, size, mtime_ns, hash, state, error FROM files WHERE root_id = ?"
        args: tuple = (root_id,)
        if prefix is not None:
            # Ranges on the path index: fast even for one file in a big library. Paths that are
            # not valid text are stored as bytes (core.pathtext), which sort after all text.
            folder = prefix.rstrip(os.sep) + os.sep
            raw = os.fsencode(folder)
            ranges = "(path > ? AND path < ?)"
            args = (root_id, to_db(prefix), raw, raw[:-1] + bytes([raw[-1] + 1]))
            if is_text(folder):
                ranges += " OR (path > ? AND path < ?)"
                args += (folder, folder[:-1] + chr(ord(os.sep) + 1))
            sql += f" AND (path = ? OR {ranges})"
        return {
            from_db(r[0]): FileState(r[1], r[2], r[3], r[4], r[5])
            for r in self.db.execute(sql, args)
        }

    def stale_paths(self) -> list[str]:
        """Indexed files whose content has no vector (model changed, or a crash mid-write)."""
        rows = self.db.execute(
            "SELECT f.path FROM files f LEFT JOIN contents c ON c.hash = f.hash "
            "LEFT JOIN vectors v ON v.key = c.key WHERE f.state = 'ok' AND v.key IS NULL"
        )
        return [from_db(r[0]) for r in rows]

    def known_hashes(self) -> frozenset[str]:
        """Contents that already have a vector for the current model."""
        rows = self.db.execute("SELECT c.hash FROM contents c JOIN vectors v ON v.key = c.key")
        return frozenset(r[0] for r in rows)

    def write(
        self, items: Iterable[Embedded], problems: Iterable[tuple[Problem, int, int, int]] = ()
    ) -> list[tuple[int, np.ndarray]]:
        """Commit one batch: new vectors, file rows and problems, atomically.

        Returns the (key, vector) pairs that are new to the index.
        """
        added: list[tuple[int, np.ndarray]] = []
        now = time.time()
        with self.transaction():
            for item in items:
                if item.vector is not None and item.meta is not None:
                    m = item.meta
                    blob = np.asarray(item.vector, dtype=np.float16).tobytes()
                    self.db.execute(
                        _UPSERT_CONTENT,
                        (item.content_hash, m.width, m.height, m.taken, m.orientation, m.camera,
                         m.phash),
                    )  # fmt: skip
                    key = self.db.execute(
                        "SELECT key FROM contents WHERE hash = ?", (item.content_hash,)
                    ).fetchone()[0]
                    self.db.execute(_UPSERT_VECTOR, (key, blob))
                    if item.tags is not None:
                        write_tags(self.db, key, item.tags)
                    added.append((key, np.asarray(item.vector, dtype=np.float32)))
                self.db.execute(
                    _UPSERT_FILE,
                    (to_db(item.path), item.root_id, item.size, item.mtime_ns, item.content_hash,
                     "ok", None, now),
                )  # fmt: skip
            for problem, root_id, size, mtime_ns in problems:
                self.db.execute(
                    _UPSERT_FILE,
                    (
                        to_db(problem.path),
                        root_id,
                        size,
                        mtime_ns,
                        None,
                        "error",
                        problem.reason,
                        now,
                    ),
                )
            if added:
                self._bump_generation()
        return added

    def forget_files(self, paths: Iterable[str]) -> int:
        """Drop files that are gone from disk (their vectors go at the next GC)."""
        with self.transaction():
            count = 0
            for path in paths:
                count += self.db.execute(
                    "DELETE FROM files WHERE path = ?", (to_db(path),)
                ).rowcount
        return count

    def collect_garbage(self) -> list[int]:
        """Delete contents no file refers to any more; returns their index keys."""
        with self.transaction():
            keys = [
                r[0]
                for r in self.db.execute(
                    "SELECT key FROM contents WHERE hash NOT IN "
                    "(SELECT hash FROM files WHERE hash IS NOT NULL)"
                )
            ]
            if keys:
                self.db.executemany("DELETE FROM contents WHERE key = ?", [(k,) for k in keys])
                self._bump_generation()
        return keys

    def drop_vectors(self) -> None:
        """Forget every vector (the model changed); contents and files stay."""
        with self.transaction():
            self.db.execute("DELETE FROM vectors")
            self._bump_generation()

    # -- reads ------------------------------------------------------------------------------
    def vectors(self, dim: int, keys: Iterable[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Keys and float32 vectors, for all contents or the given keys."""
        rows: Iterable[tuple]
        if keys is None:
            rows = self.db.execute("SELECT key, vector FROM vectors")
        else:
            wanted = list(keys)
            rows = _chunked_in(
                self.db,
                "SELECT key, vector FROM vectors WHERE key IN ",
                wanted,
            )
        out_keys: list[int] = []
        blobs: list[bytes] = []
        for key, blob in rows:
            if blob is not None and len(blob) == dim * 2:
                out_keys.append(key)
                blobs.append(blob)
        if not out_keys:
            return np.zeros(0, np.uint64), np.zeros((0, dim), np.float32)
        vecs = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(-1, dim).astype(np.float32)
        return np.asarray(out_keys, np.uint64), vecs

    def keys_with_vectors(self) -> np.ndarray:
        """Every key that should be in the index."""
        rows = self.db.execute("SELECT key FROM vectors").fetchall()
        return np.asarray([r[0] for r in rows], dtype=np.uint64)

    def paths_for_keys(self, keys: Iterable[int]) -> dict[int, list[str]]:
        """Indexed files for each key (byte-identical copies share one key)."""
        out: dict[int, list[str]] = {}
        sql = (
            "SELECT c.key, f.path FROM contents c JOIN files f ON f.hash = c.hash "
            "WHERE f.state = 'ok' AND c.key IN "
        )
        for key, path in _chunked_in(self.db, sql, list(keys)):
            out.setdefault(key, []).append(from_db(path))
        for paths in out.values():
            paths.sort()
        return out

    def lookup(self, path: str) -> tuple[int, str] | None:
        """(key, hash) of an indexed file, or None."""
        row = self.db.execute(
            "SELECT c.key, c.hash FROM files f JOIN contents c ON c.hash = f.hash "
            "JOIN vectors v ON v.key = c.key WHERE f.path = ? AND f.state = 'ok'",
            (to_db(path),),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def lookup_hash(self, content_hash: str) -> int | None:
        """The key of a content that has a vector, or None."""
        row = self.db.execute(
            "SELECT c.key FROM contents c JOIN vectors v ON v.key = c.key WHERE c.hash = ?",
            (content_hash,),
        ).fetchone()
        return row[0] if row else None

    def photo_meta(self, key: int) -> PhotoMeta | None:
        """Metadata stored for a content key."""
        row = self.db.execute(
            "SELECT width, height, taken, orientation, camera, phash FROM contents WHERE key = ?",
            (key,),
        ).fetchone()
        return PhotoMeta(*row) if row else None

    def photo_info(self, path: str) -> tuple[int, int, PhotoMeta | None] | None:
        """(size, mtime_ns, metadata) of a catalogued file, or None."""
        row = self.db.execute(
            "SELECT f.size, f.mtime_ns, c.width, c.height, c.taken, c.orientation, c.camera, "
            "c.phash FROM files f LEFT JOIN contents c ON c.hash = f.hash WHERE f.path = ?",
            (to_db(path),),
        ).fetchone()
        if row is None:
            return None
        meta = PhotoMeta(*row[2:]) if row[2] is not None else None
        return row[0], row[1], meta

    def problems(self, limit: int | None = None) -> list[Problem]:
        """Files that could not be indexed, with their reasons."""
        sql = "SELECT path, error FROM files WHERE state = 'error' ORDER BY path"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [Problem(from_db(r[0]), r[1] or "unknown error") for r in self.db.execute(sql)]

    def counts(self, vectors: bool = True) -> dict[str, int]:
        """Photo and problem counts, plus the vector count unless `vectors` is False.

        Counting vectors walks the vector table (~20 ms at 100k photos): the app's periodic
        refresh on its GUI thread leaves it out.
        """
        photos = self.db.execute("SELECT COUNT(*) FROM files WHERE state = 'ok'").fetchone()[0]
        problems = self.db.execute("SELECT COUNT(*) FROM files WHERE state = 'error'").fetchone()[0]
        out = {"photos": photos, "problems": problems}
        if vectors:
            out["vectors"] = self.db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
        return out

    def root_counts(self) -> dict[int, int]:
        """Indexed photos per root id."""
        rows = self.db.execute(
            "SELECT root_id, COUNT(*) FROM files WHERE state = 'ok' GROUP BY root_id"
        )
        return {r[0]: r[1] for r in rows}

    def indexed_files(self) -> Iterator[IndexedFile]:
        """Every indexed file that has a vector, with its content key and metadata, by key."""
        rows = self.db.execute(
            "SELECT f.path, f.size, f.mtime_ns, c.key, c.hash, c.width, c.height, c.taken, "
            "c.orientation, c.camera, c.phash FROM files f JOIN contents c ON c.hash = f.hash "
            "JOIN vectors v ON v.key = c.key WHERE f.state = 'ok' ORDER BY c.key, f.path"
        )
        for r in rows:
            yield IndexedFile(from_db(r[0]), r[1], r[2], r[3], r[4], PhotoMeta(*r[5:]))

    # -- duplicate decisions ----------------------------------------------------------------
    DECISION_KINDS = ("not_duplicates", "keep_all")

    def add_decision(self, kind: str, members: Iterable[tuple[str, str]]) -> int:
        """Record a review decision over files given as (content hash, path); returns its id.

        Raises:
            ValueError: unknown kind, or fewer than two files.
        """
        if kind not in self.DECISION_KINDS:
            raise ValueError(f"unknown decision {kind!r}")
        unique = sorted({(h, p) for h, p in members})
        if len({p for _, p in unique}) < 2:
            raise ValueError("a decision needs at least two files")
        with self.transaction():
            cur = self.db.execute(
                "INSERT INTO decisions(kind, made_at) VALUES (?, ?)", (kind, time.time())
            )
            decision_id = int(cur.lastrowid or 0)
            self.db.executemany(
                "INSERT OR IGNORE INTO decision_members(decision_id, hash, path) VALUES (?, ?, ?)",
                [(decision_id, h, to_db(p)) for h, p in unique],
            )
        return decision_id

    def decisions(self) -> list[Decision]:
        """Every recorded decision, oldest first."""
        members: dict[int, list[tuple[str, str]]] = {}
        for d, h, p in self.db.execute(
            "SELECT decision_id, hash, path FROM decision_members ORDER BY decision_id, path"
        ):
            members.setdefault(d, []).append((h, from_db(p)))
        rows = self.db.execute("SELECT id, kind, made_at FROM decisions ORDER BY id")
        return [Decision(r[0], r[1], r[2], tuple(members.get(r[0], ()))) for r in rows]

    def remove_decision(self, decision_id: int) -> bool:
        """Forget a decision (undo in the review UI); True if it existed."""
        with self.transaction():
            cur = self.db.execute("DELETE FROM decisions WHERE id = ?", (decision_id,))
        return cur.rowcount > 0

    # -- transactions -----------------------------------------------------------------------
    def transaction(self) -> _Transaction:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any exception; nests as a no-op."""
        return _Transaction(self.db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.outer = False

    def __enter__(self) -> None:
        if not self.db.in_transaction:
            self.db.execute("BEGIN IMMEDIATE")
            self.outer = True

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if not self.outer:
            return
        if exc_type is None:
            try:
                self.db.execute("COMMIT")
            except BaseException:
                _rollback(self.db)
                raise
        else:
            _rollback(self.db)


def _rollback(db: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open, never hiding the error that caused it.

    SQLite rolls back by itself on some errors (a full disk): a second ROLLBACK would fail with
    "cannot rollback - no transaction is active" and mask the real cause.
    """
    if db.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")


def create_catalog(path: Path) -> None:
    """Create an empty catalogue of the current schema, atomically (built aside, then renamed).

    A crash, a full disk or a second process never leaves a half-made catalogue.

    Raises:
        DiskFullError: no space for it (nothing is left behind).
    """
    tmp = path.with_name(path.name + ".new")
    for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    try:
        db = sqlite3.connect(tmp, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            for script in _SCHEMA:
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        finally:
            db.close()
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        tmp.replace(path)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if is_disk_full(exc):
            raise DiskFullError(path.parent, 1 << 20) from None
        raise LibraryError(f"{path}: cannot create the catalogue ({exc})") from None


def _chunked_in(db: sqlite3.Connection, sql: str, values: list) -> Iterator[tuple]:
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        marks = ",".join("?" * len(chunk))
        yield from db.execute(f"{sql}({marks})", [int(v) for v in chunk])
