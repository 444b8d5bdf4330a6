"""Candidate pairs for the duplicate scan: which photos are worth verifying against which.

Nothing here decides that two photos are duplicates (that is `core.verify`); this module only
keeps the scan bounded: each photo's nearest neighbours in the vector index (k per photo, no
all-pairs matrix), and a multi-index lookup of perceptual hashes under the turns and mirrors an
edit can make (turned and mirrored copies rarely rank among a photo's nearest neighbours).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from core.records import Progress
from core.tasks import CancelToken, ProgressCallback

if TYPE_CHECKING:
    from core.library import Library

SEARCH_CHUNK = 2048
# HNSW effort of the neighbour scan: duplicates are very close neighbours, found at a fraction
# of the effort a user's top-k search needs (benchmarks/duplicates_bench.py).
SCAN_EXPANSION = 64
_MAX_BUCKET = 4096  # pHash buckets larger than this are degenerate (blank photos): skipped
Pair = tuple[int, int]


# -- perceptual hashes ---------------------------------------------------------------------------
def _hash_bits(hashes: np.ndarray) -> np.ndarray:
    """[N] signed 64-bit pHashes → [N, 8, 8] bits (row-major DCT coefficients, as computed)."""
    raw = np.asarray(hashes, dtype=np.int64).astype(">u8").view(np.uint8).reshape(-1, 8)
    return np.unpackbits(raw, axis=1).reshape(-1, 8, 8)


def _pack_bits(bits: np.ndarray) -> np.ndarray:
    return np.packbits(bits.reshape(-1, 64), axis=1).view(">u8").reshape(-1).astype(np.uint64)


_ODD = np.arange(8) % 2 == 1


def _turn(bits: np.ndarray) -> np.ndarray:
    """The DCT bits of each photo turned a quarter clockwise: transpose, negate odd rows."""
    turned = bits.transpose(0, 2, 1)
    return np.where(np.broadcast_to(_ODD[:, None], (8, 8)), 1 - turned, turned)


def _mirror(bits: np.ndarray) -> np.ndarray:
    """The DCT bits of each photo mirrored left-right: odd horizontal frequencies negate."""
    return np.where(np.broadcast_to(_ODD[None, :], (8, 8)), 1 - bits, bits)


def turned_hashes(hashes: np.ndarray, mirrored: bool = False) -> list[np.ndarray]:
    """The pHashes of each photo turned by 90°, 180°, 270° (and, if asked, mirrored), derived.

    With `mirrored`, the mirror image in each of the four turns follows the three turns. A
    quarter turn transposes the DCT and negates its odd rows; a mirror negates its odd columns.
    Negating a coefficient flips its bit, because the hash compares coefficients with
    their median, which is close to 0. The DC bit stays. Exact enough that a turned or mirrored
    copy lands within a few bits.
    """
    bits = _hash_bits(hashes)
    dc = bits[:, 0, 0].copy()
    out = []
    starts = [bits, _mirror(bits)] if mirrored else [bits]
    for n, start in enumerate(starts):
        current = start
        for turn in range(4):
            if n == 0 and turn == 0:
                current = _turn(current)
                continue
            variant = current.copy()
            variant[:, 0, 0] = dc
            out.append(_pack_bits(variant))
            current = _turn(current)
    return out


def _popcount(x: np.ndarray) -> np.ndarray:
    return np.bitwise_count(x) if hasattr(np, "bitwise_count") else _popcount_slow(x)


def _popcount_slow(x: np.ndarray) -> np.ndarray:  # numpy < 2
    x = np.asarray(x, np.uint64)
    table = np.array([bin(i).count("1") for i in range(256)], np.uint8)
    return table[x.view(np.uint8).reshape(-1, 8)].sum(axis=1, dtype=np.uint8)


def turned_hash_pairs(
    hashes: np.ndarray, max_bits: int, turned: bool = True, mirrored: bool = False
) -> np.ndarray:
    """Pairs (i < j) whose pHashes match (after a turn or mirror of one of them, if asked).

    A multi-index lookup instead of all pairs: the 64 bits are split into four 16-bit words and a
    pair is looked at when one word of the variant hash is within one bit of the other's; every
    pair within 7 bits is found (pigeonhole), most within 8-10.
    """
    plain = np.asarray(hashes, dtype=np.int64).astype(np.uint64)
    n = len(plain)
    if n < 2:
        return np.zeros((0, 2), np.int64)
    probes = np.array([0] + [1 << b for b in range(16)], np.uint64)
    found: list[np.ndarray] = []
    tables = []
    for word in range(4):
        values = (plain >> np.uint64(16 * word)) & np.uint64(0xFFFF)
        order = np.argsort(values, kind="stable")
        tables.append((values[order], order))
    variants = turned_hashes(hashes, mirrored) if turned or mirrored else [plain]
    if not turned:  # mirrors only: the first three variants are the plain turns
        variants = [plain, *variants[3:]] if mirrored else [plain]
    for query_hashes in variants:
        for word, (sorted_values, order) in enumerate(tables):
            query = (query_hashes >> np.uint64(16 * word)) & np.uint64(0xFFFF)
            for probe in probes:
                q = query ^ probe
                lo = np.searchsorted(sorted_values, q, side="left")
                hi = np.searchsorted(sorted_values, q, side="right")
                counts = hi - lo
                counts[counts > _MAX_BUCKET] = 0
                total = int(counts.sum())
                if total == 0:
                    continue
                rows = np.repeat(np.arange(n), counts)
                starts = np.repeat(lo - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
                cols = order[np.arange(total) + starts]
                keep = (rows != cols) & (_popcount(query_hashes[rows] ^ plain[cols]) <= max_bits)
                if keep.any():
                    found.append(np.stack([rows[keep], cols[keep]], axis=1))
    if not found:
        return np.zeros((0, 2), np.int64)
    pairs = np.sort(np.concatenate(found), axis=1)
    return np.unique(pairs, axis=0)


def hash_distance(a: int, b: int) -> int:
    """PHash bits that differ, the plain way or after turning or mirroring one photo."""
    x = np.asarray([a], np.int64)
    other = np.uint64(np.int64(b).astype(np.uint64))
    candidates = [x.astype(np.uint64)[0], *(t[0] for t in turned_hashes(x, mirrored=True))]
    return min(int(_popcount(np.asarray([c ^ other], np.uint64))[0]) for c in candidates)


# -- vectors -------------------------------------------------------------------------------------
class VectorStore:
    """Vectors of the photos that take part in candidate pairs (float16, fetched in chunks)."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.rows: dict[int, np.ndarray] = {}

    def keep(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Hold these vectors (already at hand, e.g. from the neighbour scan)."""
        for k, v in zip(keys, vectors, strict=True):
            self.rows[int(k)] = v.astype(np.float16)

    def fetch(self, keys: Iterable[int]) -> None:
        """Read the vectors of these keys that are not held yet, in chunks."""
        missing = sorted({int(k) for k in keys} - self.rows.keys())
        for start in range(0, len(missing), 4096):
            k, v = self.library.catalog.vectors(
                self.library.model.dim, missing[start : start + 4096]
            )
            self.keep(k, v)

    def cosine(self, a: int, b: int) -> float:
        """Cosine similarity of two content keys (0 when one has no vector)."""
        if a == b:
            return 1.0
        if a not in self.rows or b not in self.rows:
            self.fetch([a, b])
        x, y = self.rows.get(a), self.rows.get(b)
        if x is None or y is None:
            return 0.0
        return float(np.dot(x.astype(np.float32), y.astype(np.float32)))


def neighbour_pairs(
    library: Library,
    keys: np.ndarray,
    neighbours: int,
    floor: float,
    store: VectorStore,
    cancel: CancelToken | None,
    on_progress: ProgressCallback | None,
) -> dict[Pair, float]:
    """Candidate key pairs (a < b) from each photo's k nearest neighbours, with their cosine."""
    pairs: dict[Pair, float] = {}
    dim = library.model.dim
    batch_search = library.index_lag == 0
    total = len(keys)
    for start in range(0, total, SEARCH_CHUNK):
        if cancel is not None:
            cancel.raise_if_cancelled()
        chunk_keys, vectors = library.catalog.vectors(dim, keys[start : start + SEARCH_CHUNK])
        if batch_search:
            hits = library.index.search(vectors, neighbours + 1, expansion=SCAN_EXPANSION)
        else:
            hits = [library.nearest(v, neighbours + 1) for v in vectors]
        for key, vector, hit in zip(chunk_keys, vectors, hits, strict=True):
            a = int(key)
            good = hit.scores >= floor
            kept = False
            for b, score in zip(hit.keys[good], hit.scores[good], strict=True):
                b = int(b)
                if b == a:
                    continue
                pair = (a, b) if a < b else (b, a)
                pairs[pair] = max(pairs.get(pair, -1.0), float(score))
                kept = True
            if kept:
                store.keep(np.asarray([a]), vector[None])
        if on_progress is not None:
            done = min(start + SEARCH_CHUNK, total)
            on_progress(Progress("duplicates: comparing photos", done, total))
    return pairs


def hash_pairs(
    hashed: dict[int, int],
    max_bits: int,
    floor: float,
    store: VectorStore,
    known: dict[Pair, float],
) -> dict[Pair, float]:
    """Key pairs whose pHashes match after a turn or a mirror, with their cosine.

    Only pairs not yet in `known` whose cosine reaches `floor` are returned.
    """
    keys = list(hashed)
    if len(keys) < 2:
        return {}
    hashes = np.asarray([hashed[k] for k in keys], np.int64)
    found = turned_hash_pairs(hashes, max_bits, mirrored=True)
    new = [
        (min(keys[i], keys[j]), max(keys[i], keys[j]))
        for i, j in found.tolist()
        if (min(keys[i], keys[j]), max(keys[i], keys[j])) not in known
    ]
    store.fetch(k for pair in new for k in pair)
    out: dict[Pair, float] = {}
    for a, b in new:
        score = store.cosine(a, b)
        if score >= floor:
            out[(a, b)] = score
    return out
