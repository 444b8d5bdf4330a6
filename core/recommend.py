"""'For you': photos like the favourites, diverse, never a favourite or one of its copies.

Relevance is a candidate's best cosine to any favourite in the search space (the taught one when
albums were taught, see core/taught_space.py); the list is re-ranked by maximal marginal
relevance (MMR), so it is not twenty shots of one favourite. A favourite's own content is never
offered, nor anything in its edited-copies group, decided the way the duplicate finder decides
it, in base space: the cheap tests first (very high base cosine; a pHash that matches, also
under a turn or mirror, with the cosine the duplicate finder asks of such a pair), then the pair
verifier (core/verify.py) only for the candidates that reach the duplicate finder's candidate
floor and are about to be shown. It errs towards leaving a photo out: a pHash match alone is
enough here (the duplicate finder would verify it), since a missed look-alike costs less than
offering a copy of a favourite.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.candidates import hash_distance
from core.duplicates import thresholds_for
from core.favourites import Favourite, favourites
from core.library import Library

# MMR weight of relevance against novelty; 0.7 is the usual default (Carbonell & Goldstein), not
# tuned here: the issue asks for diversity, and there is no labelled "good recommendation" data.
MMR_LAMBDA = 0.7
POOL_PER_FAVOURITE = 60  # neighbours fetched per favourite before the re-rank
POOL_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A photo recommended because it is like the favourite `like`."""

    path: str
    score: float
    like: str


@dataclass(slots=True)
class RecommendStats:
    """What the copy check cost (benchmarks and the README report it)."""

    candidates: int = 0
    copies_cheap: int = 0
    verified: int = 0
    copies_verified: int = 0
    verify_seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)


class _CopyCheck:
    """Whether a candidate is in a favourite's edited-copies group (base space)."""

    def __init__(self, library: Library, favs: list[Favourite], vectors: np.ndarray) -> None:
        self.library = library
        self.t = thresholds_for(library.model)
        self.favs = favs
        self.vectors = vectors  # base vectors of the favourites
        self.hashes = [self._phash(f.key) for f in favs]
        self.verifier = None

    def _phash(self, key: int | None) -> int | None:
        meta = self.library.catalog.photo_meta(key) if key is not None else None
        return meta.phash if meta is not None else None

    def is_copy(self, key: int, vector: np.ndarray, path: str, stats: RecommendStats) -> bool:
        cosines = self.vectors @ vector
        if float(cosines.max(initial=-1.0)) >= self.t.pixel_cosine:
            stats.copies_cheap += 1
            return True
        phash = self._phash(key)
        to_verify: list[int] = []
        for i, fav_hash in enumerate(self.hashes):
            alike = (
                phash is not None
                and fav_hash is not None
                and hash_distance(fav_hash, phash) <= self.t.rotated_bits
            )
            if alike and cosines[i] >= self.t.rotated_cosine:
                stats.copies_cheap += 1  # the same picture, maybe turned or mirrored
                return True
            if cosines[i] >= self.t.candidate:
                to_verify.append(i)
        if not to_verify:
            return False
        from core.verify import Verifier

        if self.verifier is None:
            self.verifier = Verifier()
        started = time.perf_counter()
        try:
            for i in sorted(to_verify, key=lambda i: -cosines[i])[: self.t.verify_tries]:
                stats.verified += 1
                if self.verifier.verify(self.favs[i].path, path).strength >= self.t.loose:
                    stats.copies_verified += 1
                    return True
        finally:
            stats.verify_seconds += time.perf_counter() - started
        return False


def mmr_order(
    relevance: np.ndarray,
    space: np.ndarray,
    top: int,
    accept: Callable[[int], bool] = lambda _: True,
    weight: float = MMR_LAMBDA,
) -> list[int]:
    """Up to `top` row indices by maximal marginal relevance; `accept` may veto each pick.

    Each step takes the row with the best `weight * relevance - (1 - weight) * (its highest
    cosine to a row already taken)`; a vetoed row is dropped and never counts as taken.
    """
    alive = np.ones(len(relevance), bool)
    redundancy = np.zeros(len(relevance), np.float32)
    chosen: list[int] = []
    while len(chosen) < top and alive.any():
        score = weight * relevance - (1 - weight) * redundancy
        score[~alive] = -np.inf
        i = int(np.argmax(score))
        alive[i] = False
        if not accept(i):
            continue
        chosen.append(i)
        redundancy = np.maximum(redundancy, space @ space[i])
    return chosen


def recommend(
    library: Library, top: int = 20, stats: RecommendStats | None = None
) -> list[Recommendation]:
    """Up to `top` photos like the favourites, best and most varied first."""
    stats = stats if stats is not None else RecommendStats()
    catalog = library.catalog
    starred_favs = [f for f in favourites(catalog) if f.key is not None and f.paths]
    if not starred_favs:
        return []
    dim = library.model.dim
    fav_keys, fav_base = catalog.vectors(dim, [int(f.key or 0) for f in starred_favs])
    by_key = {int(f.key or 0): f for f in starred_favs}
    favs = [by_key[int(k)] for k in fav_keys]  # in the order of their vectors
    starred = set(by_key)
    pool = min(POOL_LIMIT, max(POOL_PER_FAVOURITE, 3 * top + len(favs)))
    relevance: dict[int, tuple[float, int]] = {}
    for i, vector in enumerate(fav_base):
        hits = library.search_nearest(vector, pool + len(starred))
        for key, score in zip(hits.keys, hits.scores, strict=True):
            k = int(key)
            if k in starred:
                continue
            if k not in relevance or score > relevance[k][0]:
                relevance[k] = (float(score), i)
    if not relevance:
        return []
    keys = list(relevance)
    stats.candidates = len(keys)
    cand_keys, base = catalog.vectors(dim, keys)
    rel = np.asarray([relevance[int(k)][0] for k in cand_keys], np.float32)
    space = library.search_space(base)
    paths = catalog.paths_for_keys(int(k) for k in cand_keys)
    checker = _CopyCheck(library, favs, fav_base)

    def accept(i: int) -> bool:
        files = paths.get(int(cand_keys[i]))
        return bool(files) and not checker.is_copy(int(cand_keys[i]), base[i], files[0], stats)

    out: list[Recommendation] = []
    for i in mmr_order(rel, space, top, accept):
        key = int(cand_keys[i])
        like = favs[relevance[key][1]].path
        out.append(Recommendation(paths[key][0], float(min(1.0, rel[i])), like))
    return out
