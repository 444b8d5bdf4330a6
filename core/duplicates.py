"""The duplicate scan: exact copies, edited copies and similar shots, grouped, with a keeper.

Three tiers, never one threshold:

* **exact**: byte-identical files (one content key, several paths) and files whose decoded
  pixels are identical though their bytes differ (metadata or container only).
* **near** ("edited copies"): both files come from the same capture — resized, re-encoded,
  cropped, turned or mirrored, slightly tilted, recoloured, captioned, converted. Candidate
  pairs come from `core.candidates` (nearest neighbours, turned/mirrored pHashes); each is
  confirmed only by evidence of a shared capture from `core.verify` (local features under an
  edit's transform, then the aligned pixels). Two exposures are never edited copies, however
  alike they look.
* **similar** (shots of one scene moments apart): `core.bursts`.

Where each thing is decided: which pairs the near tier verifies, in what order and how many,
in `core.near_tier`; whether a pair is one capture, in `core.verify`; groups in `core.grouping`
(union-find with the user's decisions; two groups merge only when their anchors verify too);
the numbers (strictness bars, budgets) in `core.duplicate_thresholds`, which a model manifest
may override in a `"duplicates"` block; keep-best in `core.keeper`. This module runs the tiers
in order and turns the groups into records.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.bursts import DEFAULT_GAP_S, burst_edges, shots, stack_shots, time_pairs
from core.candidates import (
    VectorStore,
    hash_distance,
    hash_pairs,
    neighbour_pairs,
    turned_hash_pairs,
)
from core.catalog import IndexedFile
from core.duplicate_thresholds import STRICTNESS, Thresholds, thresholds_for
from core.edit_labels import confirmed, group_labels
from core.errors import PhotoNotInLibraryError, SimiliError
from core.exposure import Exposure
from core.formats import file_format
from core.grouping import Groups
from core.keeper import suggest_keeper
from core.near_tier import NearTier, Pair
from core.paths import normalise
from core.pathtext import parse
from core.records import DuplicateFile, DuplicateGroup, PairEvidence, Progress
from core.tasks import CancelToken, ProgressCallback
from core.verdicts import VerdictStore
from core.verify import Verdict, Verifier, pixels_identical

if TYPE_CHECKING:
    from core.library import Library

__all__ = [
    "DEFAULT_GAP_S",
    "KEEP_ALL",
    "MODES",
    "NOT_DUPLICATES",
    "STRICTNESS",
    "DuplicateOptions",
    "Thresholds",
    "find_duplicates",
    "hash_distance",
    "record_decision",
    "stack_shots",
    "suggest_keeper",
    "thresholds_for",
    "turned_hash_pairs",
    "verify_ahead",
]

MODES = ("exact", "near", "similar")
NOT_DUPLICATES = "not_duplicates"
KEEP_ALL = "keep_all"
_TIER_RANK = {"exact": 0, "near": 1, "similar": 2}


@dataclass(frozen=True, slots=True)
class DuplicateOptions:
    """What to look for: `mode` is a level (exact ⊂ near ⊂ similar)."""

    mode: str = "near"
    gap_s: float = DEFAULT_GAP_S  # similar shots: at most this far apart in time
    min_similarity: float | None = None  # similar shots: cosine floor (None: the model's)
    thresholds: Thresholds | None = None  # None: the model's (manifest, else defaults)
    verify_pixels: bool = True  # False: only exact copies are confirmed in the near tier
    strictness: str = "strict"  # one of STRICTNESS
    reference: tuple[str, ...] = ()  # folders never trashed from: keep-best prefers their files
    # Keep verdicts between scans in the library folder (`core.verdicts`); off: verify afresh.
    saved_verdicts: bool = True


# -- the scan -------------------------------------------------------------------------------------
class _Scan(NearTier):
    """One duplicate scan over an opened library: the state the tiers share."""

    def __init__(
        self,
        library: Library,
        options: DuplicateOptions,
        cancel: CancelToken | None,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.library = library
        self.options = options
        self.t = options.thresholds or thresholds_for(library.model)
        self.cancel = cancel
        self.on_progress = on_progress
        self.files: list[IndexedFile] = list(library.catalog.indexed_files())
        self.by_key: dict[int, list[int]] = {}
        for i, f in enumerate(self.files):
            self.by_key.setdefault(f.key, []).append(i)
        self.keys = np.asarray(sorted(self.by_key), np.uint64)
        self.store = VectorStore(library)
        self.confirmed: dict[int, int] = {}  # pairs each content key was confirmed in
        self.groups = Groups(self.files, library.catalog.decisions(), self._anchor_rank)
        self.verifier = Verifier()
        self.saved = VerdictStore(library.folder if options.saved_verdicts else None)
        self.verdicts: dict[tuple[int, int], Verdict] = {}
        self.verified: list[Pair] = []  # pairs the verifier really ran on (not saved before)
        self.candidates: dict[tuple[int, int], float] = {}
        self.by_hash: set[tuple[int, int]] = set()
        self.near_by: dict[int, set[int]] = {}  # each key's candidate partners
        self.attempts: dict[int, int] = {}  # verifications of the near tier per content key
        self.ambiguous: set[int] = set()  # small photos that match two groups kept apart
        self.exposures: dict[int, Exposure | None] = {}  # EXIF shutter time per content key
        self.lowest_bar = min(self.t.bar(level) for level in STRICTNESS)

    def _anchor_rank(self, i: int) -> tuple[int, int]:
        """A group's anchor is the photo confirmed as a copy most often, then the largest.

        The original of a family is a copy of each of its edits, while two edits need not be
        copies of each other (a caption bar and black corners each paint what the other shows),
        so the most confirmed photo is the one another group's copies are most likely to match.
        """
        f = self.files[i]
        return self.confirmed.get(f.key, 0), (f.meta.width or 0) * (f.meta.height or 0)

    def exact(self) -> None:
        """Byte-identical copies share a key; identical pixels in another file are decoded."""
        for members in self.by_key.values():
            if len(members) > 1:
                for x, i in enumerate(members):
                    for j in members[x + 1 : x + 9] if len(members) > 8 else members[x + 1 :]:
                        self.groups.union(i, j, 0, self._evidence(i, j, "bytes"))
        # Same size, pHash within a few bits (a JPEG's fast decode path may shift a bit or
        # two), cosine ≈ 1: only those are decoded in full and compared.
        hashed = [k for k in self.by_key if self.files[self.first(k)].meta.phash is not None]
        if len(hashed) < 2:
            return
        hashes = np.asarray([self.files[self.first(k)].meta.phash for k in hashed], np.int64)
        for n, (i, j) in enumerate(turned_hash_pairs(hashes, 4, turned=False).tolist()):
            if self.cancel is not None and n % 256 == 0:
                self.cancel.raise_if_cancelled()
            a, b = hashed[i], hashed[j]
            ia, ib = self.first(a), self.first(b)
            ma, mb = self.files[ia].meta, self.files[ib].meta
            if (ma.width, ma.height) != (mb.width, mb.height) or self.groups.same(ia, ib):
                continue
            if self.store.cosine(a, b) >= self.t.pixel_cosine and pixels_identical(
                self.files[ia].path, self.files[ib].path
            ):
                self.groups.union(ia, ib, 0, self._evidence(ia, ib, "pixels"))

    def collect_candidates(self) -> None:
        """Neighbour pairs and turned/mirrored pHash pairs, with their cosine."""
        t = self.t
        self.candidates = neighbour_pairs(
            self.library, self.keys, t.neighbours, min(t.candidate, self._burst_floor()),
            self.store, self.cancel, self.on_progress,
        )  # fmt: skip
        hashed = {
            int(k): self.files[self.first(int(k))].meta.phash
            for k in self.keys
            if self.files[self.first(int(k))].meta.phash is not None
        }
        turned = hash_pairs(hashed, t.rotated_bits, t.rotated_cosine, self.store, self.candidates)
        self.candidates.update(turned)
        self.by_hash = set(turned)  # turned/mirrored copies: verified whatever their cosine
        for a, b in self.candidates:
            self.near_by.setdefault(a, set()).add(b)
            self.near_by.setdefault(b, set()).add(a)

    def _burst_floor(self) -> float:
        if self.options.min_similarity is not None:
            return self.options.min_similarity
        return self.t.similar

    def similar(self) -> None:
        """Bursts: alike, with a hint that the shots were taken together."""
        info = shots(self.files, self.by_key)
        floor = self._burst_floor()
        extra = [p for p in time_pairs(info, self.options.gap_s) if p not in self.candidates]
        self.store.fetch(k for pair in extra for k in pair)
        pairs = list(self.candidates.items())
        pairs += [(p, self.store.cosine(*p)) for p in extra]
        for n, (score, a, b, why) in enumerate(burst_edges(info, pairs, self.options.gap_s, floor)):
            if self.cancel is not None and n % 256 == 0:
                self.cancel.raise_if_cancelled()
            ia, ib = self.first(a), self.first(b)
            evidence = PairEvidence(
                self.files[ia].path, self.files[ib].path, "burst", round(min(1.0, score), 3),
                f"similar shots: {why}",
            )  # fmt: skip
            self.groups.union(ia, ib, 2, evidence, guard=self._anchors_alike)

    def _anchors_alike(self, x: int, y: int) -> bool:
        return self.store.cosine(self.files[x].key, self.files[y].key) >= self._burst_floor()

    def records(self) -> list[DuplicateGroup]:
        """The groups as records, with confidence, evidence, edit labels and the keeper."""
        bar = self.t.bar(self.options.strictness)
        doubtful = [i for i, f in enumerate(self.files) if f.key in self.ambiguous]
        components = self.groups.components(doubtful)
        group_of = {self.files[i].key: n for n, (_, members, _) in enumerate(components)
                    for i in members}  # fmt: skip
        pairs = confirmed(self.verdicts, group_of, bar)
        out = []
        for n, (kind, members, evidence) in enumerate(components):
            keys = {self.files[i].key for i in members}
            by_key = group_labels(keys, pairs.get(n, []))
            labels = {self.files[i].path: by_key.get(self.files[i].key, ()) for i in members}
            records = tuple(
                sorted((_record(self.files[i], labels) for i in members), key=lambda r: r.path)
            )
            keep, reason = suggest_keeper(records, reference=self.options.reference)
            confidence = min((e.strength for e in evidence), default=1.0)
            out.append(
                DuplicateGroup(kind, records, keep, reason, round(confidence, 3), tuple(evidence))
            )
        out.sort(key=lambda g: (_TIER_RANK[g.kind], -g.reclaimable, g.keep))
        return out


def confidence_words(group: DuplicateGroup, t: Thresholds | None = None) -> str:
    """How sure Simili is about a group, in words people use (not a bare percent)."""
    t = t or Thresholds()
    if group.kind == "exact":
        return "identical"
    if group.kind == "similar":
        return "similar shots"
    if group.confidence >= max(0.95, t.strict):
        return "certain"
    if group.confidence >= t.strict:
        return "very likely"
    if group.confidence >= t.normal:
        return "likely"
    return "possible"


def find_duplicates(
    library: Library,
    options: DuplicateOptions | None = None,
    *,
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback | None = None,
) -> list[DuplicateGroup]:
    """Find duplicate groups in an opened library (a reader is enough).

    Args:
        library: the library to scan.
        options: mode (exact/near/similar, each including the stricter ones), strictness,
            reference folders and tuning.
        cancel: checked between batches; raises Cancelled.
        on_progress: Progress records while comparing.

    Returns:
        Groups of two or more files, exact first, then near, then similar; within a kind, the
        most reclaimable space first. Each file is in at most one group.

    Raises:
        SimiliError: unknown mode or strictness.
    """
    options = options or DuplicateOptions()
    if options.mode not in MODES:
        raise SimiliError(f"unknown duplicates mode {options.mode!r}; use exact, near or similar")
    if options.strictness not in STRICTNESS:
        raise SimiliError(f"unknown strictness {options.strictness!r}; use strict, normal or loose")
    scan = _Scan(library, options, cancel, on_progress)
    if not scan.files:
        return []
    level = _TIER_RANK[options.mode]
    try:
        scan.exact()
        if level >= 1:
            scan.collect_candidates()
            scan.near()
        if level >= 2:
            scan.similar()
        out = scan.records()
    finally:
        scan.saved.close()  # what was verified before a cancel is kept too
    if on_progress is not None:
        on_progress(Progress("done", len(scan.keys), len(scan.keys)))
    return out


@dataclass(frozen=True, slots=True)
class AheadReport:
    """What `verify_ahead` did: pairs verified now, pairs whose verdict was already saved."""

    verified: int
    reused: int
    seconds: float


def verify_ahead(
    library: Library,
    *,
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback | None = None,
) -> AheadReport:
    """Verify the near tier's pairs now, so the next duplicate scan only reads their verdicts.

    Verification (decode, SIFT, alignment) is most of a first near scan: about 12 ms a photo,
    20 minutes at 100k photos, while a scan whose verdicts are saved takes about a minute. Run
    after indexing (the app does it in the background; `simili index` unless told not to), it
    moves that cost to a time the user is already waiting for the library. It is the default
    scan (near tier, strict) with saved verdicts, so a later scan at that level asks for exactly
    these pairs; other levels reuse most of them. Cancelling keeps what was verified.
    """
    started = time.perf_counter()
    scan = _Scan(library, DuplicateOptions(mode="near"), cancel, on_progress)
    if not scan.files or not scan.saved.active:
        scan.saved.close()
        return AheadReport(0, 0, 0.0)
    try:
        scan.exact()
        scan.collect_candidates()
        scan.near()
    finally:
        scan.saved.close()
    verified = len(scan.verified)
    return AheadReport(verified, len(scan.verdicts) - verified, time.perf_counter() - started)


def _record(f: IndexedFile, labels: dict[str, tuple[str, ...]]) -> DuplicateFile:
    m = f.meta
    return DuplicateFile(
        path=f.path,
        size=f.size,
        width=m.width or 0,
        height=m.height or 0,
        format=file_format(f.path),
        taken=m.taken,
        camera=m.camera,
        content_hash=f.content_hash,
        mtime=f.mtime_ns / 1e9,
        edits=tuple(sorted(labels.get(f.path, ()))),
    )


# -- decisions ------------------------------------------------------------------------------------
def record_decision(library: Library, kind: str, paths: Iterable[str]) -> int:
    """Remember that files are "not duplicates" or to "keep all"; later scans respect it.

    The files are stored by content hash and path: a rejected group never comes back, while a
    new copy added later may still pair with one of them.

    Args:
        library: opened as writer.
        kind: NOT_DUPLICATES or KEEP_ALL.
        paths: two or more indexed files.

    Returns:
        The decision's id (for undo: `library.catalog.remove_decision`).

    Raises:
        PhotoNotInLibraryError: a path is not an indexed photo.
        SimiliError: fewer than two files, or an unknown kind.
    """
    members: list[tuple[str, str]] = []
    for raw in paths:
        path = normalise(raw)
        found = library.catalog.lookup(path)
        if found is None and parse(raw) != raw:  # a path as printed with \xHH escapes
            path = normalise(parse(raw))
            found = library.catalog.lookup(path)
        if found is None:
            raise PhotoNotInLibraryError(f"{raw}: not an indexed photo of this library")
        members.append((found[1], path))
    try:
        return library.catalog.add_decision(kind, members)
    except ValueError as exc:
        raise SimiliError(f"cannot record decision: {exc}") from None
