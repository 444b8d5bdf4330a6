"""Album suggestions: which taught album a photo may belong in (only ever a suggestion).

A photo scores each album by the cosine to the album's centroid, in the taught space when a
projection is applied (else the base space). It is "unsure" when the best album leads the next
by less than the margin chosen at teaching time by cross-validation over the albums (the
smallest margin above which suggestions were right 90 % of the time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.albums import load_albums
from core.library import Library
from core.metric import album_scores
from core.search import query_vector


@dataclass(frozen=True, slots=True)
class AlbumScore:
    """One album and how well a photo fits it."""

    album: str
    score: float


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Albums for one photo, best first; `unsure` when the best barely leads."""

    albums: tuple[AlbumScore, ...]
    unsure: bool


def suggest_vector(library: Library, vector: np.ndarray, top: int = 3) -> Suggestion:
    """Albums for a base vector (empty when nothing was taught)."""
    albums = load_albums(library.folder, library.model.fingerprint)
    if albums is None:
        return Suggestion((), True)
    members = library.search_space(albums.vectors)
    query = library.search_space(vector)
    scores = album_scores(query, members, albums.labels, len(albums.names))[0]
    order = np.argsort(-scores, kind="stable")
    margin = float(scores[order[0]] - scores[order[1]]) if len(order) > 1 else 1.0
    ranked = tuple(AlbumScore(albums.names[i], float(scores[i])) for i in order[:top])
    return Suggestion(ranked, margin < albums.unsure_margin)


def suggest(library: Library, photo: str, top: int = 3) -> Suggestion:
    """Albums for any image file (its stored vector when indexed, else embedded upright).

    Raises:
        NotAnImageError: missing, unreadable or not an image.
    """
    return suggest_vector(library, query_vector(library, photo), top)
