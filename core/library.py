"""A library folder: its catalogue, vector index, model and the single-writer lock."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np

from core.backup import BACKUP_DIR, damage_error
from core.catalog import Catalog, create_catalog
from core.embedder import Embedder, ModelInfo, load_manifest
from core.errors import DiskFullError, LibraryError, LibraryLockedError
from core.integrity import is_disk_full
from core.paths import default_library_dir, default_model_manifest
from core.settings import SETTINGS_NAME, Settings

if TYPE_CHECKING:  # core.index loads onnxruntime and usearch: imported when first needed, so
    from core.index import Hits, VectorIndex  # opening a library (app start) stays quick
    from core.taught_space import TaughtSpace

CATALOG_NAME = "catalog.sqlite"
INDEX_NAME = "vectors.usearch"
LOCK_NAME = "writer.lock"
# A reader whose mapped index lacks more vectors than this re-maps the file the writer saved.
OVERLAY_LIMIT = 20_000
# What Simili itself may have left in a folder before its catalogue exists (a run that failed
# while creating it, the app's settings), or another process's catalogue that appeared a moment
# ago: such a folder is still a new library, not a stranger's.
_OWN_LEFTOVERS = frozenset(
    {LOCK_NAME, SETTINGS_NAME, CATALOG_NAME, CATALOG_NAME + ".new", CATALOG_NAME + ".new-journal"}
)
# Signs of a library whose catalogue has gone: never start a new one over them.
_LIBRARY_REMAINS = frozenset({BACKUP_DIR, INDEX_NAME, CATALOG_NAME + "-wal"})


class _WriterLock:
    """An OS file lock: released by the kernel even when the holder is killed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        try:
            f = self.path.open("a+", encoding="utf-8")
        except OSError as exc:
            if is_disk_full(exc):
                raise DiskFullError(self.path.parent, 1 << 20) from None
            raise LibraryError(f"{self.path}: cannot create the lock file ({exc})") from None
        try:
            if sys.platform == "win32":
                import msvcrt

                f.seek(0)
                msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.seek(0)
            holder = f.read().strip() or "another process"
            f.close()
            raise LibraryLockedError(
                f"{self.path.parent}: library is busy, being updated by Simili ({holder}); "
                "wait for it to finish or close it, or use another --library"
            ) from None
        # The kernel lock is what counts; the pid is only for the "busy" message, so a full
        # disk that refuses these bytes must not stop the run.
        with contextlib.suppress(OSError):
            f.seek(0)
            f.truncate()
            f.write(f"pid {os.getpid()}")
            f.flush()
        self._file = f

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class Library:
    """Opens a library for reading (search, status) or writing (index, watch).

    Only a writer holds the lock, migrates the catalogue and saves the index; readers repair a
    stale index in memory, so a search never waits for or disturbs an indexer.
    """

    def __init__(
        self,
        folder: Path | None = None,
        *,
        writer: bool = False,
        model: Path | None = None,
        device: str = "auto",
        threads: int = 0,
    ) -> None:
        self.folder = (folder or default_library_dir()).expanduser().absolute()
        self.writer = writer
        self.device = device
        self.threads = threads
        catalog_path = self.folder / CATALOG_NAME
        self._lock: _WriterLock | None = None
        self._index: VectorIndex | None = None
        self._embedder: Embedder | None = None
        self.settings: Settings | None = None  # the app's settings, when a caller loaded them
        self.index_damage: str | None = None  # why the saved index was rebuilt, if it was
        self._hidden: frozenset[int] = frozenset()
        self._extra_keys = np.zeros(0, np.uint64)
        self._extra_vectors = np.zeros((0, 1), np.float32)
        self._taught: TaughtSpace | None = None  # the taught search space (core/taught_space.py)
        self._taught_loaded = False
        if not catalog_path.is_file():
            self._check_new_folder(catalog_path)
        try:
            if writer:
                self._lock = _WriterLock(self.folder / LOCK_NAME)
                self._lock.acquire()
                if not catalog_path.is_file():  # still new now that this process holds the lock
                    create_catalog(catalog_path)
            self.catalog = Catalog(catalog_path, readonly=not writer)
            self.model: ModelInfo = load_manifest(model or default_model_manifest())
            self._check_model()
        except BaseException:
            self.close()
            raise

    def _check_new_folder(self, catalog_path: Path) -> None:
        """Refuse a folder that is not ours, or a library whose catalogue has gone missing."""
        try:
            entries = {p.name for p in self.folder.iterdir()} if self.folder.is_dir() else set()
        except OSError as exc:
            raise LibraryError(f"{self.folder}: cannot read the library folder ({exc})") from None
        if entries & _LIBRARY_REMAINS and CATALOG_NAME not in entries:
            raise damage_error(catalog_path, "the file is missing")
        if not self.writer:
            raise LibraryError(
                f"{self.folder}: no Simili library here yet; run `simili index FOLDER` first"
            )
        if entries - _OWN_LEFTOVERS:
            raise LibraryError(
                f"{self.folder}: folder is not empty and not a Simili library; "
                "choose an empty or new folder for --library"
            )
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if is_disk_full(exc):
                raise DiskFullError(self.folder, 1 << 20) from None
            raise LibraryError(f"{self.folder}: cannot create library ({exc})") from None

    def _check_model(self) -> None:
        stored = self.catalog.get_meta("model")
        fingerprint = self.model.fingerprint
        if stored == fingerprint:
            return
        if not self.writer:
            if stored is None:
                return
            raise LibraryError(
                f"{self.folder}: indexed with model {stored}, not {fingerprint}; "
                "run `simili index` to rebuild the vectors with this model"
            )
        if stored is not None:
            self.catalog.drop_vectors()  # the next index run re-embeds every photo
        with self.catalog.transaction():
            self.catalog.set_meta("model", fingerprint)
            self.catalog.set_meta("dim", str(self.model.dim))

    @property
    def embedder(self) -> Embedder:
        """The model session, loaded on first use (a search of indexed photos never needs it)."""
        if self._embedder is None:
            self._embedder = Embedder(self.model, self.device, self.threads)
        return self._embedder

    def reload_model(self, device: str | None = None) -> None:
        """Run the model on `device` from the next embedding on (the session is loaded lazily).

        Call it on the thread that uses this library, never from another while it may be
        embedding a batch: the session in use is simply dropped here.
        """
        if device is not None:
            self.device = device
        self._embedder = None

    @property
    def index(self) -> VectorIndex:
        """The vector index, loaded on first use and brought in line with the catalogue."""
        if self._index is None:
            path = self.folder / INDEX_NAME
            from core.index import VectorIndex

            index = VectorIndex.open(path, self.model.dim, view=not self.writer)
            # A damaged file was never loaded: a writer rebuilds and saves it from the catalogue
            # (sync_index), a reader searches the catalogue's vectors beside it (_overlay).
            self.index_damage = index.damage
            self._index = index
            self.sync_index()
        return self._index

    def sync_index(self) -> None:
        """Bring the index in line with the catalogue (after a crash, or while another writes).

        A writer repairs and saves the index. A reader never copies or changes the (memory-mapped)
        file: it keeps the few vectors the file lacks, and the keys it should no longer return,
        beside it, and `nearest` merges them in.
        """
        index = self._index
        if index is None:
            return
        generation = self.catalog.generation
        if index.generation == generation:
            return
        if not self.writer:
            self._overlay(generation)
            return
        if index.needs_rebuild:
            index.clear()
        wanted = self.catalog.keys_with_vectors()
        have = index.stored_keys()
        extra = np.setdiff1d(have, wanted, assume_unique=True)
        missing = np.setdiff1d(wanted, have, assume_unique=True)
        index.remove(extra)
        for start in range(0, len(missing), 4096):
            keys, vectors = self.catalog.vectors(self.model.dim, missing[start : start + 4096])
            index.add(keys, vectors)
        index.save(generation)

    def _overlay(self, generation: int) -> None:
        assert self._index is not None
        wanted = self.catalog.keys_with_vectors()
        missing = np.setdiff1d(wanted, self._index.stored_keys(), assume_unique=True)
        if len(missing) > OVERLAY_LIMIT:
            # Far behind: the writer has probably saved a newer file since; map that one instead.
            from core.index import VectorIndex

            self._index = VectorIndex.open(self.folder / INDEX_NAME, self.model.dim, view=True)
            missing = np.setdiff1d(wanted, self._index.stored_keys(), assume_unique=True)
        have = self._index.stored_keys()
        self._hidden = frozenset(int(k) for k in np.setdiff1d(have, wanted, assume_unique=True))
        self._extra_keys, self._extra_vectors = self.catalog.vectors(self.model.dim, missing)
        self._index.generation = generation

    @property
    def vector_count(self) -> int:
        """Vectors a search can return (the index plus a reader's overlay)."""
        index = self.index
        self.sync_index()
        return len(index) - len(self._hidden) + len(self._extra_keys)

    @property
    def index_lag(self) -> int:
        """Changes the saved index file lacks (0 once a writer has saved)."""
        self.sync_index()
        return len(self._hidden) + len(self._extra_keys)

    def nearest(self, vector: np.ndarray, count: int) -> Hits:
        """The `count` nearest contents to a unit vector, index and reader overlay merged."""
        index = self.index
        self.sync_index()
        hits = index.search(vector, count + len(self._hidden))[0]
        keys, scores = hits.keys, hits.scores
        if self._hidden:
            keep = np.asarray([int(k) not in self._hidden for k in keys], dtype=bool)
            keys, scores = keys[keep], scores[keep]
        if len(self._extra_keys):
            extra_scores = self._extra_vectors @ np.asarray(vector, np.float32).reshape(-1)
            keys = np.concatenate([keys, self._extra_keys])
            scores = np.concatenate([scores, extra_scores])
            order = np.argsort(-scores, kind="stable")
            keys, scores = keys[order], scores[order]
        from core.index import Hits

        return Hits(keys[:count], scores[:count])

    def save_index(self) -> None:
        """Persist the index if it changed (writers only)."""
        if self.writer and self._index is not None and self._index.dirty:
            self._index.save(self.catalog.generation)
        if self.writer and self._index is not None and self.taught is not None:
            self.taught.save()  # the taught index follows the base one (core/taught_space.py)

    @property
    def taught(self) -> TaughtSpace | None:
        """The space taught from albums, when a projection for this model is applied."""
        if not self._taught_loaded:
            from core.projection import load_projection
            from core.taught_space import TaughtSpace

            projection = load_projection(self.folder, self.model.fingerprint, self.model.dim)
            self._taught = None if projection is None else TaughtSpace(self, projection)
            self._taught_loaded = True
        return self._taught

    def forget_taught(self) -> None:
        """Reload the projection on next use (after `simili teach` applied or reset one)."""
        self._taught, self._taught_loaded = None, False

    def search_space(self, vectors: np.ndarray) -> np.ndarray:
        """Base vectors as compared by search and recommendations: projected when taught."""
        taught = self.taught
        rows = np.asarray(vectors, np.float32).reshape(-1, self.model.dim)
        return rows if taught is None else taught.project(rows)

    def search_nearest(self, vector: np.ndarray, count: int) -> Hits:
        """`nearest` in the search space: the taught index when there is one, else the base."""
        taught = self.taught
        return self.nearest(vector, count) if taught is None else taught.nearest(vector, count)

    def close(self) -> None:
        """Save what needs saving and release the lock."""
        with contextlib.suppress(Exception):
            self.save_index()
        if hasattr(self, "catalog"):
            self.catalog.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
