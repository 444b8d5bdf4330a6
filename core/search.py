"""Search by example ("photos like this image") and "more like this" for a library photo.

An image from outside the library is searched in its four 90° turns and each photo keeps its
best score: cameras and editors often store a photo sideways without an EXIF orientation tag,
and the embedding of a turned photo is far from the upright one (measured in `simili eval`'s
rotated-query line). Four embeddings of one query cost a few milliseconds.

Queries are base vectors; when albums were taught, `Library.search_nearest` projects them and
searches the taught index (core/taught_space.py), so an image from outside the library is
projected the same way as the library's photos.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from core.decode import READ_WHOLE_LIMIT, check_header, load_rgb, model_pixels
from core.errors import NotAnImageError, PhotoNotInLibraryError
from core.hashing import content_hash_bytes, content_hash_file
from core.library import Library
from core.paths import normalise
from core.pathtext import parse
from core.records import Match

if TYPE_CHECKING:
    from core.verify import Verifier

# Byte-identical copies share one vector; fetch a few extra neighbours so copies don't crowd out K.
OVERFETCH = 8
# Pillow transposes for 0°, 90°, 180° and 270° turns of a query.
TURNS: tuple[Image.Transpose | None, ...] = (
    None,
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_180,
    Image.Transpose.ROTATE_270,
)


def query_vectors(library: Library, image: str) -> np.ndarray:
    """Vectors of any image file, [k, dim]: its stored vector or its four turns embedded.

    The stored one (k = 1) when the content is indexed, else the embeddings of its four 90°
    turns (k = 4, upright first).

    Raises:
        NotAnImageError: missing, unreadable or not an image.
    """
    path = Path(image)
    if not path.is_file():
        reason = "is a folder, not an image" if path.is_dir() else "no such file"
        raise NotAnImageError(image, reason)
    try:
        if path.stat().st_size > READ_WHOLE_LIMIT:
            # Too big to hold: refuse a non-image from its header, then hash by streaming.
            check_header(path, image)
            source: Path | bytes = path
            content_hash = content_hash_file(path)
        else:
            source = path.read_bytes()  # read once: hashed here, decoded below if new
            content_hash = content_hash_bytes(source)
    except OSError as exc:
        raise NotAnImageError(image, f"cannot read ({exc.strerror or exc})") from None
    key = library.catalog.lookup_hash(content_hash)
    if key is not None:
        _, vectors = library.catalog.vectors(library.model.dim, [key])
        if len(vectors):
            return vectors[:1]
    size = library.model.size
    picture = load_rgb(source, max_side=size, label=image)
    turned = [picture if t is None else picture.transpose(t) for t in TURNS]
    return library.embedder.embed(np.stack([model_pixels(p, size) for p in turned]))


def query_vector(library: Library, image: str) -> np.ndarray:
    """The upright vector of any image file (see `query_vectors`).

    Raises:
        NotAnImageError: missing, unreadable or not an image.
    """
    return query_vectors(library, image)[0]


def nearest(
    library: Library, vector: np.ndarray, top: int, exclude: frozenset[str] = frozenset()
) -> list[Match]:
    """The `top` indexed files closest to a vector, or to any row of [k, dim] vectors.

    With several rows each file scores its best match. Best first; copies count separately.
    """
    rows = np.asarray(vector, dtype=np.float32).reshape(-1, library.model.dim)
    best: dict[int, float] = {}
    for row in rows:
        hits = library.search_nearest(row, top + OVERFETCH + len(exclude))
        for key, score in zip(hits.keys, hits.scores, strict=True):
            best[int(key)] = max(best.get(int(key), -2.0), float(score))
    ranked = sorted(best.items(), key=lambda item: -item[1])
    paths = library.catalog.paths_for_keys(key for key, _ in ranked)
    levels = library.model.levels
    matches: list[Match] = []
    for key, score in ranked:
        for path in paths.get(int(key), []):
            if path not in exclude:
                score = min(1.0, score)
                matches.append(Match(path, float(score), levels.of(score)))
        if len(matches) >= top:
            break
    return matches[:top]


def search(
    library: Library,
    image: str,
    top: int = 20,
    confirm: bool = True,
    verifier: Verifier | None = None,
) -> list[Match]:
    """Photos most like any image file, inside the library or not.

    With `confirm`, "same photo" is decided by the pair verifier (core/same_photo.py); an app
    passes one `verifier` for all its queries, so repeated queries reuse decodes and features.
    """
    found = nearest(library, query_vectors(library, image), top)
    return _confirmed(library, image, found, verifier) if confirm else found


def _confirmed(
    library: Library, image: str, found: list[Match], verifier: Verifier | None
) -> list[Match]:
    from core.same_photo import confirm_same, model_thresholds

    return confirm_same(image, found, model_thresholds(library), verifier)


def similar(
    library: Library,
    photo: str,
    top: int = 20,
    confirm: bool = True,
    verifier: Verifier | None = None,
) -> list[Match]:
    """'More like this' for a library photo; the photo itself is left out.

    With `confirm`, "same photo" is decided by the pair verifier (core/same_photo.py), with
    `verifier` reused as in `search`.

    Raises:
        PhotoNotInLibraryError: the file is not an indexed photo of this library.
    """
    path = normalise(photo)
    found = library.catalog.lookup(path)
    if found is None and parse(photo) != photo:  # a path as printed with \xHH escapes
        path = normalise(parse(photo))
        found = library.catalog.lookup(path)
    if found is None:
        if not Path(path).exists():
            raise PhotoNotInLibraryError(f"{photo}: no such file; check the path")
        raise PhotoNotInLibraryError(
            f"{photo}: not an indexed photo of this library; "
            "use `simili search` for other images, or `simili index` its folder"
        )
    _, vectors = library.catalog.vectors(library.model.dim, [found[0]])
    found = nearest(library, vectors[0], top, exclude=frozenset({path}))
    return _confirmed(library, path, found, verifier) if confirm else found
