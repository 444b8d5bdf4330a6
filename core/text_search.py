"""Search by words: a query → scored photos, from the stored tags and the folder and file names.

Every term of the query must match a photo: through its tags (the summed probability of the
classes the word names: "dog" adds up all breeds) or through its folder or file name. A photo
scores its weakest term, so "dog beach" ranks photos sure of both first. The function takes a
query and returns scored photos like image search does, so a text–image model can replace the
tag lookup later without changing its callers.
"""

from __future__ import annotations

import os
import re

from core.filters import PhotoFilter, allowed_files
from core.library import Library
from core.paths import normalise
from core.records import Match
from core.tags import Tag, scores_for, tags_of
from core.words import Term, Vocabulary, load_vocabulary

# A term found only in a folder or file name: below a confident tag, above a doubtful one.
NAME_SCORE = 0.5
_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)


def _name_words(path: str, roots: list[str]) -> str:
    """The folder and file words below the photo's root, space-padded for whole-word matching."""
    for root in roots:
        if path.startswith(root.rstrip(os.sep) + os.sep):
            path = path[len(root.rstrip(os.sep)) + 1 :]
            break
    stem = os.path.splitext(path)[0]  # noqa: PTH122 - a stored path string, not a Path
    return " " + " ".join(_SEPARATORS.sub(" ", stem.lower()).split()) + " "


def _name_forms(term: Term) -> list[str]:
    """The term as it may appear in a name, with and without a plural s ("dogs" for "dog")."""
    forms = {term.text}
    if term.text.endswith("s"):
        forms.add(term.text[:-1])
    else:
        forms.add(term.text + "s")
    return [f" {form} " for form in forms]


def search_text(
    library: Library,
    query: str,
    top: int = 20,
    photo_filter: PhotoFilter | None = None,
    vocabulary: Vocabulary | None = None,
) -> list[Match]:
    """Photos matching every word of `query`, best first; scores are 0..1.

    Raises:
        ModelError: the word list is missing (a broken install).
    """
    return text_matches(library, query, photo_filter, vocabulary)[:top]


def text_matches(
    library: Library,
    query: str,
    photo_filter: PhotoFilter | None = None,
    vocabulary: Vocabulary | None = None,
) -> list[Match]:
    """Every photo matching every word of `query` (see `search_text`), best first."""
    vocab = vocabulary or load_vocabulary()
    terms = vocab.terms(query)
    if not terms:
        return []
    allowed = allowed_files(library, photo_filter or PhotoFilter())
    roots = sorted((r.path for r in library.catalog.roots()), key=len, reverse=True)
    names = {path: _name_words(path, roots) for path in allowed}
    total: dict[str, float] = {}
    for index, term in enumerate(terms):
        by_key = scores_for(library.catalog.db, term.classes) if term.classes else {}
        forms = _name_forms(term)
        candidates = allowed if index == 0 else total
        scored: dict[str, float] = {}
        for path in candidates:
            score = by_key.get(allowed[path], 0.0)
            if any(form in names[path] for form in forms):
                score = max(score, NAME_SCORE)
            if score > 0.0:
                scored[path] = score if index == 0 else min(total[path], score)
        total = scored
    ranked = sorted(total.items(), key=lambda item: (-item[1], item[0]))
    return [Match(path, round(score, 6)) for path, score in ranked]


def photo_tags(library: Library, path: str) -> list[tuple[str, Tag]] | None:
    """(class name, tag) of an indexed file, best first; None when the file is not indexed."""
    found = library.catalog.lookup(normalise(path))
    if found is None:
        return None
    names = load_vocabulary().classes
    return [(names[t.class_id], t) for t in tags_of(library.catalog.db, found[0])]


def find_photos(
    library: Library,
    *,
    text: str | None = None,
    image: str | None = None,
    photo_filter: PhotoFilter | None = None,
    top: int = 20,
) -> list[Match]:
    """One entry for every search: words, a picture, or both ("like this one, and a dog").

    With a picture, the photos are ranked by likeness among those the filter allows (and, with
    words, among those matching every word); with words alone, by their tag scores.

    Raises:
        NotAnImageError: the picture cannot be read.
        ValueError: neither words nor a picture.
    """
    from core.filters import filtered_nearest
    from core.search import query_vectors

    if image is None:
        if text is None:
            raise ValueError("give words, a picture, or both")
        return text_matches(library, text, photo_filter)[:top]
    vectors = query_vectors(library, image)
    allowed = allowed_files(library, photo_filter or PhotoFilter())
    if text is not None and text.strip():
        words = {m.path for m in text_matches(library, text, photo_filter)}
        allowed = {path: key for path, key in allowed.items() if path in words}
    return filtered_nearest(library, vectors, top, allowed)
