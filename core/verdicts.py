"""Verdicts of the pair verifier kept between duplicate scans (`verdicts.sqlite`, library folder).

Verifying a pair (decode, SIFT, RANSAC, aligned comparison) costs tens of milliseconds; the
catalogue already knows each file's content hash, so a verdict is a fact about two contents
under one verifier. A repeat scan then verifies only pairs with a new or changed photo.

Kept in its own SQLite file, not the catalogue: it is a cache (deleting it loses nothing but
time), it needs no catalogue migration, and a reader of the library may write it. Rows are keyed
by the two content hashes (in sorted order) and the verifier's `VERSION`; a new verifier simply
misses the old rows, and `prune` drops them. When the file cannot be opened or written (a
read-only library folder, a full disk), the scan goes on without it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from core.verify import VERSION, Verdict, swapped

FILE_NAME = "verdicts.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS verdicts (
    hash_a TEXT NOT NULL,
    hash_b TEXT NOT NULL,
    version INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    PRIMARY KEY (hash_a, hash_b, version)
) WITHOUT ROWID
"""


class VerdictStore:
    """Persistent verdicts by content-hash pair; thread-safe (the scan verifies on threads)."""

    def __init__(self, folder: Path | None) -> None:
        self._lock = threading.Lock()
        self._pending: list[tuple[str, str, int, str]] = []
        self._db: sqlite3.Connection | None = None
        if folder is None:
            return
        try:
            db = sqlite3.connect(folder / FILE_NAME, timeout=2.0, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
            db.commit()
        except sqlite3.Error:
            return  # a read-only or damaged cache only costs time
        self._db = db

    @property
    def active(self) -> bool:
        """Whether verdicts are kept (False: the file could not be opened)."""
        return self._db is not None

    def get(self, hash_a: str, hash_b: str) -> Verdict | None:
        """The stored verdict of (a, b) under this verifier, in the caller's order; else None."""
        if self._db is None:
            return None
        x, y = sorted((hash_a, hash_b))
        with self._lock:
            try:
                row = self._db.execute(
                    "SELECT verdict FROM verdicts WHERE hash_a = ? AND hash_b = ? AND version = ?",
                    (x, y, VERSION),
                ).fetchone()
            except sqlite3.Error:
                return None
        if row is None:
            return None
        try:
            found = _decode(row[0])
        except (ValueError, KeyError, TypeError):
            return None
        return found if (hash_a, hash_b) == (x, y) else _swap(found)

    def put(self, hash_a: str, hash_b: str, verdict: Verdict) -> None:
        """Remember a verdict (written on the next `flush`)."""
        if self._db is None:
            return
        if (hash_a, hash_b) != tuple(sorted((hash_a, hash_b))):
            hash_a, hash_b, verdict = hash_b, hash_a, _swap(verdict)
        with self._lock:
            self._pending.append((hash_a, hash_b, VERSION, _encode(verdict)))

    def flush(self) -> None:
        """Write the remembered verdicts in one transaction."""
        if self._db is None:
            return
        with self._lock:
            rows, self._pending = self._pending, []
            if not rows:
                return
            try:
                self._db.executemany("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?)", rows)
                self._db.commit()
            except sqlite3.Error:
                self._db.rollback()

    def prune(self) -> int:
        """Drop verdicts of other verifier versions; returns how many."""
        if self._db is None:
            return 0
        with self._lock:
            try:
                gone = self._db.execute("DELETE FROM verdicts WHERE version != ?", (VERSION,))
                self._db.commit()
            except sqlite3.Error:
                return 0
            return gone.rowcount

    def close(self) -> None:
        """Write what is pending and let go of the file."""
        self.flush()
        if self._db is not None:
            self._db.close()
            self._db = None


# Measurements kept with a verdict: what `core.edit_labels` needs to judge tones and tilts, and
# what `core.verify_words.describe` needs to tell the pair's words from the other side.
KEPT_FEATURES = (
    "brightness", "contrast", "angle", "mirrored", "pixel_ratio", "covered_a", "covered_b",
    "chroma_a", "chroma_b", "tint", "painted", "framed_a", "framed_b", "plain_edges_a",
    "plain_edges_b",
)  # fmt: skip


def _swap(v: Verdict) -> Verdict:
    return swapped(v)


def _encode(v: Verdict) -> str:
    return json.dumps(
        {
            "same": v.same,
            "strength": v.strength,
            "method": v.method,
            "summary": v.summary,
            "edits_a": list(v.edits_a),
            "edits_b": list(v.edits_b),
            "features": {k: v.features[k] for k in KEPT_FEATURES if k in v.features},
        }
    )


def _decode(text: str) -> Verdict:
    d = json.loads(text)
    return Verdict(
        bool(d["same"]),
        float(d["strength"]),
        str(d["method"]),
        str(d["summary"]),
        tuple(d["edits_a"]),
        tuple(d["edits_b"]),
        {str(k): float(x) for k, x in d.get("features", {}).items()},
    )
