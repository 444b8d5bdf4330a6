"""Tags for photos indexed before the model had a class head: decode again, one model pass each.

Indexing tags new photos in the same pass as their vector. Photos that already have a vector
(a library from before tags, or tags from another class head) are tagged here, in batches that
each commit, so the work is resumable and cancellable; the vectors are not touched.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from core.decode import load_rgb, model_pixels
from core.errors import NotAnImageError
from core.library import Library
from core.pathtext import from_db
from core.records import Progress
from core.tags import count_untagged, reset_if_model_changed, top_tags, untagged, write_tags
from core.tasks import CancelToken, ProgressCallback

BATCH = 32


def prepare_tags(library: Library) -> bool:
    """Forget tags from another class head; False when the model has no class head."""
    fingerprint = library.model.tags_fingerprint
    if fingerprint is None:
        return False
    with library.catalog.transaction():
        reset_if_model_changed(library.catalog.db, fingerprint)
    return True


def tag_missing(
    library: Library,
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback | None = None,
    batch_size: int = BATCH,
) -> int:
    """Tag every photo that has a vector but no tags yet; returns how many were tagged.

    Costs one decode and one model pass per photo (about what indexing it cost, without the
    hashing). A photo that cannot be read any more is marked tagged with no tags.

    Raises:
        Cancelled: the token was set; finished batches are kept.
    """
    cancel = cancel or CancelToken()
    emit = on_progress or (lambda _p: None)
    if not prepare_tags(library):
        return 0
    db = library.catalog.db
    total = count_untagged(db)
    done = 0
    started = time.monotonic()
    size = library.model.size
    while total:
        cancel.raise_if_cancelled()
        batch = untagged(db, batch_size)
        if not batch:
            break
        keys, pixels, unreadable = [], [], []
        for key, stored in batch:
            try:
                image = load_rgb(Path(from_db(stored)), max_side=size)
            except (NotAnImageError, OSError):
                unreadable.append(key)
                continue
            keys.append(key)
            pixels.append(model_pixels(image, size))
        probs = library.embedder.embed_and_tag(np.stack(pixels))[1] if pixels else np.zeros((0, 0))
        with library.catalog.transaction():
            for key, row in zip(keys, probs if probs is not None else [], strict=False):
                write_tags(db, key, top_tags(row))
            for key in unreadable:
                write_tags(db, key, [])
        done += len(batch)
        elapsed = time.monotonic() - started
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else None
        emit(Progress("tagging", done, total, rate, eta, "tagging photos indexed before tags"))
    return done
