"""Tags: a photo's top ImageNet classes with their scores, and how they live in the catalogue.

The catalogue keeps, per content (not per file: byte-identical copies share their tags), the
few classes the model gives most probability, one row each (`tags`), and marks every content
that has been through the class head (`tagged`), so a photo with no confident class is not
tagged again. Rows are written in the catalogue's own transactions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

# Per photo: at most this many classes, each with at least this probability. A hypernym's
# score ("dog") sums its classes' probabilities, so classes below 2 % add little to it.
TOP_TAGS = 8
MIN_TAG_SCORE = 0.02
TAGS_META = "tags_model"


@dataclass(frozen=True, slots=True)
class Tag:
    """One class the model sees in a photo, with its probability (0..1)."""

    class_id: int
    score: float


def top_tags(probs: np.ndarray, count: int = TOP_TAGS, floor: float = MIN_TAG_SCORE) -> list[Tag]:
    """The most probable classes of one photo's [classes] probability row, best first."""
    order = np.argsort(-probs)[:count]
    return [Tag(int(c), round(float(probs[c]), 4)) for c in order if probs[c] >= floor]


def write_tags(db: sqlite3.Connection, key: int, tags: Sequence[Tag]) -> None:
    """Replace one content's tags (call inside a catalogue transaction)."""
    db.execute("DELETE FROM tags WHERE key = ?", (key,))
    db.executemany(
        "INSERT INTO tags(key, class, score) VALUES (?, ?, ?)",
        [(key, t.class_id, t.score) for t in tags],
    )
    db.execute("INSERT OR IGNORE INTO tagged(key) VALUES (?)", (key,))


def tags_of(db: sqlite3.Connection, key: int) -> list[Tag]:
    """One content's tags, best first."""
    rows = db.execute("SELECT class, score FROM tags WHERE key = ? ORDER BY score DESC", (key,))
    return [Tag(int(c), float(s)) for c, s in rows]


def scores_for(db: sqlite3.Connection, classes: Iterable[int]) -> dict[int, float]:
    """Summed probability of the given classes, per content that has any of them."""
    wanted = sorted(set(classes))
    totals: dict[int, float] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for key, score in db.execute(
            f"SELECT key, SUM(score) FROM tags WHERE class IN ({marks}) GROUP BY key", chunk
        ):
            totals[key] = totals.get(key, 0.0) + float(score)
    return {key: min(score, 1.0) for key, score in totals.items()}


def untagged(db: sqlite3.Connection, limit: int) -> list[tuple[int, str]]:
    """Up to `limit` (key, one readable file path as stored) of contents with vectors, no tags."""
    rows = db.execute(
        "SELECT v.key, MIN(f.path) FROM vectors v JOIN contents c ON c.key = v.key "
        "JOIN files f ON f.hash = c.hash AND f.state = 'ok' "
        "WHERE v.key NOT IN (SELECT key FROM tagged) GROUP BY v.key ORDER BY v.key LIMIT ?",
        (limit,),
    )
    return [(int(k), p) for k, p in rows]


def count_untagged(db: sqlite3.Connection) -> int:
    """Contents with a vector and no tags yet."""
    return int(
        db.execute(
            "SELECT COUNT(*) FROM vectors WHERE key NOT IN (SELECT key FROM tagged)"
        ).fetchone()[0]
    )


def reset_if_model_changed(db: sqlite3.Connection, fingerprint: str) -> bool:
    """Forget all tags when they came from another class head; True when it did."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", (TAGS_META,)).fetchone()
    if row is not None and row[0] == fingerprint:
        return False
    changed = row is not None
    if changed:
        db.execute("DELETE FROM tags")
        db.execute("DELETE FROM tagged")
    db.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (TAGS_META, fingerprint),
    )
    return changed
