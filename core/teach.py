"""Teaching Simili your albums: learn, measure, apply when it helps, and undo.

Applying never touches the stored base vectors: it writes the projection (core/projection.py)
and builds the taught index from the catalogue's base vectors (no decoding); `reset` removes
both, and every teaching starts again from the base vectors.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from core.albums import read_albums, save_albums
from core.library import Library
from core.metric import choose_margin, cross_validate, learn_projection
from core.projection import remove_projection, remove_taught_indexes, save_projection
from core.records import Progress
from core.tasks import CancelToken, ProgressCallback

# Applied only when the cross-validated mAP gains at least this much (else noise decides).
MIN_GAIN = 0.005


@dataclass(frozen=True, slots=True)
class TeachResult:
    """What `simili teach` reports."""

    albums: int
    photos: int
    before: float
    after: float
    applied: bool
    seconds: float
    unsure_margin: float
    skipped: tuple[str, ...] = ()


def teach(
    library: Library,
    folder: Path,
    force: bool = False,
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback | None = None,
) -> TeachResult:
    """Learn a projection from the albums in `folder`; apply it if it helps (or `force`).

    The library must be opened as a writer. Not applied means the base space: an earlier
    projection is removed, so the albums and their "unsure" level match the space in use.

    Raises:
        SimiliError: the folder is missing or has fewer than 2 albums of 2 photos.
        Cancelled: `cancel` was set (nothing is changed).
    """
    started = time.perf_counter()
    albums = read_albums(library, folder, cancel, on_progress)
    if on_progress is not None:
        on_progress(Progress("teach: measuring (cross-validation)"))
    cv = cross_validate(albums.vectors, albums.labels)
    applied = force or cv.after >= cv.before + MIN_GAIN
    margins, correct = (
        (cv.margins, cv.correct) if applied else (cv.margins_before, cv.correct_before)
    )
    margin = choose_margin(margins, correct)
    if cancel is not None:
        cancel.raise_if_cancelled()
    matrix = learn_projection(albums.vectors, albums.labels)
    model = library.model.fingerprint
    if applied:
        projection = save_projection(
            library.folder, matrix, model, len(albums.names), len(albums.labels)
        )
        remove_taught_indexes(library.folder, keep=projection.id)
    else:
        remove_projection(library.folder)
    save_albums(library.folder, replace(albums, unsure_margin=margin), model)
    library.forget_taught()
    taught = library.taught
    if taught is not None:
        if on_progress is not None:
            on_progress(Progress("teach: building the taught index"))
        _ = taught.index  # builds from the stored base vectors and saves
    return TeachResult(
        len(albums.names),
        len(albums.labels),
        cv.before,
        cv.after,
        applied,
        time.perf_counter() - started,
        margin,
        albums.skipped,
    )


def reset(library: Library) -> bool:
    """Back to the base space: remove the projection and the taught index (albums stay)."""
    had = remove_projection(library.folder)
    library.forget_taught()
    return had
