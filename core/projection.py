"""The personal projection taught from albums: a matrix on disk beside the catalogue.

Stored vectors are never changed: the catalogue keeps the base vectors, and the projection (a
square matrix, `projection.npy`, plus `projection.json` with its checksum and the fingerprint of
the model it belongs to) maps them into the taught space. The JSON record is written last, so a
crash leaves either the old projection or the new one. A projection made for another model is
ignored: teaching again is needed after a model change.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xxhash

PROJECTION_NAME = "projection.npy"
PROJECTION_META = "projection.json"
TAUGHT_PREFIX = "taught-"  # the taught index files: taught-<id>.usearch (+ .json, .verified)


@dataclass(frozen=True, slots=True)
class Projection:
    """A linear map of base vectors into the taught space (rows: output dimensions)."""

    matrix: np.ndarray
    model: str
    id: str
    albums: int
    photos: int
    created: float

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        """Projected unit vectors, [n, dim] (a single vector gives [1, dim])."""
        return project(self.matrix, vectors)


def project(matrix: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Rows of `vectors` mapped by `matrix` and scaled back to unit length."""
    x = np.asarray(vectors, np.float32).reshape(-1, matrix.shape[1]) @ matrix.T
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32)


def checksum_of(data: bytes) -> str:
    """xxh3-128 of bytes, recorded beside each file so a torn or changed file is ignored."""
    return xxhash.xxh3_128_hexdigest(data)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file through a temporary one, synced and renamed: never half-written."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def save_projection(
    folder: Path, matrix: np.ndarray, model: str, albums: int, photos: int
) -> Projection:
    """Write a projection atomically (matrix first, the record that names it last)."""
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(matrix, np.float32), allow_pickle=False)
    data = buffer.getvalue()
    checksum = checksum_of(data)
    created = time.time()
    write_atomic(folder / PROJECTION_NAME, data)
    record = {
        "model": model,
        "id": checksum[:16],
        "checksum": checksum,
        "albums": albums,
        "photos": photos,
        "created": created,
        "dim": int(matrix.shape[1]),
    }
    write_atomic(folder / PROJECTION_META, json.dumps(record, indent=1).encode("utf-8"))
    return Projection(np.asarray(matrix, np.float32), model, checksum[:16], albums, photos, created)


def load_projection(folder: Path, model: str, dim: int) -> Projection | None:
    """The applied projection for this model, or None (none taught, other model, damaged)."""
    try:
        record = json.loads((folder / PROJECTION_META).read_text(encoding="utf-8"))
        data = (folder / PROJECTION_NAME).read_bytes()
    except (OSError, ValueError):
        return None
    if record.get("model") != model or record.get("checksum") != checksum_of(data):
        return None
    try:
        matrix = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError:
        return None
    if matrix.ndim != 2 or matrix.shape[1] != dim:
        return None
    return Projection(
        matrix.astype(np.float32),
        model,
        str(record["id"]),
        int(record.get("albums", 0)),
        int(record.get("photos", 0)),
        float(record.get("created", 0.0)),
    )


def remove_projection(folder: Path) -> bool:
    """Forget the projection and every taught index file; True if there was a projection."""
    had = (folder / PROJECTION_META).exists()
    for path in (folder / PROJECTION_META, folder / PROJECTION_NAME):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    remove_taught_indexes(folder)
    return had


def remove_taught_indexes(folder: Path, keep: str | None = None) -> None:
    """Delete taught index files, except those of projection `keep`."""
    for path in folder.glob(TAUGHT_PREFIX + "*"):
        if keep is not None and path.name.startswith(f"{TAUGHT_PREFIX}{keep}."):
            continue
        with contextlib.suppress(OSError):
            path.unlink()
