"""The taught search space: an HNSW index of projected vectors, kept beside the base index.

Which space each feature uses:
- **taught** (this index, when a projection is applied): `simili search`, `similar`,
  `recommend` (relevance and diversity) and `suggest`.
- **base** (`vectors.usearch`, never projected): duplicates and similar shots (their cosine
  floors and levels were chosen on base cosines), bursts, and every copy check.

Like the base index it is a cache of the catalogue: rebuilt from the stored base vectors when it
is missing or behind, never trusted beyond its generation. A reader never writes it: it keeps
what the file lacks beside it and searches that by brute force.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.projection import TAUGHT_PREFIX, Projection

if TYPE_CHECKING:
    from core.index import Hits, VectorIndex
    from core.library import Library


class TaughtSpace:
    """The projected index of one library for one projection."""

    def __init__(self, library: Library, projection: Projection) -> None:
        self.library = library
        self.projection = projection
        self.path = library.folder / f"{TAUGHT_PREFIX}{projection.id}.usearch"
        self._index: VectorIndex | None = None
        self._hidden: frozenset[int] = frozenset()
        self._extra_keys = np.zeros(0, np.uint64)
        self._extra_vectors = np.zeros((0, library.model.dim), np.float32)

    def project(self, vectors: np.ndarray) -> np.ndarray:
        """Base vectors into this space (unit rows)."""
        return self.projection.apply(vectors)

    @property
    def index(self) -> VectorIndex:
        """The projected index, loaded on first use and brought in line with the catalogue."""
        if self._index is None:
            from core.index import VectorIndex

            self._index = VectorIndex.open(
                self.path, self.library.model.dim, view=not self.library.writer
            )
        self.sync()
        return self._index

    def sync(self) -> None:
        """Add what the catalogue has and the index lacks (a writer saves; a reader overlays)."""
        index = self._index
        if index is None:
            return
        catalog = self.library.catalog
        generation = catalog.generation
        if index.generation == generation:
            return
        dim = self.library.model.dim
        wanted = catalog.keys_with_vectors()
        have = index.stored_keys()
        extra = np.setdiff1d(have, wanted, assume_unique=True)
        missing = np.setdiff1d(wanted, have, assume_unique=True)
        if not self.library.writer:
            self._hidden = frozenset(int(k) for k in extra)
            keys, vectors = catalog.vectors(dim, missing)
            self._extra_keys, self._extra_vectors = keys, self.project(vectors)
            index.generation = generation
            return
        if index.needs_rebuild:
            index.clear()
            missing = wanted
        index.remove(extra)
        for start in range(0, len(missing), 4096):
            keys, vectors = catalog.vectors(dim, missing[start : start + 4096])
            index.add(keys, self.project(vectors))
        index.save(generation)

    def nearest(self, vector: np.ndarray, count: int) -> Hits:
        """The `count` nearest contents to a base vector, compared in the taught space."""
        from core.index import Hits

        query = self.project(vector)[0]
        index = self.index
        hits = index.search(query, count + len(self._hidden))[0]
        keys, scores = hits.keys, hits.scores
        if self._hidden:
            keep = np.asarray([int(k) not in self._hidden for k in keys], dtype=bool)
            keys, scores = keys[keep], scores[keep]
        if len(self._extra_keys):
            keys = np.concatenate([keys, self._extra_keys])
            scores = np.concatenate([scores, self._extra_vectors @ query])
            order = np.argsort(-scores, kind="stable")
            keys, scores = keys[order], scores[order]
        return Hits(keys[:count], scores[:count])

    def save(self) -> None:
        """Bring the projected index in line with the catalogue and persist it (writers only).

        Called with each save of the base index, so readers find few vectors missing.
        """
        if self.library.writer:
            index = self.index  # loads and syncs; sync saves what it added
            if index.dirty:
                index.save(self.library.catalog.generation)
