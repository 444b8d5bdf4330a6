"""Where an image query's "Same photo" is decided: by the pair verifier, not by a score alone.

A cosine score cannot tell an edited copy from a burst frame or the next frame of a video (on
the dupset holdout, a "same" cut-off on the score alone reached precision 0.39): both score
above 0.9. So the first few results of an image query that look alike enough to be copies are
checked the way the duplicate finder confirms a pair (`core.verify`: local features under an
edit's transform, then the aligned pixels) at its strict bar. A confirmed result is "same"
whatever its score (a crop or a tilted copy scores lower than a burst frame), an unconfirmed
one is at most "similar". The two features therefore agree: a result reads "Same photo"
exactly when the duplicate finder would call the pair edited copies.

Bounded work: at most CONFIRM_TOP results per query, only those scoring at least the
duplicate finder's candidate floor; each check costs tens of milliseconds on a CPU.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from core.duplicates import Thresholds, thresholds_for
from core.levels import SAME, SIMILAR
from core.records import Match
from core.verify import Verifier

CONFIRM_TOP = 8  # results of one query the verifier looks at, best scores first
WORKERS = min(4, os.cpu_count() or 1)
# Decodes and features an app keeps between queries (about 1-2 MB each): enough for a few
# "More like this" clicks in a row, far below the duplicate scan's cache.
QUERY_CACHE = 32


def query_verifier() -> Verifier:
    """One verifier for an app's image queries, kept between them (see QUERY_CACHE)."""
    return Verifier(cache=QUERY_CACHE)


def confirm_same(
    query: str,
    matches: Sequence[Match],
    thresholds: Thresholds | None = None,
    verifier: Verifier | None = None,
    top: int = CONFIRM_TOP,
) -> list[Match]:
    """The matches with "same" decided by the verifier, the confirmed ones first.

    Args:
        query: the query image file (inside the library or not).
        matches: best first, with their score levels.
        thresholds: the duplicate finder's (the model's when None: defaults).
        verifier: reused between queries to keep its cache of decodes and features.
        top: how many of the best matches are checked.

    Returns:
        The same matches, the confirmed ones first: "same" only if confirmed, else at most
        "similar" (a result beyond the checks included).
    """
    if not matches or not Path(query).is_file():
        return list(matches)
    t = thresholds or Thresholds()
    verifier = verifier or Verifier()
    # Byte-identical copies share one vector, hence one score: one check serves them all.
    first: dict[float, str] = {}
    for m in matches:
        if m.level and m.score >= t.candidate and m.score not in first and len(first) < top:
            first[m.score] = m.path
    # The checks run side by side (OpenCV works single-threaded per check, see core.verify).
    with ThreadPoolExecutor(min(WORKERS, max(1, len(first))), "simili-same") as pool:
        strengths = pool.map(lambda path: verifier.verify(query, path).strength, first.values())
        by_score = {score: s >= t.strict for score, s in zip(first, strengths, strict=True)}
    out: list[Match] = []
    for m in matches:
        if m.level and m.score in by_score:
            if by_score[m.score]:
                m = replace(m, level=SAME)
            elif m.level == SAME:
                m = replace(m, level=SIMILAR)
        elif m.level == SAME:
            m = replace(m, level=SIMILAR)  # beyond the checks, a score alone is no proof
        out.append(m)
    return sorted(out, key=lambda m: m.level != SAME)  # stable: scores keep their order


def model_thresholds(library: object) -> Thresholds:
    """The duplicate finder's thresholds for this library's model."""
    return thresholds_for(getattr(library, "model", None))
