"""Plain records passed between the engine's stages and to its callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath


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
class Match:
    """A search hit: an absolute path, a similarity (higher is closer, at most 1) and its level.

    `level` is one of core.levels.LEVELS ("same", "similar", "related", "unrelated"), decided
    from the model's calibrated thresholds; empty when the hit was made without them.
    """

    path: str
    score: float
    level: str = ""


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


@dataclass(frozen=True, slots=True)
class DuplicateFile:
    """One file of a duplicate group, with what a reviewer compares side by side."""

    path: str
    size: int
    width: int
    height: int
    format: str  # upper-case suffix: "JPEG", "PNG", "HEIC", ...
    taken: str | None = None
    camera: str | None = None
    content_hash: str = ""
    mtime: float | None = None  # the file's modification time (seconds), for "oldest file"
    # Edits this file shows against the rest of its group, as the verifier saw them
    # ("brightened", "captioned", "tilted", "black corners", "border", "grey", "cropped", ...).
    # Keep-best ranks such copies below the original.
    edits: tuple[str, ...] = ()

    @property
    def folder(self) -> str:
        """The folder holding the file."""
        return str(PurePath(self.path).parent)


@dataclass(frozen=True, slots=True)
class PairEvidence:
    """Why two files of a group were joined: how sure Simili is and what it saw.

    `method` is "bytes" (identical files), "pixels" (identical decoded pixels), "geometry"
    (local features agree under an edit's transform and the aligned pixels match), "aligned"
    (no usable features; the whole aligned pictures match pixel for pixel) or "burst" (similar
    shots: close in time, same camera or folder). `strength` is 0..1; `summary` is for people,
    e.g. "same picture: cropped to 80 %, brightened", and tells what b shows against a;
    `summary_from_b` tells what a shows against b (empty when the words have no direction).
    """

    a: str
    b: str
    method: str
    strength: float
    summary: str
    summary_from_b: str = ""

    def describing(self, path: str) -> str:
        """The words for `path` (a or b) against the other file of the pair.

        A verdict's words have a direction: a brightened copy is its original, darkened.
        """
        if path == self.a and self.summary_from_b:
            return self.summary_from_b
        return self.summary


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """Files that are the same photo (or, for "similar", one burst), with a suggested keeper.

    `kind` is "exact" (identical bytes or pixels), "near" (the same photo after edits) or
    "similar" (shots of one scene taken seconds apart); `keep` is only a suggestion.
    """

    kind: str
    files: tuple[DuplicateFile, ...]
    keep: str
    reason: str
    # How sure Simili is that the group belongs together, 0..1: the weakest link that joined it.
    confidence: float = 1.0
    # The links that joined the group (a spanning tree of confirmed pairs), strongest first.
    evidence: tuple[PairEvidence, ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        """The members' absolute paths."""
        return tuple(f.path for f in self.files)

    @property
    def reclaimable(self) -> int:
        """Bytes freed by trashing every file but the suggested keeper."""
        return sum(f.size for f in self.files if f.path != self.keep)


@dataclass(frozen=True, slots=True)
class TrashedFile:
    """A file moved to the system trash, as the undo log records it."""

    path: str
    size: int
    content_hash: str
    trashed_at: float
    trash_path: str | None = None  # where it lies in the trash, when the platform says
    restored: bool = False


@dataclass(frozen=True, slots=True)
class RetryReport:
    """What trying the problem files again did: fixed now, still failing, gone from disk."""

    fixed: list[str]
    failing: list[Problem]
    gone: list[str]
    report: IndexReport
