"""Search by example ("photos like this image") and "more like this" for a library photo."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.decode import load_rgb, model_pixels
from core.errors import NotAnImageError, PhotoNotInLibraryError
from core.hashing import content_hash_bytes
from core.library import Library
from core.records import Match
from core.scanner import normalise

# Byte-identical copies share one vector; fetch a few extra neighbours so copies don't crowd out K.
OVERFETCH = 8


def query_vector(library: Library, image: str) -> np.ndarray:
    """The vector of any image file: the stored one when its content is indexed, else embedded.

    Raises:
        NotAnImageError: missing, unreadable or not an image.
    """
    path = Path(image)
    if not path.is_file():
        reason = "is a folder, not an image" if path.is_dir() else "no such file"
        raise NotAnImageError(image, reason)
    try:
        data = path.read_bytes()  # read once: hashed here, decoded below if new
    except OSError as exc:
        raise NotAnImageError(image, f"cannot read ({exc.strerror or exc})") from None
    key = library.catalog.lookup_hash(content_hash_bytes(data))
    if key is not None:
        _, vectors = library.catalog.vectors(library.model.dim, [key])
        if len(vectors):
            return vectors[0]
    size = library.model.size
    pixels = model_pixels(load_rgb(data, max_side=size, label=image), size)
    return library.embedder.embed(pixels)[0]


def nearest(
    library: Library, vector: np.ndarray, top: int, exclude: frozenset[str] = frozenset()
) -> list[Match]:
    """The `top` indexed files closest to a vector, best first; copies count separately."""
    hits = library.nearest(vector, top + OVERFETCH + len(exclude))
    paths = library.catalog.paths_for_keys(int(k) for k in hits.keys)
    matches: list[Match] = []
    for key, score in zip(hits.keys, hits.scores, strict=True):
        for path in paths.get(int(key), []):
            if path not in exclude:
                matches.append(Match(path, float(min(1.0, score))))
        if len(matches) >= top:
            break
    return matches[:top]


def search(library: Library, image: str, top: int = 20) -> list[Match]:
    """Photos most like any image file, inside the library or not."""
    return nearest(library, query_vector(library, image), top)


def similar(library: Library, photo: str, top: int = 20) -> list[Match]:
    """'More like this' for a library photo; the photo itself is left out.

    Raises:
        PhotoNotInLibraryError: the file is not an indexed photo of this library.
    """
    path = normalise(photo)
    found = library.catalog.lookup(path)
    if found is None:
        raise PhotoNotInLibraryError(
            f"{photo}: not an indexed photo of this library; "
            "use `simili search` for other images, or `simili index` its folder"
        )
    _, vectors = library.catalog.vectors(library.model.dim, [found[0]])
    return nearest(library, vectors[0], top, exclude=frozenset({path}))
