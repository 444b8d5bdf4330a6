"""Albums: reading an albums folder into labelled base vectors, and the taught album set.

An album is a subfolder of ALBUMS_DIR with at least 2 photos (its photos may sit in deeper
folders). A photo already in the library is looked up by content and its stored vector used;
any other is decoded and embedded once (upright). The taught set (`albums.npy`, base vectors as
float16, and `albums.json`, names and labels, written last) lets `suggest` work without the
albums folder, and without the photos being in the library.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.decode import load_rgb, model_pixels
from core.errors import NotAnImageError, SimiliError
from core.formats import is_photo_name
from core.hashing import content_hash_file
from core.library import Library
from core.projection import checksum_of, write_atomic
from core.records import Progress
from core.tasks import CancelToken, ProgressCallback

ALBUMS_NAME = "albums.npy"
ALBUMS_META = "albums.json"
MIN_PHOTOS = 2
_BATCH = 32


@dataclass(frozen=True, slots=True)
class AlbumSet:
    """Album names and their photos' base vectors; `labels[i]` indexes `names`."""

    names: tuple[str, ...]
    vectors: np.ndarray
    labels: np.ndarray
    hashes: tuple[str, ...]
    unsure_margin: float = 0.0
    skipped: tuple[str, ...] = ()


def album_files(folder: Path) -> dict[str, list[Path]]:
    """Photo files per album (direct subfolder), sorted; albums with < 2 photos are left out.

    Raises:
        SimiliError: the folder is missing or unreadable.
    """
    if not folder.is_dir():
        raise SimiliError(f"{folder}: no such folder; give a folder with one subfolder per album")
    out: dict[str, list[Path]] = {}
    try:
        subfolders = sorted(p for p in folder.iterdir() if p.is_dir())
    except OSError as exc:
        raise SimiliError(f"{folder}: cannot read the folder ({exc})") from None
    for sub in subfolders:
        files: list[Path] = []
        for root, dirs, names in os.walk(sub):
            dirs.sort()
            files.extend(Path(root) / n for n in sorted(names) if is_photo_name(n))
        if len(files) >= MIN_PHOTOS:
            out[sub.name] = files
    return out


def read_albums(
    library: Library,
    folder: Path,
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback | None = None,
) -> AlbumSet:
    """Base vectors of every album photo: stored ones by content, the others embedded.

    Unreadable files are skipped (listed in `skipped`); a byte-identical photo in two albums
    counts in both.

    Raises:
        SimiliError: fewer than 2 albums with at least 2 readable photos.
    """
    albums = album_files(folder)
    total = sum(len(v) for v in albums.values())
    dim = library.model.dim
    rows: list[tuple[int, str, np.ndarray | None]] = []
    pending: list[tuple[int, np.ndarray]] = []  # (row, pixels) to embed
    skipped: list[str] = []
    done = 0
    for label, (_, files) in enumerate(albums.items()):
        for path in files:
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                content_hash = content_hash_file(path)
                key = library.catalog.lookup_hash(content_hash)
                vector = None
                if key is not None:
                    _, stored = library.catalog.vectors(dim, [key])
                    vector = stored[0] if len(stored) else None
                if vector is None:
                    picture = load_rgb(path, max_side=library.model.size, label=str(path))
                    pending.append((len(rows), model_pixels(picture, library.model.size)))
                rows.append((label, content_hash, vector))
            except (NotAnImageError, OSError) as exc:
                skipped.append(f"{path}: {getattr(exc, 'reason', exc)}")
            done += 1
            if on_progress is not None:
                on_progress(Progress("teach: reading albums", done, total))
    vectors = np.zeros((len(rows), dim), np.float32)
    for i, (_, _, v) in enumerate(rows):
        if v is not None:
            vectors[i] = v
    for start in range(0, len(pending), _BATCH):
        if cancel is not None:
            cancel.raise_if_cancelled()
        batch = pending[start : start + _BATCH]
        embedded = library.embedder.embed(np.stack([p for _, p in batch]))
        for (row, _), vector in zip(batch, embedded, strict=True):
            vectors[row] = vector
    labels = np.asarray([r[0] for r in rows], np.int64)
    names = list(albums)
    # Albums that lost photos to unreadable files may now be too small: drop and relabel them.
    counts = np.bincount(labels, minlength=len(names)) if len(labels) else np.zeros(0, int)
    keep = [i for i in range(len(names)) if counts[i] >= MIN_PHOTOS]
    if len(keep) < 2:
        raise SimiliError(
            f"{folder}: found {len(keep)} album(s) with at least {MIN_PHOTOS} readable photos; "
            "teaching needs at least 2 (one subfolder per album)"
        )
    remap = {old: new for new, old in enumerate(keep)}
    chosen = np.asarray([int(lab) in remap for lab in labels], bool)
    return AlbumSet(
        tuple(names[i] for i in keep),
        vectors[chosen],
        np.asarray([remap[int(lab)] for lab in labels[chosen]], np.int64),
        tuple(r[1] for r, c in zip(rows, chosen, strict=True) if c),
        skipped=tuple(skipped),
    )


def save_albums(folder: Path, albums: AlbumSet, model: str) -> None:
    """Store the taught album set (vectors first, the record naming them last)."""
    data = np.asarray(albums.vectors, np.float16).tobytes()
    write_atomic(folder / ALBUMS_NAME, data)
    record = {
        "model": model,
        "dim": int(albums.vectors.shape[1]),
        "checksum": checksum_of(data),
        "names": list(albums.names),
        "labels": [int(x) for x in albums.labels],
        "hashes": list(albums.hashes),
        "unsure_margin": albums.unsure_margin,
    }
    write_atomic(folder / ALBUMS_META, json.dumps(record).encode("utf-8"))


def load_albums(folder: Path, model: str) -> AlbumSet | None:
    """The taught album set for this model, or None (none taught, other model, damaged)."""
    try:
        record = json.loads((folder / ALBUMS_META).read_text(encoding="utf-8"))
        data = (folder / ALBUMS_NAME).read_bytes()
    except (OSError, ValueError):
        return None
    if record.get("model") != model or record.get("checksum") != checksum_of(data):
        return None
    dim = int(record["dim"])
    vectors = np.frombuffer(data, np.float16).reshape(-1, dim).astype(np.float32)
    return AlbumSet(
        tuple(record["names"]),
        vectors,
        np.asarray(record["labels"], np.int64),
        tuple(record.get("hashes", ())),
        float(record.get("unsure_margin", 0.0)),
    )
