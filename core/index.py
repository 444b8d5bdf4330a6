"""The USearch vector index on disk: atomic saves, fast reloads, and a record of what it holds.

The catalogue holds every vector too, so this file is a cache: `generation` says which catalogue
state it matches, and a stale or missing index is repaired from the catalogue, never trusted.

USearch trusts the bytes it loads (a damaged file can crash the process), so the record holds an
xxh3 checksum of the file, and nothing is loaded before it is verified. Readers hash the file in
full once per (size, mtime, ctime, inode) and remember that in a small sidecar; writers, which read
the whole file anyway, always verify it in full.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xxhash

from core.embedder import load_runtime
from core.errors import DiskFullError, LibraryError

load_runtime()  # must precede usearch: see load_runtime's docstring
from usearch.index import Index  # noqa: E402

# Chosen by benchmarks/findability_bench.py (README "Search you can trust"): the shipped model's
# vectors sit in a narrow cone where USearch's default graph leaves some nodes that no search
# reaches (13-40 of 1009 Oxford photos, depending on insertion order). Three things together make
# every photo findable: exact search while it is fast enough, a denser graph above that, and a
# repair pass that lists the nodes the graph still misses so every search also scans them.
EXPANSION_SEARCH = 256
EXPANSION_ADD = 128
CONNECTIVITY = 32
DTYPE = "f16"
# Below this many vectors a user's search scans them all (USearch's exact SIMD scan: p95 under
# 10 ms up to here on 2 cores); the graph serves larger libraries and bulk scans.
EXACT_BELOW = 50_000
# The repair pass searches each vector for itself at this expansion first, and only the misses
# again at EXPANSION_SEARCH; what is still missed becomes an orphan.
REPAIR_EXPANSION = 64
REPAIR_TOP = 4  # the vector's own key must be among these (ties with near-copies are fine)
# Re-check every vector once the index has grown by this share since the last full check
# (new nodes can prune the links that reached old ones); in between only new vectors are checked.
RECHECK_GROWTH = 0.25
# What the file's graph was built with; an index built otherwise is rebuilt from the catalogue.
GRAPH_FORMAT = 2
# Rebuild from the catalogue once removed entries exceed this share of the live ones.
TOMBSTONE_SHARE = 0.25
_CHUNK = 8 << 20


def file_checksum(path: Path) -> str:
    """xxh3-128 of a file, read in chunks (cost at 1M vectors: benchmarks/checksum_bench.py)."""
    digest = xxhash.xxh3_128()
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as f:
        while n := f.readinto(buffer):
            digest.update(view[:n])
    return digest.hexdigest()


def file_stamp(path: Path) -> list[int]:
    """What changes whenever the file is written or replaced: size, mtime, ctime and inode."""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


@dataclass(frozen=True, slots=True)
class GraphSettings:
    """How the index is built and searched (benchmarks sweep these; the app uses the defaults)."""

    connectivity: int = CONNECTIVITY
    expansion_add: int = EXPANSION_ADD
    expansion_search: int = EXPANSION_SEARCH
    exact_below: int = EXACT_BELOW
    repair: bool = True

    def record(self) -> dict[str, int]:
        """What a saved file must match to be reused (search-time settings are not in it)."""
        return {
            "format": GRAPH_FORMAT,
            "connectivity": self.connectivity,
            "expansion_add": self.expansion_add,
        }


@dataclass(frozen=True, slots=True)
class Hits:
    """Search results for one query: keys and cosine similarities, best first."""

    keys: np.ndarray
    scores: np.ndarray


class VectorIndex:
    """An HNSW index of unit vectors keyed by catalogue content keys."""

    def __init__(self, path: Path, dim: int, settings: GraphSettings | None = None) -> None:
        self.settings = settings or GraphSettings()
        self.path = path
        self.meta_path = path.with_suffix(".json")
        self.dim = dim
        self.verified_path = path.with_suffix(".verified")
        self.generation = -1
        self.tombstones = 0
        self._index = self._new()
        self.dirty = False
        self.view = False
        self.damage: str | None = None  # why the saved file was not used, if it was damaged
        self.outdated = False  # the saved file was built with other graph settings
        # Nodes the graph does not reach from their own vector: every search scans them too.
        self.orphans = np.zeros(0, np.uint64)
        self._orphan_vectors = np.zeros((0, dim), np.float32)
        self.checked = 0  # vectors at the last full repair pass
        self._unchecked: set[int] = set()  # keys added since the last repair pass

    def _new(self) -> Index:
        return Index(
            ndim=self.dim,
            metric="cos",
            dtype=DTYPE,
            connectivity=self.settings.connectivity,
            expansion_add=self.settings.expansion_add,
            expansion_search=self.settings.expansion_search,
        )

    @classmethod
    def open(
        cls, path: Path, dim: int, view: bool = False, settings: GraphSettings | None = None
    ) -> VectorIndex:
        """Load the saved index if it is intact and of this dimension; else start empty.

        `view` memory-maps the file (read-only, near-instant) for one-shot searches. A file that
        fails its checksum is never handed to USearch; `damage` says why, and the caller
        rebuilds from the catalogue.
        """
        self = cls(path, dim, settings)
        try:
            meta = json.loads(self.meta_path.read_text(encoding="utf-8"))
            if int(meta.get("dim", -1)) != dim or not path.is_file():
                return self
            if meta.get("graph") != self.settings.record():
                self.outdated = True  # an older graph: the caller rebuilds it from the catalogue
                return self
            self.damage = self._verify(meta, full=not view)
            if self.damage:
                return self
            index = self._new()
            if view:
                index.view(str(path))
            else:
                index.load(str(path))
            if index.ndim != dim:
                return self
            index.expansion_search = self.settings.expansion_search  # a search setting
            self._index = index
            self.generation = int(meta.get("generation", -1))
            self.tombstones = int(meta.get("tombstones", 0))
            self.checked = int(meta.get("checked", 0))
            self._set_orphans(np.asarray(meta.get("orphans", []), dtype=np.uint64))
            self.view = view
        except (OSError, ValueError, RuntimeError, AttributeError):
            return self  # unreadable: the caller rebuilds from the catalogue
        return self

    def _verify(self, meta: dict, full: bool) -> str | None:
        """None if the file is the one the record describes, else the damage found."""
        checksum = meta.get("checksum")
        if not isinstance(checksum, str):
            return "no checksum recorded"
        stamp = file_stamp(self.path)
        if stamp[0] != meta.get("bytes"):
            return f"size {stamp[0]} bytes, {meta.get('bytes')} recorded"
        if not full:
            with contextlib.suppress(OSError, ValueError):
                seen = json.loads(self.verified_path.read_text(encoding="utf-8"))
                if seen.get("checksum") == checksum and seen.get("stamp") == stamp:
                    return None
        if file_checksum(self.path) != checksum:
            return "checksum mismatch"
        self._remember(checksum, stamp)
        return None

    def _remember(self, checksum: str, stamp: list[int]) -> None:
        """Record that this exact file was verified (best effort: readers may lack space)."""
        tmp = self.verified_path.with_name(f"{self.verified_path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps({"checksum": checksum, "stamp": stamp}), encoding="utf-8")
            tmp.replace(self.verified_path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()

    def __len__(self) -> int:
        return len(self._index)

    @property
    def needs_rebuild(self) -> bool:
        """Too many removals have left dead weight in the graph."""
        return self.tombstones > max(1000, TOMBSTONE_SHARE * len(self._index))

    def stored_keys(self) -> np.ndarray:
        """Every key in the index."""
        if len(self._index) == 0:
            return np.zeros(0, np.uint64)
        return np.asarray(self._index.keys, dtype=np.uint64)

    def _writable(self) -> None:
        if self.view:
            # A memory-mapped index is read-only; copy it into memory before changing it.
            index = self._new()
            index.load(str(self.path))
            self._index = index
            self.view = False

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Add (or replace) vectors."""
        if len(keys) == 0:
            return
        self._writable()
        keys = np.asarray(keys, dtype=np.uint64)
        vectors = np.asarray(vectors, dtype=np.float32)
        if len(np.unique(keys)) != len(keys):
            # Byte-identical copies in one batch share a key; usearch refuses repeats.
            _, last = np.unique(keys[::-1], return_index=True)
            keep = np.sort(len(keys) - 1 - last)
            keys, vectors = keys[keep], vectors[keep]
        present = np.asarray(self._index.contains(keys), dtype=bool).reshape(-1)
        if present.any():
            self._index.remove(keys[present])
            self.tombstones += int(present.sum())
            self._drop_orphans(keys[present])
        self._index.add(keys, vectors, threads=0)
        self._unchecked.update(int(k) for k in keys)
        self.dirty = True

    def remove(self, keys: np.ndarray | list[int]) -> None:
        """Remove vectors whose photos are gone."""
        keys = np.asarray(keys, dtype=np.uint64)
        if len(keys) == 0 or len(self._index) == 0:
            return
        self._writable()
        present = np.asarray(self._index.contains(keys), dtype=bool).reshape(-1)
        if present.any():
            self._index.remove(keys[present])
            self.tombstones += int(present.sum())
            self._drop_orphans(keys[present])
            self._unchecked.difference_update(int(k) for k in keys[present])
            self.dirty = True

    def clear(self) -> None:
        """Drop everything (before a rebuild)."""
        self._index = self._new()
        self.view = False
        self.tombstones = 0
        self.checked = 0
        self._unchecked.clear()
        self._set_orphans(np.zeros(0, np.uint64))
        self.dirty = True

    # -- findability -------------------------------------------------------------------------
    def _set_orphans(self, keys: np.ndarray) -> None:
        keys = np.unique(np.asarray(keys, dtype=np.uint64))
        if len(keys):
            keys = keys[np.asarray(self._index.contains(keys), dtype=bool).reshape(-1)]
        self.orphans = keys
        if len(keys):
            got = np.asarray(self._index.get(keys, dtype=np.float32), np.float32)
            self._orphan_vectors = got.reshape(len(keys), self.dim)
        else:
            self._orphan_vectors = np.zeros((0, self.dim), np.float32)

    def _drop_orphans(self, keys: np.ndarray) -> None:
        if len(self.orphans):
            self._set_orphans(np.setdiff1d(self.orphans, keys))

    def repair(self, full: bool | None = None) -> int:
        """Find the nodes the graph does not reach from their own vector; return how many.

        Checks the vectors added since the last pass, or all of them (`full`; by default when
        the index has grown by RECHECK_GROWTH since the last full pass). Orphans are kept in
        the saved record and scanned exactly by every search, so no photo is ever unfindable.
        """
        self._writable()
        size = len(self._index)
        if full is None:
            full = size > (1 + RECHECK_GROWTH) * self.checked
        if full:
            keys = self.stored_keys()
            previous = np.zeros(0, np.uint64)
        else:
            keys = np.asarray(sorted(self._unchecked), dtype=np.uint64)
            if len(keys):
                keys = keys[np.asarray(self._index.contains(keys), dtype=bool).reshape(-1)]
            previous = self.orphans
        missed = [previous]
        for start in range(0, len(keys), 8192):
            batch = keys[start : start + 8192]
            vectors = np.asarray(self._index.get(batch, dtype=np.float32), np.float32)
            vectors = vectors.reshape(len(batch), self.dim)
            first = min(REPAIR_EXPANSION, self.settings.expansion_search)
            lost = batch[~self._finds_itself(batch, vectors, first)]
            if len(lost):  # a wider search first: only what it misses too is an orphan
                again = np.asarray(self._index.get(lost, dtype=np.float32), np.float32)
                again = again.reshape(len(lost), self.dim)
                lost = lost[~self._finds_itself(lost, again, self.settings.expansion_search)]
            missed.append(lost)
        self._set_orphans(np.concatenate(missed) if self.settings.repair else np.zeros(0))
        if full:
            self.checked = size
        self._unchecked.clear()
        self.dirty = True
        return len(self.orphans)

    def _finds_itself(self, keys: np.ndarray, vectors: np.ndarray, expansion: int) -> np.ndarray:
        previous = self._index.expansion_search
        self._index.expansion_search = max(expansion, REPAIR_TOP)
        try:
            found = self._index.search(vectors, REPAIR_TOP, threads=0)
        finally:
            self._index.expansion_search = previous
        return (np.atleast_2d(found.keys) == keys[:, None]).any(axis=1)

    def search(
        self, vectors: np.ndarray, count: int, exact: bool = False, expansion: int | None = None
    ) -> list[Hits]:
        """Nearest neighbours for each query row.

        A user's search (no `expansion`) scans every vector exactly below EXACT_BELOW. Above
        it, and for bulk scans, the graph answers and the orphans are scanned beside it.
        `expansion` overrides EXPANSION_SEARCH for this call: a bulk scan for very close
        neighbours (duplicates) needs far less than a user's top-k search.
        """
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim == 1:
            vectors = vectors[None]
        if len(self._index) == 0 or count <= 0:
            empty = Hits(np.zeros(0, np.uint64), np.zeros(0, np.float32))
            return [empty for _ in range(len(vectors))]
        count = min(count, len(self._index))
        exact = exact or (expansion is None and len(self._index) < self.settings.exact_below)
        if expansion is not None:
            previous = self._index.expansion_search
            self._index.expansion_search = max(expansion, count)
            try:
                found = self._index.search(vectors, count, exact=exact)
            finally:
                self._index.expansion_search = previous
        else:
            found = self._index.search(vectors, count, exact=exact)
        keys = np.atleast_2d(found.keys)
        distances = np.atleast_2d(found.distances)
        # A single query comes back as Matches (no `counts`), a batch as BatchMatches.
        counts = np.atleast_1d(np.asarray(getattr(found, "counts", keys.shape[1])))
        hits = [
            Hits(keys[i, : counts[i]].astype(np.uint64), 1.0 - distances[i, : counts[i]])
            for i in range(len(vectors))
        ]
        if exact or not len(self.orphans):
            return hits
        orphan_scores = vectors @ self._orphan_vectors.T  # [queries, orphans]
        return [_merge(h, self.orphans, orphan_scores[i], count) for i, h in enumerate(hits)]

    def save(self, generation: int) -> None:
        """Write the index and its record atomically (temp files + rename, record last).

        Raises:
            DiskFullError: no space for the new file (the old one and the catalogue are intact).
            LibraryError: the file could not be written for another reason.
        """
        self._writable()
        # Below EXACT_BELOW a user's search scans everything, so orphans are looked for only
        # once the graph serves searches (a full pass when the index first crosses it).
        size = len(self._index)
        if size >= self.settings.exact_below and (
            self._unchecked or size > (1 + RECHECK_GROWTH) * self.checked
        ):
            self.repair()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp_meta = self.meta_path.with_name(self.meta_path.name + ".tmp")
        try:
            self._index.save(str(tmp))
            _fsync(tmp)
            meta = {
                "generation": generation,
                "dim": self.dim,
                "count": len(self._index),
                "tombstones": self.tombstones,
                "dtype": DTYPE,
                "graph": self.settings.record(),
                "checked": self.checked,
                "orphans": [int(k) for k in self.orphans],
                "bytes": tmp.stat().st_size,
                "checksum": file_checksum(tmp),
            }
            tmp_meta.write_text(json.dumps(meta), encoding="utf-8")
            _fsync(tmp_meta)
        except (OSError, RuntimeError) as exc:
            for leftover in (tmp, tmp_meta):
                with contextlib.suppress(OSError):
                    leftover.unlink()
            raise write_error(self.path, exc, self._index.serialized_length) from None
        try:
            tmp.replace(self.path)
        except PermissionError:
            # Windows refuses to replace a file another process has mapped (a reader). The
            # catalogue holds every vector, so keep going; the next save tries again.
            with contextlib.suppress(OSError):
                tmp_meta.unlink()
            return
        tmp_meta.replace(self.meta_path)
        self._remember(meta["checksum"], file_stamp(self.path))
        self.generation = generation
        self.dirty = False

    def file_bytes(self) -> int:
        """Size of the saved index on disk."""
        with contextlib.suppress(OSError):
            return self.path.stat().st_size
        return 0


def _merge(hits: Hits, keys: np.ndarray, scores: np.ndarray, count: int) -> Hits:
    """The graph's hits and the orphans' exact scores, best first, each key once."""
    fresh = ~np.isin(keys, hits.keys)
    all_keys = np.concatenate([hits.keys, keys[fresh]])
    all_scores = np.concatenate([hits.scores, scores[fresh].astype(hits.scores.dtype)])
    order = np.argsort(-all_scores, kind="stable")[:count]
    return Hits(all_keys[order], all_scores[order])


def write_error(path: Path, exc: BaseException, needed: int) -> Exception:
    """The user-facing error for a failed write: disk full (with the space needed) or other.

    USearch reports a full disk only as "Failed to serialize into stream", so the free space
    decides.
    """
    full = isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
    with contextlib.suppress(OSError):
        full = full or shutil.disk_usage(path.parent).free < needed + (1 << 20)
    if full:
        return DiskFullError(path.parent, needed + (1 << 20))
    return LibraryError(f"{path}: cannot write the vector index ({exc})")


def _fsync(path: Path) -> None:
    with path.open("rb+") as f:
        os.fsync(f.fileno())
