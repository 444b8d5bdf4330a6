"""Plain records passed between the engine's stages and to its callers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a long task stands; `total` is 0 while still unknown."""

    phase: str
    done: int = 0
    total: int = 0
    rate: float = 0.0
    eta_s: float | None = None
    message: str = ""


@dataclass(frozen=True, slots=True)
class PhotoMeta:
    """What decoding learns about a photo besides its pixels."""

    width: int
    height: int
    taken: str | None = None
    orientation: int = 1
    camera: str | None = None
    phash: int | None = None


@dataclass(frozen=True, slots=True)
class Photo:
    """One indexed file as the catalogue knows it."""

    path: str
    size: int
    mtime_ns: int
    content_hash: str
    key: int | None
    meta: PhotoMeta | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """A search hit: an absolute path and a similarity (higher is closer, at most 1)."""

    path: str
    score: float


@dataclass(frozen=True, slots=True)
class Problem:
    """A file that could not be indexed, with the reason shown to the user."""

    path: str
    reason: str


@dataclass(slots=True)
class IndexReport:
    """What one indexing run did."""

    scanned: int = 0
    added: int = 0
    changed: int = 0
    reused: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: int = 0
    offline_roots: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    cancelled: bool = False
